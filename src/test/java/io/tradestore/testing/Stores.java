package io.tradestore.testing;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Tradestores on real SQLite files in a test's temporary directory. The file starts as a copy of one database
 * migrated once per test JVM: migrating costs 37 committed changesets (an fsync each), which dominated the
 * suite's wall time. Tests of migration itself create their own files.
 */
public final class Stores {
    /** 2023-03-01T00:00:00Z, the start of the sample candles; a fixed "now" for tests. */
    public static final Instant T0 = Instant.parse("2023-03-01T00:00:00Z");

    private static Path template;

    private Stores() {
    }

    /** Config for {@code dir/tradestore.db}, which already holds a freshly migrated, empty database. */
    public static TradestoreConfig config(Path dir) {
        Path file = dir.resolve("tradestore.db");
        if (!Files.exists(file)) {
            try {
                Files.createDirectories(dir);
                Files.copy(template(), file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return TradestoreConfig.sqlite(file);
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

    private static synchronized Path template() throws IOException {
        if (template == null) {
            Path dir = Files.createTempDirectory("tradestore-template");
            dir.toFile().deleteOnExit();
            try {
                Path migrated = SqliteFiles.migrated(dir);
                migrated.toFile().deleteOnExit();
                template = migrated;
            } catch (java.sql.SQLException e) {
                throw new IOException("cannot migrate the template database", e);
            }
        }
        return template;
    }
}
