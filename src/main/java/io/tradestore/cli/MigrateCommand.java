package io.tradestore.cli;

import io.tradestore.SchemaStatus;
import io.tradestore.Tradestore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code migrate}: applies the pending changesets, as {@code mvn liquibase:update} does (same changelog, same
 * changeset ids), and reports which. The only command that changes a schema; a newer database is refused.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Apply the pending schema changesets (creates the database if missing).")
final class MigrateCommand extends CliCommand {
    @Mixin
    DatabaseOptions database;

    @Override
    public Integer call() {
        SchemaStatus before = Tradestore.status(database.config());
        if (!before.upToDate()) {
            Tradestore.open(database.config().withAutoMigrate(true)).close();
        }
        SchemaStatus after = Tradestore.status(database.config());
        List<String> applied = new ArrayList<>(before.pendingChangesets());
        applied.removeAll(after.pendingChangesets());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("database", database.describe());
        result.put("from", before.databaseVersion());
        result.put("to", after.databaseVersion());
        result.put("applied", applied);
        report(result, applied.isEmpty()
                ? database.describe() + " is at schema " + after.databaseVersion() + ", this build's: nothing to apply"
                : "migrated " + database.describe() + " from schema " + before.databaseVersion() + " to "
                        + after.databaseVersion() + ": " + applied.size() + " changesets applied");
        return 0;
    }
}
