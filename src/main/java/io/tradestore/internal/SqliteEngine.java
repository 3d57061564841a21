package io.tradestore.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tradestore.BusyException;
import io.tradestore.TradestoreConfig;
import org.jooq.SQLDialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * SQLite as production SQLite should run: WAL, one writer connection whose transactions start with
 * {@code BEGIN IMMEDIATE} and which units of work take in turn through a fair lock, and a pool of read-only
 * connections that read committed snapshots while a write runs. Every PRAGMA is set through the driver's
 * configuration, so it applies to every connection a pool ever opens.
 *
 * <p>Transactions are controlled with explicit SQL on connections left in auto-commit mode: the driver's own
 * non-auto-commit mode begins the next transaction as soon as one commits, which would keep the write lock held
 * by an idle writer and lock out other processes.
 */
public final class SqliteEngine extends Engine {
    private static final Logger log = LoggerFactory.getLogger(SqliteEngine.class);
    /** Negative cache_size is KiB: 16 MiB of page cache per connection. */
    static final int CACHE_SIZE_KIB = -16_384;
    static final long MMAP_SIZE = 256L * 1024 * 1024;
    /** After a checkpoint, the WAL file is truncated back to at most this size. */
    static final int JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

    private final String url;
    private final Path file;
    private final Duration busyTimeout;
    private final HikariDataSource writer;
    private final HikariDataSource readers;
    private final ReentrantLock writeTurn = new ReentrantLock(true);

    public SqliteEngine(TradestoreConfig config) {
        this.file = config.file().toAbsolutePath();
        this.url = "jdbc:sqlite:" + file;
        this.busyTimeout = config.busyTimeout();
        this.writer = config.readOnly() ? null : pool("tradestore-writer", writerConfig(config), 1, false, config);
        this.readers = pool("tradestore-readers", readerConfig(config), config.poolSize(), true, config);
    }

    static SQLiteConfig writerConfig(TradestoreConfig config) {
        SQLiteConfig c = common(config);
        c.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // NORMAL in WAL mode: a commit survives a crash of the process; a power loss or OS crash may lose the
        // last commits (never corrupts). FULL would fsync on every commit. See docs/decisions/0006.
        c.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        c.setJournalSizeLimit(JOURNAL_SIZE_LIMIT);
        return c;
    }

    static SQLiteConfig readerConfig(TradestoreConfig config) {
        SQLiteConfig c = common(config);
        c.setReadOnly(true); // SQLITE_OPEN_READONLY: enforced by SQLite, not by convention
        return c;
    }

