package io.tradestore;

/**
 * {@link SqliteToPostgres#copy} refused to start because of what the target holds: rows that are not a prefix of
 * this very source's copy (the target is neither empty nor what an interrupted copy of this source left behind),
 * or another copy into the same database is running. Thrown before anything was written.
 */
public class CopyRefusedException extends TradestoreException {
    private static final long serialVersionUID = 1L;
    private final String table;

    public CopyRefusedException(String table, String message) {
        super(message);
        this.table = table;
    }

    /** The schema-qualified table whose rows made the copy refuse, or null when no table is to blame. */
    public String table() {
        return table;
    }
}
