package io.tradestore.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The yardstick for issue 13: SQLite driven by hand through sqlite-jdbc the way {@code SqliteEngine} drives it, so
 * that the DAO's overhead is all that differs. Same PRAGMAs ({@link Storage#openWriter}, {@link Storage#openReader}:
 * WAL, synchronous NORMAL, foreign keys, busy timeout 5 s, temp_store MEMORY, cache_size, mmap_size, readers opened
 * SQLITE_OPEN_READONLY), same transaction shape (auto-commit connections, explicit {@code BEGIN IMMEDIATE} or
 * {@code BEGIN}, then {@code COMMIT}), one writer connection whose units take turns through a fair lock, and a few
 * read-only connections. What a hand-written data layer adds on top: every statement, BEGIN and COMMIT included,
 * is prepared once per connection and kept.
 */
public final class RawSqlite implements AutoCloseable {
    /** SqliteEngine's default reader pool (TradestoreConfig.sqlite: 4 readers). */
    static final int READERS = 4;
    private static final long BUSY_TIMEOUT_MS = 5_000;

    private final Conn writer;
    private final ReentrantLock writeTurn = new ReentrantLock(true);
    private final BlockingQueue<Conn> readers;
    private final List<Conn> all = new ArrayList<>();

    /** What a unit of work does on its connection. */
    @FunctionalInterface
    public interface Work<T> {
        T apply(Conn c) throws SQLException;
    }

    /** One connection and the statements prepared on it, each prepared the first time it is asked for. */
    public static final class Conn {
        final Connection connection;
        private final Map<String, PreparedStatement> statements = new HashMap<>();
        private final PreparedStatement begin;
        private final PreparedStatement commit;
        private final PreparedStatement rollback;

        Conn(Connection connection, String begin) throws SQLException {
            this.connection = connection;
            this.begin = connection.prepareStatement(begin);
            this.commit = connection.prepareStatement("COMMIT");
            this.rollback = connection.prepareStatement("ROLLBACK");
        }

        /** The statement for {@code sql} on this connection; parameters are whatever the last use left. */
        public PreparedStatement prepared(String sql) throws SQLException {
            PreparedStatement ps = statements.get(sql);
            if (ps == null) {
                ps = connection.prepareStatement(sql);
                statements.put(sql, ps);
            }
            return ps;
        }

        void close() throws SQLException {
            for (PreparedStatement ps : statements.values()) {
                ps.close();
            }
            begin.close();
            commit.close();
            rollback.close();
            connection.close();
        }
    }

    private RawSqlite(Conn writer, BlockingQueue<Conn> readers) {
        this.writer = writer;
        this.readers = readers;
    }

    public static RawSqlite open(Path file) throws SQLException {
        Conn writer = new Conn(Storage.openWriter(file), "BEGIN IMMEDIATE");
        BlockingQueue<Conn> readers = new ArrayBlockingQueue<>(READERS);
        RawSqlite raw = new RawSqlite(writer, readers);
        raw.all.add(writer);
        for (int i = 0; i < READERS; i++) {
            Conn r = new Conn(Storage.openReader(file), "BEGIN");
            raw.all.add(r);
            readers.add(r);
        }
        return raw;
    }

    /** One write unit: the writer's turn (fair, as SqliteEngine's), BEGIN IMMEDIATE, work, COMMIT. */
    public <T> T write(Work<T> work) throws SQLException {
        boolean turn;
        try {
            turn = writeTurn.tryLock(BUSY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the writer", e);
        }
        if (!turn) {
            throw new SQLException("waited " + BUSY_TIMEOUT_MS + " ms for the writer");
        }
        try {
            return unit(writer, work);
        } finally {
            writeTurn.unlock();
        }
    }

    /** One read unit on a read-only connection: BEGIN (the snapshot is taken by the first read), work, COMMIT. */
    public <T> T read(Work<T> work) throws SQLException {
        Conn c;
        try {
            c = readers.poll(BUSY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a reader", e);
        }
        if (c == null) {
            throw new SQLException("no reader became free within " + BUSY_TIMEOUT_MS + " ms");
        }
        try {
            return unit(c, work);
        } finally {
            readers.add(c);
        }
    }

    private static <T> T unit(Conn c, Work<T> work) throws SQLException {
        c.begin.execute();
        T result;
        try {
            result = work.apply(c);
            c.commit.execute();
        } catch (SQLException | RuntimeException | Error e) {
            try {
                c.rollback.execute();
            } catch (SQLException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        }
        return result;
    }

    /** Checkpoints the WAL into the database file (so that a copy of the file alone is complete), then closes. */
    @Override
    public void close() throws SQLException {
        SQLException first = null;
        for (Conn c : all) {
            if (c == writer) {
                continue;
            }
            try {
                c.close();
            } catch (SQLException e) {
                first = first == null ? e : first;
            }
        }
        try (var st = writer.connection.createStatement()) {
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        writer.close();
        if (first != null) {
            throw first;
        }
    }
}
