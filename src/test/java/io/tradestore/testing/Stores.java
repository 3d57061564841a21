package io.tradestore.testing;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Tradestores on real SQLite files in a test's temporary directory. */
public final class Stores {
    /** 2023-03-01T00:00:00Z, the start of the sample candles; a fixed "now" for tests. */
    public static final Instant T0 = Instant.parse("2023-03-01T00:00:00Z");

    private Stores() {
    }

    public static TradestoreConfig config(Path dir) {
        return TradestoreConfig.sqlite(dir.resolve("tradestore.db"));
    }

    public static Tradestore open(Path dir) {
        return Tradestore.open(config(dir));
    }

    /** A store whose clock is {@code clock} (e.g. a {@link MutableClock}). */
    public static Tradestore open(Path dir, Clock clock) {
        return Tradestore.open(config(dir).withClock(clock));
    }

    public static Clock fixed(Instant at) {
        return Clock.fixed(at, ZoneOffset.UTC);
    }
}
