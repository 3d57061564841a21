package io.tradestore;

import java.util.List;

/**
 * Where a database stands against this build, read without migrating or writing anything
 * ({@link Tradestore#status}).
 *
 * @param databaseVersion   MAX(schema_versions.version); 0 for a missing or empty database
 * @param buildVersion      the schema version this build's generated classes were made from
 * @param pendingChangesets changesets of the packaged changelog not applied yet, as {@code file::id::author},
 *                          in the order {@code migrate} would apply them
 * @param tags              the Liquibase tags applied, oldest first (one per release: {@code v1}, {@code v2}, ...)
 */
public record SchemaStatus(int databaseVersion, int buildVersion, List<String> pendingChangesets, List<String> tags) {
    public SchemaStatus {
        pendingChangesets = List.copyOf(pendingChangesets);
        tags = List.copyOf(tags);
    }

    /** True when the database is exactly at this build's schema: nothing to apply, nothing newer. */
    public boolean upToDate() {
        return databaseVersion == buildVersion && pendingChangesets.isEmpty();
    }
}
