package io.tradestore.internal;

import org.jooq.impl.AbstractConverter;

import java.math.BigDecimal;

/**
 * jOOQ binding of {@link Fixed8} columns. The DAOs validate with the column's name before any SQL; this
 * converter is the backstop that still refuses (never rounds) a value that slipped past them.
 */
public final class Fixed8Converter extends AbstractConverter<Long, BigDecimal> {
    private static final long serialVersionUID = 1L;

    public Fixed8Converter() {
        super(Long.class, BigDecimal.class);
    }

    @Override
    public BigDecimal from(Long stored) {
        return stored == null ? null : Fixed8.fromUnscaled(stored);
    }

    @Override
    public Long to(BigDecimal value) {
        return value == null ? null : Fixed8.toUnscaled("decimal column", value);
    }
}
