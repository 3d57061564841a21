package io.tradestore.internal;

import io.tradestore.ValidationException;

import java.time.Instant;

/**
 * The one timestamp representation: microseconds since 1970-01-01T00:00:00Z as a 64-bit integer, in every
 * table (decision 0003). Range [1970-01-01T00:00:00Z, 9999-12-31T23:59:59.999999Z]. An instant with
 * nanoseconds below a whole microsecond is rejected rather than silently truncated, so what is read back
 * always equals what was written.
 */
public final class EpochMicros {
    public static final Instant MIN = Instant.EPOCH;
    public static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999Z");

    private EpochMicros() {
    }

    public static long toMicros(String column, Instant instant) {
        if (instant == null) {
            throw new ValidationException(column, "must not be null", null);
        }
        if (instant.isBefore(MIN) || instant.isAfter(MAX)) {
            throw new ValidationException(column, "must be within [" + MIN + ", " + MAX + "]", instant);
        }
        if (instant.getNano() % 1_000 != 0) {
            throw new ValidationException(column, "has sub-microsecond precision; timestamps are stored in whole"
                    + " microseconds: pass instant.truncatedTo(ChronoUnit.MICROS) or use Tradestore.clock()", instant);
        }
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }

    public static Instant fromMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }
}
