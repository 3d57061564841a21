package io.tradestore.legacy;

import io.tradestore.legacy.ConsolidationReport.Fate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Legacy SQLite files as the old Python code wrote them (sqlite3, executescript of legacy-schemas.sql, floats bound as
 * REAL, datetimes as naive text in whatever shape the calling code produced), each row declared together with what a
 * consolidation must make of it: its fate under either conflict rule, the reason column if it is rejected, and the
 * tradestore row it becomes, written as literals. The literals are the expectation; nothing here converts a value the
 * way the engine does (the decimals of float arithmetic are Python's repr, the shortest round-trip form, checked only
 * to read back as the double written; the instants are converted by hand from Asia/Tokyo, UTC+9 all year).
 */
final class LegacyFixtures {
    /** The zone the fixture's naive texts mean; +9 without daylight saving, so the hand conversions are plain. */
    static final ZoneId ZONE = ZoneId.of("Asia/Tokyo");

    /** An offset or Z at the end: an aware text. Everything else the fixture writes as a timestamp is naive. */
    private static final Pattern AWARE = Pattern.compile(".*(Z|[+-]\\d{2}:?\\d{2})$");

    /** The tradestore tables the expectations describe, with the legacy timestamp columns whose text is carried. */
    enum Kind {
        PREDICTIONS("predictions", List.of("prediction_timestamp")),
        OUTCOMES("outcomes", List.of("evaluation_timestamp")),
        POSITIONS("positions", List.of("entry_date", "exit_date")),
        SENTIMENT("sentiment_analysis", List.of("timestamp"));

        final String legacyTable;
        final List<String> timestampColumns;

        Kind(String legacyTable, List<String> timestampColumns) {
            this.legacyTable = legacyTable;
            this.timestampColumns = timestampColumns;
        }
    }

    /**
     * One legacy row and what must become of it. {@code line} is the tradestore row it is (or would be) imported as,
     * in {@link #line} form; identical duplicates carry the same line as the row they merge into. {@code reason} is the
     * column a rejection names: the tradestore column when a tradestore rule refused the value
     * ({@code predictions.confidence}), the legacy one when its value could not be read or mapped
     * ({@code predictions.action_confidence} holding "high"); null where the row is not rejected.
     */
    record Row(Kind kind, Path file, String label, Fate newest, Fate fileOrder, String reason, String line,
               int naive) {
        Fate fate(Consolidation.Prefer prefer) {
            return prefer == Consolidation.Prefer.NEWEST ? newest : fileOrder;
        }
    }

    /** A legacy table as the plan must list it. */
    record Table(String name, LegacyKind kind, long rows, Map<String, Long> notCarried) {
    }

    /** The files written under {@code root}, in the order a folder walk sorted by path gives them. */
    record Legacy(Path root, Path p1, Path p2, Path t1, Path t2, Path sentiment, Path cache, List<Row> rows,
                  Map<Path, List<Table>> tables) {
        List<Path> sources() {
            return List.of(sentiment, p2, t2, t1, cache, p1);
        }

        List<Row> rows(Kind kind) {
            return rows.stream().filter(r -> r.kind() == kind).toList();
        }

        /**
         * The same files with some rows' fates under {@code prefer} changed, keyed "file-under-root label": for a
         * target that already holds some of the rows.
         */
        Legacy withFates(Consolidation.Prefer prefer, Map<String, Fate> changed) {
            List<Row> out = new ArrayList<>();
            int found = 0;
            for (Row r : rows) {
                Fate fate = changed.get(root.relativize(r.file()) + " " + r.label());
                if (fate == null) {
                    out.add(r);
                    continue;
                }
                found++;
                out.add(new Row(r.kind(), r.file(), r.label(), prefer == Consolidation.Prefer.NEWEST ? fate
                        : r.newest(), prefer == Consolidation.Prefer.FILE_ORDER ? fate : r.fileOrder(), r.reason(),
                        r.line(), r.naive()));
            }
            if (found != changed.size()) {
                throw new IllegalArgumentException("not all of " + changed.keySet() + " are fixture rows");
            }
            return new Legacy(root, p1, p2, t1, t2, sentiment, cache, out, tables);
        }

        /** The tradestore rows of {@code kind} a run with {@code prefer} leaves, sorted. */
        List<String> expected(Kind kind, Consolidation.Prefer prefer) {
            return rows(kind).stream().filter(r -> r.fate(prefer) == Fate.IMPORTED).map(Row::line).sorted().toList();
        }
    }

    private LegacyFixtures() {
    }

    // ---- canonical lines ------------------------------------------------------------------------------------------

    /** A row as one comparable line: decimals without trailing zeros, instants in ISO form, null as "null". */
    static String line(Object... cells) {
        List<String> out = new ArrayList<>();
        for (Object c : cells) {
            if (c == null) {
                out.add("null");
            } else if (c instanceof BigDecimal d) {
                out.add(d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString());
            } else {
                out.add(c.toString());
            }
        }
        return String.join(" | ", out);
    }

    /** A decimal literal (a string, never a double). */
    static BigDecimal d(String literal) {
        return literal == null ? null : new BigDecimal(literal);
    }

    static Instant t(String iso) {
        return Instant.parse(iso);
    }

    static String prediction(String symbol, String at, String action, String confidence, String direction,
                             String magnitude, String featureVector, String model, String entryPrice, String context) {
        return line(symbol, t(at), action, d(confidence), direction, d(magnitude), featureVector, model, d(entryPrice),
                context);
    }

    static String outcome(String symbol, String predictedAt, String at, String actualReturn, String direction,
                          String exitPrice, boolean correct) {
        return line(symbol, t(predictedAt), t(at), d(actualReturn), direction, d(exitPrice), correct);
    }

    static String position(String symbol, String side, String status, String quantity, String entryPrice,
                           String entryTime, String exitPrice, String exitTime, String exitReason, String realized,
                           String ml, String sentiment) {
        return line(symbol, side, status, d(quantity), d(entryPrice), t(entryTime), d(exitPrice),
                exitTime == null ? null : t(exitTime), exitReason, d(realized), d(ml), d(sentiment));
    }

    static String sentiment(String symbol, String at, String score, String confidence, int newsCount) {
        return line(symbol, t(at), d(score), d(confidence), newsCount, null);
    }

    /** The double the fixture writes, after checking the literal expected of it reads back as that double. */
    private static double real(double written, String shortest) {
        if (Double.parseDouble(shortest) != written) {
            throw new IllegalStateException("fixture literal " + shortest + " does not read back as " + written);
        }
        return written;
    }

    // ---- the fixture ------------------------------------------------------------------------------------------------

