package io.tradestore;

import java.nio.file.Path;

/**
 * What {@link Tradestore#restore} did.
 *
 * @param backup        the file restored from
 * @param target        the SQLite file or the PostgreSQL URL restored into
 * @param schemaVersion the backup's schema version (at most this build's; an older one is migrated by the next
 *                      open with auto-migrate, or by {@code tradestore-cli migrate})
 * @param bytes         size of the backup
 * @param millis        wall time, verification included
 */
public record RestoreReport(Path backup, String target, int schemaVersion, long bytes, long millis) {
}
