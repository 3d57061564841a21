package io.tradestore.cli;

import io.tradestore.CopyOptions;
import io.tradestore.CopyReport;
import io.tradestore.SqliteToPostgres;
import io.tradestore.ValidationException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code copy}: the move from SQLite to PostgreSQL (docs/postgresql.md, "Moving from SQLite"): every table of the
 * SQLite file into a migrated, empty PostgreSQL database at the same schema version, verified table by table; run
 * again to resume a copy that stopped. {@code --db} is the PostgreSQL target.
 */
@Command(name = "copy", mixinStandardHelpOptions = true,
        description = "Copy a tradestore SQLite file into a migrated, empty PostgreSQL database.")
final class CopyCommand extends CliCommand {
    @Mixin
    DatabaseOptions database;

    @Option(names = "--from", required = true, paramLabel = "<sqlite file>", description = "The SQLite file to copy.")
    Path from;

    @Option(names = "--batch-size", defaultValue = "" + CopyOptions.DEFAULT_BATCH_SIZE,
            description = "Rows per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--method", defaultValue = "COPY", description = "COPY or INSERT (default: ${DEFAULT-VALUE}).")
    CopyOptions.Method method;

    @Override
    public Integer call() {
        if (!database.postgres()) {
            throw new ValidationException("--db", "must be the PostgreSQL target (a jdbc:postgresql: URL); the"
                    + " SQLite source is --from", database.describe());
        }
        CopyReport report;
        try (Progress progress = progress("copy " + from.getFileName(), -1, "rows")) {
            long[] shown = {0};
            report = SqliteToPostgres.copy(from, database.config(), CopyOptions.defaults().withBatchSize(batchSize)
                    .withMethod(method).withProgress(p -> {
                        progress.advance(p.totalCopied() - shown[0]);
                        shown[0] = p.totalCopied();
                    }));
        }
        List<Map<String, Object>> tables = new ArrayList<>();
        StringBuilder text = new StringBuilder(String.format("copied %s to %s (schema %d): %,d rows, %,d written now,"
                + " %,d ms", from, database.describe(), report.schemaVersion(), report.rows(), report.rowsWritten(),
                report.millis()));
        for (CopyReport.TableReport t : report.tables()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("table", t.table());
            row.put("rows", t.rows());
            row.put("resumed", t.resumed());
            row.put("checksum", t.checksum());
            tables.add(row);
            text.append(String.format("%n  %-28s %,12d rows%s", t.table(), t.rows(),
                    t.resumed() > 0 ? " (" + t.resumed() + " already there)" : ""));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("from", from.toString());
        result.put("to", database.describe());
        result.put("schemaVersion", report.schemaVersion());
        result.put("rows", report.rows());
        result.put("rowsWritten", report.rowsWritten());
        result.put("millis", report.millis());
        result.put("tables", tables);
        report(result, text.toString());
        return 0;
    }
}
