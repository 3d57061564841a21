package io.tradestore.cli;

import io.tradestore.RetentionJob;
import io.tradestore.RetentionPolicy;
import io.tradestore.RetentionReport;
import io.tradestore.Tradestore;
import io.tradestore.ValidationException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code retention}: purge expired pattern-cache entries and move candles older than the policy into an archive
 * database ({@link RetentionJob}); safe to stop and run again.
 */
@Command(name = "retention", mixinStandardHelpOptions = true,
        description = "Purge expired pattern-cache entries; move candles older than --keep into"
        + " the --archive database (a migrated tradestore), in batches; safe to stop and re-run.")
final class RetentionCommand extends CliCommand {
    @Mixin
    DatabaseOptions database;

    @Option(names = "--keep", required = true, paramLabel = "<policy>", description = "Per timeframe, how long candles"
            + " stay live, e.g. 1m=30d,5m=180d,1h=2y (units h, d, w, y); other timeframes are kept.")
    String keep;

    @Option(names = "--archive", paramLabel = "<file|url>", description = "The archive: a migrated tradestore SQLite"
            + " file or jdbc:postgresql: URL (not needed with --dry-run).")
    String archive;

    @Option(names = "--archive-user", defaultValue = "${env:TRADESTORE_ARCHIVE_USER}",
            description = "PostgreSQL user of the archive (env TRADESTORE_ARCHIVE_USER).")
    String archiveUser;

    @Option(names = "--archive-password", defaultValue = "${env:TRADESTORE_ARCHIVE_PASSWORD}",
            description = "PostgreSQL password of the archive (env TRADESTORE_ARCHIVE_PASSWORD).")
    String archivePassword;

    @Option(names = "--batch-size", defaultValue = "" + RetentionPolicy.DEFAULT_BATCH_SIZE,
            description = "Candles per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--drop-partitions", description = "PostgreSQL: then drop the month partitions the move emptied"
            + " (connect as the schema's owner).")
    boolean dropPartitions;

    @Option(names = "--dry-run", description = "Report what would be purged and moved; write nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        RetentionPolicy policy = RetentionPolicy.parse(keep).withBatchSize(batchSize).withDropPartitions(dropPartitions);
        RetentionReport r;
        try (Tradestore live = database.open()) {
            if (dryRun) {
                r = RetentionJob.dryRun(live, policy);
            } else {
                if (archive == null) {
                    throw new ValidationException("--archive", "is required (or use --dry-run)", null);
                }
                DatabaseOptions target = new DatabaseOptions();
                target.db = archive;
                target.user = archiveUser;
                target.password = archivePassword;
                try (Tradestore store = target.open();
                     Progress progress = progress("retention", -1, "candles")) {
                    long[] shown = {0};
                    r = RetentionJob.run(live, store, policy.withProgress(p -> {
                        progress.advance(p.moved() - shown[0]);
                        shown[0] = p.moved();
                    }));
                }
            }
        }
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%s %s: %s %,d expired pattern-cache"
                        + " entries, %s %,d candles%s", dryRun ? "dry run on" : "retention on", database.describe(),
                dryRun ? "would purge" : "purged", r.patternCachePurged(), dryRun ? "would move" : "moved", r.moved(),
                dryRun ? "" : " to " + archive));
        List<Map<String, Object>> series = new ArrayList<>();
        for (RetentionReport.SeriesMove s : r.series()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("symbol", s.symbol());
            row.put("timeframe", s.timeframe().code());
            row.put("cutoff", s.cutoff());
            row.put("moved", s.moved());
            series.add(row);
            text.append(String.format(Locale.ROOT, "%n  %-12s %-4s before %s: %,d", s.symbol(), s.timeframe(),
                    s.cutoff(), s.moved()));
        }
        if (!r.droppedPartitions().isEmpty()) {
            text.append("\n  dropped partitions: ").append(String.join(" ", r.droppedPartitions()));
        }
        if (r.partitionNote() != null) {
            text.append("\n  partitions: ").append(r.partitionNote());
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("database", database.describe());
        result.put("archive", archive);
        result.put("dryRun", r.dryRun());
        result.put("patternCachePurged", r.patternCachePurged());
        result.put("moved", r.moved());
        result.put("series", series);
        result.put("droppedPartitions", r.droppedPartitions());
        result.put("partitionNote", r.partitionNote());
        report(result, text.toString());
        return 0;
    }
}
