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
    private final Deque<PostgresDatabases> idle = new ArrayDeque<>();
    private final Set<PostgresDatabases> all = new LinkedHashSet<>();
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
        // Two connections: the units on a copy run one at a time, and a second lets a test read while one is open.
        return copy(clock, config -> config.withPoolSize(2));
    }

    @Override
    public Copy copy(Clock clock, UnaryOperator<TradestoreConfig> configure) {
        PostgresDatabases db = take();
        try {
            return new PostgresCopy(db, Tradestore.open(configure.apply(db.config().withClock(clock))));
        } catch (RuntimeException e) {
            discard(db);
            throw e;
        }
    }

    private PostgresDatabases take() {
        PostgresDatabases reused;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("these fixture copies are closed");
            }
            reused = idle.poll();
        }
        try {
            if (reused != null) {
                reset(reused);
                return reused;
            }
            PostgresDatabases created = fixture.copy();
            synchronized (this) {
                all.add(created);
            }
            return created;
        } catch (SQLException e) {
            if (reused != null) {
                discard(reused);
            }
            throw new IllegalStateException("cannot copy the PostgreSQL fixture " + fixture.name(), e);
        }
    }

    /** Every table back to the fixture's rows and every sequence to the fixture's position, in one transaction. */
    private void reset(PostgresDatabases db) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
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
        }
    }

    private synchronized void giveBack(PostgresDatabases db) {
        if (closed) {
            discard(db);
        } else {
            idle.push(db);
        }
    }

    private void discard(PostgresDatabases db) {
        synchronized (this) {
            all.remove(db);
            idle.remove(db);
        }
        drop(db);
    }

    /** Drops the fixture and every copy not in use; a copy still open is dropped when it is closed. */
    @Override
    public void close() {
        List<PostgresDatabases> toDrop;
        synchronized (this) {
            closed = true;
            toDrop = new ArrayList<>(idle);
            all.removeAll(idle);
            idle.clear();
        }
        toDrop.add(fixture);
        RuntimeException failure = null;
        for (PostgresDatabases db : toDrop) {
            try {
                drop(db);
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
        private final PostgresDatabases db;
        private final Tradestore store;
        private boolean closed;

        PostgresCopy(PostgresDatabases db, Tradestore store) {
            this.db = db;
            this.store = store;
        }

        @Override
        public Tradestore store() {
            return store;
        }

        @Override
        public Snapshot snapshot() {
            try (Connection c = connect()) {
                // One transaction snapshot for every table: the same committed state throughout.
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                try {
                    return Snapshot.of(c);
                } finally {
                    c.rollback();
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot snapshot " + db.name(), e);
            }
        }

        @Override
        public void rewindSequences(Snapshot to) {
            try (Connection c = connect()) {
                Snapshot.rewindSequences(c, to);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot rewind the sequences of " + db.name(), e);
            }
        }

        /** A plain connection whose unqualified table names resolve as the store's do. */
        @Override
        public Connection connect() throws SQLException {
            Connection c = db.connect();
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
                discard(db);
                throw e;
            }
            giveBack(db);
        }

        @Override
        public String toString() {
            return "postgres copy " + db.name();
        }
    }
}
