package io.tradestore;

/** A row broke a declared constraint (CHECK, NOT NULL, or one of the subtypes); nothing of the unit was kept. */
public class ConstraintViolationException extends DatabaseException {
    private static final long serialVersionUID = 1L;

    public ConstraintViolationException(String message, String sqlState, Throwable cause) {
        super(message, sqlState, cause);
    }
}
