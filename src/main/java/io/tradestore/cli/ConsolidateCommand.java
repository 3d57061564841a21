package io.tradestore.cli;

import io.tradestore.Tradestore;
import io.tradestore.legacy.Consolidation;
import io.tradestore.legacy.ConsolidationReport;
import io.tradestore.legacy.ConsolidationReport.Conflict;
import io.tradestore.legacy.ConsolidationReport.Counts;
import io.tradestore.legacy.ConsolidationReport.DanglingOutcome;
import io.tradestore.legacy.ConsolidationReport.FloatNoise;
import io.tradestore.legacy.ConsolidationReport.PnlDifference;
import io.tradestore.legacy.ConsolidationReport.Rejection;
import io.tradestore.legacy.ConsolidationReport.Source;
import io.tradestore.legacy.ConsolidationReport.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code consolidate}: the legacy platform's SQLite files into this database ({@link Consolidation},
 * docs/consolidation.md). Prints the plan and the report; unless it is a dry run, also writes them beside the target
 * as {@code <base>.json} (the report) and {@code <base>.tsv} (the ledger: one line per legacy row, its fate and where
 * it went).
 */
@Command(name = "consolidate", mixinStandardHelpOptions = true,
        description = "Import the legacy SQLite files (predictions, outcomes, positions, sentiment) into the database,"
                + " after a verified backup of it; re-running imports only what is missing.")
final class ConsolidateCommand extends CliCommand {
    private static final int SHOWN = 10;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'")
            .withZone(ZoneOffset.UTC);

    @Mixin
    DatabaseOptions database;

    @Option(names = "--dry-run", description = "Show the plan and what the run would do; write nothing anywhere.")
    boolean dryRun;

    @Option(names = "--zone", defaultValue = "UTC", paramLabel = "<zone>",
            description = "The zone the legacy code's naive timestamps were written in, e.g. Australia/Sydney"
                    + " (default: ${DEFAULT-VALUE}).")
    ZoneId zone;

    @Option(names = "--prefer", defaultValue = "newest", converter = PreferCode.class, paramLabel = "<rule>",
            description = "Which of two differing copies of a row wins: newest (latest created_at, then the file"
                    + " modified last) or file-order (the first file given) (default: ${DEFAULT-VALUE}).")
    Consolidation.Prefer prefer;

    @Option(names = "--backup", paramLabel = "<file>", description = "Where the verified backup of the database goes"
            + " (default: beside a SQLite database, <db>.before-consolidation-<time>; PostgreSQL: the working"
            + " directory).")
    Path backup;

    @Option(names = "--report-dir", paramLabel = "<dir>", description = "Where the report (.json) and the ledger"
            + " (.tsv) are written (default: beside a SQLite database, else the working directory).")
    Path reportDir;

    @Option(names = "--batch-size", description = "Legacy rows per unit of work (default: "
            + Consolidation.DEFAULT_BATCH_SIZE + " on SQLite, " + Consolidation.POSTGRES_BATCH_SIZE
            + " on PostgreSQL).")
    Integer batchSize;

    @Parameters(arity = "1..*", paramLabel = "<legacy file or folder>",
            description = "SQLite files, or folders searched for them; never written.")
    List<Path> sources;

    @Override
    public Integer call() {
        Consolidation c = Consolidation.of(sources).withZone(zone).withPrefer(prefer);
        if (batchSize != null) {
            c = c.withBatchSize(batchSize);
        }
        if (backup != null) {
            c = c.withBackup(backup);
        }
        ConsolidationReport r;
        try (Tradestore store = database.open()) {
            r = dryRun ? c.dryRun(store) : c.run(store);
        }
        Map<String, Object> result = json(r);
        List<Path> written = new ArrayList<>();
        if (!dryRun) {
            Path dir = reportDir != null ? reportDir : database.postgres() ? Path.of("")
                    : database.config().file().toAbsolutePath().getParent();
            String stem = (database.postgres() ? "tradestore" : database.config().file().getFileName().toString())
                    + ".consolidation-" + STAMP.format(Instant.now());
            String base = stem;
            for (int n = 2; Files.exists(dir.resolve(base + ".json")) || Files.exists(dir.resolve(base + ".tsv")); n++) {
                base = stem + "-" + n;
            }
            Path json = dir.resolve(base + ".json").toAbsolutePath();
            try {
                Files.writeString(json, JsonText.of(result) + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE_NEW);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the consolidation report " + json, e);
            }
            written.add(json);
            written.add(r.writeRows(dir.resolve(base + ".tsv").toAbsolutePath()));
            result.put("reportFiles", written.stream().map(Path::toString).toList());
        }
        report(result, text(r, written));
        return 0;
    }