    private static SQLiteConfig common(TradestoreConfig config) {
        SQLiteConfig c = new SQLiteConfig();
        c.enforceForeignKeys(true);
        c.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, config.busyTimeout().toMillis()));
        c.setTempStore(SQLiteConfig.TempStore.MEMORY);
        c.setCacheSize(CACHE_SIZE_KIB);
        c.setPragma(SQLiteConfig.Pragma.MMAP_SIZE, Long.toString(MMAP_SIZE));
        // Since 3.45 the driver fetches generated keys after every insert (xerial #1135); DAOs use RETURNING.
        c.setGetGeneratedKeys(false);
        return c;
    }

    private HikariDataSource pool(String name, SQLiteConfig sqlite, int size, boolean readOnly,
                                  TradestoreConfig config) {
        SQLiteDataSource source = new SQLiteDataSource(sqlite);
        source.setUrl(url);
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(name);
        hikari.setDataSource(StatementCache.over(source));
        hikari.setMaximumPoolSize(size);
        hikari.setMinimumIdle(size);
        hikari.setConnectionTimeout(Math.max(250, busyTimeout.toMillis()));
        hikari.setAutoCommit(true);
        // Hikari sets the read-only flag on every new connection; sqlite-jdbc refuses to change it after open,
        // so it must state the value the connection was opened with.
        hikari.setReadOnly(readOnly);
        Engine.meter(hikari, config);
        return new HikariDataSource(hikari);
    }

    @Override
    public SQLDialect dialect() {
        return SQLDialect.SQLITE;
    }

    @Override
    public Connection beginWrite() throws SQLException {
        Connection c = beginTurn();
        try {
            execute(c, "BEGIN IMMEDIATE");
            return c;
        } catch (SQLException | RuntimeException e) {
            release(c, true);
            throw e;
        }
    }

    /** The writer's turn and its connection, in auto-commit; the caller must {@link #release} it as a writer. */
    private Connection beginTurn() throws SQLException {
        if (writer == null) {
            throw readOnlyStore();
        }
        long start = System.nanoTime();
        boolean turn;
        try {
            turn = writeTurn.tryLock(busyTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BusyException("interrupted while waiting for the writer", "40001", e);
        }
        if (!turn) {
            throw new BusyException("waited " + Duration.ofNanos(System.nanoTime() - start).toMillis()
                    + " ms (busyTimeout) for the writer; " + describe(), "40001", null);
        }
        try {
            return borrow(writer);
        } catch (SQLException | RuntimeException e) {
            release(null, true);
            throw e;
        }
    }

    @Override
    public Connection beginRead() throws SQLException {
        // Deferred: the snapshot is taken by the first read and held until COMMIT.
        return started(borrow(readers), "BEGIN", false);
    }

    @Override
    public void commit(Connection c) throws SQLException {
        execute(c, "COMMIT");
    }

    @Override
    public void rollback(Connection c) throws SQLException {
        try {
            execute(c, "ROLLBACK");
        } catch (SQLException e) {
            // SQLite ends the transaction itself on some errors; rolling back nothing is fine.
            if (e.getMessage() == null || !e.getMessage().contains("no transaction is active")) {
                throw e;
            }
        }
    }

    @Override
    public void release(Connection c, boolean write) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException e) {
            log.warn("closing a {} connection failed", write ? "writer" : "reader", e);
        } finally {
            if (write && writeTurn.isHeldByCurrentThread()) {
                writeTurn.unlock();
            }
        }
    }

    @Override
    public void discard(Connection c, boolean write) {
        try {
            (write ? writer : readers).evictConnection(c);
        } catch (RuntimeException e) {
            log.warn("evicting a broken {} connection failed", write ? "writer" : "reader", e);
        } finally {
            release(null, write);
        }
    }

    @Override
    public String describe() {
        return "sqlite " + url.substring("jdbc:sqlite:".length()) + ": " + writeTurn.getQueueLength()
                + " units waiting to write, readers " + readers.getHikariPoolMXBean().getActiveConnections()
                + " active / " + readers.getHikariPoolMXBean().getTotalConnections() + " total";
    }

    @Override
    public <T> T inspect(SqlWork<T> work) throws SQLException {
        try (Connection c = borrow(readers)) {
            return work.apply(c);
        }
    }

    @Override
    public <T> T maintenance(SqlWork<T> work) throws SQLException {
        Connection c = beginTurn();
        try {
            return work.apply(c);
        } finally {
            release(c, true);
        }
    }

    @Override
    public List<HikariDataSource> pools() {
        return writer == null ? List.of(readers) : List.of(writer, readers);
    }

    /** The database file. */
    public Path file() {
        return file;
    }

    /**
     * Closes the readers first (an open reader would pin its snapshot and stop the checkpoint from truncating the
     * WAL), then checkpoints the WAL into the database file and closes the writer, the last connection, which
     * removes the -wal and -shm files.
     */
    @Override
    public void close() {
        readers.close();
        if (writer != null) {
            try (Connection c = writer.getConnection()) {
                execute(c, "PRAGMA wal_checkpoint(TRUNCATE)");
            } catch (SQLException | RuntimeException e) {
                log.warn("WAL checkpoint on close failed; SQLite will replay the WAL on next open", e);
            }
            writer.close();
        }
    }

    /** For tests: the pools whose connections must all carry the configured PRAGMAs. */
    public HikariDataSource writerPool() {
        return writer;
    }

    public HikariDataSource readerPool() {
        return readers;
    }
}
