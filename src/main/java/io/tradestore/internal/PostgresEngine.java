package io.tradestore.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tradestore.TradestoreConfig;
import org.jooq.SQLDialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * PostgreSQL: one HikariCP pool. Write units run READ COMMITTED and the DAOs lock, before they read, the rows that
 * order all writers of what they decide on, so units of DAO calls behave as if run one at a time, as on SQLite,
 * without the spurious serialization failures of SERIALIZABLE (decision 0017); {@code withSerializableWrites} runs
 * them SERIALIZABLE. A serialization failure (40001) or deadlock (40P01) makes the whole unit run again. Read units
 * run SERIALIZABLE, READ ONLY, DEFERRABLE: one snapshot for the whole unit, like a SQLite reader, and one that some
 * serial order of the write units produces. Unqualified table
 * names resolve through search_path (table names are unique across the three schemas).
 */
public final class PostgresEngine extends Engine {
    private static final Logger log = LoggerFactory.getLogger(PostgresEngine.class);
    public static final String SEARCH_PATH = "trading,market,analytics,public";

    private final HikariDataSource pool;
    private final boolean readOnly;
    private final String writeCharacteristics;

    public PostgresEngine(TradestoreConfig config) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("tradestore-postgres");
        hikari.setJdbcUrl(config.jdbcUrl());
        hikari.setUsername(config.user());
        hikari.setPassword(config.password());
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setConnectionTimeout(Math.max(250, config.busyTimeout().toMillis()));
        hikari.setAutoCommit(false);
        hikari.addDataSourceProperty("currentSchema", SEARCH_PATH);
        hikari.addDataSourceProperty("ApplicationName", "tradestore");
        // Read-only as on SQLite: no write units, and the server refuses writes on these connections too.
        this.readOnly = config.readOnly();
        this.writeCharacteristics = "SET TRANSACTION ISOLATION LEVEL "
                + (config.serializableWrites() ? "SERIALIZABLE" : "READ COMMITTED") + ", READ WRITE";
        hikari.setReadOnly(readOnly);
        // Session settings, once per pooled connection: no round trip per unit.
        hikari.setConnectionInitSql("SET statement_timeout = " + config.statementTimeout().toMillis()
                + "; SET lock_timeout = " + config.lockTimeout().toMillis());
        meter(hikari, config);
        this.pool = new HikariDataSource(hikari);
    }

    @Override
    public SQLDialect dialect() {
        return SQLDialect.POSTGRES;
    }

    @Override
    public Connection beginWrite() throws SQLException {
        if (readOnly) {
            throw readOnlyStore();
        }
        return begin(writeCharacteristics);
    }

    @Override
    public Connection beginRead() throws SQLException {
        // DEFERRABLE: the snapshot is one that no concurrent SERIALIZABLE writer can make anomalous (PostgreSQL waits
        // for such a snapshot instead of aborting later), so a read unit sees a state some serial order of the write
        // units produces, and is never aborted. REPEATABLE READ would allow the read-only anomaly.
        return begin("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE");
    }

    private Connection begin(String characteristics) throws SQLException {
        return started(borrow(pool), characteristics, false);
    }

    @Override
    public void commit(Connection c) throws SQLException {
        c.commit();
    }

    @Override
    public void rollback(Connection c) throws SQLException {
        c.rollback();
    }

    @Override
    public void release(Connection c, boolean write) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (SQLException e) {
            log.warn("returning a connection to the pool failed", e);
        }
    }

    @Override
    public void discard(Connection c, boolean write) {
        try {
            pool.evictConnection(c);
        } catch (RuntimeException e) {
            log.warn("evicting a broken connection failed", e);
        }
    }

    @Override
    public String describe() {
        var bean = pool.getHikariPoolMXBean();
        return "postgres pool " + bean.getActiveConnections() + " active / " + bean.getTotalConnections()
                + " total, " + bean.getThreadsAwaitingConnection() + " waiting";
    }

    @Override
    public void close() {
        pool.close();
    }
}
