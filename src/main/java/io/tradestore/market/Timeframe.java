package io.tradestore.market;

import io.tradestore.ValidationException;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Candle intervals, stored by their exchange code: the intervals Binance and Kraken both publish, up to a week. A
 * candle's open time lies on its timeframe's grid.
 *
 * <p>Adding an interval is one constant here and one schema release whose changesets list its code and grid in the
 * CHECKs of candlesticks, candlestick_metadata and pattern_cache (README, "Adding a timeframe");
 * {@code TimeframeCheckTest} fails until the database and this enum agree.
 */
public enum Timeframe {
    M1("1m", Duration.ofMinutes(1)),
    M3("3m", Duration.ofMinutes(3)),
    M5("5m", Duration.ofMinutes(5)),
    M15("15m", Duration.ofMinutes(15)),
    M30("30m", Duration.ofMinutes(30)),
    H1("1h", Duration.ofHours(1)),
    H2("2h", Duration.ofHours(2)),
    H4("4h", Duration.ofHours(4)),
    H6("6h", Duration.ofHours(6)),
    H8("8h", Duration.ofHours(8)),
    H12("12h", Duration.ofHours(12)),
    D1("1d", Duration.ofDays(1)),
    /**
     * Weekly bars open on Monday 00:00 UTC, as both venues publish them. The epoch was a Thursday, so the grid is
     * anchored at the first Monday, 1970-01-05, not at the epoch.
     */
    W1("1w", Duration.ofDays(7), Instant.parse("1970-01-05T00:00:00Z"));

    private final String code;
    private final Duration duration;
    private final Instant anchor;

    Timeframe(String code, Duration duration) {
        this(code, duration, Instant.EPOCH);
    }

    Timeframe(String code, Duration duration, Instant anchor) {
        this.code = code;
        this.duration = duration;
        this.anchor = anchor;
    }

    /** The stored form: "1m", "3m", ..., "1d", "1w". */
    public String code() {
        return code;
    }

    public Duration duration() {
        return duration;
    }

    /**
     * A grid point: candles of this timeframe open at whole multiples of {@link #duration()} before or after it.
     * The epoch for every timeframe up to a day (1h candles open on the hour, 1d candles at 00:00Z); Monday
     * 1970-01-05T00:00Z for weeks.
     */
    public Instant anchor() {
        return anchor;
    }

    /**
     * True if a candle of this timeframe may open at {@code t}: a whole multiple of {@link #duration()} away from
     * {@link #anchor()}. The database CHECKs the same rule on open_time (ck_candlesticks_open_time).
     */
    public boolean isOnGrid(Instant t) {
        return t.getNano() == 0 && offsetInPeriod(t) == 0;
    }

    /** The open time of the candle of this timeframe that contains {@code t}: the grid point at or before it. */
    public Instant floor(Instant t) {
        return Instant.ofEpochSecond(t.getEpochSecond() - offsetInPeriod(t));
    }

    /** Whole seconds from the grid point at or before {@code t}; floorMod, so instants before the anchor work too. */
    private long offsetInPeriod(Instant t) {
        return Math.floorMod(t.getEpochSecond() - anchor.getEpochSecond(), duration.getSeconds());
    }

    /** The grid rule in words, for messages: "a whole multiple of PT1H since the epoch". */
    String gridRule() {
        return "a whole multiple of " + duration + " since "
                + (anchor.equals(Instant.EPOCH) ? "the epoch"
                        : anchor.atOffset(ZoneOffset.UTC).getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH)
                                + " " + anchor);
    }

    public static Timeframe fromCode(String code) {
        for (Timeframe t : values()) {
            if (t.code.equals(code)) {
                return t;
            }
        }
        throw new ValidationException("timeframe", "must be one of "
                + Arrays.stream(values()).map(Timeframe::code).collect(Collectors.joining(", ")), code);
    }

    @Override
    public String toString() {
        return code;
    }
}
