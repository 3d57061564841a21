package io.tradestore.legacy;

import io.tradestore.BackupReport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * What a consolidation found and did (or, for a dry run, would do). Every legacy row read has exactly one fate in
 * {@link #rows()}, so for each source table {@code read = imported + alreadyImported + merged + rejected}.
 *
 * @param dryRun         true when nothing was written: "imported" then means "would be imported"
 * @param zone           the zone naive timestamps were read in
 * @param prefer         the rule that resolved conflicts
 * @param sources        the plan: each legacy file, its tables, what each is and where it goes
 * @param counts         per source file and table, the fate of its rows
 * @param rejections     rejected rows grouped by reason (the column and the rule), with the first examples
 * @param conversions    each conversion applied, with how many values or rows it was applied to
 * @param floatNoise     the first REAL values kept as written although they look like float noise
 * @param conflicts      natural keys whose rows differ between (or within) files, how each was resolved
 * @param pnlDifferences closed positions whose stored profit_loss differs from the recomputed P&L beyond the tolerance
 * @param dangling       outcomes whose prediction is in no legacy file: reported, not invented
 * @param rows           one line per legacy row read: its fate and where it went
 * @param backup         the verified backup of the target taken before the first write; null in a dry run or when
 *                       there was nothing to write
 * @param millis         wall time
 */
public record ConsolidationReport(boolean dryRun, ZoneId zone, Consolidation.Prefer prefer, List<Source> sources,
                                  List<Counts> counts, List<Rejection> rejections, Map<String, Long> conversions,
                                  List<FloatNoise> floatNoise, List<Conflict> conflicts,
                                  List<PnlDifference> pnlDifferences, List<DanglingOutcome> dangling,
                                  List<RowFate> rows, BackupReport backup, long millis) {

    /** What happened to one legacy row. */
    public enum Fate {
        /** Written to the target by this run (in a dry run: would be). */
        IMPORTED,
        /** The target already holds it, as an earlier run wrote it. */
        ALREADY_IMPORTED,
        /** The same natural key as a row imported from elsewhere: an identical copy, or a conflict it lost. */
        MERGED,
        /** Not importable: {@link RowFate#detail()} says which column broke which rule. */
        REJECTED
    }

    /**
     * A legacy file as read: its name in the report's texts (its path relative to the folder all sources share), its
     * SHA-256 and size (it is never written), and its tables.
     */
    public record Source(Path file, String name, String sha256, long bytes, List<Table> tables) {
    }

    /** The name the report's texts give {@code file}, one of {@link #sources()}. */
    public String name(Path file) {
        return sources.stream().filter(s -> s.file().equals(file)).map(Source::name).findFirst()
                .orElse(String.valueOf(file));
    }

    /**
     * A table of a legacy file. kind is null for a table that is not recognised (listed, not read); notCarried maps
     * each column whose values do not reach the target to the number of rows that hold a value in it.
     */
    public record Table(String name, LegacyKind kind, String target, long rows, Map<String, Long> notCarried,
                        String note) {
    }

    /** The fate of the rows of one source table. */
    public record Counts(Path file, String table, LegacyKind kind, long read, long imported, long alreadyImported,
                         long merged, long rejected) {
    }

    /** The rows rejected for one reason, e.g. {@code predictions.entry_price: must be > 0}. */
    public record Rejection(LegacyKind kind, String reason, long count, List<String> examples) {
    }

    /** A value kept as written that has more than {@link FloatDecimals#NOISE_DIGITS} significant digits. */
    public record FloatNoise(Path file, String table, String row, String column, BigDecimal value) {
    }

    /**
     * Rows with the same natural key whose values differ. winner is the row imported (or {@code target} when the
     * target already held a different row, which is kept); losers are merged; fields are the values that differ.
     */
    public record Conflict(LegacyKind kind, String key, String winner, List<String> losers, List<String> fields) {
    }

    /** A closed position whose stored float P&L differs from the exact one recomputed from prices and size. */
    public record PnlDifference(Path file, String row, String symbol, BigDecimal stored, BigDecimal recomputed,
                                BigDecimal difference) {
    }

    /** An outcome whose prediction_id names no prediction in any legacy file given. */
    public record DanglingOutcome(Path file, String row, String predictionId) {
    }

    /** One legacy row: where it came from, its fate, the target row it is (or is merged into) and why. */
    public record RowFate(Path file, String table, String row, Fate fate, String target, String detail) {
    }

    public long read() {
        return sum(Counts::read);
    }

    public long imported() {
        return sum(Counts::imported);
    }

    public long alreadyImported() {
        return sum(Counts::alreadyImported);
    }

    public long merged() {
        return sum(Counts::merged);
    }

    public long rejected() {
        return sum(Counts::rejected);
    }

    private long sum(ToLongFunction<Counts> f) {
        return counts.stream().mapToLong(f).sum();
    }

    /**
     * Writes {@link #rows()} as a tab-separated table (header {@code file table row fate target detail}), the
     * consolidation's ledger: where every legacy row went. Tabs and line breaks inside values become spaces.
     *
     * @throws UncheckedIOException if the file cannot be written; an existing file is not overwritten
     */
    public Path writeRows(Path file) {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW)) {
            w.write("file\ttable\trow\tfate\ttarget\tdetail\n");
            for (RowFate r : rows) {
                w.write(String.join("\t", cell(r.file()), cell(r.table()), cell(r.row()), r.fate().name(),
                        cell(r.target()), cell(r.detail())));
                w.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the consolidation ledger " + file, e);
        }
        return file;
    }

    private static String cell(Object value) {
        return value == null ? "" : value.toString().replaceAll("[\\t\\r\\n]", " ");
    }
}
