package io.tradestore.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tradestore.TradestoreConfig;
import io.tradestore.BusyException;
import org.jooq.SQLDialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Where connections come from and how a transaction starts and ends on one kind of database. Savepoints use the
 * SQL both databases share, so they live here.
 */
public abstract class Engine implements AutoCloseable {

    public abstract SQLDialect dialect();

    /** A connection inside a new write transaction; the caller must {@link #release} it. */
    public abstract Connection beginWrite() throws SQLException;

    /** What {@link #beginWrite} throws on a store opened with {@code withReadOnly(true)}, on either engine. */
    static IllegalStateException readOnlyStore() {
        return new IllegalStateException("this store was opened read-only (TradestoreConfig.withReadOnly(true));"
                + " open it read-write to run write units of work");
    }

    /**
     * Pool metrics ({@code hikaricp.connections}, {@code .active}, {@code .pending}, {@code .acquire}, ... tagged
     * {@code pool=<name>}) into the store's meter registry, if it has one, through HikariCP's own Micrometer tracker.
     * Hikari takes the registry as Object and detects Micrometer by class name, so this names no Micrometer type.
     */
    static void meter(HikariConfig hikari, TradestoreConfig config) {
        if (config.meterRegistry() != null) {
            hikari.setMetricRegistry(config.meterRegistry());
        }
    }

    /** A connection inside a new read-only transaction that sees one committed snapshot. */
    public abstract Connection beginRead() throws SQLException;

    public abstract void commit(Connection c) throws SQLException;

    public abstract void rollback(Connection c) throws SQLException;

    /** Returns the connection to its pool (and the write turn, for a writer). Never throws. */
    public abstract void release(Connection c, boolean write);

    /**
     * Closes a connection whose transaction could not be ended (a failed rollback) instead of pooling it: the
     * next unit must never inherit an open transaction. Releases the write turn. Never throws.
     */
    public abstract void discard(Connection c, boolean write);

    /** Pool and lock state for error messages. */
    public abstract String describe();

    /** Work on one connection that may throw SQLException. */
    @FunctionalInterface
    public interface SqlWork<T> {
        T apply(Connection c) throws SQLException;
    }

    /**
     * Runs read-only {@code work} (health checks) on a pooled reading connection, outside any unit of work: on
     * SQLite a reader in auto-commit, on PostgreSQL a transaction rolled back afterwards.
     */
    public abstract <T> T inspect(SqlWork<T> work) throws SQLException;

    /**
     * Runs {@code work} on a writing connection in auto-commit mode, for statements that cannot run inside a
     * transaction (VACUUM, checkpoints): on SQLite the writer, in its turn (so no unit writes meanwhile), on
     * PostgreSQL a pooled connection switched to auto-commit for the call.
     */
    public abstract <T> T maintenance(SqlWork<T> work) throws SQLException;

    /** The connection pools, for their statistics. */
    public abstract java.util.List<HikariDataSource> pools();

    @Override
    public abstract void close();

    public void savepoint(Connection c, String name) throws SQLException {
        execute(c, "SAVEPOINT " + name);
    }

    public void releaseSavepoint(Connection c, String name) throws SQLException {
        execute(c, "RELEASE SAVEPOINT " + name);
    }

    public void rollbackToSavepoint(Connection c, String name) throws SQLException {
        execute(c, "ROLLBACK TO SAVEPOINT " + name);
        execute(c, "RELEASE SAVEPOINT " + name);
    }

    /**
     * A connection from {@code pool}. A pool with none free within its timeout (the busy timeout) is a busy database,
     * as a writer turn that never came is: {@link BusyException} on both engines, not retried (the unit already
     * waited). A pool that cannot connect at all (server down) stays a {@link io.tradestore.DatabaseException}.
     */
    Connection borrow(HikariDataSource pool) throws SQLException {
        try {
            return pool.getConnection();
        } catch (SQLTransientConnectionException e) {
            if (e.getCause() != null) {
                throw e;
            }
            throw new BusyException("no pooled connection became free within " + pool.getConnectionTimeout()
                    + " ms (busyTimeout); " + describe(), e.getSQLState(), e);
        }
    }

    /** Runs {@code begin} on a just-borrowed connection; if that fails, gives the connection back and rethrows. */
    Connection started(Connection c, String begin, boolean write) throws SQLException {
        try {
            execute(c, begin);
            return c;
        } catch (SQLException | RuntimeException e) {
            release(c, write);
            throw e;
        }
    }

    /** Prepared, not created: on SQLite the connection keeps it (StatementCache), so BEGIN and COMMIT compile once. */
    static void execute(Connection c, String sql) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            st.execute();
        }
    }
}
