package io.tradestore.internal;

import org.jooq.impl.AbstractConverter;

import java.time.Instant;

/** jOOQ binding of {@link EpochMicros} columns; like {@link DecimalBinding}, a backstop behind the DAOs. */
public final class EpochMicrosConverter extends AbstractConverter<Long, Instant> {
    private static final long serialVersionUID = 1L;

    public EpochMicrosConverter() {
        super(Long.class, Instant.class);
    }

    @Override
    public Instant from(Long stored) {
        return stored == null ? null : EpochMicros.fromMicros(stored);
    }

    @Override
    public Long to(Instant value) {
        return value == null ? null : EpochMicros.toMicros("timestamp column", value);
    }
}
