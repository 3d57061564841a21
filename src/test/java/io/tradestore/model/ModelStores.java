package io.tradestore.model;

import io.tradestore.Tradestore;
import io.tradestore.testing.FixtureCopies;
import io.tradestore.testing.PostgresFixtureCopies;
import io.tradestore.testing.Snapshot;
import io.tradestore.testing.SqliteFiles;
import io.tradestore.testing.SqliteFixtureCopies;
import io.tradestore.testing.TestEngine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Real stores for model-based properties, on SQLite or PostgreSQL: one fresh, empty, migrated database per action
 * chain, closed by {@link #closeAll()} when the property's try (or shrinking attempt) ends.
 *
 * <p>A property opens one store per chain, shrinking included, and migrating runs Liquibase (hundreds of
 * milliseconds). So each engine has one empty fixture per JVM ({@link FixtureCopies}): on SQLite every chain starts
 * from a byte copy of a migrated file, on PostgreSQL from a database cloned once and reset to empty for the next
 * chain ({@link PostgresFixtureCopies}).
 */
final class ModelStores {
    private static final List<OpenStore> OPEN = new ArrayList<>();
    private static final Map<TestEngine, FixtureCopies> FIXTURES = new EnumMap<>(TestEngine.class);

    private ModelStores() {
    }

    /** A store on a fresh, empty database of {@code engine}, whose clock is {@code clock}. */
    static synchronized OpenStore open(TestEngine engine, Clock clock) {
        OpenStore open = new OpenStore(fixture(engine).copy(clock));
        OPEN.add(open);
        return open;
    }

    /** Closes every store opened since the last call and drops (or gives back) its database. */
    static synchronized void closeAll() {
        RuntimeException failure = null;
        for (OpenStore s : OPEN) {
            try {
                s.copy().close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        OPEN.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private static FixtureCopies fixture(TestEngine engine) {
        return FIXTURES.computeIfAbsent(engine, e -> {
            FixtureCopies created;
            if (e == TestEngine.SQLITE) {
                try {
                    created = SqliteFixtureCopies.create(Files.createTempDirectory("tradestore-model-"),
                            Clock.systemUTC(), uow -> { });
                } catch (IOException io) {
                    throw new UncheckedIOException(io);
                }
            } else {
                created = PostgresFixtureCopies.create(Clock.systemUTC(), uow -> { });
            }
            Runtime.getRuntime().addShutdownHook(new Thread(created::close, "drop-model-fixture-" + e));
            return created;
        });
    }

    /** One open store on its own database. */
    record OpenStore(FixtureCopies.Copy copy) {
        Tradestore store() {
            return copy.store();
        }

        /** Every row of every table as committed, and the id counters ({@link Snapshot}, per engine). */
        Snapshot snapshot() {
            return copy.snapshot();
        }

        /** The rows of {@code sql} on the database as committed, each value as the engine's text of it. */
        List<List<String>> rows(String sql) {
            try (Connection c = copy.connect()) {
                return SqliteFiles.rows(c, sql);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot query " + copy, e);
            }
        }
    }
}
