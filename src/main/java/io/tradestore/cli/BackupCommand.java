package io.tradestore.cli;

import io.tradestore.BackupReport;
import io.tradestore.Tradestore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code backup --to FILE}: an online, verified backup into a new file (SQLite VACUUM INTO, PostgreSQL pg_dump). */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Online, consistent backup into a new file while writers run, verified"
        + " before it gets its name.", "SQLite: VACUUM INTO (a SQLite file); PostgreSQL: pg_dump -Fc (must be on the"
        + " PATH)."})
final class BackupCommand extends CliCommand {
    @Mixin
    DatabaseOptions database;

    @Option(names = "--to", required = true, paramLabel = "<file>", description = "The backup file; must not exist.")
    Path to;

    @Override
    public Integer call() {
        BackupReport r;
        try (Tradestore store = database.open()) {
            r = store.backup(to);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("database", database.describe());
        result.put("file", r.file().toString());
        result.put("bytes", r.bytes());
        result.put("schemaVersion", r.schemaVersion());
        result.put("method", r.method());
        result.put("millis", r.millis());
        report(result, "backed up " + database.describe() + " to " + r.file() + ": " + OptimizeCommand.bytes(r.bytes())
                + ", schema " + r.schemaVersion() + ", " + r.method() + ", verified, " + r.millis() + " ms");
        return 0;
    }
}
