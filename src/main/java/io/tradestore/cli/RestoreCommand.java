package io.tradestore.cli;

import io.tradestore.RestoreReport;
import io.tradestore.Tradestore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code restore --from FILE}: verifies the backup, then replaces the database (SQLite) or fills an empty one. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Verify a backup (integrity, schema version), then restore it into --db.",
        "SQLite: replaces the file atomically, refused while anything has it open. PostgreSQL: pg_restore into an"
                + " empty database."})
final class RestoreCommand extends CliCommand {
    @Mixin
    DatabaseOptions database;

    @Option(names = "--from", required = true, paramLabel = "<file>", description = "The backup file.")
    Path from;

    @Override
    public Integer call() {
        RestoreReport r = Tradestore.restore(from, database.config());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("database", database.describe());
        result.put("backup", r.backup().toString());
        result.put("schemaVersion", r.schemaVersion());
        result.put("bytes", r.bytes());
        result.put("millis", r.millis());
        report(result, "restored " + r.backup() + " (schema " + r.schemaVersion() + ", "
                + OptimizeCommand.bytes(r.bytes()) + ") into " + database.describe() + " in " + r.millis() + " ms");
        return 0;
    }
}
