package io.tradestore.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tradestore.TradestoreConfig;
import org.jooq.SQLDialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * PostgreSQL: one HikariCP pool. Write units run READ COMMITTED and the DAOs lock, before they read, the rows that
 * order all writers of what they decide on, so units of DAO calls behave as if run one at a time, as on SQLite,
 * without the spurious serialization failures of SERIALIZABLE (decision 0017); {@code withSerializableWrites} runs
 * them SERIALIZABLE. A serialization failure (40001) or deadlock (40P01) makes the whole unit run again. Read units
 * run on one snapshot for the whole unit, like a SQLite reader: REPEATABLE READ, READ ONLY beside READ COMMITTED
 * writers; SERIALIZABLE, READ ONLY, DEFERRABLE beside serializable ones, so that the snapshot is one some serial
 * order of the write units produces. Unqualified table
 * names resolve through search_path (table names are unique across the three schemas).
 */
public final class PostgresEngine extends Engine {
    private static final Logger log = LoggerFactory.getLogger(PostgresEngine.class);
    public static final String SEARCH_PATH = "trading,market,analytics,public";

    private final HikariDataSource pool;
    private final boolean readOnly;
    private final String writeCharacteristics;
    private final String readCharacteristics;

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
        // With serializable writers, DEFERRABLE waits for a snapshot none of them can make anomalous. With READ
        // COMMITTED writers (the default) there is nothing in this database to wait for, but DEFERRABLE would still
        // wait for every serializable transaction of the whole server (other databases, other applications):
        // REPEATABLE READ gives the same single snapshot without that wait.
        this.readCharacteristics = config.serializableWrites()
                ? "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ ONLY, DEFERRABLE"
                : "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";
        hikari.setReadOnly(readOnly);
        // Session settings, once per pooled connection: no round trip per unit. The COMMIT ends the transaction the
        // driver opens for them (auto-commit is off): without it every idle pooled connection sat "idle in
        // transaction" from its creation to its first unit, which health's long_transactions check reported.
        hikari.setConnectionInitSql("SET statement_timeout = " + config.statementTimeout().toMillis()
                + "; SET lock_timeout = " + config.lockTimeout().toMillis() + "; COMMIT");
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
        return begin(readCharacteristics);
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
    public <T> T inspect(SqlWork<T> work) throws SQLException {
        try (Connection c = borrow(pool)) {
            try {
                return work.apply(c);
            } finally {
                c.rollback();
            }
        }
    }

    @Override
    public <T> T maintenance(SqlWork<T> work) throws SQLException {
        if (readOnly) {
            throw readOnlyStore();
        }
        try (Connection c = borrow(pool)) {
            c.setAutoCommit(true);
            try {
                return work.apply(c);
            } finally {
                c.setAutoCommit(false);
            }
        }
    }

    @Override
    public List<HikariDataSource> pools() {
        return List.of(pool);
    }

    @Override
    public void close() {
        pool.close();
    }
}
