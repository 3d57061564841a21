package io.tradestore.cli;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.Stores;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.tradestore.internal.db.Tables.OUTCOMES;
import static io.tradestore.internal.db.Tables.PREDICTIONS;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code consolidate} through picocli's execute(): the dry run writes nothing anywhere, the run writes the report and
 * the ledger beside the target after a backup, and the second run finds everything already imported. The
 * conversion rules themselves are proved in {@code io.tradestore.legacy.ConsolidationTest}.
 */
class ConsolidateCommandTest {
    @TempDir
    Path dir;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    private record Db(List<String> args, TradestoreConfig config) {
    }

    private Db migrated(TestEngine engine) throws Exception {
        if (engine == TestEngine.SQLITE) {
            TradestoreConfig config = Stores.config(dir.resolve("target.db"));
            return new Db(List.of("--db", config.file().toString()), config);
        }
        PostgresDatabases pg = PostgresDatabases.migrated();
        opened.add(pg);
        return new Db(List.of("--db", pg.url(), "--user", PostgresDatabases.APP_ROLE, "--password",
                PostgresDatabases.PASSWORD), pg.config());
    }

    /** Two copies of the predictions file: the stale one lacks p3 and has another confidence for p2. */
    private Path legacyFolder() throws Exception {
        Path legacy = Files.createDirectories(dir.resolve("legacy"));
        write(legacy.resolve("trading_predictions.db"), "('p1','CBA.AX','2023-03-01 10:00:00','buy',0.75,1,0.0125,"
                + "'v1',101.5,'2023-03-01 10:00:01'), ('p2','CBA.AX','2023-03-01T11:00:00.5','SELL',0.3,-1,0.02,'v1',"
                + "100.1,'2023-03-01 11:00:01'), ('p3','BHP.AX','2023-03-01 12:00','hold',0.5,0,0,'v1',45.2,"
                + "'2023-03-01 12:00:01')");
        write(legacy.resolve("old").resolve("predictions.db"), "('p1','CBA.AX','2023-03-01 10:00:00','buy',0.75,1,"
                + "0.0125,'v1',101.5,'2023-03-01 10:00:01'), ('p2','CBA.AX','2023-03-01T11:00:00.5','SELL',0.35,-1,"
                + "0.02,'v1',100.1,'2023-02-28 11:00:01')");
        Files.writeString(legacy.resolve("README.txt"), "not a database");
        return legacy;
    }

    private static void write(Path file, String predictions) throws Exception {
        Files.createDirectories(file.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.executeUpdate("CREATE TABLE predictions (prediction_id TEXT PRIMARY KEY, symbol TEXT NOT NULL,"
                    + " prediction_timestamp DATETIME NOT NULL, predicted_action TEXT NOT NULL, action_confidence REAL"
                    + " NOT NULL, predicted_direction INTEGER, predicted_magnitude REAL, model_version TEXT,"
                    + " entry_price REAL DEFAULT 0, created_at DATETIME DEFAULT CURRENT_TIMESTAMP)");
            s.executeUpdate("CREATE TABLE outcomes (prediction_id TEXT NOT NULL, evaluation_timestamp DATETIME NOT"
                    + " NULL, actual_return REAL, actual_direction INTEGER, exit_price REAL)");
            s.executeUpdate("INSERT INTO predictions (prediction_id, symbol, prediction_timestamp, predicted_action,"
                    + " action_confidence, predicted_direction, predicted_magnitude, model_version, entry_price,"
                    + " created_at) VALUES " + predictions);
            s.executeUpdate("INSERT INTO outcomes VALUES ('p1', '2023-03-02 10:00:00', 0.02, 1, 103.53),"
                    + " ('p404', '2023-03-02 10:00:00', 0.01, 1, 1.5)");
        }
    }

    private static Cli run(Db db, String... more) {
        List<String> all = new ArrayList<>(List.of("consolidate"));
        all.addAll(db.args());
        all.addAll(List.of(more));
        return Cli.run(all.toArray(String[]::new));
    }

    private static int count(TradestoreConfig config, boolean outcomes) {
        try (Tradestore store = Tradestore.open(config)) {
            return store.read(uow -> uow.jooq().fetchCount(outcomes ? OUTCOMES : PREDICTIONS));
        }
    }

