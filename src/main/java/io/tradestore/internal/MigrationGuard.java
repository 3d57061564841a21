package io.tradestore.internal;

import io.tradestore.SchemaVersionException;
import io.tradestore.TradestoreConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Liquibase's changelog lock is a row (DATABASECHANGELOGLOCK.LOCKED), so a process killed while migrating leaves it
 * set and every later start waits for it, then fails. Runtime migrations therefore also take a lock that dies with
 * its process: an OS file lock beside the SQLite file, or a PostgreSQL session advisory lock. Whoever holds that
 * lock and still finds the row set knows its owner is dead, and releases it.
 *
 * <p>Known limit: {@code mvn liquibase:update} does not take this lock; a store opening while such a command is
 * half-way would release its row. SQLite and PostgreSQL then still run each changeset in its own transaction, so
 * the worst case is one of the two failing with "already exists" and the database intact.
 */
final class MigrationGuard implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MigrationGuard.class);
    private static final Duration WAIT = Duration.ofMinutes(2);
    /** Any constant the application itself is unlikely to use for pg_advisory_lock. */
    private static final long PG_KEY = 0x7472616465L; // "trade"

    /**
     * OS file locks are held per JVM, not per thread: a second tryLock from this JVM throws instead of waiting. Threads
     * of one JVM therefore queue on a lock per file first.
     */
    private static final Map<Path, ReentrantLock> IN_THIS_JVM = new ConcurrentHashMap<>();

    private final ReentrantLock jvmLock;
    private final FileChannel channel;
    private final FileLock fileLock;
    private final Connection pg;

    private MigrationGuard(ReentrantLock jvmLock, FileChannel channel, FileLock fileLock, Connection pg) {
        this.jvmLock = jvmLock;
        this.channel = channel;
        this.fileLock = fileLock;
        this.pg = pg;
    }

    static MigrationGuard acquire(TradestoreConfig config, Connection c) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        try {
            if (config.engine() == TradestoreConfig.Engine.SQLITE) {
                return acquireFileLock(config.file().toAbsolutePath().normalize(), deadline);
            }
            while (!tryAdvisoryLock(c)) {
                waitOrGiveUp(deadline);
            }
            return new MigrationGuard(null, null, null, c);
        } catch (IOException | SQLException e) {
            throw new SchemaVersionException("cannot take the migration lock: " + e.getMessage(), e);
        }
    }

    /** Holding the guard, a set changelog lock was left by a process that died mid-migration. */
    void releaseStaleChangelogLock(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            int released = st.executeUpdate("UPDATE DATABASECHANGELOGLOCK SET LOCKED = FALSE, LOCKGRANTED = NULL,"
                    + " LOCKEDBY = NULL WHERE ID = 1 AND LOCKED = TRUE");
            if (released > 0) {
                log.warn("released a Liquibase changelog lock left by a migration that died half-way;"
                        + " its completed changesets stay applied, the rest run now");
            }
        } catch (SQLException noLockTableYet) {
            // A database Liquibase never touched has no lock row to release.
            if (c.getAutoCommit()) {
                return;
            }
            c.rollback();
        }
    }

    private static MigrationGuard acquireFileLock(Path database, long deadline) throws IOException {
        Path lockFile = database.resolveSibling(database.getFileName() + "-migration.lock");
        ReentrantLock jvmLock = IN_THIS_JVM.computeIfAbsent(lockFile, k -> new ReentrantLock());
        try {
            if (!jvmLock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                waitOrGiveUp(0);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaVersionException("interrupted while waiting for another thread's migration", e);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            while ((lock = channel.tryLock()) == null) {
                waitOrGiveUp(deadline);
            }
            return new MigrationGuard(jvmLock, channel, lock, null);
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            jvmLock.unlock();
            throw e;
        }
    }

    private static boolean tryAdvisoryLock(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_try_advisory_lock(" + PG_KEY + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static void waitOrGiveUp(long deadline) {
        if (System.nanoTime() > deadline) {
            throw new SchemaVersionException("another process has been migrating this database for over " + WAIT
                    + "; wait for it to finish, or stop it and open again");
        }
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaVersionException("interrupted while waiting for another process's migration", e);
        }
    }

    @Override
    public void close() {
        try {
            if (fileLock != null) {
                fileLock.release();
                channel.close();
                jvmLock.unlock();
            }
            if (pg != null) {
                try (Statement st = pg.createStatement()) {
                    st.execute("SELECT pg_advisory_unlock(" + PG_KEY + ")");
                }
            }
        } catch (IOException | SQLException e) {
            log.warn("releasing the migration lock failed; it is released when this process exits", e);
        }
    }
}
