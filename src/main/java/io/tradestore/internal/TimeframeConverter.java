package io.tradestore.internal;

import io.tradestore.market.Timeframe;
import org.jooq.impl.AbstractConverter;

public final class TimeframeConverter extends AbstractConverter<String, Timeframe> {
    private static final long serialVersionUID = 1L;

    public TimeframeConverter() {
        super(String.class, Timeframe.class);
    }

    @Override
    public Timeframe from(String stored) {
        return stored == null ? null : Timeframe.fromCode(stored);
    }

    @Override
    public String to(Timeframe value) {
        return value == null ? null : value.code();
    }
}
