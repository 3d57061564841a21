package io.tradestore;

import java.nio.file.Path;

/**
 * What {@link Tradestore#backup} wrote. The file was verified before it got its name: on SQLite
 * {@code PRAGMA quick_check} returned ok and its schema version was read back; on PostgreSQL
 * {@code pg_restore --list} read the archive.
 *
 * @param file          the backup, a SQLite database or a {@code pg_dump -Fc} archive
 * @param bytes         its size
 * @param schemaVersion the schema version it holds
 * @param method        how it was taken: {@code VACUUM INTO} or {@code pg_dump -Fc}
 * @param millis        wall time, verification included
 */
public record BackupReport(Path file, long bytes, int schemaVersion, String method, long millis) {
}
