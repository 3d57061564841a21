package io.tradestore.market;

import io.tradestore.ValidationException;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Candle intervals, stored by their exchange code. A candle's open time lies on its timeframe's grid. */
public enum Timeframe {
    M1("1m", Duration.ofMinutes(1)),
    M5("5m", Duration.ofMinutes(5)),
    M15("15m", Duration.ofMinutes(15)),
    H1("1h", Duration.ofHours(1)),
    H4("4h", Duration.ofHours(4)),
    D1("1d", Duration.ofDays(1));

    private final String code;
    private final Duration duration;

    Timeframe(String code, Duration duration) {
        this.code = code;
        this.duration = duration;
    }

    /** The stored form: "1m", "5m", "15m", "1h", "4h", "1d". */
    public String code() {
        return code;
    }

    public Duration duration() {
        return duration;
    }

    /**
     * True if a candle of this timeframe may open at {@code t}: a whole multiple of {@link #duration()} since the
     * epoch, so 1h candles open on the hour and 1d candles at 00:00Z. The database CHECKs the same rule on
     * open_time, which is why the grid is anchored at the epoch rather than at an exchange's session start.
     */
    public boolean isOnGrid(Instant t) {
        return t.getNano() == 0 && Math.floorMod(t.getEpochSecond(), duration.getSeconds()) == 0;
    }

    /** The open time of the candle of this timeframe that contains {@code t}: the grid point at or before it. */
    public Instant floor(Instant t) {
        long seconds = t.getEpochSecond();
        return Instant.ofEpochSecond(seconds - Math.floorMod(seconds, duration.getSeconds()));
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
