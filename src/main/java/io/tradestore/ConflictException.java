package io.tradestore;

/**
 * A unique key is already taken: a duplicate prediction for the same symbol and timestamp, a different order
 * placed under an existing client order id, a second outcome for one prediction.
 */
public class ConflictException extends ConstraintViolationException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String message, String sqlState, Throwable cause) {
        super(message, sqlState, cause);
    }

    public ConflictException(String message) {
        super(message, "23505", null);
    }
}
