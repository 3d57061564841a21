package io.tradestore;

/** A row referenced a row that does not exist (or a referenced row was still in use). */
public class ForeignKeyViolationException extends ConstraintViolationException {
    private static final long serialVersionUID = 1L;

    public ForeignKeyViolationException(String message, String sqlState, Throwable cause) {
        super(message, sqlState, cause);
    }
}
