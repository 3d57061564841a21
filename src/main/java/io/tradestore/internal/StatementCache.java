package io.tradestore.internal;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Prepared statements kept per SQLite connection and handed out again for the same SQL (issue 13). sqlite-jdbc
 * compiles every {@code prepareStatement} anew (sqlite3_prepare) and neither HikariCP nor jOOQ keeps statements, so a
 * point read spent about a third of its time compiling SQL it had compiled before (JFR, docs/performance.md).
 * pgjdbc needs none of this: it keeps server-side prepared statements per connection itself.
 *
 * <p>Only {@code prepareStatement(String)} is cached, at most {@value #CAPACITY} statements per connection, least
 * recently used out. Closing a cached statement resets it (closing its result set, clearing its parameters and
 * batch) instead of finalising it, so it holds no snapshot and no lock while idle: a statement left mid-step would
 * keep a reader's WAL snapshot, and make COMMIT fail with "SQL statements in progress". A statement asked for while
 * its cached twin is still open (the same SQL nested) is prepared apart and finalised on close.
 */
final class StatementCache implements InvocationHandler {
    static final int CAPACITY = 128;

    private final Connection real;
    private final Map<String, Cached> statements = new LinkedHashMap<>(32, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            if (size() > CAPACITY && !eldest.getValue().inUse) {
                eldest.getValue().finish();
                return true;
            }
            return false;
        }
    };

    private StatementCache(Connection real) {
        this.real = real;
    }

    /** {@code source}, whose connections keep their prepared statements. */
    static DataSource over(DataSource source) {
        return new Source(source);
    }

    static Connection wrap(Connection real) {
        return (Connection) Proxy.newProxyInstance(StatementCache.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new StatementCache(real));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        if (name.equals("prepareStatement") && args != null && args.length == 1 && args[0] instanceof String sql) {
            return prepare(sql);
        }
        if (name.equals("close")) {
            finishAll();
        } else if (name.equals("unwrap") && args != null && args[0] instanceof Class<?> type && type.isInstance(real)) {
            return real;
        } else if (name.equals("isWrapperFor") && args != null && args[0] instanceof Class<?> type
                && type.isInstance(real)) {
            return true;
        }
        try {
            return method.invoke(real, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private synchronized void finishAll() {
        for (Iterator<Cached> it = statements.values().iterator(); it.hasNext(); ) {
            it.next().finish();
            it.remove();
        }
    }

    private synchronized PreparedStatement prepare(String sql) throws SQLException {
        Cached cached = statements.get(sql);
        if (cached != null && cached.inUse) {
            return real.prepareStatement(sql);
        }
        if (cached == null || cached.statement.isClosed()) {
            cached = new Cached(real.prepareStatement(sql));
            statements.put(sql, cached);
        }
        cached.inUse = true;
        return cached.handle;
    }

    /** One kept statement and the handle callers get: its close() puts the statement back. */
    private static final class Cached implements InvocationHandler {
        /** Statement-level settings: a statement whose setting changed is not handed out again. */
        private static final Set<String> SETTINGS = Set.of("setMaxRows", "setLargeMaxRows", "setQueryTimeout",
                "setFetchSize", "setFetchDirection", "setMaxFieldSize", "setEscapeProcessing", "setPoolable",
                "setCursorName", "closeOnCompletion");
        final PreparedStatement statement;
        final PreparedStatement handle;
        boolean inUse;
        /** Result sets handed out since the statement was taken: closed on reset. */
        final List<ResultSet> results = new ArrayList<>();
        /** execute() said there are rows and nobody asked for them: the statement is still stepping. */
        boolean rowsUnread;
        /** A statement-level setting was changed (maxRows, queryTimeout...): the statement is not reused. */
        boolean dirty;

        Cached(PreparedStatement statement) {
            this.statement = statement;
            this.handle = (PreparedStatement) Proxy.newProxyInstance(StatementCache.class.getClassLoader(),
                    new Class<?>[] {PreparedStatement.class}, this);
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "close" -> {
                    if (inUse) {
                        inUse = false;
                        reset();
                    }
                    return null;
                }
                case "isClosed" -> {
                    return !inUse || statement.isClosed();
                }
                case "unwrap" -> {
                    if (args[0] instanceof Class<?> type && type.isInstance(statement)) {
                        return statement;
                    }
                }
                default -> {
                    if (!inUse) {
                        throw new SQLException("statement is closed");
                    }
                }
            }
            if (SETTINGS.contains(method.getName())) {
                dirty = true;
            }
            try {
                Object result = method.invoke(statement, args);
                if (result instanceof ResultSet rs) {
                    results.add(rs);
                    rowsUnread = false;
                } else if (method.getName().equals("execute") && Boolean.TRUE.equals(result)) {
                    rowsUnread = true;
                }
                return result;
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        /**
         * Leaves the statement as prepared: no open cursor (a statement still stepping keeps its connection's read
         * snapshot: the next read unit on that connection would see old data, and the WAL could not be
         * checkpointed), no parameters, no batch. One whose settings were changed is finalised instead, so the next
         * user never inherits a maxRows or a timeout.
         */
        private void reset() throws SQLException {
            if (dirty) {
                finish();
                return;
            }
            try {
                for (ResultSet rs : results) {
                    rs.close();
                }
                results.clear();
                if (rowsUnread) {
                    rowsUnread = false;
                    ResultSet rs = statement.getResultSet();
                    if (rs != null) {
                        rs.close();
                    }
                }
                statement.clearParameters();
                statement.clearBatch();
            } catch (SQLException e) {
                // A statement that cannot be reset is not reused.
                finish();
                throw e;
            }
        }

        void finish() {
            try {
                statement.close();
            } catch (SQLException e) {
                // Finalising a statement of a connection that is closing: nothing left to release.
            }
        }
    }

    /** A DataSource whose connections are wrapped; everything else is the delegate's. */
    private record Source(DataSource delegate) implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            return wrap(delegate.getConnection());
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return wrap(delegate.getConnection(username, password));
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return delegate.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            delegate.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            delegate.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return delegate.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return delegate.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return iface.isInstance(delegate) ? iface.cast(delegate) : delegate.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return iface.isInstance(delegate) || delegate.isWrapperFor(iface);
        }
    }
}
