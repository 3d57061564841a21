package io.tradestore.testing;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.UnitOfWork;
import io.tradestore.internal.PostgresEngine;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * {@link FixtureCopies} on PostgreSQL: the fixture is a database populated once (a clone of the migrated template,
 * {@link PostgresDatabases#migrated()}) and then left without sessions; a new copy is {@code CREATE DATABASE copy
 * TEMPLATE fixture}, which copies every row and every sequence's position.
 *
 * <p>Creating a database costs 0.3 to 1.5 s on this machine (and dropping one 0.1 to 1 s), far more than the cases
 * that use a copy. So a closed copy is kept and handed out again, reset to the fixture first: every row of every
 * table deleted and the fixture's rows inserted again from a schema the fixture carries for this
 * ({@code tradestore_fixture}, outside the schemas a {@link Snapshot} reads), and every sequence put back where the
 * fixture left it, all in one transaction (tens of milliseconds). A reset copy is indistinguishable from a new one
 * through the API and through a {@link Snapshot}; only its databases' ids differ. The databases are dropped by
 * {@link #close()}.
 *
 * <p>Snapshots compare rows exactly and let sequences only move on: sequences are not transactional, so a rolled-back
 * or failed insert consumes its id (see {@link Snapshot}); {@link Copy#rewindSequences} puts them back where a test
 * needs comparable ids.
 */
public final class PostgresFixtureCopies implements FixtureCopies {
    static final String SAVED = "tradestore_fixture";

    private final PostgresDatabases fixture;
    /** Every table of the snapshot schemas, parents before the tables whose foreign keys name them. */
    private final List<String> tables;
    private final Map<String, Snapshot.Sequence> sequences;
    private final Deque<Db> idle = new ArrayDeque<>();
    private boolean closed;

    private PostgresFixtureCopies(PostgresDatabases fixture, List<String> tables,
                                  Map<String, Snapshot.Sequence> sequences) {
        this.fixture = fixture;
        this.tables = tables;
        this.sequences = sequences;
    }

    /**
     * Writes the fixture with {@code populate} in one unit, in a store whose clock is {@code clock}, and closes that
     * store (a template must have no sessions when it is copied). Skips the caller without a server.
     */
    public static PostgresFixtureCopies create(Clock clock, Consumer<UnitOfWork> populate) {
        PostgresDatabases.assumeAvailable();
        PostgresDatabases db = null;
        try {
            db = PostgresDatabases.migrated();
            try (Tradestore store = Tradestore.open(db.config().withClock(clock).withPoolSize(1))) {
                store.useTransaction(populate);
            }
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                List<String> tables = parentsFirst(c);
                st.execute("CREATE SCHEMA " + SAVED);
                for (String table : tables) {
                    st.execute("CREATE TABLE " + SAVED + "." + table.substring(table.indexOf('.') + 1)
                            + " AS TABLE " + table);
                }
                return new PostgresFixtureCopies(db, tables, Snapshot.pgSequences(c));
            }
        } catch (SQLException | RuntimeException e) {
            if (db != null) {
                try {
                    db.close();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException("cannot create the fixture", e);
        }
    }

    /** schema.table of every table a snapshot reads, each after every table its foreign keys reference. */
    private static List<String> parentsFirst(Connection c) throws SQLException {
        Map<String, Set<String>> parents = new LinkedHashMap<>();
        for (List<String> r : SqliteFiles.rows(c, "SELECT n.nspname || '.' || t.relname FROM pg_class t"
                + " JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname IN " + Snapshot.PG_SCHEMAS
                + " AND t.relkind IN ('r', 'p') AND NOT t.relispartition ORDER BY 1")) {
            parents.put(r.get(0), new LinkedHashSet<>());
        }
        for (List<String> r : SqliteFiles.rows(c, "SELECT cn.nspname || '.' || ct.relname, pn.nspname || '.' || pt.relname"
                + " FROM pg_constraint k JOIN pg_class ct ON ct.oid = k.conrelid JOIN pg_namespace cn ON cn.oid = ct.relnamespace"
                + " JOIN pg_class pt ON pt.oid = k.confrelid JOIN pg_namespace pn ON pn.oid = pt.relnamespace"
                + " WHERE k.contype = 'f'")) {
            if (parents.containsKey(r.get(0)) && !r.get(0).equals(r.get(1))) {
                parents.get(r.get(0)).add(r.get(1));
            }
        }
        List<String> order = new ArrayList<>();
        while (order.size() < parents.size()) {
            int before = order.size();
            parents.forEach((table, needs) -> {
                if (!order.contains(table) && order.containsAll(needs)) {
                    order.add(table);
                }
            });
            if (order.size() == before) {
                throw new IllegalStateException("foreign keys form a cycle among " + parents);
            }
        }
        return order;
    }

    @Override
    public Copy copy(Clock clock) {
        // One connection, as on SQLite: units on a copy run one at a time (a read inside a write unit joins it), and
        // snapshots and rewinds use connections of their own; each pooled connection is a backend to start.
        return copy(clock, config -> config.withPoolSize(1));
    }

    @Override
    public Copy copy(Clock clock, UnaryOperator<TradestoreConfig> configure) {
        Db db = take();
        try {
            return new PostgresCopy(db, Tradestore.open(configure.apply(db.database().config().withClock(clock))));
        } catch (RuntimeException e) {
            db.drop();
            throw e;
        }
    }

    /**
     * A copy's database and the one connection the test side keeps to it (snapshots, rewinds, resets): starting a
     * backend costs more than most of what runs on it.
     */
    record Db(PostgresDatabases database, Connection side) {
        static Db open(PostgresDatabases database) throws SQLException {
            Connection side = database.connect();
            try (Statement st = side.createStatement()) {
                st.execute("SET search_path TO " + PostgresEngine.SEARCH_PATH);
            } catch (SQLException e) {
                side.close();
                throw e;
            }
            return new Db(database, side);
        }

        void drop() {
            try {
                side.close();
            } catch (SQLException e) {
                // dropped WITH (FORCE) next, which ends the session anyway
            }
            PostgresFixtureCopies.drop(database);
        }
    }

    private Db take() {
        Db reused;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("these fixture copies are closed");
            }
            reused = idle.poll();
        }
        if (reused != null) {
            try {
                reset(reused.side());
                return reused;
            } catch (SQLException e) {
                reused.drop();
                throw new IllegalStateException("cannot reset " + reused.database().name() + " to the fixture", e);
            }
        }
        try {
            PostgresDatabases created = new PostgresDatabases(fixture);
            try {
                return Db.open(created);
            } catch (SQLException e) {
                drop(created);
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot copy the PostgreSQL fixture " + fixture.name(), e);
        }
    }

    /** Every table back to the fixture's rows and every sequence to the fixture's position, in one transaction. */
    private void reset(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            for (int i = tables.size() - 1; i >= 0; i--) {
                st.addBatch("DELETE FROM " + tables.get(i));
            }
            for (String table : tables) {
                st.addBatch("INSERT INTO " + table + " SELECT * FROM " + SAVED + "."
                        + table.substring(table.indexOf('.') + 1));
            }
            sequences.forEach((name, s) -> {
                try {
                    st.addBatch("SELECT setval('" + name + "', " + s.value() + ", " + s.called() + ")");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            st.executeBatch();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private void giveBack(Db db) {
        synchronized (this) {
            if (!closed) {
                idle.push(db);
                return;
            }
        }
        db.drop();
    }

    /** Drops the fixture and every copy not in use; a copy still open is dropped when it is closed. */
    @Override
    public void close() {
        List<Runnable> toDrop = new ArrayList<>();
        synchronized (this) {
            closed = true;
            idle.forEach(db -> toDrop.add(db::drop));
            idle.clear();
        }
        toDrop.add(() -> drop(fixture));
        RuntimeException failure = null;
        for (Runnable drop : toDrop) {
            try {
                drop.run();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "postgres";
    }

    private static void drop(PostgresDatabases db) {
        try {
            db.close();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop " + db.name(), e);
        }
    }

    private final class PostgresCopy implements Copy {
        private final Db db;
        private final Tradestore store;
        private boolean closed;

        PostgresCopy(Db db, Tradestore store) {
            this.db = db;
            this.store = store;
        }

        @Override
        public Tradestore store() {
            return store;
        }

        /** Synchronized: the side connection is one session, and a test may snapshot from several threads. */
        @Override
        public Snapshot snapshot() {
            synchronized (db) {
                Connection c = db.side();
                try {
                    // One transaction snapshot for every table: the same committed state throughout.
                    c.setAutoCommit(false);
                    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                    try {
                        return Snapshot.of(c);
                    } finally {
                        c.rollback();
                        c.setAutoCommit(true);
                    }
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot snapshot " + db.database().name(), e);
                }
            }
        }

        @Override
        public void rewindSequences(Snapshot to) {
            synchronized (db) {
                try {
                    Snapshot.rewindSequences(db.side(), to);
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot rewind the sequences of " + db.database().name(), e);
                }
            }
        }

        /** A new plain connection whose unqualified table names resolve as the store's do. */
        @Override
        public Connection connect() throws SQLException {
            Connection c = db.database().connect();
            try (Statement st = c.createStatement()) {
                st.execute("SET search_path TO " + PostgresEngine.SEARCH_PATH);
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            return c;
        }

        /** Closes the store; the database goes back to be reset and handed out again (dropped if that fails). */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                store.close();
            } catch (RuntimeException e) {
                db.drop();
                throw e;
            }
            giveBack(db);
        }

        @Override
        public String toString() {
            return "postgres copy " + db.database().name();
        }
    }
}