    static final Fate IMP = Fate.IMPORTED;
    static final Fate MRG = Fate.MERGED;

    /**
     * Six legacy SQLite files under {@code root} (two prediction files, the second an older copy of the app with
     * prices kept as text; a paper-trading file and its stale copy; sentiment; a market-data cache beside tables that
     * are not legacy kinds), a text file and an empty file that are not sources.
     */
    static Legacy write(Path root) throws IOException, SQLException {
        Files.createDirectories(root.resolve("data"));
        Files.createDirectories(root.resolve("paper-trading-app/data"));
        Path p1 = root.resolve("trading_predictions.db");
        Path p2 = root.resolve("paper-trading-app/data/trading_predictions.db");
        Path t1 = root.resolve("paper_trading.db");
        Path t2 = root.resolve("paper-trading-app/paper_trading.db");
        Path s = root.resolve("data/sentiment_analysis.db");
        Path m = root.resolve("trading_data.db");
        List<Row> rows = new ArrayList<>();

        try (FileWriter f = new FileWriter(p1, rows, schema())) {
            predictionsFile1(f);
        }
        // The older copy of the app stored prices with str(): entry_price TEXT, so '12.50' stays text.
        try (FileWriter f = new FileWriter(p2, rows, schema().replace("entry_price REAL DEFAULT 0",
                "entry_price TEXT DEFAULT 0"))) {
            predictionsFile2(f);
        }
        try (FileWriter f = new FileWriter(t1, rows, schema())) {
            positions(f);
        }
        staleCopy(t1, t2, rows);
        sentimentInWal(s, rows);
        try (FileWriter f = new FileWriter(m, rows, schema())) {
            cache(f);
        }
        Files.writeString(root.resolve("notes.txt"), "SQLite format 2 is not what this is\n");
        Files.write(root.resolve("empty.db"), new byte[0]);

        // The stale copies are older files; the newest rule falls back on these when created_at ties.
        touch(p1, "2023-03-10T00:00:00Z");
        touch(p2, "2023-03-05T00:00:00Z");
        touch(t1, "2023-03-10T00:00:00Z");
        touch(t2, "2023-03-04T00:00:00Z");
        touch(s, "2023-03-08T00:00:00Z");
        touch(m, "2023-03-08T00:00:00Z");

        Map<Path, List<Table>> tables = new LinkedHashMap<>();
        tables.put(p1, List.of(
                table(p1, "predictions", LegacyKind.PREDICTIONS, "created_at", "optimal_action"),
                table(p1, "outcomes", LegacyKind.OUTCOMES, "created_at", "notes")));
        tables.put(p2, List.of(
                table(p2, "predictions", LegacyKind.PREDICTIONS, "created_at", "optimal_action"),
                table(p2, "outcomes", LegacyKind.OUTCOMES, "created_at")));
        tables.put(t1, List.of(table(t1, "positions", LegacyKind.POSITIONS, "return_percentage", "created_at")));
        tables.put(t2, List.of(table(t2, "positions", LegacyKind.POSITIONS, "return_percentage", "created_at")));
        tables.put(s, List.of(table(s, "sentiment_analysis", LegacyKind.SENTIMENT, "stage_1_score", "stage_2_score",
                "economic_context", "created_at")));
        tables.put(m, List.of(table(m, "market_data_cache", LegacyKind.MARKET_DATA_CACHE),
                table(m, "settings", null), table(m, "mixed", null)));
        return new Legacy(root, p1, p2, t1, t2, s, m, List.copyOf(rows), tables);
    }

