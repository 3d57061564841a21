package io.tradestore.cli;

import io.tradestore.PageRequest;
import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.market.Candle;
import io.tradestore.market.CandleCsv;
import io.tradestore.market.Timeframe;
import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.SampleData;
import io.tradestore.testing.Stores;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code import} and {@code export} through picocli's execute(), on real databases. */
class ImportExportTest {
    private static final int ROWS = 3_000;

    @TempDir
    Path dir;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private int databases;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    /** A new migrated database: its {@code --db} (and user, password) arguments and its config. */
    private record Db(String[] args, TradestoreConfig config) {
    }

    private Db migrated(TestEngine engine) throws Exception {
        if (engine == TestEngine.SQLITE) {
            TradestoreConfig config = Stores.config(dir.resolve("db" + databases++));
            return new Db(new String[] {"--db", config.file().toString()}, config);
        }
        PostgresDatabases pg = PostgresDatabases.migrated();
        opened.add(pg);
        return new Db(new String[] {"--db", pg.url(), "--user", PostgresDatabases.APP_ROLE, "--password",
                PostgresDatabases.PASSWORD}, pg.config());
    }

    private static Cli run(String command, Db db, String... more) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(db.args()));
        all.addAll(List.of(more));
        return Cli.run(all.toArray(String[]::new));
    }

    /** The first {@code ROWS} lines of the BTCUSDT sample, as a plain CSV with its header. */
    private Path sampleSlice() throws Exception {
        Path gz = SampleData.candleFile("binance-us_BTCUSDT_1m_2023-03-01_2023-03-21");
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(gz)),
                StandardCharsets.UTF_8))) {
            for (String line; lines.size() <= ROWS && (line = r.readLine()) != null; ) {
                lines.add(line);
            }
        }
        Path slice = dir.resolve("slice.csv");
        Files.writeString(slice, String.join("\n", lines) + "\n");
        return slice;
    }

    private static Cli ok(Cli cli) {
        assertThat(cli.exit()).as(cli.err()).isZero();
        return cli;
    }

    /**
     * export → import into an empty series → export gives the same bytes, for ISO times with a header (gzipped) and
     * for headerless epoch seconds and milliseconds; the first export of the imported samples is the sample file
     * in its normalized decimals.
     */
    @EachEngine
    void exportImportExportIsByteIdenticalInEveryTimeFormat(TestEngine engine) throws Exception {
        Db source = migrated(engine);
        Db target = migrated(engine);
        Path slice = sampleSlice();
        Cli imported = ok(run("import", source, "--symbol", "BTCUSDT", "--timeframe", "1m", slice.toString(),
                "--batch-size", "1000"));
        assertThat(imported.out()).startsWith("imported " + slice + " into BTCUSDT 1m: 3,000 candles written"
                + " (2023-03-01T00:00:00Z to 2023-03-03T01:59:00Z), 3,001 lines read, 0 bad rows skipped, ");

        Path iso = dir.resolve("iso.csv.gz");
        Cli exported = ok(run("export", source, "--symbol", "BTCUSDT", "--timeframe", "1m", "-o", iso.toString()));
        assertThat(exported.out().strip()).isEqualTo("exported 3,000 candles of BTCUSDT 1m (2023-03-01T00:00:00Z to"
                + " 2023-03-03T01:59:00Z) to " + iso);
        // The sample writes 22350.0 where the store normalizes to 22350 (decision 0009): equal numbers, other text.
        String exportedText = new String(gunzip(iso), StandardCharsets.UTF_8);
        assertThat(exportedText.lines().count()).isEqualTo(ROWS + 1);
        assertThat(exportedText).startsWith(CandleCsv.HEADER + "\n2023-03-01 00:00:00+00:00,23140.48,23150.77,23128.52,"
                + "23142.31,2.131777\n").contains("\n2023-03-03 01:53:00+00:00,22322.98,22350,22299.06,22342.91,5.77351\n");

        int n = 0;
        for (String format : new String[] {"iso", "epoch-s", "epoch-ms"}) {
            String symbol = "RT" + n++;
            List<String> shape = format.equals("iso") ? List.of("--time-format", format)
                    : List.of("--time-format", format, "--no-header");
            Path first = format.equals("iso") ? iso : dir.resolve(format + ".csv");
            if (!format.equals("iso")) {
                ok(run("export", source, args("--symbol", "BTCUSDT", "--timeframe", "1m", "-o", first.toString(),
                        shape)));
            }
            ok(run("import", target, args("--symbol", symbol, "--timeframe", "1m", first.toString(), shape)));
            Path second = dir.resolve(format + "-again" + (format.equals("iso") ? ".csv.gz" : ".csv"));
            ok(run("export", target, args("--symbol", symbol, "--timeframe", "1m", "-o", second.toString(), shape)));
            assertThat(Files.mismatch(second, first)).as("first differing byte of %s", format).isEqualTo(-1L);
        }
        String epochMs = Files.readString(dir.resolve("epoch-ms.csv"));
        assertThat(epochMs).startsWith("1677628800000,23140.48,23150.77,23128.52,23142.31,2.131777\n");
        assertThat(stored(target.config(), "RT2")).isEqualTo(stored(source.config(), "BTCUSDT").stream()
                .map(c -> new Candle("RT2", c.timeframe(), c.openTime(), c.open(), c.high(), c.low(), c.close(),
                        c.volume())).toList());
    }

    private static String[] args(String a, String b, String c, String d, String e, String f, List<String> more) {
        List<String> all = new ArrayList<>(List.of(a, b, c, d, e, f));
        all.addAll(more);
        return all.toArray(String[]::new);
    }

    private static String[] args(String a, String b, String c, String d, String e, List<String> more) {
        List<String> all = new ArrayList<>(List.of(a, b, c, d, e));
        all.addAll(more);
        return all.toArray(String[]::new);
    }

    private static byte[] gunzip(Path gz) throws Exception {
        try (var in = new GZIPInputStream(Files.newInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    private static List<Candle> stored(TradestoreConfig config, String symbol) {
        try (Tradestore store = Tradestore.open(config)) {
            return store.read(uow -> uow.candlesticks().range(symbol, Timeframe.M1, Instant.EPOCH,
                    Instant.parse("9999-01-01T00:00:00Z"), PageRequest.first(PageRequest.MAX_LIMIT)).items());
        }
    }

    /**
     * A bad row stops the import naming its line and the reason, and nothing of its batch is written (the batch before
     * it is); with --skip-bad it is reported and the rest imported.
     */
    @EachEngine
    void aBadRowStopsTheImportWithItsLineAndNothingOfItsBatchIsWritten(TestEngine engine) throws Exception {
        Db db = migrated(engine);
        StringBuilder csv = new StringBuilder("open_time,open,high,low,close,volume\n");
        for (int i = 0; i < 25; i++) {
            String high = i == 15 ? "1" : "12";
            csv.append(String.format("2023-03-01 00:%02d:00+00:00,10,%s,9,11,%d.5%n", i, high, i));
        }
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, csv);

        Cli stopped = run("import", db, "--symbol", "ETHUSDT", "--timeframe", "1m", "--batch-size", "10",
                file.toString());
        assertThat(stopped.exit()).isEqualTo(Main.FAILED);
        assertThat(stopped.out()).isEmpty();
        assertThat(stopped.err().strip()).isEqualTo("import: " + file + " line 17: candlesticks.high: must be >= low"
                + " (was high=1, low=9); nothing from line 12 on was written (the 10 candles before it were)");
        List<Candle> kept = stored(db.config(), "ETHUSDT");
        assertThat(kept).extracting(Candle::openTime).containsExactlyElementsOf(minutes(0, 10));

        Cli skipped = ok(run("import", db, "--symbol", "ETHUSDT", "--timeframe", "1m", "--batch-size", "10",
                "--skip-bad", "--json", file.toString()));
        assertThat(skipped.out()).contains("\"lines\":26,\"written\":24,\"skipped\":1,\"badRows\":[{\"line\":17,"
                + "\"reason\":\"candlesticks.high: must be >= low (was high=1, low=9)\"}]");
        List<Instant> all = new ArrayList<>(minutes(0, 15));
        all.addAll(minutes(16, 25));
        assertThat(stored(db.config(), "ETHUSDT")).extracting(Candle::openTime).containsExactlyElementsOf(all);
    }

    private static List<Instant> minutes(int from, int to) {
        List<Instant> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(Instant.parse("2023-03-01T00:00:00Z").plusSeconds(60L * i));
        }
        return out;
    }

    /** A headerless exchange dump with a trade count: refused without a mapping that says so, read with one. */
    @Test
    void trailingFieldsAreIgnoredOnlyWhenTheMappingSaysSo() throws Exception {
        Db db = migrated(TestEngine.SQLITE);
        Path dump = dir.resolve("dump.csv");
        Files.writeString(dump, "1677628800000,23140.48,23150.77,23128.52,23142.31,2.131777,57\n"
                + "1677628860000,23143.89,23148.8,23137.61,23137.77,0.881378,31\n");

        Cli noHeader = run("import", db, "--symbol", "BTCUSDT", "--timeframe", "1m", "--time-format", "epoch-ms",
                "--columns", "time,open,high,low,close,volume,*", dump.toString());
        assertThat(noHeader.exit()).isEqualTo(Main.FAILED);
        assertThat(noHeader.err().strip()).isEqualTo("import: " + dump + " line 1: expected a header, found a row (its"
                + " time field \"1677628800000\" is a time in the epoch-ms format); for a file without a header, say"
                + " so (--no-header)");

        Cli strict = run("import", db, "--symbol", "BTCUSDT", "--timeframe", "1m", "--time-format", "epoch-ms",
                "--no-header", dump.toString());
        assertThat(strict.err().strip()).isEqualTo("import: " + dump + " line 1: expected 6 fields"
                + " (time,open,high,low,close,volume), found 7; end the column mapping with ,* to ignore trailing"
                + " fields; nothing from line 1 on was written");

        ok(run("import", db, "--symbol", "BTCUSDT", "--timeframe", "1m", "--time-format", "epoch-ms", "--no-header",
                "--columns", "time,open,high,low,close,volume,*", dump.toString()));
        assertThat(stored(db.config(), "BTCUSDT")).hasSize(2);
        Cli stdout = ok(run("export", db, "--symbol", "BTCUSDT", "--timeframe", "1m", "--time-format", "epoch-s",
                "--no-header", "--from", "2023-03-01T00:01:00Z"));
        assertThat(stdout.out()).isEqualTo("1677628860,23143.89,23148.8,23137.61,23137.77,0.881378\n");
        assertThat(stdout.err().strip()).isEqualTo("exported 1 candles of BTCUSDT 1m (2023-03-01T00:01:00Z to"
                + " 2023-03-01T00:01:00Z) to standard output");
    }

    @Test
    void aWrongTimeframeIsAUsageError() {
        Cli wrong = Cli.run("import", "--db", dir.resolve("x.db").toString(), "--symbol", "BTCUSDT", "--timeframe",
                "2m", "x.csv");
        assertThat(wrong.exit()).isEqualTo(2);
        assertThat(wrong.err()).startsWith("Invalid value for option '--timeframe': timeframe: must be one of 1m, 3m,"
                + " 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h, 1d, 1w (was \"2m\")");
    }

    /** retention through the CLI: a dry run moves nothing, a run moves every candle older than the policy. */
    @Test
    void retentionMovesOldCandlesIntoTheArchiveAndADryRunOnlyCounts() throws Exception {
        Db live = migrated(TestEngine.SQLITE);
        Db archive = migrated(TestEngine.SQLITE);
        ok(run("import", live, "--symbol", "BTCUSDT", "--timeframe", "1m", sampleSlice().toString()));

        Cli missing = run("retention", live, "--keep", "1m=30d");
        assertThat(missing.exit()).isEqualTo(Main.FAILED);
        assertThat(missing.err().strip()).isEqualTo("retention: --archive: is required (or use --dry-run) (was null)");

        Cli dry = ok(run("retention", live, "--keep", "1m=30d,1h=1y", "--dry-run"));
        assertThat(dry.out()).startsWith("dry run on " + live.args()[1] + ": would purge 0 expired pattern-cache"
                + " entries, would move 3,000 candles\n  BTCUSDT      1m   before ").endsWith(": 3,000\n");
        assertThat(stored(live.config(), "BTCUSDT")).hasSize(ROWS);

        Cli moved = ok(run("retention", live, "--keep", "1m=30d", "--archive", archive.args()[1], "--batch-size",
                "700", "--json"));
        assertThat(moved.out()).contains("\"dryRun\":false,\"patternCachePurged\":0,\"moved\":3000,");
        assertThat(stored(live.config(), "BTCUSDT")).isEmpty();
        assertThat(stored(archive.config(), "BTCUSDT")).hasSize(ROWS);
    }

    /**
     * retention from PostgreSQL into a PostgreSQL archive, both as the application role: --drop-partitions is
     * refused before anything moves (the role may not drop tables); without it, every candle moves.
     */
    @Test
    void retentionIntoAPostgresArchive() throws Exception {
        Db live = migrated(TestEngine.POSTGRES);
        Db archive = migrated(TestEngine.POSTGRES);
        ok(run("import", live, "--symbol", "BTCUSDT", "--timeframe", "1m", sampleSlice().toString()));
        List<String> into = List.of("--keep", "1m=30d", "--archive", archive.args()[1], "--archive-user",
                PostgresDatabases.APP_ROLE, "--archive-password", PostgresDatabases.PASSWORD, "--batch-size", "700");
        List<String> dropping = new ArrayList<>(into);
        dropping.add("--drop-partitions");

        Cli refused = run("retention", live, dropping.toArray(String[]::new));
        assertThat(refused.exit()).isEqualTo(Main.FAILED);
        assertThat(refused.err().strip()).isEqualTo("retention: dropPartitions: must run as the owner of"
                + " market.candlesticks (" + PostgresDatabases.OWNER_ROLE + "); nothing was moved (was \""
                + PostgresDatabases.APP_ROLE + "\")");
        assertThat(stored(archive.config(), "BTCUSDT")).isEmpty();

        Cli moved = ok(run("retention", live, into.toArray(String[]::new)));
        assertThat(moved.out()).startsWith("retention on " + live.args()[1] + ": purged 0 expired pattern-cache"
                + " entries, moved 3,000 candles to " + archive.args()[1] + "\n  BTCUSDT      1m   before ")
                .endsWith(": 3,000\n");
        assertThat(stored(live.config(), "BTCUSDT")).isEmpty();
        assertThat(stored(archive.config(), "BTCUSDT")).hasSize(ROWS);
    }
}