    private static Map<String, Object> json(ConsolidationReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dryRun", r.dryRun());
        m.put("zone", r.zone().getId());
        m.put("prefer", code(r.prefer()));
        m.put("read", r.read());
        m.put("imported", r.imported());
        m.put("alreadyImported", r.alreadyImported());
        m.put("merged", r.merged());
        m.put("rejected", r.rejected());
        List<Object> sources = new ArrayList<>();
        for (Source s : r.sources()) {
            List<Object> tables = new ArrayList<>();
            for (Table t : s.tables()) {
                Map<String, Object> tm = new LinkedHashMap<>();
                tm.put("name", t.name());
                tm.put("kind", t.kind());
                tm.put("target", t.target());
                tm.put("rows", t.rows());
                tm.put("notCarried", t.notCarried());
                tm.put("note", t.note());
                tables.add(tm);
            }
            sources.add(map("file", s.file().toString(), "name", s.name(), "sha256", s.sha256(), "bytes", s.bytes(), "tables", tables));
        }
        m.put("sources", sources);
        m.put("counts", r.counts().stream().map(c -> map("file", c.file().toString(), "table", c.table(),
                "kind", c.kind(), "read", c.read(), "imported", c.imported(), "alreadyImported", c.alreadyImported(),
                "merged", c.merged(), "rejected", c.rejected())).toList());
        m.put("rejections", r.rejections().stream().map(x -> map("kind", x.kind(), "reason", x.reason(),
                "count", x.count(), "examples", x.examples())).toList());
        m.put("conversions", r.conversions());
        m.put("floatNoise", r.floatNoise().stream().map(n -> map("file", n.file().toString(), "table", n.table(),
                "row", n.row(), "column", n.column(), "value", n.value())).toList());
        m.put("conflicts", r.conflicts().stream().map(x -> map("kind", x.kind(), "key", x.key(),
                "winner", x.winner(), "losers", x.losers(), "fields", x.fields())).toList());
        m.put("pnlDifferences", r.pnlDifferences().stream().map(p -> map("file", p.file().toString(), "row", p.row(),
                "symbol", p.symbol(), "stored", p.stored(), "recomputed", p.recomputed(),
                "difference", p.difference())).toList());
        m.put("dangling", r.dangling().stream().map(d -> map("file", d.file().toString(), "row", d.row(),
                "predictionId", d.predictionId())).toList());
        m.put("backup", r.backup() == null ? null : map("file", r.backup().file().toString(),
                "bytes", r.backup().bytes(), "schemaVersion", r.backup().schemaVersion(), "method", r.backup().method()));
        m.put("millis", r.millis());
        return m;
    }

