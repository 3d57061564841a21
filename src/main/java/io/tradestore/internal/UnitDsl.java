package io.tradestore.internal;

import org.jooq.ConnectionProvider;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.TransactionContext;
import org.jooq.TransactionProvider;

import java.sql.Connection;

/**
 * The jOOQ context a unit of work hands to its caller for the caller's own tables ({@code uow.jooq()}). Not API.
 *
 * <p>It runs on the unit's connection, like the DAOs, and is guarded like them: every statement (and every other
 * use of the connection, e.g. {@code meta()} or {@code connection(...)}) first checks that the unit is still running
 * on its own thread, so a context kept after the unit ended fails instead of writing outside any transaction. In a
 * read unit only queries run: an outermost read unit is read-only in the database itself, but a read unit nested
 * in a write unit shares the writer's transaction, where only this check stands between the caller and a write.
 * jOOQ's own transaction API is refused: it would commit the connection under the unit's feet.
 */
public final class UnitDsl {
    private UnitDsl() {
    }

    public static DSLContext over(Tx tx) {
        DSLContext raw = tx.dsl();
        ConnectionProvider connections = raw.configuration().connectionProvider();
        return raw.configuration()
                .deriveAppending(new Guard(tx))
                .derive(new GuardedConnections(tx, connections))
                .derive(new NoTransactions())
                .dsl();
    }

    /** Runs first for every statement: the unit must be alive, on this thread, and writable unless it only reads. */
    private static final class Guard implements ExecuteListener {
        private static final long serialVersionUID = 1L;
        private final transient Tx tx;

        Guard(Tx tx) {
            this.tx = tx;
        }

        @Override
        public void start(ExecuteContext ctx) {
            tx.dsl();
        }

        /** Before the database sees the statement: a syntax error must not hide the refusal. */
        @Override
        public void prepareStart(ExecuteContext ctx) {
            refuseWritesInAReadUnit(ctx);
        }

        /** Again before it runs: a batch of static statements is executed without being prepared. */
        @Override
        public void executeStart(ExecuteContext ctx) {
            refuseWritesInAReadUnit(ctx);
        }

        private void refuseWritesInAReadUnit(ExecuteContext ctx) {
            if (tx.writable()) {
                return;
            }
            for (String sql : SqlText.statements(ctx)) {
                if (!SqlText.readsOnly(sql)) {
                    throw new IllegalStateException("uow.jooq() was asked to run a statement that writes or changes"
                            + " the schema (" + abbreviate(sql) + "), but this is a read-only unit of work"
                            + " (store.read); use store.inTransaction or store.useTransaction to write");
                }
            }
        }

        private static String abbreviate(String sql) {
            return sql.length() <= 80 ? sql : sql.substring(0, 77) + "...";
        }
    }

    /** Guards the paths that reach the connection without running a statement through the listeners. */
    private static final class GuardedConnections implements ConnectionProvider {
        private final Tx tx;
        private final ConnectionProvider delegate;

        GuardedConnections(Tx tx, ConnectionProvider delegate) {
            this.tx = tx;
            this.delegate = delegate;
        }

        @Override
        public Connection acquire() {
            tx.dsl();
            return delegate.acquire();
        }

        @Override
        public void release(Connection connection) {
            delegate.release(connection);
        }
    }

    private static final class NoTransactions implements TransactionProvider {
        @Override
        public void begin(TransactionContext ctx) {
            throw new IllegalStateException("uow.jooq() already runs inside this unit of work's transaction; jOOQ's"
                    + " transaction API would commit it behind the unit's back. For a savepoint, nest a unit:"
                    + " store.inTransaction(inner -> inner.jooq()...)");
        }

        @Override
        public void commit(TransactionContext ctx) {
            // unreachable: begin always refuses
        }

        @Override
        public void rollback(TransactionContext ctx) {
            // unreachable: begin always refuses
        }
    }
}