    private static void predictionsFile1(FileWriter f) throws SQLException {
        String table = "predictions";
        f.row(Kind.PREDICTIONS, "p-1", MRG, MRG, null, prediction("CBA.AX", "2023-03-01T01:00:00Z", "BUY", "0.75",
                        "UP", "0.02", "[0.5, 1.0]", "v1", "100.1", "\"NEUTRAL\""),
                "symbol", "CBA.AX", "prediction_timestamp", "2023-03-01 10:00:00", "predicted_action", "buy",
                "action_confidence", 0.75, "predicted_direction", 1L, "predicted_magnitude", 0.02,
                "feature_vector", "[0.5, 1.0]", "model_version", "v1", "created_at", "2023-03-01 10:00:01",
                "entry_price", 100.1, "optimal_action", "BUY");
        f.row(Kind.PREDICTIONS, "p-2", IMP, IMP, null, prediction("BHP.AX", "2023-03-01T02:30:00.123456Z", "SELL",
                        "0.30000000000000004", "DOWN", "0.015", null, "unknown", "45.5", "{\"regime\": \"bear\"}"),
                "symbol", "BHP.AX", "prediction_timestamp", "2023-03-01T11:30:00.123456", "predicted_action", "SHORT",
                "action_confidence", real(0.1 + 0.2, "0.30000000000000004"), "predicted_direction", null,
                "predicted_magnitude", -0.015, "model_version", null, "created_at", "2023-03-01 11:30:01",
                "entry_price", 45.5, "market_context", "{\"regime\": \"bear\"}");
        // The same prediction as p-2's neighbour x-3 in the second file, with another confidence: a conflict that the
        // newest rule gives to this row (the other's created_at is missing) and file order to the other file.
        f.row(Kind.PREDICTIONS, "p-3", IMP, MRG, null, prediction("WBC.AX", "2023-03-01T03:00:00.5Z", "BUY", "0.6",
                        "UP", "0.01", null, "unknown", "300.29999999999995", "\"NEUTRAL\""),
                "symbol", "WBC.AX", "prediction_timestamp", "2023-03-01 12:00:00.5", "predicted_action", "STRONG_BUY",
                "action_confidence", 0.6, "predicted_direction", "bullish", "predicted_magnitude", 0.01,
                "model_version", "  ", "created_at", "2023-03-02 09:00:00",
                "entry_price", real(100.1 * 3, "300.29999999999995"));
        f.row(Kind.PREDICTIONS, "p-4", IMP, IMP, null, prediction("NAB.AX", "2023-03-01T03:00:00Z", "SELL", "0.8",
                        "DOWN", "0.02", null, "v2", "30.1", "\"NEUTRAL\""),
                "symbol", "NAB.AX", "prediction_timestamp", "2023-03-01T13:00:00+10:00", "predicted_action", " Sell ",
                "action_confidence", 0.8, "predicted_direction", -1L, "predicted_magnitude", 0.02,
                "model_version", "v2", "created_at", "2023-03-01 03:00:01", "entry_price", 30.1,
                "market_context", "NEUTRAL");
        f.row(Kind.PREDICTIONS, "p-5", IMP, IMP, null, prediction("ANZ.AX", "2023-03-01T14:05:09Z", "HOLD", "0.5",
                        "FLAT", "0", null, "v2", "25", null),
                "symbol", "ANZ.AX", "prediction_timestamp", "2023-03-01T14:05:09Z", "predicted_action", "hold",
                "action_confidence", 0.5, "predicted_direction", 0L, "predicted_magnitude", 0.0,
                "model_version", "v2", "created_at", "2023-03-01 14:05:10", "entry_price", 25.0,
                "market_context", null);
        f.row(Kind.PREDICTIONS, "p-6", IMP, IMP, null, prediction("FMG.AX", "2023-03-01T15:00:00Z", "BUY", "0.9",
                        "UP", "0.03", "{\"rsi\": 55.5}", "v1", "0.1234567891", "\"BULLISH\""),
                "symbol", "FMG.AX", "prediction_timestamp", "2023-03-02", "predicted_action", "long",
                "action_confidence", 0.9, "predicted_direction", 1L, "predicted_magnitude", 0.03,
                "feature_vector", "{\"rsi\": 55.5}", "model_version", "v1", "created_at", "2023-03-02 00:00:01",
                "entry_price", 0.1234567891, "market_context", "BULLISH");
        // The second file has a p-7 too, another prediction: an outcome finds its own file's p-7 first.
        f.row(Kind.PREDICTIONS, "p-7", IMP, IMP, null, prediction("CBA.AX", "2023-03-02T01:15:00Z", "BUY", "0.7",
                        "UP", "0.01", null, "v1", "101", "\"NEUTRAL\""),
                "symbol", "CBA.AX", "prediction_timestamp", "2023-03-02 10:15", "predicted_action", "buy",
                "action_confidence", 0.7, "predicted_direction", 1L, "predicted_magnitude", 0.01,
                "model_version", "v1", "created_at", "2023-03-02 10:15:01", "entry_price", 101.0);

        // A price in a unit so small it reaches 2.8e17: JDK 17's Double.toString prints it 2.82879384806159008E17
        // (JDK-4511638), Python's repr 2.82879384806159e+17.
        f.row(Kind.PREDICTIONS, "p-8", IMP, IMP, null, prediction("BTCZWL", "2023-03-02T02:00:00Z", "BUY", "0.7",
                        "UP", "0.01", null, "v1", "282879384806159000", "\"NEUTRAL\""),
                "symbol", "BTCZWL", "prediction_timestamp", "2023-03-02 11:00:00", "predicted_action", "buy",
                "action_confidence", 0.7, "predicted_direction", 1L, "predicted_magnitude", 0.01,
                "model_version", "v1", "created_at", "2023-03-02 11:00:01",
                "entry_price", real(2.82879384806159E17, "2.82879384806159e+17"));

        // Rejected rows carry aware timestamps, so the count of naive ones does not depend on which column the
        // engine looks at first.
        f.rejected(Kind.PREDICTIONS, "p-r1", "predictions.entry_price", ok("2023-03-03T00:00:00Z"));
        f.rejected(Kind.PREDICTIONS, "p-r2", "predictions.entry_price",
                ok("2023-03-03T01:00:00Z", "entry_price", null));
        f.rejected(Kind.PREDICTIONS, "p-r3", "predictions.predicted_action",
                ok("2023-03-03T02:00:00Z", "predicted_action", "maybe", "entry_price", 10.0));
        f.rejected(Kind.PREDICTIONS, "p-r4", "predictions.predicted_magnitude",
                ok("2023-03-03T03:00:00Z", "predicted_magnitude", null, "entry_price", 10.0));
        f.rejected(Kind.PREDICTIONS, "p-r5", "predictions.feature_vector",
                ok("2023-03-03T04:00:00Z", "feature_vector", "[NaN, 1.0]", "entry_price", 10.0));
        f.rejected(Kind.PREDICTIONS, "p-r6", "predictions.symbol",
                ok("2023-03-03T05:00:00Z", "symbol", "BHP AX", "entry_price", 10.0));
        f.rejected(Kind.PREDICTIONS, "p-r7", "predictions.prediction_timestamp",
                ok("01/03/2023 14:05", "entry_price", 10.0));
        f.rejected(Kind.PREDICTIONS, "p-r8", "predictions.confidence",
                ok("2023-03-03T06:00:00Z", "action_confidence", 1.2, "entry_price", 10.0));
        f.rejected(Kind.PREDICTIONS, "p-r9", "predictions.predicted_magnitude",
                ok("2023-03-03T07:00:00Z", "predicted_magnitude", -0.01, "entry_price", 10.0));
        f.rejected(Kind.PREDICTIONS, "p-r10", "predictions.action_confidence",
                ok("2023-03-03T08:00:00Z", "action_confidence", "high", "entry_price", 10.0));
        f.rejected(Kind.PREDICTIONS, "p-r11", "predictions.prediction_timestamp",
                ok(null, "prediction_timestamp", 1677679509L, "entry_price", 10.0));
        f.rejected(Kind.PREDICTIONS, "p-r12", "predictions.predicted_direction",
                ok("2023-03-03T09:00:00Z", "predicted_direction", "sideways", "entry_price", 10.0));
        f.rejected(Kind.PREDICTIONS, "p-r13", "predictions.model_version",
                ok("2023-03-03T10:00:00Z", "model_version", "v1\u0007", "entry_price", 10.0));
        f.rejected(Kind.PREDICTIONS, "p-r14", "predictions.symbol",
                ok("2023-03-03T11:00:00Z", "symbol", "BHP'); DROP TABLE predictions; --", "entry_price", 10.0));

        // Outcomes carry one column the schema does not know: reported as not carried, with its count.
        f.exec("ALTER TABLE outcomes ADD COLUMN notes TEXT");
        f.row(Kind.OUTCOMES, null, IMP, MRG, null, outcome("CBA.AX", "2023-03-01T01:00:00Z", "2023-03-02T01:00:00Z",
                        "0.0325", "UP", "103.35", true),
                "prediction_id", "p-1", "evaluation_timestamp", "2023-03-02 10:00:00", "actual_return", 0.0325,
                "actual_direction", 1L, "exit_price", 103.35, "created_at", "2023-03-02 10:00:05", "notes", "checked");
        f.row(Kind.OUTCOMES, null, IMP, IMP, null, outcome("BHP.AX", "2023-03-01T02:30:00.123456Z",
                        "2023-03-02T02:30:00Z", "0.012", "UP", "46.046", false),
                "prediction_id", "p-2", "evaluation_timestamp", "2023-03-02T11:30:00", "actual_return", 0.012,
                "actual_direction", null, "exit_price", 46.046, "created_at", "2023-03-02 11:30:05", "notes", "late");
        // Conflicts with the second file's outcome of the same prediction; this one was written later.
        f.row(Kind.OUTCOMES, null, IMP, MRG, null, outcome("NAB.AX", "2023-03-01T03:00:00Z", "2023-03-02T03:00:00Z",
                        "-0.01", "DOWN", "29.799", true),
                "prediction_id", "p-4", "evaluation_timestamp", "2023-03-02T03:00:00Z", "actual_return", -0.01,
                "actual_direction", "down", "exit_price", 29.799, "created_at", "2023-03-06 00:00:00");
        f.row(Kind.OUTCOMES, null, IMP, IMP, null, outcome("ANZ.AX", "2023-03-01T14:05:09Z", "2023-03-02T05:05:09Z",
                        "0", "FLAT", "25", true),
                "prediction_id", "p-5", "evaluation_timestamp", "2023-03-02 14:05:09", "actual_return", 0.0,
                "actual_direction", 0L, "exit_price", 25.0, "created_at", "2023-03-02 14:05:10");
        f.rejected(Kind.OUTCOMES, null, "outcomes.prediction_id", "prediction_id", "ghost-1", "evaluation_timestamp",
                "2023-03-02T00:00:00Z", "actual_return", 0.01, "actual_direction", 1L, "exit_price", 10.0,
                "created_at", "2023-03-02 09:00:00");
        f.rejected(Kind.OUTCOMES, null, "outcomes.actual_direction", "prediction_id", "p-6", "evaluation_timestamp",
                "2023-03-02T06:00:00Z", "actual_return", -0.02, "actual_direction", 1L, "exit_price", 0.12,
                "created_at", "2023-03-02 09:00:00");
        f.rejected(Kind.OUTCOMES, null, "outcomes.prediction_id", "prediction_id", "p-r1", "evaluation_timestamp",
                "2023-03-04T00:00:00Z", "actual_return", 0.01, "actual_direction", 1L, "exit_price", 10.0,
                "created_at", "2023-03-04 09:00:00");
        f.rejected(Kind.OUTCOMES, null, "outcomes.evaluation_timestamp", "prediction_id", "p-3",
                "evaluation_timestamp", "2023-02-28T00:00:00Z", "actual_return", 0.01, "actual_direction", 1L,
                "exit_price", 303.0, "created_at", "2023-02-28 09:00:00");
        // The second file has a p-7 too, WBC.AX: this outcome is this file's p-7's, CBA.AX.
        f.row(Kind.OUTCOMES, null, IMP, IMP, null, outcome("CBA.AX", "2023-03-02T01:15:00Z", "2023-03-03T00:00:00Z",
                        "0.01", "UP", "102.01", true),
                "prediction_id", "p-7", "evaluation_timestamp", "2023-03-03T00:00:00Z", "actual_return", 0.01,
                "actual_direction", 1L, "exit_price", 102.01, "created_at", "2023-03-03 09:00:00");
        f.rejected(Kind.OUTCOMES, null, "outcomes.exit_price", "prediction_id", "p-2", "evaluation_timestamp",
                "2023-03-03T00:00:00Z", "actual_return", 0.01, "actual_direction", 1L, "exit_price", null,
                "created_at", "2023-03-03 09:00:00");
    }

