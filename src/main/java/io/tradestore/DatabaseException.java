package io.tradestore;

import java.sql.SQLException;

/**
 * The database refused or failed an operation. Carries the SQLState (PostgreSQL's own; for SQLite, which has
 * none, the standard class the error belongs to: 23505 unique, 23503 foreign key, 23514 check, 23502 not null,
 * 40001 busy) and the driver's exception as cause. The unit of work it happened in was rolled back.
 */
public class DatabaseException extends TradestoreException {
    private static final long serialVersionUID = 1L;
    private final String sqlState;

    public DatabaseException(String message, String sqlState, Throwable cause) {
        super(message, cause);
        this.sqlState = sqlState;
    }

    /** Standard SQLState of the failure, or null when the failure was detected without a database error. */
    public String sqlState() {
        return sqlState;
    }

    /** The driver's exception, if the failure came from the database. */
    public SQLException sqlException() {
        for (Throwable t = getCause(); t != null; t = t.getCause()) {
            if (t instanceof SQLException e) {
                return e;
            }
        }
        return null;
    }
}