    private static List<Path> files(Path folder, String suffix) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
        }
    }

    @EachEngine
    void dryRunWritesNothingTheRunReportsAndLedgersAndTheSecondRunIsANoOp(TestEngine engine) throws Exception {
        Db db = migrated(engine);
        Path legacy = legacyFolder();
        Path reports = Files.createDirectories(dir.resolve("reports"));
        String backup = dir.resolve("before.bak").toString();

        Cli dry = run(db, "--dry-run", "--report-dir", reports.toString(), "--backup", backup, legacy.toString());
        assertThat(dry.exit()).as(dry.err()).isZero();
        assertThat(dry.out()).startsWith("DRY RUN").contains("PREDICTIONS -> analytics.predictions")
                .contains("not carried: created_at (3 values)").contains("Conflicts (1), resolved by --prefer newest")
                .contains("prediction_id p404");
        assertThat(count(db.config(), false)).isZero();
        assertThat(reports).isEmptyDirectory();
        assertThat(Path.of(backup)).doesNotExist();

        Cli first = run(db, "--report-dir", reports.toString(), "--backup", backup, legacy.toString());
        assertThat(first.exit()).as(first.err()).isZero();
        // p1 twice (identical), p2 twice (conflict: the newer row's confidence 0.3 wins), p3 once; p1's outcome
        // twice, p404's dangling twice.
        assertThat(first.out()).contains("Backup before the import: " + backup)
                .containsPattern("total\\s+9\\s+4\\s+0\\s+3\\s+2");
        assertThat(count(db.config(), false)).isEqualTo(3);
        assertThat(count(db.config(), true)).isEqualTo(1);
        assertThat(Path.of(backup)).exists();
        List<Path> ledger = files(reports, ".tsv");
        assertThat(ledger).hasSize(1);
        assertThat(Files.readAllLines(ledger.get(0))).hasSize(1 + 9)
                .anyMatch(l -> l.contains("\tprediction_id p2\tMERGED\tanalytics.predictions "));
        assertThat(Files.readString(files(reports, ".json").get(0))).contains("\"imported\":4", "\"dangling\":[{");

        Cli again = run(db, "--json", "--report-dir", reports.toString(), "--backup", dir.resolve("again.bak")
                .toString(), legacy.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).contains("\"imported\":0", "\"alreadyImported\":4", "\"backup\":null");
        assertThat(dir.resolve("again.bak")).doesNotExist();
        assertThat(count(db.config(), false)).isEqualTo(3);
    }

    /** --prefer file-order lets the first file given win the conflict; --zone places the naive times. */
    @Test
    void fileOrderLetsTheFirstFileWinAConflictAndZonePlacesNaiveTimes() throws Exception {
        Db db = migrated(TestEngine.SQLITE);
        Path legacy = legacyFolder();
        Cli r = run(db, "--prefer", "file-order", "--zone", "Australia/Sydney", "--report-dir", dir.toString(),
                legacy.resolve("old").toString(), legacy.resolve("trading_predictions.db").toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("naive timestamp read in Australia/Sydney");
        try (Tradestore store = Tradestore.open(db.config())) {
            var rows = store.read(uow -> uow.jooq().select(PREDICTIONS.PREDICTION_TIMESTAMP, PREDICTIONS.CONFIDENCE)
                    .from(PREDICTIONS).where(PREDICTIONS.SYMBOL.eq("CBA.AX")).orderBy(PREDICTIONS.PREDICTION_TIMESTAMP)
                    .fetch());
            assertThat(rows.get(1).value2()).isEqualByComparingTo("0.35");
            // 11:00:00.5 on a Sydney wall clock in March (daylight time, +11:00) is 00:00:00.5 UTC.
            assertThat(rows.get(1).value1()).isEqualTo(java.time.Instant.parse("2023-03-01T00:00:00.500Z"));
        }
    }

    @Test
    void aFileThatIsNotSqliteOrABadRuleIsRefusedNamingIt() throws Exception {
        Db db = migrated(TestEngine.SQLITE);
        Path legacy = legacyFolder();
        Cli notSqlite = run(db, legacy.resolve("README.txt").toString());
        assertThat(notSqlite.exit()).isEqualTo(Main.FAILED);
        assertThat(notSqlite.err()).contains("README.txt is not a SQLite database");
        Cli badRule = run(db, "--prefer", "oldest", legacy.toString());
        assertThat(badRule.exit()).isEqualTo(2);
        assertThat(badRule.err()).contains("must be newest or file-order");
        Cli itself = run(db, db.config().file().toString());
        assertThat(itself.exit()).isEqualTo(Main.FAILED);
        assertThat(itself.err()).contains("is the target database itself");
    }
}
