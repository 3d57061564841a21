package io.tradestore;

/**
 * After {@link SqliteToPostgres#copy} wrote a table, the target does not hold what the source holds: a different
 * row count or checksum. The target must not be used; the message names the table and both sides' numbers.
 * Something changed the target (or the source) during the copy, or a value did not survive the trip.
 */
public class CopyVerificationException extends TradestoreException {
    private static final long serialVersionUID = 1L;
    private final String table;

    public CopyVerificationException(String table, String message) {
        super(message);
        this.table = table;
    }

    /** The schema-qualified table that differs. */
    public String table() {
        return table;
    }
}
