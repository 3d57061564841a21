package io.tradestore;

/**
 * The database's schema does not match this build, or the database is not a tradestore database. Thrown by
 * {@link Tradestore#open}; the database was not written to.
 */
public class SchemaVersionException extends TradestoreException {
    private static final long serialVersionUID = 1L;

    public SchemaVersionException(String message) {
        super(message);
    }

    public SchemaVersionException(String message, Throwable cause) {
        super(message, cause);
    }
}