    /** {@code v} with each (column, value) pair of {@code overrides} put over it, as alternating names and values. */
    private static Object[] withOverrides(Map<String, Object> v, Object... overrides) {
        for (int i = 0; i < overrides.length; i += 2) {
            v.put((String) overrides[i], overrides[i + 1]);
        }
        List<Object> out = new ArrayList<>();
        v.forEach((k, x) -> {
            out.add(k);
            out.add(x);
        });
        return out.toArray();
    }

    /** A rejected prediction's columns: valid apart from the overrides, at an aware {@code at}. */
    private static Object[] ok(String at, Object... overrides) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("symbol", "RIO.AX");
        v.put("prediction_timestamp", at);
        v.put("predicted_action", "buy");
        v.put("action_confidence", 0.5);
        v.put("predicted_direction", 1L);
        v.put("predicted_magnitude", 0.01);
        v.put("model_version", "v1");
        v.put("created_at", "2023-03-03 00:00:00");
        return withOverrides(v, overrides);
    }

    private static void predictionsFile2(FileWriter f) throws SQLException {
        // p-1 again, written differently and later: identical once converted, so one row; this file's is newer.
        f.row(Kind.PREDICTIONS, "p-1", IMP, IMP, null, prediction("CBA.AX", "2023-03-01T01:00:00Z", "BUY", "0.75",
                        "UP", "0.02", "[0.5, 1.0]", "v1", "100.1", "\"NEUTRAL\""),
                "symbol", "CBA.AX", "prediction_timestamp", "2023-03-01T10:00:00", "predicted_action", "BUY",
                "action_confidence", 0.75, "predicted_direction", 1L, "predicted_magnitude", 0.02,
                "feature_vector", "[0.5, 1.0]", "model_version", "v1", "created_at", "2023-03-05 08:00:00",
                "entry_price", "100.1", "optimal_action", "HOLD", "market_context", "NEUTRAL");
        f.row(Kind.PREDICTIONS, "x-3", MRG, IMP, null, prediction("WBC.AX", "2023-03-01T03:00:00.5Z", "BUY", "0.65",
                        "UP", "0.01", null, "unknown", "300.29999999999995", "\"NEUTRAL\""),
                "symbol", "WBC.AX", "prediction_timestamp", "2023-03-01T12:00:00.500000", "predicted_action", "buy",
                "action_confidence", 0.65, "predicted_direction", 1L, "predicted_magnitude", 0.01,
                "model_version", null, "created_at", null, "entry_price", "300.29999999999995");
        f.row(Kind.PREDICTIONS, "p-7", IMP, IMP, null, prediction("WBC.AX", "2023-03-03T00:00:00Z", "SELL", "0.55",
                        "DOWN", "0.02", null, "v3", "12.5", "\"NEUTRAL\""),
                "symbol", "WBC.AX", "prediction_timestamp", "2023-03-03 09:00:00", "predicted_action", "sell",
                "action_confidence", 0.55, "predicted_direction", -1L, "predicted_magnitude", 0.02,
                "model_version", "v3", "created_at", "2023-03-03 09:00:01", "entry_price", "12.50");
        f.row(Kind.PREDICTIONS, "p-9", IMP, IMP, null, prediction("RIO.AX", "2023-03-03T01:00:00Z", "SELL", "0.66",
                        "DOWN", "0.025", null, "v3", "120", "{\"vix\": 18.5}"),
                "symbol", "RIO.AX", "prediction_timestamp", "2023-03-03 10:00:00", "predicted_action", "STRONG_SELL",
                "action_confidence", 0.66, "predicted_direction", null, "predicted_magnitude", 0.025,
                "model_version", "v3", "created_at", "2023-03-03 10:00:01", "entry_price", "120",
                "market_context", "{\"vix\": 18.5}");
        f.rejected(Kind.PREDICTIONS, "p-r20", "predictions.entry_price",
                ok("2023-03-04T05:00:00Z", "entry_price", "n/a"));
        f.rejected(Kind.PREDICTIONS, "p-r21", "predictions.entry_price",
                ok("2023-03-04T06:00:00Z", "entry_price", "nan"));

        f.row(Kind.OUTCOMES, null, MRG, IMP, null, outcome("CBA.AX", "2023-03-01T01:00:00Z", "2023-03-02T01:00:00Z",
                        "0.0325", "UP", "103.35", true),
                "prediction_id", "p-1", "evaluation_timestamp", "2023-03-02T10:00:00.000000", "actual_return", 0.0325,
                "actual_direction", "up", "exit_price", 103.35, "created_at", "2023-03-02 10:00:05");
        f.row(Kind.OUTCOMES, null, IMP, IMP, null, outcome("WBC.AX", "2023-03-03T00:00:00Z", "2023-03-04T00:00:00Z",
                        "0.05", "UP", "13.125", false),
                "prediction_id", "p-7", "evaluation_timestamp", "2023-03-04 09:00:00", "actual_return", 0.05,
                "actual_direction", 1L, "exit_price", 13.125, "created_at", "2023-03-04 09:00:05");
        // p-4 is only in the first file: found there.
        f.row(Kind.OUTCOMES, null, MRG, IMP, null, outcome("NAB.AX", "2023-03-01T03:00:00Z", "2023-03-02T03:00:00Z",
                        "-0.012", "DOWN", "29.7388", true),
                "prediction_id", "p-4", "evaluation_timestamp", "2023-03-02T12:00:00", "actual_return", -0.012,
                "actual_direction", -1L, "exit_price", 29.7388, "created_at", "2023-03-05 00:00:00");
        f.row(Kind.OUTCOMES, null, IMP, IMP, null, outcome("RIO.AX", "2023-03-03T01:00:00Z", "2023-03-03T02:00:00Z",
                        "-0.004", "DOWN", "119.52", true),
                "prediction_id", "p-9", "evaluation_timestamp", "2023-03-03T12:00:00+10:00", "actual_return", -0.004,
                "actual_direction", null, "exit_price", 119.52, "created_at", "2023-03-03 12:00:05");
    }

    private static void positions(FileWriter f) throws SQLException {
        f.row(Kind.POSITIONS, null, IMP, MRG, null, position("CBA.AX", "LONG", "CLOSED", "100", "100.1",
                        "2023-03-01T01:00:00Z", "103.35", "2023-03-02T06:30:00Z", "take_profit", "325", "0.85", "0.3"),
                "symbol", "CBA.AX", "entry_date", "2023-03-01 10:00:00", "exit_date", "2023-03-02 15:30:00",
                "position_type", "long", "entry_price", 100.1, "exit_price", 103.35, "position_size", 100L,
                "ml_confidence", 0.85, "sentiment_at_entry", 0.3, "exit_reason", "take_profit",
                "profit_loss", real((103.35 - 100.1) * 100, "325.0"), "return_percentage", 3.25,
                "created_at", "2023-03-01 10:00:00");
        // Stored P&L 0.004 off: within the 0.01 tolerance.
        f.row(Kind.POSITIONS, null, IMP, IMP, null, position("BHP.AX", "SHORT", "CLOSED", "200", "45.5",
                        "2023-03-01T02:00:00.25Z", "44.25", "2023-03-03T02:00:00Z", "signal", "250", null, "-0.25"),
                "symbol", "BHP.AX", "entry_date", "2023-03-01T11:00:00.250000", "exit_date", "2023-03-03T11:00:00",
                "position_type", "SHORT", "entry_price", 45.5, "exit_price", 44.25, "position_size", 200L,
                "ml_confidence", null, "sentiment_at_entry", -0.25, "exit_reason", "signal",
                "profit_loss", 250.004, "created_at", "2023-03-01 11:00:00");
        // Stored P&L -20 where the prices say -25: listed.
        f.row(Kind.POSITIONS, null, IMP, IMP, null, position("WBC.AX", "LONG", "CLOSED", "50", "22.4",
                        "2023-03-01T03:00:00.5Z", "21.9", "2023-03-01T07:00:00Z", "stop_loss", "-25", null, null),
                "symbol", "WBC.AX", "entry_date", "2023-03-01 12:00:00.5", "exit_date", "2023-03-01 16:00",
                "position_type", "buy", "entry_price", 22.4, "exit_price", 21.9, "position_size", 50L,
                "exit_reason", "stop_loss", "profit_loss", -20.0, "created_at", "2023-03-01 12:00:00");
        f.row(Kind.POSITIONS, null, IMP, MRG, null, position("NAB.AX", "SHORT", "OPEN", "300", "30.1",
                        "2023-03-01T03:00:00Z", null, null, null, null, "0.6", null),
                "symbol", "NAB.AX", "entry_date", "2023-03-01T13:00:00+10:00", "position_type", " Sell ",
                "entry_price", 30.1, "position_size", 300L, "ml_confidence", 0.6, "created_at", "2023-03-01 13:00:00");
        // Closed here, still open in the stale copy: a conflict. Blank exit reason: none. Stored P&L 0.02 off: listed.
        f.row(Kind.POSITIONS, null, IMP, MRG, null, position("RIO.AX", "SHORT", "CLOSED", "10", "120",
                        "2023-03-01T00:00:00Z", "118.5", "2023-03-02T00:00:00Z", null, "15", null, null),
                "symbol", "RIO.AX", "entry_date", "2023-03-01 09:00:00", "exit_date", "2023-03-02 09:00:00",
                "position_type", "short", "entry_price", 120.0, "exit_price", 118.5, "position_size", 10L,
                "exit_reason", "  ", "profit_loss", 15.02, "return_percentage", 1.25,
                "created_at", "2023-03-01 09:00:00");
        // Ten-decimal prices; the stored P&L carries float error only.
        f.row(Kind.POSITIONS, null, IMP, IMP, null, position("FMG.AX", "LONG", "CLOSED", "1000", "0.1234567891",
                        "2023-03-01T15:00:00Z", "0.1334567891", "2023-03-02T15:00:00Z", "target", "10", null, null),
                "symbol", "FMG.AX", "entry_date", "2023-03-02", "exit_date", "2023-03-03", "position_type", "LONG",
                "entry_price", 0.1234567891, "exit_price", 0.1334567891, "position_size", 1000L,
                "exit_reason", "target", "profit_loss", real((0.1334567891 - 0.1234567891) * 1000, "9.999999999999995"),
                "created_at", "2023-03-02 00:00:00");
        // 0.1 off on 200,000,000: within 1e-9 of it, beyond 0.01.
        f.row(Kind.POSITIONS, null, IMP, IMP, null, position("XRO.AX", "LONG", "CLOSED", "10000000", "100",
                        "2023-03-01T01:30:00Z", "120", "2023-03-01T02:30:00Z", "manual", "200000000", null, null),
                "symbol", "XRO.AX", "entry_date", "2023-03-01 10:30:00", "exit_date", "2023-03-01 11:30:00",
                "position_type", "Long", "entry_price", 100.0, "exit_price", 120.0, "position_size", 10_000_000L,
                "exit_reason", "manual", "profit_loss", 200000000.1, "created_at", "2023-03-01 10:30:00");
        // The same position twice in one file: two positions.
        for (int k = 0; k < 2; k++) {
            f.row(Kind.POSITIONS, null, IMP, k == 0 ? MRG : IMP, null, position("QAN.AX", "LONG", "OPEN", "10", "5.5",
                            "2023-03-01T01:00:00Z", null, null, null, null, null, null),
                    "symbol", "QAN.AX", "entry_date", "2023-03-01 10:00:00", "position_type", "long",
                    "entry_price", 5.5, "position_size", 10L, "created_at", "2023-03-01 10:00:00");
        }
        f.rejected(Kind.POSITIONS, null, "positions.position_type", pos("2023-03-01T00:00:00Z", "position_type", "maybe"));
        f.rejected(Kind.POSITIONS, null, "positions.symbol", pos("2023-03-01T00:00:00Z", "symbol", "O'NEIL"));
        f.rejected(Kind.POSITIONS, null, "positions.exit_reason", pos("2023-03-01T01:00:00Z",
                "exit_date", "2023-03-01T02:00:00Z", "exit_price", 4.1, "exit_reason", "x".repeat(300)));
        f.rejected(Kind.POSITIONS, null, "positions.exit_reason", pos("2023-03-01T03:00:00Z",
                "exit_date", "2023-03-01T04:00:00Z", "exit_price", 4.1, "exit_reason", "stop\u0001loss\n"));
        f.rejected(Kind.POSITIONS, null, "positions.exit_price", pos("2023-03-01T04:00:00Z",
                "exit_date", "2023-03-01T05:00:00Z", "exit_price", null));
        f.rejected(Kind.POSITIONS, null, "positions.entry_price", pos("2023-03-01T05:00:00Z", "entry_price", 0.0));
        f.rejected(Kind.POSITIONS, null, "positions.ml_confidence", pos("2023-03-01T06:00:00Z", "ml_confidence", 1.2));
        f.rejected(Kind.POSITIONS, null, "positions.quantity", pos("2023-03-01T07:00:00Z", "position_size", null));
        f.rejected(Kind.POSITIONS, null, "positions.exit_time", pos("2023-03-01T08:00:00Z",
                "exit_date", "2023-03-01T07:30:00Z", "exit_price", 4.1));
    }

    private static Object[] pos(String entry, Object... overrides) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("symbol", "TLS.AX");
        v.put("entry_date", entry);
        v.put("position_type", "long");
        v.put("entry_price", 4.0);
        v.put("position_size", 100L);
        v.put("created_at", "2023-03-01 00:00:00");
        return withOverrides(v, overrides);
    }

    /**
     * The stale copy: the newer file's bytes as they were before positions 2, 3, 6, 7, 9 and the rejected ones were
     * written and before position 5 was closed. Its rows keep their ids and created_at, so the newest rule decides
     * between the two files by their modification times.
     */
    private static void staleCopy(Path newer, Path stale, List<Row> rows) throws IOException, SQLException {
        Files.copy(newer, stale);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + stale); Statement st = c.createStatement()) {
            st.execute("DELETE FROM positions WHERE id NOT IN (1, 4, 5, 8)");
            st.execute("UPDATE positions SET exit_date = NULL, exit_price = NULL, exit_reason = NULL,"
                    + " profit_loss = NULL, return_percentage = NULL WHERE id = 5");
        }
        for (Row r : List.copyOf(rows)) {
            if (!r.file().equals(newer)) {
                continue;
            }
            int id = Integer.parseInt(r.label().substring("id ".length()));
            switch (id) {
                case 1, 4, 8 -> rows.add(new Row(Kind.POSITIONS, stale, r.label(), MRG, IMP, null, r.line(),
                        r.naive()));
                case 5 -> rows.add(new Row(Kind.POSITIONS, stale, r.label(), MRG, IMP, null,
                        position("RIO.AX", "SHORT", "OPEN", "10", "120", "2023-03-01T00:00:00Z", null, null, null,
                                null, null, null), 1));
                default -> {
                }
            }
        }
    }

    /**
     * The sentiment file as a WAL-mode process left it when it was killed: its last two rows are only in the -wal
     * beside it, which a reader must see (and must not checkpoint into the original). Written in a scratch file whose
     * database and -wal are copied while its connection is still open.
     */
    private static void sentimentInWal(Path file, List<Row> rows) throws IOException, SQLException {
        Path scratch = file.resolveSibling("scratch-" + file.getFileName());
        try (FileWriter f = new FileWriter(file, scratch, rows, schema())) {
            f.exec("PRAGMA journal_mode = WAL");
            f.exec("PRAGMA wal_autocheckpoint = 0");
            sentimentCheckpointed(f);
            f.exec("PRAGMA wal_checkpoint(TRUNCATE)");
            sentimentInWalOnly(f);
            Files.copy(scratch, file);
            Files.copy(scratch.resolveSibling(scratch.getFileName() + "-wal"),
                    file.resolveSibling(file.getFileName() + "-wal"));
        }
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.deleteIfExists(scratch.resolveSibling(scratch.getFileName() + suffix));
        }
    }

    private static void sentimentCheckpointed(FileWriter f) throws SQLException {
        f.row(Kind.SENTIMENT, null, IMP, IMP, null, sentiment("CBA.AX", "2023-03-01T00:00:00Z", "0.35", "0.8", 12),
                "symbol", "CBA.AX", "timestamp", "2023-03-01 09:00:00", "sentiment_score", 0.35, "confidence", 0.8,
                "news_count", 12L, "stage_1_score", 0.3, "stage_2_score", 0.4, "economic_context", "calm",
                "created_at", "2023-03-01 09:00:01");
        // Two rows of BHP.AX at the same instant in one file, different scores: the later written wins by the newest
        // rule, the lower rowid by file order.
        f.row(Kind.SENTIMENT, null, MRG, IMP, null, sentiment("BHP.AX", "2023-03-01T00:00:00.25Z", "-0.42", "0.7", 0),
                "symbol", "BHP.AX", "timestamp", "2023-03-01T09:00:00.250000", "sentiment_score", -0.42,
                "confidence", 0.7, "news_count", null, "created_at", "2023-03-01 09:00:02");
        f.rejected(Kind.SENTIMENT, null, "sentiment_scores.confidence", "symbol", "WBC.AX", "timestamp",
                "2023-03-01T09:00:00+10:00", "sentiment_score", 0.05, "confidence", 1.2, "news_count", 4L,
                "created_at", "2023-03-01 09:00:03");
        f.rejected(Kind.SENTIMENT, null, "sentiment_scores.score", "symbol", "NAB.AX", "timestamp",
                "2023-03-01T00:00:00Z", "sentiment_score", 1.5, "confidence", 0.5, "news_count", 1L,
                "created_at", "2023-03-01 09:00:04");
        f.rejected(Kind.SENTIMENT, null, "sentiment_scores.confidence", "symbol", "ANZ.AX", "timestamp",
                "2023-03-01T01:00:00Z", "sentiment_score", 0.1, "confidence", null, "news_count", 1L,
                "created_at", "2023-03-01 09:00:05");
        f.row(Kind.SENTIMENT, null, IMP, IMP, null, sentiment("FMG.AX", "2023-03-01T00:30:00Z",
                        "-0.19999999999999996", "0.9", 3),
                "symbol", "FMG.AX", "timestamp", "2023-03-01 09:30", "sentiment_score",
                real(0.1 + 0.2 - 0.5, "-0.19999999999999996"), "confidence", 0.9, "news_count", 3L,
                "created_at", "2023-03-01 09:30:01");
    }

    private static void sentimentInWalOnly(FileWriter f) throws SQLException {
        // Row 1 again in another shape, created_at lost: identical, merged into row 1.
        f.row(Kind.SENTIMENT, null, MRG, MRG, null, sentiment("CBA.AX", "2023-03-01T00:00:00Z", "0.35", "0.8", 12),
                "symbol", "CBA.AX", "timestamp", "2023-03-01T09:00:00", "sentiment_score", 0.35, "confidence", 0.8,
                "news_count", 12L, "created_at", null);
        f.row(Kind.SENTIMENT, null, IMP, MRG, null, sentiment("BHP.AX", "2023-03-01T00:00:00.25Z", "-0.4", "0.7", 0),
                "symbol", "BHP.AX", "timestamp", "2023-03-01 09:00:00.25", "sentiment_score", -0.4,
                "confidence", 0.7, "news_count", null, "created_at", "2023-03-01 09:10:00");
    }

    private static void cache(FileWriter f) throws SQLException {
        for (String symbol : List.of("CBA.AX", "BHP.AX", "WBC.AX")) {
            f.insert("market_data_cache", "cache_key", "quote:" + symbol, "symbol", symbol, "data",
                    "{\"price\": 100.1}", "expiry_date", "2023-03-01 10:05:00");
        }
        f.exec("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT)");
        f.insert("settings", "key", "theme", "value", "dark");
        // Both a sentiment table and a cache by its columns: neither, so listed and not read.
        f.exec("CREATE TABLE mixed (symbol TEXT, timestamp DATETIME, sentiment_score REAL, cache_key TEXT, data TEXT,"
                + " expiry_date DATETIME)");
        f.insert("mixed", "symbol", "CBA.AX", "timestamp", "2023-03-01 09:00:00", "sentiment_score", 0.1,
                "cache_key", "k", "data", "{}", "expiry_date", "2023-03-02");
    }

    // ---- the bulk file ----------------------------------------------------------------------------------------------

    /**
     * A larger legacy file: {@code predictions} predictions and {@code positions} positions (every other one closed),
     * with values whose shortest decimals are plain: an integer over a power of ten is the double nearest that decimal.
     */
    static List<Row> bulk(Path file, int predictions, int positions) throws SQLException {
        List<Row> rows = new ArrayList<>();
        DateTimeFormatter naive = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
        LocalDateTime start = LocalDateTime.parse("2023-04-01T00:00:00");
        // 2023-04-01 00:00 in Tokyo.
        Instant startUtc = Instant.parse("2023-03-31T15:00:00Z");
        String[] actions = {"buy", "SELL", "Hold"};
        String[] actionOut = {"BUY", "SELL", "HOLD"};
        String[] directionOut = {"UP", "DOWN", "FLAT"};
        try (FileWriter f = new FileWriter(file, rows, schema())) {
            f.c.setAutoCommit(false);
            for (int i = 0; i < predictions; i++) {
                String symbol = "BLK" + (i % 7) + ".AX";
                int a = i % 3;
                f.row(Kind.PREDICTIONS, "b-" + i, IMP, IMP, null, line(symbol, startUtc.plus(i, ChronoUnit.MINUTES),
                                actionOut[a], BigDecimal.valueOf(i % 101, 2), directionOut[a],
                                BigDecimal.valueOf(i % 50, 3), null, "bulk", BigDecimal.valueOf(1000 + i % 900, 2),
                                "\"NEUTRAL\""),
                        "symbol", symbol, "prediction_timestamp", start.plusMinutes(i).format(naive),
                        "predicted_action", actions[a], "action_confidence", (i % 101) / 100.0,
                        "predicted_magnitude", (i % 50) / 1000.0, "model_version", "bulk",
                        "created_at", "2023-04-01 00:00:00", "entry_price", (1000 + i % 900) / 100.0);
            }
            for (int i = 0; i < positions; i++) {
                String symbol = "BLK" + (i % 7) + ".AX";
                boolean longSide = i % 2 == 0;
                boolean closed = i % 4 < 2;
                Instant entryUtc = startUtc.plus(i, ChronoUnit.MINUTES);
                Instant exitUtc = entryUtc.plus(1, ChronoUnit.DAYS);
                BigDecimal entry = BigDecimal.valueOf(1000 + i, 2);
                BigDecimal exit = BigDecimal.valueOf(1005 + i, 2);
                BigDecimal pnl = exit.subtract(entry).multiply(BigDecimal.valueOf(i + 1))
                        .multiply(BigDecimal.valueOf(longSide ? 1 : -1));
                double entryD = (1000 + i) / 100.0;
                double exitD = (1005 + i) / 100.0;
                f.row(Kind.POSITIONS, null, IMP, IMP, null, line(symbol, longSide ? "LONG" : "SHORT",
                                closed ? "CLOSED" : "OPEN", BigDecimal.valueOf(i + 1), entry, entryUtc,
                                closed ? exit : null, closed ? exitUtc : null, closed ? "bulk" : null,
                                closed ? pnl : null, null, null),
                        "symbol", symbol, "entry_date", start.plusMinutes(i).format(naive),
                        "exit_date", closed ? start.plusMinutes(i).plusDays(1).format(naive) : null,
                        "position_type", longSide ? "long" : "short", "entry_price", entryD,
                        "exit_price", closed ? exitD : null, "position_size", (long) (i + 1),
                        "exit_reason", closed ? "bulk" : null,
                        "profit_loss", closed ? (exitD - entryD) * (i + 1) * (longSide ? 1 : -1) : null,
                        "created_at", "2023-04-01 00:00:00");
            }
            f.c.commit();
        }
        return rows;
    }

    // ---- writing ----------------------------------------------------------------------------------------------------

    /** The schema file as Python's executescript would run it: comments dropped, statements split on ';'. */
    static String schema() {
        try (InputStream in = LegacyFixtures.class.getResourceAsStream("/legacy/legacy-schemas.sql")) {
            String text = new String(Objects.requireNonNull(in, "legacy/legacy-schemas.sql").readAllBytes(),
                    StandardCharsets.UTF_8);
            return text.lines().map(l -> l.replaceFirst("--.*$", "")).collect(Collectors.joining("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A connection to a private copy of a legacy file and its -wal: opening the file itself would checkpoint a -wal
     * into it on close and delete it. The copy is deleted when the JVM exits.
     */
    static Connection readCopy(Path file) throws IOException, SQLException {
        Path dir = Files.createTempDirectory("legacy-fixture-copy");
        Path copy = Files.copy(file, dir.resolve("copy.db"));
        Path wal = file.resolveSibling(file.getFileName() + "-wal");
        if (Files.exists(wal)) {
            Files.copy(wal, dir.resolve("copy.db-wal"));
        }
        for (Path p : List.of(dir, copy, dir.resolve("copy.db-wal"), dir.resolve("copy.db-shm"))) {
            p.toFile().deleteOnExit();
        }
        return DriverManager.getConnection("jdbc:sqlite:" + copy);
    }

    private static Table table(Path file, String name, LegacyKind kind, String... notCarried)
            throws IOException, SQLException {
        try (Connection c = readCopy(file); Statement st = c.createStatement()) {
            long rows;
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + name)) {
                rs.next();
                rows = rs.getLong(1);
            }
            Map<String, Long> counts = new TreeMap<>();
            for (String column : notCarried) {
                try (ResultSet rs = st.executeQuery("SELECT COUNT(" + column + ") FROM " + name)) {
                    rs.next();
                    counts.put(column, rs.getLong(1));
                }
            }
            return new Table(name, kind, rows, counts);
        }
    }

    private static void touch(Path file, String at) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse(at)));
    }

    /** One legacy file being written: a plain sqlite-jdbc connection, journal as Python left it (DELETE). */
    private static final class FileWriter implements AutoCloseable {
        private final Path file;
        private final List<Row> rows;
        private final Connection c;

        FileWriter(Path file, List<Row> rows, String schema) throws SQLException {
            this(file, file, rows, schema);
        }

        /** Rows labelled as {@code file}'s, written into {@code writeTo}. */
        FileWriter(Path file, Path writeTo, List<Row> rows, String schema) throws SQLException {
            this.file = file;
            this.rows = rows;
            this.c = DriverManager.getConnection("jdbc:sqlite:" + writeTo);
            try (Statement st = c.createStatement()) {
                for (String sql : schema.split(";")) {
                    if (!sql.isBlank()) {
                        st.execute(sql);
                    }
                }
            }
        }

        void exec(String sql) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute(sql);
            }
        }

        /** Inserts the column/value pairs as Python's sqlite3 binds them; returns the rowid. */
        long insert(String table, Object... pairs) throws SQLException {
            StringBuilder cols = new StringBuilder();
            StringBuilder marks = new StringBuilder();
            for (int i = 0; i < pairs.length; i += 2) {
                cols.append(i == 0 ? "" : ", ").append(pairs[i]);
                marks.append(i == 0 ? "?" : ", ?");
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (" + cols + ") VALUES ("
                    + marks + ")")) {
                for (int i = 1; i < pairs.length; i += 2) {
                    int p = i / 2 + 1;
                    Object v = pairs[i];
                    if (v == null) {
                        ps.setNull(p, Types.NULL);
                    } else if (v instanceof Double x) {
                        ps.setDouble(p, x);
                    } else if (v instanceof Long x) {
                        ps.setLong(p, x);
                    } else if (v instanceof String x) {
                        ps.setString(p, x);
                    } else {
                        throw new IllegalArgumentException("no legacy binding for " + v.getClass());
                    }
                }
                ps.executeUpdate();
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT last_insert_rowid()")) {
                rs.next();
                return rs.getLong(1);
            }
        }

        /** A row that is imported or merged; {@code predictionId} is the prediction_id column for predictions. */
        void row(Kind kind, String predictionId, Fate newest, Fate fileOrder, String reason, String line,
                 Object... pairs) throws SQLException {
            Object[] all = pairs;
            if (kind == Kind.PREDICTIONS) {
                all = new Object[pairs.length + 2];
                all[0] = "prediction_id";
                all[1] = predictionId;
                System.arraycopy(pairs, 0, all, 2, pairs.length);
            }
            long rowid = insert(kind.legacyTable, all);
            String label = switch (kind) {
                case PREDICTIONS -> "prediction_id " + predictionId;
                case OUTCOMES -> "rowid " + rowid;
                case POSITIONS, SENTIMENT -> "id " + rowid;
            };
            int naive = 0;
            if (newest != Fate.REJECTED) {
                for (int i = 0; i < all.length; i += 2) {
                    if (kind.timestampColumns.contains(all[i]) && all[i + 1] instanceof String text
                            && !AWARE.matcher(text).matches()) {
                        naive++;
                    }
                }
            }
            rows.add(new Row(kind, file, label, newest, fileOrder, reason, line, naive));
        }

        void rejected(Kind kind, String predictionId, String reason, Object... pairs) throws SQLException {
            row(kind, predictionId, Fate.REJECTED, Fate.REJECTED, reason, null, pairs);
        }

        @Override
        public void close() throws SQLException {
            c.close();
        }
    }
}
