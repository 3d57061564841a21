package io.tradestore.testing;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.UnitOfWork;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/** {@link FixtureCopies} on SQLite: the fixture is one closed database file, and a copy is a copy of that file. */
public final class SqliteFixtureCopies implements FixtureCopies {
    private final Path dir;
    private final Path fixture;
    private final AtomicInteger copies = new AtomicInteger();

    private SqliteFixtureCopies(Path dir, Path fixture) {
        this.dir = dir;
        this.fixture = fixture;
    }

    /** Writes the fixture with {@code populate} in one unit, in a store whose clock is {@code clock}. */
    public static SqliteFixtureCopies create(Path dir, Clock clock, Consumer<UnitOfWork> populate) {
        Path fixtureDir = dir.resolve("fixture");
        // Closing checkpoints the WAL into the database file, so from here on the file alone is the fixture.
        try (Tradestore store = Stores.open(fixtureDir, clock)) {
            store.useTransaction(populate);
        }
        return new SqliteFixtureCopies(dir, Stores.config(fixtureDir).file());
    }

    /** The fixture file itself; copy it, never open it, or later copies would not start from the fixture. */
    public Path fixtureFile() {
        return fixture;
    }

    @Override
    public Copy copy(Clock clock) {
        // One reader: units on a copy write, and snapshots read through their own connection, so more readers
        // would only add connections to open for every copy.
        return copy(clock, config -> config.withPoolSize(1));
    }

    @Override
    public Copy copy(Clock clock, UnaryOperator<TradestoreConfig> configure) {
        Path copyDir = dir.resolve("copy-" + copies.incrementAndGet());
        try {
            Files.createDirectories(copyDir);
            Path file = Files.copy(fixture, copyDir.resolve("tradestore.db"));
            return new SqliteCopy(copyDir, file, Tradestore.open(configure.apply(TradestoreConfig.sqlite(file)
                    .withClock(clock))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        delete(fixture.getParent());
    }

    @Override
    public String toString() {
        return "sqlite";
    }

    private static void delete(Path dir) {
        try (var files = Files.walk(dir)) {
            // Files.delete throws where File.delete would return false: a copy still held open shows up here.
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record SqliteCopy(Path dir, Path file, Tradestore store) implements Copy {
        @Override
        public Snapshot snapshot() {
            return Snapshot.of(file);
        }

        @Override
        public java.sql.Connection connect() throws java.sql.SQLException {
            return SqliteFiles.open(file);
        }

        @Override
        public void rewindSequences(Snapshot to) {
            // sqlite_sequence is a table: it rolled back with the unit that advanced it
        }

        @Override
        public void close() {
            try {
                store.close();
            } finally {
                delete(dir);
            }
        }
    }
}
