package io.tradestore.legacy;

import io.tradestore.Tradestore;
import io.tradestore.legacy.ConsolidationReport.Conflict;
import io.tradestore.legacy.ConsolidationReport.Fate;
import io.tradestore.legacy.ConsolidationReport.RowFate;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import io.tradestore.trading.Position;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static io.tradestore.internal.db.Tables.POSITIONS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Review findings on issue 12, each a small legacy file that a fixture does not hold: a position the store cannot
 * close, a position the target already holds in another state. ConsolidationTest proves the fixture end to end.
 */
class ConsolidationReviewTest {
    private static final String POSITIONS_DDL = "CREATE TABLE positions (id INTEGER PRIMARY KEY AUTOINCREMENT,"
            + " symbol TEXT NOT NULL, entry_date DATETIME NOT NULL, exit_date DATETIME, position_type TEXT,"
            + " entry_price REAL, exit_price REAL, position_size INTEGER, ml_confidence REAL, sentiment_at_entry REAL,"
            + " exit_reason TEXT, profit_loss REAL, return_percentage REAL,"
            + " created_at DATETIME DEFAULT CURRENT_TIMESTAMP)";

    @RegisterExtension
    final TempStore store = new TempStore();
    @TempDir
    Path dir;
    private final AtomicInteger backups = new AtomicInteger();

