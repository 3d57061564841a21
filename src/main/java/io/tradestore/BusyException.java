package io.tradestore;

/**
 * The database stayed busy (SQLite: locked by another process; PostgreSQL: serialization failure or deadlock)
 * through every retry of the unit of work, or the unit waited longer than the busy timeout for its turn to
 * write. Nothing of the unit was kept; it is safe to run it again later.
 */
public class BusyException extends DatabaseException {
    private static final long serialVersionUID = 1L;

    public BusyException(String message, String sqlState, Throwable cause) {
        super(message, sqlState, cause);
    }
}
