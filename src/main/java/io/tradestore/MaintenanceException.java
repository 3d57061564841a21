package io.tradestore;

/**
 * A backup, restore or optimize was refused, or its result failed verification: the target exists, the database
 * to restore over is in use, the backup is corrupt or newer than this build, {@code pg_dump} is missing, the role
 * may not VACUUM. The message names the file or database and the rule. Nothing was replaced: a backup's target
 * and a restore's database are left as they were.
 */
public class MaintenanceException extends TradestoreException {
    private static final long serialVersionUID = 1L;

    public MaintenanceException(String message) {
        super(message);
    }

    public MaintenanceException(String message, Throwable cause) {
        super(message, cause);
    }
}
