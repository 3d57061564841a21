package io.tradestore;

/**
 * The database role lacks a privilege the statement needs: e.g. the least-privileged application role of
 * docs/postgresql.md ("Roles") tried to create, alter or drop something, or to write a table it may only read.
 */
public class PermissionDeniedException extends DatabaseException {
    private static final long serialVersionUID = 1L;

    public PermissionDeniedException(String message, String sqlState, Throwable cause) {
        super(message, sqlState, cause);
    }
}