    private static String text(ConsolidationReport r, List<Path> written) {
        StringBuilder t = new StringBuilder(r.dryRun() ? "DRY RUN: nothing was written.\n" : "");
        t.append("Plan (paths under the folder the sources share; --json gives them in full):\n");
        for (Source s : r.sources()) {
            t.append(String.format(Locale.ROOT, "  %s (%,d bytes, sha256 %s)%n", s.name(), s.bytes(),
                    s.sha256().substring(0, 16)));
            for (Table tb : s.tables()) {
                t.append(String.format(Locale.ROOT, "    %-20s %,8d rows  %s%n", tb.name(), tb.rows(),
                        tb.kind() == null ? tb.note() : tb.target() == null ? tb.kind() + ": " + tb.note()
                                : tb.kind() + " -> " + tb.target()));
                tb.notCarried().forEach((col, n) -> t.append(String.format(Locale.ROOT,
                        "      not carried: %s (%,d values)%n", col, n)));
            }
        }
        int width = Math.max(5, r.counts().stream().mapToInt(c -> (r.name(c.file()) + " / " + c.table()).length())
                .max().orElse(0));
        String row = "  %-" + width + "s %,8d %,8d %,8d %,8d %,8d%n";
        t.append(String.format(Locale.ROOT, "%nRows%s:%n  %-" + width + "s %8s %8s %8s %8s %8s%n",
                r.dryRun() ? " (imported = would be imported)" : "", "file / table", "read", "imported", "already",
                "merged", "rejected"));
        for (Counts c : r.counts()) {
            t.append(String.format(Locale.ROOT, row, r.name(c.file()) + " / " + c.table(), c.read(), c.imported(),
                    c.alreadyImported(), c.merged(), c.rejected()));
        }
        t.append(String.format(Locale.ROOT, row, "total", r.read(), r.imported(), r.alreadyImported(), r.merged(),
                r.rejected()));
        if (!r.rejections().isEmpty()) {
            t.append("\nRejected, by reason:\n");
            for (Rejection x : r.rejections()) {
                t.append(String.format(Locale.ROOT, "  %,6d  %s%n", x.count(), x.reason()));
                x.examples().forEach(e -> t.append("          e.g. ").append(e).append('\n'));
            }
        }
        if (!r.conversions().isEmpty()) {
            t.append("\nConversions applied:\n");
            r.conversions().forEach((k, n) -> t.append(String.format(Locale.ROOT, "  %,8d  %s%n", n, k)));
        }
        for (FloatNoise n : limit(r.floatNoise())) {
            t.append(String.format(Locale.ROOT, "  float noise kept: %s %s %s %s = %s%n", r.name(n.file()),
                    n.table(), n.row(), n.column(), n.value().toPlainString()));
        }
        if (!r.conflicts().isEmpty()) {
            t.append(String.format(Locale.ROOT, "%nConflicts (%,d), resolved by --prefer %s:%n", r.conflicts().size(),
                    code(r.prefer())));
            for (Conflict x : limit(r.conflicts())) {
                t.append("  ").append(x.kind()).append(' ').append(x.key()).append(": kept ").append(x.winner())
                        .append('\n');
                x.fields().forEach(f -> t.append("    ").append(f).append('\n'));
            }
            more(t, r.conflicts());
        }
        if (!r.pnlDifferences().isEmpty()) {
            t.append(String.format(Locale.ROOT, "%nStored P&L differs from the recomputed one (%,d; imported with the"
                    + " recomputed P&L):%n", r.pnlDifferences().size()));
            for (PnlDifference p : limit(r.pnlDifferences())) {
                t.append(String.format(Locale.ROOT, "  %s positions %s %s: stored %s, recomputed %s, difference %s%n",
                        r.name(p.file()), p.row(), p.symbol(), p.stored().toPlainString(),
                        p.recomputed().toPlainString(), p.difference().toPlainString()));
            }
            more(t, r.pnlDifferences());
        }
        if (!r.dangling().isEmpty()) {
            t.append(String.format(Locale.ROOT, "%nOutcomes without a prediction in any file (%,d; not imported):%n",
                    r.dangling().size()));
            for (DanglingOutcome d : limit(r.dangling())) {
                t.append(String.format(Locale.ROOT, "  %s %s: prediction_id %s%n", r.name(d.file()), d.row(),
                        d.predictionId()));
            }
            more(t, r.dangling());
        }
        t.append('\n');
        if (r.backup() != null) {
            t.append(String.format(Locale.ROOT, "Backup before the import: %s (%,d bytes, verified)%n",
                    r.backup().file(), r.backup().bytes()));
        } else if (!r.dryRun()) {
            t.append("Nothing new to import: no backup taken, the database unchanged.\n");
        }
        written.forEach(p -> t.append("Written: ").append(p).append('\n'));
        t.append(String.format(Locale.ROOT, "%d ms", r.millis()));
        return t.toString();
    }

    private static <T> List<T> limit(List<T> list) {
        return list.subList(0, Math.min(SHOWN, list.size()));
    }

    private static void more(StringBuilder t, List<?> list) {
        if (list.size() > SHOWN) {
            t.append(String.format(Locale.ROOT, "  ... and %,d more (all in the report file)%n", list.size() - SHOWN));
        }
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static String code(Consolidation.Prefer p) {
        return p.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** {@code newest} or {@code file-order}. */
    static final class PreferCode implements picocli.CommandLine.ITypeConverter<Consolidation.Prefer> {
        @Override
        public Consolidation.Prefer convert(String value) {
            for (Consolidation.Prefer p : Consolidation.Prefer.values()) {
                if (code(p).equalsIgnoreCase(value)) {
                    return p;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("must be newest or file-order (was \"" + value
                    + "\")");
        }
    }
}
