package io.tradestore.market;

import io.tradestore.ValidationException;
import io.tradestore.internal.Check;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One OHLCV candle, keyed by (symbol, timeframe, openTime). The same record is written and read back, so it is
 * validated on construction, before any SQL: symbol as everywhere else, openTime a storable timestamp on the
 * timeframe's grid, prices > 0, volume >= 0, and high/low bracketing open and close. An inconsistent candle
 * therefore cannot be built, let alone stored.
 *
 * <p>Prices and volume are normalized as every decimal reads back (decision 0009: the smallest scale, at least 0,
 * that holds the value exactly), so a candle read back {@linkplain #equals equals} the one written
 * ({@code 23140.48} and {@code 23140.48000000} would otherwise differ as record components).
 */
public record Candle(String symbol, Timeframe timeframe, Instant openTime, BigDecimal open, BigDecimal high,
                     BigDecimal low, BigDecimal close, BigDecimal volume) {
    public Candle {
        Check.symbol("candlesticks.symbol", symbol);
        Check.notNull("candlesticks.timeframe", timeframe);
        Check.timestamp("candlesticks.open_time", openTime);
        if (!timeframe.isOnGrid(openTime)) {
            throw new ValidationException("candlesticks.open_time", "must lie on the " + timeframe + " grid, "
                    + timeframe.gridRule() + " (nearest before: "
                    + timeframe.floor(openTime) + ")", openTime);
        }
        open = Check.positive("candlesticks.open", open);
        high = Check.positive("candlesticks.high", high);
        low = Check.positive("candlesticks.low", low);
        close = Check.positive("candlesticks.close", close);
        volume = Check.nonNegative("candlesticks.volume", volume);
        atLeast("candlesticks.high", "high", high, "low", low);
        atLeast("candlesticks.high", "high", high, "open", open);
        atLeast("candlesticks.high", "high", high, "close", close);
        atMost("candlesticks.low", "low", low, "open", open);
        atMost("candlesticks.low", "low", low, "close", close);
    }

    private static void atLeast(String field, String name, BigDecimal value, String otherName, BigDecimal other) {
        if (value.compareTo(other) < 0) {
            throw new ValidationException(field, "must be >= " + otherName, new Values(name, value, otherName, other));
        }
    }

    private static void atMost(String field, String name, BigDecimal value, String otherName, BigDecimal other) {
        if (value.compareTo(other) > 0) {
            throw new ValidationException(field, "must be <= " + otherName, new Values(name, value, otherName, other));
        }
    }

    /** Shows both sides of a broken OHLC rule unquoted: {@code (was high=1, low=2)}. */
    private record Values(String name, BigDecimal value, String otherName, BigDecimal other) {
        @Override
        public String toString() {
            return name + "=" + value.toPlainString() + ", " + otherName + "=" + other.toPlainString();
        }
    }
}
