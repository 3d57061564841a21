package io.tradestore.internal;

import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * PostgreSQL only: every statement that writes runs inside its own savepoint, so a statement the database refuses
 * (a unique, foreign-key or CHECK violation) is undone alone and the unit of work stays usable, as on SQLite, where
 * a failed statement never aborts its transaction. Without it a unit that catches a documented exception (a
 * duplicate treated as "already done") and carries on would fail on its next statement with "current transaction
 * is aborted", and its commit would silently become a rollback.
 *
 * <p>Queries are not wrapped: they cannot violate a constraint, and point reads are the hot path. A batch is one
 * savepoint: it fails or succeeds as a whole. Cost, measured with pgbench on this project's 2-core machine: two
 * round trips per writing statement (about 25 µs each on localhost), about 15 % of a unit with two inserts; see
 * docs/postgresql.md. Each savepoint is a subtransaction; a unit with more than 64 writing statements overflows
 * PostgreSQL's per-backend subtransaction cache, which slows other sessions' snapshots while it runs (one
 * statement per batch keeps bulk writes far below that).
 */
public final class StatementSavepoints implements ExecuteListener {
    private static final long serialVersionUID = 1L;
    public static final StatementSavepoints INSTANCE = new StatementSavepoints();
    static final String NAME = "tradestore_statement";
    private static final String TAKEN = StatementSavepoints.class.getName();

    private StatementSavepoints() {
    }

    @Override
    public void executeStart(ExecuteContext ctx) {
        if (writes(ctx)) {
            run(ctx.connection(), "SAVEPOINT " + NAME);
            ctx.data(TAKEN, Boolean.TRUE);
        }
    }

    @Override
    public void executeEnd(ExecuteContext ctx) {
        if (ctx.data(TAKEN) != null) {
            ctx.data().remove(TAKEN);
            run(ctx.connection(), "RELEASE SAVEPOINT " + NAME);
        }
    }

    @Override
    public void exception(ExecuteContext ctx) {
        if (ctx.data(TAKEN) == null) {
            return;
        }
        ctx.data().remove(TAKEN);
        try (Statement st = ctx.connection().createStatement()) {
            st.execute("ROLLBACK TO SAVEPOINT " + NAME);
            st.execute("RELEASE SAVEPOINT " + NAME);
        } catch (SQLException | RuntimeException e) {
            // The unit cannot go on (the connection is likely gone); the statement's own error is what to report.
            if (ctx.exception() != null) {
                ctx.exception().addSuppressed(e);
            }
        }
    }

    private static boolean writes(ExecuteContext ctx) {
        for (String sql : SqlText.statements(ctx)) {
            if (!SqlText.readsOnly(sql)) {
                return true;
            }
        }
        return false;
    }

    private static void run(Connection c, String sql) {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw SqlErrors.translate(e);
        }
    }
}
