package io.tradestore.internal;

import io.tradestore.BusyException;
import io.tradestore.ConflictException;
import io.tradestore.ConstraintViolationException;
import io.tradestore.DatabaseException;
import io.tradestore.ForeignKeyViolationException;
import io.tradestore.PermissionDeniedException;
import io.tradestore.TradestoreException;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.sqlite.SQLiteException;

import java.sql.SQLException;

/**
 * Turns driver exceptions into tradestore's hierarchy with one SQLState vocabulary for both databases. Installed
 * as a jOOQ {@link ExecuteListener}, so every statement a DAO runs is translated, and used directly for the
 * transaction-control statements the engines run themselves.
 */
public final class SqlErrors implements ExecuteListener {
    private static final long serialVersionUID = 1L;
    public static final SqlErrors INSTANCE = new SqlErrors();

    private SqlErrors() {
    }

    @Override
    public void exception(ExecuteContext ctx) {
        // A value refused while binding (DecimalBinding's backstop) reaches jOOQ as the cause of its own wrapper;
        // the caller sees the ValidationException itself, as from a DAO's check.
        for (Throwable t = ctx.exception(); t != null; t = t.getCause()) {
            if (t instanceof TradestoreException ours) {
                ctx.exception(ours);
                return;
            }
        }
        SQLException sql = ctx.sqlException();
        if (sql != null && !(ctx.exception() instanceof TradestoreException)) {
            ctx.exception(translate(sql));
        }
    }

    public static DatabaseException translate(SQLException e) {
        String state = sqlState(e);
        String message = e.getMessage();
        if (state.equals("23505")) {
            return new ConflictException("unique key violated: " + message, state, e);
        }
        if (state.equals("23503")) {
            return new ForeignKeyViolationException("foreign key violated: " + message, state, e);
        }
        if (state.startsWith("23")) {
            return new ConstraintViolationException("constraint violated: " + message, state, e);
        }
        if (state.equals("42501")) {
            return new PermissionDeniedException("permission denied (the database role may read and write rows"
                    + " but not change the schema; run migrations as the owner role): " + message, state, e);
        }
        if (state.equals("55P03")) {
            // lock_timeout (TradestoreConfig.withLockTimeout): the unit waited as long as it was allowed to, as a
            // SQLite unit that waited the busy timeout for the writer; not retried.
            return new BusyException("waited lock_timeout for a lock another transaction holds: " + message, state, e);
        }
        if (isBusy(e)) {
            return new BusyException("database busy: " + message, state, e);
        }
        return new DatabaseException("database error: " + message, state, e);
    }

    /** True for failures that running the whole unit of work again may cure. */
    public static boolean isBusy(SQLException e) {
        if (e instanceof SQLiteException s) {
            String code = s.getResultCode().name();
            return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
        }
        String state = e.getSQLState();
        return "40001".equals(state) || "40P01".equals(state);
    }

    /** PostgreSQL's SQLState as is; SQLite's result codes mapped to the standard class they belong to. */
    static String sqlState(SQLException e) {
        if (e instanceof SQLiteException s) {
            String code = s.getResultCode().name();
            if (code.equals("SQLITE_CONSTRAINT_UNIQUE") || code.equals("SQLITE_CONSTRAINT_PRIMARYKEY")) {
                return "23505";
            }
            if (code.equals("SQLITE_CONSTRAINT_FOREIGNKEY")) {
                return "23503";
            }
            if (code.equals("SQLITE_CONSTRAINT_CHECK")) {
                return "23514";
            }
            if (code.equals("SQLITE_CONSTRAINT_NOTNULL")) {
                return "23502";
            }
            if (code.startsWith("SQLITE_CONSTRAINT")) {
                return "23000";
            }
            if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
                return "40001";
            }
            return "HY000";
        }
        return e.getSQLState() == null ? "HY000" : e.getSQLState();
    }
}