    private static Path legacy(Path file, String... sql) throws Exception {
        Files.createDirectories(file.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.executeUpdate(statement);
            }
        }
        return file;
    }

    private ConsolidationReport run(Path source, boolean write) {
        Consolidation c = Consolidation.of(List.of(source)).withBackup(dir.resolve("backup-" + backups.incrementAndGet()));
        return write ? c.run(store.get()) : c.dryRun(store.get());
    }

    private static RowFate only(ConsolidationReport r) {
        assertThat(r.rows()).hasSize(1);
        return r.rows().get(0);
    }

    private int positions() {
        return store.read(uow -> uow.jooq().fetchCount(POSITIONS));
    }

    /**
     * Closing a position also stores its return, P&L x 100 / (entry x size), which must fit DECIMAL(38,18) too: an
     * entry price of 1e-17 (float dust where the old code meant "unknown") closed at 100 returns 10^21 %. The row is
     * rejected whole, by the dry run as by the run, naming the column; never left OPEN in the target behind a
     * REJECTED ledger line that the next run would call ALREADY_IMPORTED.
     */
    @EachEngine
    void aPositionWhoseReturnDoesNotFitIsRejectedWholeByTheDryRunAndTheRun(TestEngine engine) throws Exception {
        Path file = legacy(dir.resolve("paper_trading.db"), POSITIONS_DDL,
                "INSERT INTO positions (symbol, entry_date, exit_date, position_type, entry_price, exit_price,"
                        + " position_size, profit_loss) VALUES ('MEME', '2023-03-01 10:00:00', '2023-03-02 10:00:00',"
                        + " 'LONG', 1e-17, 100.0, 1, 100.0)");

        RowFate dry = only(run(file, false));
        RowFate first = only(run(file, true));
        RowFate second = only(run(file, true));

        assertThat(first.fate()).as(first.detail()).isEqualTo(Fate.REJECTED);
        assertThat(first.detail()).startsWith("positions.return_pct: ");
        assertThat(positions()).as("nothing of a rejected row is written").isZero();
        assertThat(dry.fate()).as("the dry run tells what the run does").isEqualTo(first.fate());
        assertThat(dry.detail()).isEqualTo(first.detail());
        assertThat(second.fate()).isEqualTo(Fate.REJECTED);
    }

    /**
     * A target position with the legacy row's key but in another state (imported while the old platform still had it
     * open, closed there since) is a conflict the target wins, as for every other kind: listed, the legacy row
     * MERGED, never ALREADY_IMPORTED as if nothing differed. An identical one is ALREADY_IMPORTED on both engines
     * (the closed position's exit and decimals read back equal).
     */
    @EachEngine
    void aPositionTheTargetHoldsInAnotherStateIsAConflictTheTargetWins(TestEngine engine) throws Exception {
        String insert = "INSERT INTO positions (symbol, entry_date, exit_date, position_type, entry_price, exit_price,"
                + " position_size, ml_confidence, exit_reason, profit_loss) VALUES ('CBA.AX', '2023-03-01 10:00:00', ";
        Path open = legacy(dir.resolve("then").resolve("paper_trading.db"), POSITIONS_DDL,
                insert + "NULL, 'long', 101.5, NULL, 200, 0.30000000000000004, NULL, NULL)");
        Path closed = legacy(dir.resolve("now").resolve("paper_trading.db"), POSITIONS_DDL,
                insert + "'2023-03-02 10:00:00.123456', 'long', 101.5, 102.515, 200, 0.30000000000000004,"
                        + " 'take profit', 203.0000000000001)");

        assertThat(only(run(open, true)).fate()).isEqualTo(Fate.IMPORTED);
        ConsolidationReport later = run(closed, true);

        RowFate fate = only(later);
        assertThat(fate.fate()).as(fate.detail()).isEqualTo(Fate.MERGED);
        assertThat(fate.detail()).contains("exitPrice 102.515 (kept null)");
        assertThat(fate.target()).startsWith("trading.positions ");
        assertThat(later.conflicts()).extracting(Conflict::kind, Conflict::winner)
                .containsExactly(tuple(LegacyKind.POSITIONS, "target " + fate.target()));
        assertThat(later.backup()).as("nothing new: no backup").isNull();
        Position kept = store.read(uow -> uow.positions().listOpen()).get(0);
        assertThat(kept.exitPrice()).isNull();

        // The closed one into a fresh target, then again: identical, so ALREADY_IMPORTED.
        store.useTransaction(uow -> uow.jooq().deleteFrom(io.tradestore.internal.db.Tables.POSITION_EVENTS).execute());
        store.useTransaction(uow -> uow.jooq().deleteFrom(POSITIONS).execute());
        assertThat(only(run(closed, true)).fate()).isEqualTo(Fate.IMPORTED);
        RowFate again = only(run(closed, true));
        assertThat(again.fate()).as(again.detail()).isEqualTo(Fate.ALREADY_IMPORTED);
        assertThat(store.read(uow -> uow.jooq().fetchOne(POSITIONS)).getRealizedPnl())
                .isEqualByComparingTo(new BigDecimal("203"));
    }

    private static final String PREDICTIONS_COLUMNS = "prediction_id TEXT, symbol TEXT, prediction_timestamp TEXT,"
            + " predicted_action TEXT, action_confidence, predicted_magnitude, feature_vector TEXT, model_version TEXT,"
            + " entry_price, market_context TEXT";

    private static RowFate fate(ConsolidationReport r, String row) {
        return r.rows().stream().filter(f -> f.row().equals(row)).findFirst().orElseThrow(() -> new AssertionError(row));
    }

    /**
     * Values the old code never wrote but a legacy file can hold: each rejects its row naming the legacy column and
     * the rule, the table's odd name and columns are read, a WITHOUT ROWID table and an empty one are accounted for,
     * and text that round-trips through each engine exactly (JSON escapes, astral characters, 18 decimal places,
     * microseconds, an offset) compares equal on the second run, which is a no-op.
     */
    @EachEngine
    void hostileValuesAreRejectedNamingTheColumnAndTheSecondRunIsANoOp(TestEngine engine) throws Exception {
        Path file = legacy(dir.resolve("hostile.db"),
                "CREATE TABLE \"predictions \"\"v2\"\" copy\" (prediction_id TEXT, symbol TEXT,"
                        + " prediction_timestamp TEXT, predicted_action TEXT, action_confidence,"
                        + " predicted_magnitude, feature_vector TEXT, model_version TEXT, entry_price,"
                        + " market_context TEXT, \"odd \"\"col\"\" name\" TEXT)",
                "INSERT INTO \"predictions \"\"v2\"\" copy\" VALUES"
                        + " ('h1', 'CBA.AX', '2023-03-01T10:00:00.123456+10:00', 'buy', 0.5, 0.01,"
                        + " '{\"k\": \"\\u0000 caf\u00e9 \ud83d\ude00\", \"v\": [1.0e-3, 2]}', 'v1 ',"
                        + " '101.500000000000000001', 'RISK ON', 'x'),"
                        + " ('h2', 'CBA.AX', '2023-03-01 11:00:00', 'BUY', 0.5, 0.01, NULL, 'v1', X'00', NULL, NULL),"
                        + " ('h3', 'CBA.AX', '2023-03-01 12:00:00', 'BUY', '1e9999', 0.01, NULL, 'v1', 1, NULL, NULL),"
                        + " ('h4', 'CBA.AX', '2023-03-01 13:00:00', 'BUY', 'NaN', 0.01, NULL, 'v1', 1, NULL, NULL),"
                        + " ('h5', 'CBA.AX', '2023-03-01 14:00:00', 'BUY', 0.5, 0.01, NULL, 'v1', '', NULL, NULL)",
                "CREATE TABLE \"sentiment \"\"x\"\"\" (symbol TEXT, timestamp TEXT, sentiment_score REAL,"
                        + " confidence REAL, PRIMARY KEY (symbol, timestamp)) WITHOUT ROWID",
                "INSERT INTO \"sentiment \"\"x\"\"\" VALUES ('CBA.AX', '2023-03-01 10:00:00', -0.25, 0.875)",
                "CREATE TABLE outcomes (prediction_id TEXT, evaluation_timestamp TEXT, actual_return REAL)");
        byte[] before = Files.readAllBytes(file);

        ConsolidationReport first = run(file, true);

        assertThat(fate(first, "prediction_id h1").fate()).as(fate(first, "prediction_id h1").detail())
                .isEqualTo(Fate.IMPORTED);
        assertThat(fate(first, "prediction_id h2").detail())
                .isEqualTo("predictions.entry_price: must be a number (was \"a BLOB\")");
        assertThat(fate(first, "prediction_id h3").detail()).startsWith("predictions.confidence: must be within ±");
        assertThat(fate(first, "prediction_id h4").detail())
                .isEqualTo("predictions.action_confidence: must be a number (was \"NaN\")");
        assertThat(fate(first, "prediction_id h5").detail())
                .isEqualTo("predictions.entry_price: must be a number (was \"\")");
        assertThat(first.rows()).filteredOn(f -> f.table().startsWith("sentiment"))
                .extracting(RowFate::fate).containsExactly(Fate.IMPORTED);
        assertThat(first.counts()).extracting(ConsolidationReport.Counts::table, ConsolidationReport.Counts::read)
                .containsExactly(tuple("outcomes", 0L), tuple("predictions \"v2\" copy", 5L),
                        tuple("sentiment \"x\"", 1L));
        assertThat(first.sources().get(0).tables().get(1).notCarried()).containsEntry("odd \"col\" name", 1L);
        String vector = store.read(uow -> uow.predictions().find(1).orElseThrow().featureVector().text());
        assertThat(vector).isEqualTo("{\"k\": \"\\u0000 caf\u00e9 \ud83d\ude00\", \"v\": [1.0e-3, 2]}");

        ConsolidationReport second = run(file, true);
        assertThat(second.imported()).isZero();
        assertThat(second.alreadyImported()).as("%s", second.rows()).isEqualTo(2);
        assertThat(second.rejected()).isEqualTo(4);
        assertThat(second.conflicts()).isEmpty();
        assertThat(second.backup()).isNull();
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    /**
     * SQLite stores whatever bytes it is given as TEXT, and the JDBC driver reads bytes that are not UTF-8 as U+FFFD:
     * imported like that, a Latin-1 {@code caf\u00e9} would silently become {@code caf\uFFFD}. Such a value rejects its
     * row naming the column; a U+FFFD the legacy code really wrote (valid UTF-8) is imported as it is.
     */
    @EachEngine
    void textThatIsNotUtf8RejectsItsRowAndARealReplacementCharacterIsKept(TestEngine engine) throws Exception {
        Path file = legacy(dir.resolve("predictions.db"), "CREATE TABLE predictions (" + PREDICTIONS_COLUMNS + ")",
                "INSERT INTO predictions VALUES ('latin1', 'CBA.AX', '2023-03-01 10:00:00', 'BUY', 0.5, 0.01, NULL,"
                        + " 'v1', 101.5, CAST(X'636166E9' AS TEXT)),"
                        + " ('real', 'CBA.AX', '2023-03-01 11:00:00', 'BUY', 0.5, 0.01, NULL, 'v1', 101.5,"
                        + " CAST(X'636166EFBFBD' AS TEXT))");

        ConsolidationReport r = run(file, true);

        RowFate latin1 = fate(r, "prediction_id latin1");
        assertThat(latin1.fate()).isEqualTo(Fate.REJECTED);
        assertThat(latin1.detail()).startsWith("predictions.market_context: must be valid UTF-8 text (was ");
        assertThat(fate(r, "prediction_id real").fate()).isEqualTo(Fate.IMPORTED);
        String context = store.read(uow -> uow.predictions().find(1).orElseThrow().marketContext().text());
        assertThat(context).isEqualTo("\"caf\uFFFD\"");
    }

    /** A JSON text longer than tradestore keeps rejects its row naming the legacy column, not "json". */
    @EachEngine
    void anOverlongJsonTextRejectsItsRowNamingTheColumn(TestEngine engine) throws Exception {
        Path file = legacy(dir.resolve("predictions.db"), "CREATE TABLE predictions (" + PREDICTIONS_COLUMNS + ")",
                "INSERT INTO predictions VALUES ('long', 'CBA.AX', '2023-03-01 10:00:00', 'BUY', 0.5, 0.01,"
                        + " '\"' || replace(hex(zeroblob(1000000)), '00', 'x') || '\"', 'v1', 101.5, NULL),"
                        + " ('context', 'CBA.AX', '2023-03-01 11:00:00', 'BUY', 0.5, 0.01, NULL, 'v1', 101.5,"
                        + " replace(hex(zeroblob(1000000)), '00', 'x'))");

        ConsolidationReport r = run(file, false);

        assertThat(fate(r, "prediction_id long").detail())
                .startsWith("predictions.feature_vector: must be at most 1000000 characters");
        assertThat(fate(r, "prediction_id context").detail())
                .startsWith("predictions.market_context: must be at most 1000000 characters");
    }

    /**
     * An outcome whose own file's copy of its prediction was rejected (the legacy default entry price 0) is linked to
     * the valid copy another file holds, not rejected with the copy that happened to sit beside it.
     */
    @EachEngine
    void anOutcomeFindsTheValidCopyOfItsPredictionInAnotherFile(TestEngine engine) throws Exception {
        String outcomes = "CREATE TABLE outcomes (prediction_id TEXT, evaluation_timestamp TEXT, actual_return REAL,"
                + " actual_direction INTEGER, exit_price REAL)";
        legacy(dir.resolve("legacy/a.db"), "CREATE TABLE predictions (" + PREDICTIONS_COLUMNS + ")",
                "INSERT INTO predictions VALUES ('p1', 'CBA.AX', '2023-03-01 10:00:00', 'BUY', 0.5, 0.01, NULL, 'v1',"
                        + " 0, NULL)", outcomes,
                "INSERT INTO outcomes VALUES ('p1', '2023-03-02 10:00:00', 0.02, 1, 103.53)");
        legacy(dir.resolve("legacy/b.db"), "CREATE TABLE predictions (" + PREDICTIONS_COLUMNS + ")",
                "INSERT INTO predictions VALUES ('p1', 'CBA.AX', '2023-03-01 10:00:00', 'BUY', 0.5, 0.01, NULL, 'v1',"
                        + " 101.5, NULL)");

        ConsolidationReport r = run(dir.resolve("legacy"), true);

        RowFate outcome = r.rows().stream().filter(f -> f.table().equals("outcomes")).findFirst().orElseThrow();
        assertThat(outcome.fate()).as(outcome.detail()).isEqualTo(ConsolidationReport.Fate.IMPORTED);
        int outcomesStored = store.read(uow -> uow.jooq().fetchCount(io.tradestore.internal.db.Tables.OUTCOMES));
        assertThat(outcomesStored).isEqualTo(1);
    }

    /** A stored profit_loss is evidence, only compared: one that is not a number does not cost the position. */
    @Test
    void anUnreadableStoredPnlIsNotComparedAndThePositionIsImported() throws Exception {
        Path file = legacy(dir.resolve("paper_trading.db"), POSITIONS_DDL,
                "INSERT INTO positions (symbol, entry_date, exit_date, position_type, entry_price, exit_price,"
                        + " position_size, profit_loss) VALUES ('CBA.AX', '2023-03-01 10:00:00', '2023-03-02 10:00:00',"
                        + " 'long', 101.5, 103.53, 100, 'N/A')");

        ConsolidationReport r = run(file, true);

        assertThat(only(r).fate()).as(only(r).detail()).isEqualTo(ConsolidationReport.Fate.IMPORTED);
        assertThat(r.pnlDifferences()).isEmpty();
        assertThat(r.conversions()).containsEntry("profit_loss unreadable, not compared", 1L);
        assertThat(positions()).isEqualTo(1);
    }

    private static Map<String, byte[]> contents(Path folder) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : files.toList()) {
                out.put(f.getFileName().toString(), Files.readAllBytes(f));
            }
        }
        return out;
    }

    /**
     * A legacy file caught mid-write: p.db with committed rows still only in its -wal, q.db with a hot -journal
     * of a transaction that never committed (its pages already spilled into q.db). The WAL's rows are read, the
     * uncommitted ones are not, and the folder is byte for byte as it was with nothing new beside the files: both
     * were recovered in private copies.
     */
    @Test
    void aWalAndAHotJournalAreRecoveredInTheCopyNeverBesideTheLegacyFile() throws Exception {
        Path legacy = Files.createDirectories(dir.resolve("legacy"));
        String table = "CREATE TABLE predictions (" + PREDICTIONS_COLUMNS + ")";
        String row = "INSERT INTO predictions VALUES ('%s', 'CBA.AX', '2023-03-01 %s', 'BUY', 0.5, 0.01, NULL, 'v1', 101.5,"
                + " %s)";
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("p.db"));
             Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("PRAGMA wal_autocheckpoint = 0");
            s.executeUpdate(table);
            s.executeUpdate(String.format(row, "wal", "10:00:00", "NULL"));
            for (String f : List.of("p.db", "p.db-wal")) {
                Files.copy(dir.resolve(f), legacy.resolve(f));
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("q.db"));
             Statement s = c.createStatement()) {
            s.executeUpdate(table);
            s.executeUpdate(String.format(row, "committed", "11:00:00", "NULL"));
            s.execute("PRAGMA cache_size = 2");
            c.setAutoCommit(false);
            for (int i = 0; i < 200; i++) {
                s.executeUpdate(String.format(row, "uncommitted" + i, String.format("12:%02d:%02d", i / 60, i % 60),
                        "replace(hex(zeroblob(2000)), '00', 'x')"));
            }
            for (String f : List.of("q.db", "q.db-journal")) {
                Files.copy(dir.resolve(f), legacy.resolve(f));
            }
            c.rollback();
        }
        assertThat(Files.size(legacy.resolve("q.db"))).as("the uncommitted pages spilled into the file")
                .isGreaterThan(Files.size(dir.resolve("q.db")));
        Map<String, byte[]> before = contents(legacy);

        ConsolidationReport r = run(legacy, true);

        assertThat(r.rows()).extracting(RowFate::row, RowFate::fate).containsExactlyInAnyOrder(
                tuple("prediction_id wal", Fate.IMPORTED), tuple("prediction_id committed", Fate.IMPORTED));
        Map<String, byte[]> after = contents(legacy);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((name, bytes) -> assertThat(after.get(name)).as(name).isEqualTo(bytes));
    }

    /** The ledger names each row of a WITHOUT ROWID table apart (they were all "rowid null" / "id null"). */
    @EachEngine
    void rowsOfAWithoutRowidTableAreNamedApartInTheLedger(TestEngine engine) throws Exception {
        Path file = legacy(dir.resolve("sentiment.db"), "CREATE TABLE sentiment_analysis (symbol TEXT, timestamp TEXT,"
                        + " sentiment_score REAL, confidence REAL, PRIMARY KEY (symbol, timestamp)) WITHOUT ROWID",
                "INSERT INTO sentiment_analysis VALUES ('CBA.AX', '2023-03-01 11:00:00', 0.5, 0.5),"
                        + " ('BHP.AX', '2023-03-01 10:00:00', 1.5, 0.5), ('BHP.AX', '2023-03-01 09:00:00', 0.25, 0.5)");

        ConsolidationReport r = run(file, false);

        assertThat(r.rows()).extracting(RowFate::row, RowFate::fate).containsExactly(
                tuple("row 1 in key order", Fate.IMPORTED), tuple("row 2 in key order", Fate.REJECTED),
                tuple("row 3 in key order", Fate.IMPORTED));
    }
}
