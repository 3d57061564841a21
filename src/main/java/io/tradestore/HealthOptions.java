package io.tradestore;

import java.time.Duration;

/**
 * What {@link Tradestore#health(HealthOptions)} checks and the thresholds it holds the database against. The
 * defaults ({@link #defaults()}) and why they are what they are: docs/decisions/0020-health-backup-restore.md.
 *
 * @param fullIntegrityCheck       SQLite: run {@code PRAGMA integrity_check} (reads every page and checks every index
 *                                 against its table: minutes on a large file) instead of {@code quick_check}
 * @param walWarnBytes             SQLite: WARN when the WAL file is larger (default 64 MiB, the size a completed
 *                                 checkpoint truncates it back to)
 * @param freelistWarnPercent      SQLite: WARN when more than this share of the file's pages is free (default 25)
 * @param deadTupleWarnPercent     PostgreSQL: WARN when a table's dead tuples are more than this share of its
 *                                 tuples (default 20, autovacuum's own scale factor)
 * @param deadTupleMinRows         PostgreSQL: tables with fewer dead tuples than this are not judged (default 1000),
 *                                 so ten deleted rows of a small table do not warn
 * @param longTransaction          PostgreSQL: WARN when a transaction in this database has been open longer
 *                                 (default 5 min)
 * @param connectionsWarnPercent   PostgreSQL: WARN when the server's connections exceed this share of
 *                                 {@code max_connections} (default 80)
 */
public record HealthOptions(boolean fullIntegrityCheck, long walWarnBytes, int freelistWarnPercent,
                            int deadTupleWarnPercent, long deadTupleMinRows, Duration longTransaction,
                            int connectionsWarnPercent) {
    public static final long DEFAULT_WAL_WARN_BYTES = 64L * 1024 * 1024;

    public HealthOptions {
        if (walWarnBytes < 0) {
            throw new ValidationException("walWarnBytes", "must be >= 0", walWarnBytes);
        }
        percent("freelistWarnPercent", freelistWarnPercent);
        percent("deadTupleWarnPercent", deadTupleWarnPercent);
        percent("connectionsWarnPercent", connectionsWarnPercent);
        if (deadTupleMinRows < 0) {
            throw new ValidationException("deadTupleMinRows", "must be >= 0", deadTupleMinRows);
        }
        if (longTransaction == null || longTransaction.isNegative()) {
            throw new ValidationException("longTransaction", "must be a duration >= 0", longTransaction);
        }
    }

    /** quick_check; WAL 64 MiB; freelist 25 %; dead tuples 20 % of tables with 1000 or more; 5 min; 80 %. */
    public static HealthOptions defaults() {
        return new HealthOptions(false, DEFAULT_WAL_WARN_BYTES, 25, 20, 1000, Duration.ofMinutes(5), 80);
    }

    /** These options with {@code integrity_check} instead of {@code quick_check} (SQLite). */
    public HealthOptions withFullIntegrityCheck(boolean full) {
        return new HealthOptions(full, walWarnBytes, freelistWarnPercent, deadTupleWarnPercent, deadTupleMinRows,
                longTransaction, connectionsWarnPercent);
    }

    private static void percent(String field, int value) {
        if (value < 0 || value > 100) {
            throw new ValidationException(field, "must be a percentage between 0 and 100", value);
        }
    }
}
