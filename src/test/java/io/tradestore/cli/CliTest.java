package io.tradestore.cli;

import io.tradestore.internal.Migrator;
import io.tradestore.internal.SchemaGate;
import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI's shared behaviour and its schema commands, through picocli's execute(), on real databases. */
class CliTest {
    @TempDir
    Path dir;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    /** {@code --db} and, on PostgreSQL, the user for a new, empty database. */
    private String[] emptyDatabase(TestEngine engine) throws Exception {
        if (engine == TestEngine.SQLITE) {
            return new String[] {"--db", dir.resolve("cli.db").toString()};
        }
        PostgresDatabases pg = new PostgresDatabases();
        opened.add(pg);
        return new String[] {"--db", pg.url(), "--user", PostgresDatabases.USER};
    }

    private static String[] args(String command, String[] db, String... more) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(db));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void helpListsEveryCommand() {
        Cli help = Cli.run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("migrate", "status", "health", "backup", "restore", "optimize", "retention",
                "import", "export", "copy", "demo");
    }

    /** Every command answers --help with its usage and exit 0, however many required options it has. */
    @Test
    void everyCommandHasItsOwnHelp() {
        for (String command : Main.commandLine().getSubcommands().keySet()) {
            if (command.equals("help")) {
                continue;
            }
            Cli help = Cli.run(command, "--help");
            assertThat(help.exit()).as("%s --help: %s", command, help.err()).isZero();
            assertThat(help.out()).as(command).startsWith("Usage: tradestore-cli " + command);
        }
    }

    @EachEngine
    void migrateAppliesEveryPendingChangesetAndStatusThenReportsUpToDate(TestEngine engine) throws Exception {
        String[] db = emptyDatabase(engine);
        int build = SchemaGate.buildVersion();

        Cli before = Cli.run(args("status", db, "--json"));
        assertThat(before.exit()).as(before.err()).isZero();
        assertThat(before.out()).startsWith("{\"database\":").contains("\"databaseVersion\":0,\"buildVersion\":" + build
                + ",\"upToDate\":false", "\"tags\":[]}");
        int pending = before.out().split("::").length / 2;
        if (engine == TestEngine.SQLITE) {
            assertThat(Files.exists(dir.resolve("cli.db"))).as("status creates nothing").isFalse();
        }

        Cli migrate = Cli.run(args("migrate", db));
        assertThat(migrate.exit()).as(migrate.err()).isZero();
        assertThat(migrate.out().strip()).isEqualTo("migrated " + db[1] + " from schema 0 to " + build + ": " + pending
                + " changesets applied");

        Cli after = Cli.run(args("status", db));
        assertThat(after.exit()).isZero();
        StringBuilder tags = new StringBuilder();
        for (int v = 1; v <= build; v++) {
            tags.append(v == 1 ? "" : " ").append('v').append(v);
        }
        assertThat(after.out()).isEqualTo("database  " + db[1] + "\nschema    " + build + " (this build: " + build
                + "), up to date\npending   none\ntags      " + tags + System.lineSeparator());

        Cli again = Cli.run(args("migrate", db, "--json"));
        assertThat(again.out().strip()).isEqualTo("{\"database\":\"" + db[1] + "\",\"from\":" + build + ",\"to\":"
                + build + ",\"applied\":[]}");
    }

    @Test
    void aFailureIsOneLineNamingTheCommandAndTheCauseWithTheStackTraceOnlyWhenVerbose() throws Exception {
        Path foreign = dir.resolve("foreign.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + foreign);
             Statement st = c.createStatement()) {
            st.execute("CREATE TABLE prices (symbol TEXT, price REAL)");
        }
        Cli failed = Cli.run("status", "--db", foreign.toString());
        assertThat(failed.exit()).isEqualTo(Main.FAILED);
        assertThat(failed.out()).isEmpty();
        assertThat(failed.err()).isEqualTo("status: " + foreign + " is not a tradestore database: it has tables [prices]"
                + " but no schema_versions table; refusing to write to it. Point tradestore at a new file or an empty"
                + " database." + System.lineSeparator());

        Cli verbose = Cli.run("migrate", "--db", foreign.toString(), "--verbose");
        assertThat(verbose.exit()).isEqualTo(Main.FAILED);
        assertThat(verbose.err()).startsWith("migrate: " + foreign + " is not a tradestore database")
                .contains("io.tradestore.SchemaVersionException", "\tat io.tradestore.");
    }

    @Test
    void healthBackupRestoreAndOptimizeThroughTheCli() throws Exception {
        Path db = dir.resolve("ops.db");
        assertThat(Cli.run("migrate", "--db", db.toString()).exit()).isZero();
        Cli health = Cli.run("health", "--db", db.toString());
        assertThat(health.exit()).as(health.err()).isZero();
        assertThat(health.out()).startsWith("database  " + db + "\nhealth    OK\nOK    quick_check ");

        Path backup = dir.resolve("ops-backup.db");
        Cli backedUp = Cli.run("backup", "--db", db.toString(), "--to", backup.toString(), "--json");
        assertThat(backedUp.exit()).as(backedUp.err()).isZero();
        assertThat(backedUp.out()).startsWith("{\"database\":\"" + db + "\",\"file\":\"" + backup.toAbsolutePath()
                + "\",\"bytes\":" + Files.size(backup) + ",\"schemaVersion\":" + SchemaGate.buildVersion());
        Cli again = Cli.run("backup", "--db", db.toString(), "--to", backup.toString());
        assertThat(again.exit()).isEqualTo(Main.FAILED);
        assertThat(again.err().strip()).isEqualTo("backup: backup target " + backup.toAbsolutePath() + " exists;"
                + " refusing to overwrite it (choose a new file name or move the old one away)");

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("INSERT INTO trade_execution_log (order_id, client_order_id, event, logged_at)"
                    + " VALUES (999, 'orphan', 'PLACED', 0)");
        }
        Cli failing = Cli.run("health", "--db", db.toString());
        assertThat(failing.exit()).isEqualTo(Main.FAIL);
        assertThat(failing.out()).contains("FAIL  foreign_key_check          1 rows  (FAIL above 0)");

        Cli restored = Cli.run("restore", "--db", db.toString(), "--from", backup.toString());
        assertThat(restored.exit()).as(restored.err()).isZero();
        assertThat(Cli.run("health", "--db", db.toString()).exit()).as("the backup's state").isZero();

        Cli optimized = Cli.run("optimize", "--db", db.toString(), "--json");
        assertThat(optimized.exit()).as(optimized.err()).isZero();
        assertThat(optimized.out()).contains("\"after\":{\"databaseBytes\":", "\"walBytes\":0,");
    }

    /** Only migrate changes a schema: another command on an older database names the command that upgrades it. */
    @Test
    void aCommandOnAnOlderDatabaseIsRefusedNamingMigrate() throws Exception {
        Path older = dir.resolve("older.db");
        int build = SchemaGate.buildVersion();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + older)) {
            Migrator.updateToTag(c, "v" + (build - 1));
        }
        Cli health = Cli.run("health", "--db", older.toString());
        assertThat(health.exit()).isEqualTo(Main.FAILED);
        assertThat(health.err().strip()).isEqualTo("health: database schema " + (build - 1) + " is older than this"
                + " build's " + build + " (" + older + "); upgrade it with: tradestore-cli migrate --db " + older);
        assertThat(Cli.run("migrate", "--db", older.toString()).exit()).isZero();
        assertThat(Cli.run("health", "--db", older.toString()).exit()).isZero();
    }

    /** --progress shows the backup's progress off a terminal too; the last line is the verified file's size. */
    @Test
    void backupShowsItsProgressWhenAskedTo() throws Exception {
        Path db = dir.resolve("progress.db");
        assertThat(Cli.run("migrate", "--db", db.toString()).exit()).isZero();
        Path backup = dir.resolve("progress-backup.db");
        Cli backedUp = Cli.run("backup", "--db", db.toString(), "--to", backup.toString(), "--progress");
        assertThat(backedUp.exit()).as(backedUp.err()).isZero();
        String[] lines = backedUp.err().split("\r");
        assertThat(lines[lines.length - 1].strip()).startsWith(String.format("backup: %,d / %,d bytes (",
                Files.size(backup), Files.size(db)));
    }

    /** 300 one-minute candles of the shipped sample, as a file the demo and import read. */
    private Path sampleCsv(Path folder) throws Exception {
        Path csv = folder.resolve("x_BTCUSDT_1m.csv");
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(Path.of("data", "samples", "candles",
                "binance-us_BTCUSDT_1m_2023-03-01_2023-03-21.csv.gz")));
             var lines = new java.io.BufferedReader(new java.io.InputStreamReader(in)).lines()) {
            Files.write(csv, lines.limit(301).toList());
        }
        return csv;
    }

    @EachEngine
    void theDemoRunsOnEitherEngineThroughTheCli(TestEngine engine) throws Exception {
        String[] db = emptyDatabase(engine);
        Path candles = Files.createDirectory(dir.resolve("candles"));
        sampleCsv(candles);
        Cli demo = Cli.run(args("demo", db, "--candles", candles.toString()));
        assertThat(demo.exit()).as(demo.err()).isZero();
        assertThat(demo.out()).contains("at schema version " + SchemaGate.buildVersion(),
                "ingested 300 candles of BTCUSDT from x_BTCUSDT_1m.csv", "realized P&L:", "prediction accuracy");
    }

    @Test
    void copyMovesASqliteFileIntoPostgresThroughTheCli() throws Exception {
        PostgresDatabases.assumeAvailable();
        Path source = dir.resolve("source.db");
        assertThat(Cli.run("migrate", "--db", source.toString()).exit()).isZero();
        Cli imported = Cli.run("import", "--db", source.toString(), "--symbol", "BTCUSDT", "--timeframe", "1m",
                sampleCsv(dir).toString());
        assertThat(imported.exit()).as(imported.err()).isZero();
        PostgresDatabases pg = PostgresDatabases.migrated();
        opened.add(pg);
        List<String> copy = new ArrayList<>(List.of("copy", "--from", source.toString(), "--db", pg.url(), "--user",
                PostgresDatabases.OWNER_ROLE));
        if (!PostgresDatabases.PASSWORD.isEmpty()) {
            copy.addAll(List.of("--password", PostgresDatabases.PASSWORD));
        }
        Cli copied = Cli.run(copy.toArray(String[]::new));
        assertThat(copied.exit()).as(copied.err()).isZero();
        assertThat(copied.out()).startsWith("copied " + source + " to " + pg.url() + " (schema "
                + SchemaGate.buildVersion() + "): ").containsPattern("market\\.candlesticks +300 rows");
    }

    @Test
    void aUsageErrorExitsWithTwoAndTheUsage() {
        Cli wrong = Cli.run("status", "--no-such-option");
        assertThat(wrong.exit()).isEqualTo(2);
        assertThat(wrong.err()).contains("Unknown option: '--no-such-option'", "Usage: tradestore-cli status");
    }

    @Test
    void copyNamesWhichOptionIsTheTargetWhenGivenASqliteTarget() {
        Cli wrong = Cli.run("copy", "--from", dir.resolve("a.db").toString(), "--db", dir.resolve("b.db").toString());
        assertThat(wrong.exit()).isEqualTo(Main.FAILED);
        assertThat(wrong.err().strip()).isEqualTo("copy: --db: must be the PostgreSQL target (a jdbc:postgresql: URL);"
                + " the SQLite source is --from (was \"" + dir.resolve("b.db") + "\")");
    }

    @Test
    void theDemoRefusesAnEmptyCandleFolderNamingIt() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("empty"));
        Cli demo = Cli.run("demo", "--db", dir.resolve("demo.db").toString(), "--candles", empty.toString());
        assertThat(demo.exit()).isEqualTo(Main.FAILED);
        assertThat(demo.err().strip()).isEqualTo("demo: no .csv or .csv.gz candle files in " + empty.toAbsolutePath()
                + " (pass the directory with --candles)");
    }

    @Test
    void progressShowsDoneTotalRateAndEta() {
        AtomicLong nanos = new AtomicLong();
        StringWriter shown = new StringWriter();
        Progress p = Progress.on(new PrintWriter(shown), "import", 1_000_000, "rows", nanos::get);
        nanos.set(2_000_000_000L);
        p.advance(250_000);
        assertThat(p.line(nanos.get())).isEqualTo("import: 250,000 / 1,000,000 rows (25 %), 125,000 rows/s, ETA 6s");
        assertThat(shown.toString()).isEqualTo("\r" + p.line(nanos.get()));
        nanos.set(8_000_000_000L);
        p.advance(750_000);
        p.close();
        assertThat(p.line(nanos.get())).isEqualTo("import: 1,000,000 / 1,000,000 rows (100 %), 125,000 rows/s");
    }

    @Test
    void jsonEscapesAndKeepsDecimalsExact() {
        assertThat(JsonText.of(java.util.Map.of("a\"b\n", new java.math.BigDecimal("0.000000000100000000"))))
                .isEqualTo("{\"a\\\"b\\n\":0.000000000100000000}");
    }
}
