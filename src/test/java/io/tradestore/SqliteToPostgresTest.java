package io.tradestore;

import io.tradestore.analytics.CachedPattern;
import io.tradestore.analytics.Direction;
import io.tradestore.analytics.NewCachedPattern;
import io.tradestore.analytics.NewExecutionEvent;
import io.tradestore.analytics.NewMetric;
import io.tradestore.analytics.NewModelResult;
import io.tradestore.analytics.NewOutcome;
import io.tradestore.analytics.NewPrediction;
import io.tradestore.analytics.NewSentimentScore;
import io.tradestore.analytics.PredictedAction;
import io.tradestore.crash.ChildJvm;
import io.tradestore.internal.Migrator;
import io.tradestore.internal.db.DefaultSchema;
import io.tradestore.market.Timeframe;
import io.tradestore.testing.CopySources;
import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.SqliteFiles;
import io.tradestore.testing.Stores;
import io.tradestore.trading.NewFill;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.NewPortfolioSnapshot;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.PositionSide;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The move from SQLite to PostgreSQL ({@link SqliteToPostgres}) on real files and the real server: every table, exact
 * values, ids and sequences, verification, refusals that write nothing, and resuming after an exception and after
 * SIGKILL. The source is the 60,480 sample candles plus generated trading stories (about 10 rows each across every
 * table; {@value #STORIES} by default, {@value #SOAK_STORIES} with -Dtradestore.soak=true).
 *
 * <p>Content is compared independently of the copy's own checksums: every table read through the generated jOOQ
 * classes on each engine (their bindings decode each engine's storage) and compared row by row.
 */
class SqliteToPostgresTest {
    private static final Logger log = LoggerFactory.getLogger(SqliteToPostgresTest.class);
    static final int STORIES = 150;
    static final int SOAK_STORIES = 10_000;
    static final boolean SOAK = Boolean.getBoolean("tradestore.soak");

    @TempDir
    static Path shared;
    private static Path full;
    static Path small;
    static PostgresDatabases migrated;

    @TempDir
    Path dir;

    @BeforeAll
    static void sources() throws Exception {
        small = CopySources.small(shared.resolve("small"), 40);
        migrated = new PostgresDatabases();
        Tradestore.open(TradestoreConfig.postgres(migrated.url(), PostgresDatabases.USER, PostgresDatabases.PASSWORD)).close();
    }

    /** The sample candles and the stories, written on first use: only the tests that need the volume pay for it. */
    private static synchronized Path full() throws SQLException {
        if (full == null) {
            long start = System.nanoTime();
            full = CopySources.withSampleCandles(shared.resolve("full"), SOAK ? SOAK_STORIES : STORIES);
            log.info("full source written in {} ms: {}", (System.nanoTime() - start) / 1_000_000, counts(full));
        }
        return full;
    }

    @AfterAll
    static void dropTemplate() throws SQLException {
        if (migrated != null) {
            migrated.close();
        }
    }

    /** COPY by default; both methods on the full source with -Dtradestore.soak=true (the rates in the docs). */
    @ParameterizedTest
    @EnumSource(CopyOptions.Method.class)
    void copiesEveryTableExactlyAndTheDaosCarryOnAfterTheCopiedIds(CopyOptions.Method method) throws Exception {
        assumeTrue(method == CopyOptions.Method.COPY || SOAK, "INSERT on the full source runs with -Dtradestore.soak=true;"
                + " theInsertMethodWritesWhatCopyWrites covers it by default");
        Path full = full();
        String before = sha256(full);
        try (PostgresDatabases target = new PostgresDatabases(migrated)) {
            CopyReport report = SqliteToPostgres.copy(full, config(target), CopyOptions.defaults().withMethod(method));
            log.info("{}: {} rows in {} ms, {} rows/s; per table {}", method, report.rows(), report.millis(),
                    report.rowsPerSecond(), report.tables().stream().map(t -> t.table() + "=" + t.rows() + "/"
                            + t.millis() + "ms").toList());

            // Every table tradestore has (the generated classes'), each once, none forgotten.
            assertThat(report.tables()).extracting(t -> t.table().substring(t.table().indexOf('.') + 1))
                    .containsExactlyInAnyOrderElementsOf(domainTables());
            Map<String, Long> sourceCounts = counts(full);
            report.tables().forEach(t -> assertThat(t.rows()).as(t.table())
                    .isEqualTo(sourceCounts.get(t.table().substring(t.table().indexOf('.') + 1))).isPositive());
            assertThat(report.table("market.candlesticks").rows()).isEqualTo(60_480);
            assertThat(report.rowsWritten()).isEqualTo(report.rows());
            // Parents before children, by the foreign keys.
            List<String> order = report.tables().stream().map(CopyReport.TableReport::table).toList();
            assertThat(order.indexOf("trading.positions")).isLessThan(order.indexOf("trading.orders"));
            assertThat(order.indexOf("trading.orders")).isLessThan(order.indexOf("trading.order_fills"))
                    .isLessThan(order.indexOf("analytics.trade_execution_log"));
            assertThat(order.indexOf("analytics.predictions")).isLessThan(order.indexOf("analytics.outcomes"));

            assertSameContent(full, target);
            assertThat(sha256(full)).as("the source file is only read").isEqualTo(before);
            assertTheDaosContinueAfterTheSourcesIds(full, target);
        }
    }

    @Test
    void theInsertMethodWritesWhatCopyWrites() throws Exception {
        try (PostgresDatabases target = new PostgresDatabases(migrated)) {
            CopyReport report = SqliteToPostgres.copy(small, config(target), CopyOptions.defaults()
                    .withMethod(CopyOptions.Method.INSERT).withBatchSize(7));
            assertThat(report.rowsWritten()).isEqualTo(report.rows()).isPositive();
            assertSameContent(small, target);
            assertTheDaosContinueAfterTheSourcesIds(small, target);
        }
    }

    @Test
    void aTargetHoldingRowsOfItsOwnIsRefusedAndNothingIsWritten() throws Exception {
        try (PostgresDatabases target = new PostgresDatabases(migrated)) {
            try (Tradestore store = Tradestore.open(config(target))) {
                store.useTransaction(uow -> uow.metrics().record(new NewMetric("mine", BigDecimal.ONE, Stores.T0)));
            }
            Map<String, Long> before = postgresCounts(target);
            assertThatThrownBy(() -> SqliteToPostgres.copy(small, config(target)))
                    .isInstanceOfSatisfying(CopyRefusedException.class,
                            e -> assertThat(e.table()).isEqualTo("analytics.analytics_metrics"))
                    .hasMessageContaining("its table analytics.analytics_metrics holds 1 rows that are not the"
                            + " source's first 1 rows in [id] order")
                    .hasMessageContaining("The target must be empty, or hold what an interrupted copy of this very"
                            + " file left");
            assertThat(postgresCounts(target)).isEqualTo(before);
        }
    }

    @Test
    void aVersionMismatchOrAnUnmigratedTargetOrADifferentTableSetIsRefusedAndNothingIsWritten() throws Exception {
        Path v7 = SqliteFiles.migrated(dir);
        try (Connection c = SqliteFiles.open(v7)) {
            Migrator.rollbackToTag(c, "v7");
        }
        try (PostgresDatabases target = new PostgresDatabases(migrated)) {
            assertThatThrownBy(() -> SqliteToPostgres.copy(v7, config(target)))
                    .isInstanceOf(SchemaVersionException.class)
                    .hasMessageContaining("is at schema version 7 but the target " + target.url() + " is at " + io.tradestore.internal.SchemaGate.buildVersion())
                    .hasMessageContaining("migrate the older one first; nothing was copied");
            try (Connection c = target.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE analytics.extra (id BIGINT PRIMARY KEY)");
            }
            assertThatThrownBy(() -> SqliteToPostgres.copy(small, config(target)))
                    .isInstanceOf(SchemaVersionException.class)
                    .hasMessageContaining("only in the source [], only in the target [extra]");
            assertThat(postgresCounts(target).values()).containsOnly(0L);
        }
        try (PostgresDatabases empty = new PostgresDatabases()) {
            assertThatThrownBy(() -> SqliteToPostgres.copy(small, config(empty)))
                    .isInstanceOf(SchemaVersionException.class)
                    .hasMessageContaining(empty.url() + " is not a migrated tradestore database")
                    .hasMessageContaining("migrate it first: Tradestore.open(config) with auto-migrate");
        }
    }

    @Test
    void anExceptionFromTheProgressListenerStopsTheCopyAndTheNextRunResumesAfterWhatWasCommitted() throws Exception {
        try (PostgresDatabases target = new PostgresDatabases(migrated)) {
            RuntimeException stop = new IllegalStateException("operator pressed stop");
            CopyOptions stopping = CopyOptions.defaults().withBatchSize(10).withProgress(p -> {
                if (p.table().equals("trading.orders") && p.tableCopied() >= 20) {
                    throw stop;
                }
            });
            assertThatThrownBy(() -> SqliteToPostgres.copy(small, config(target), stopping)).isSameAs(stop);
            Map<String, Long> stopped = postgresCounts(target);
            assertThat(stopped).containsEntry("trading.orders", 20L).containsEntry("trading.order_fills", 0L);

            List<CopyProgress> seen = new ArrayList<>();
            CopyReport resumed = SqliteToPostgres.copy(small, config(target), CopyOptions.defaults().withProgress(seen::add));
            assertThat(resumed.table("trading.orders").resumed()).isEqualTo(20);
            assertThat(resumed.table("trading.positions").resumed()).isEqualTo(resumed.table("trading.positions").rows());
            assertThat(resumed.rowsWritten()).isEqualTo(resumed.rows() - stopped.values().stream().mapToLong(n -> n).sum());
            assertThat(seen).first().satisfies(p -> assertThat(p.table()).isEqualTo("trading.orders"));
            assertThat(seen).last().satisfies(p -> assertThat(p.totalCopied()).isEqualTo(p.totalRows())
                    .isEqualTo(resumed.rows()));
            assertSameContent(small, target);
            assertTheDaosContinueAfterTheSourcesIds(small, target);
        }
    }

    @Test
    void aPartialCopyChangedAfterwardsIsRefusedNamingTheTable() throws Exception {
        try (PostgresDatabases target = new PostgresDatabases(migrated)) {
            RuntimeException stop = new IllegalStateException("stop");
            assertThatThrownBy(() -> SqliteToPostgres.copy(small, config(target), CopyOptions.defaults()
                    .withBatchSize(10).withProgress(p -> {
                        if (p.table().equals("trading.orders")) {
                            throw stop;
                        }
                    }))).isSameAs(stop);
            try (Connection c = target.connect(); Statement st = c.createStatement()) {
                assertThat(st.executeUpdate("UPDATE trading.positions SET strategy = 'edited' WHERE id = 2")).isOne();
            }
            Map<String, Long> before = postgresCounts(target);
            assertThatThrownBy(() -> SqliteToPostgres.copy(small, config(target)))
                    .isInstanceOfSatisfying(CopyRefusedException.class,
                            e -> assertThat(e.table()).isEqualTo("trading.positions"))
                    .hasMessageContaining("rows that are not the source's first");
            assertThat(postgresCounts(target)).isEqualTo(before);
        }
    }

    @Test
    void aTargetChangedDuringTheCopyFailsVerificationNamingTheTable() throws Exception {
        try (PostgresDatabases target = new PostgresDatabases(migrated)) {
            CopyOptions meddling = CopyOptions.defaults().withBatchSize(10).withProgress(p -> {
                if (p.table().equals("analytics.sentiment_scores") && p.tableCopied() == 10) {
                    try (Connection c = target.connect(); Statement st = c.createStatement()) {
                        st.executeUpdate("UPDATE analytics.sentiment_scores SET news_count = news_count + 1 WHERE id = 3");
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            assertThatThrownBy(() -> SqliteToPostgres.copy(small, config(target), meddling))
                    .isInstanceOfSatisfying(CopyVerificationException.class,
                            e -> assertThat(e.table()).isEqualTo("analytics.sentiment_scores"))
                    .hasMessageContaining("after copying, analytics.sentiment_scores differs: the source")
                    .hasMessageContaining("do not use the target");
        }
    }

    @Test
    void aCopyKilledWithSigkillIsCompletedByTheNextRun() throws Exception {
        try (PostgresDatabases target = new PostgresDatabases(migrated)) {
            Path out = dir.resolve("child.out");
            Path err = dir.resolve("child.err");
            Path full = full();
            Process child = ChildJvm.start(SqliteToPostgresChild.class, dir, out, err, full.toString(), target.url(),
                    PostgresDatabases.USER, "1000");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String last = "";
            try {
                // Kill once the candles are under way: every earlier table complete, the candles partly copied.
                while (!last.startsWith("COPIED market.candlesticks") || Long.parseLong(last.split(" ")[2]) < 15_000) {
                    assertThat(child.isAlive()).as("the child ended before it was killed; stderr: %s",
                            Files.exists(err) ? Files.readString(err) : "").isTrue();
                    assertThat(System.nanoTime()).as("the child reached the candles within 60 s").isLessThan(deadline);
                    Thread.sleep(5);
                    List<String> lines = Files.readAllLines(out);
                    last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
                }
            } finally {
                child.destroyForcibly(); // SIGKILL on Linux
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(Files.readString(out)).doesNotContain("DONE");
            long candles = postgresCounts(target).get("market.candlesticks");
            log.info("killed after '{}'; {} candles on the target", last, candles);
            assertThat(candles).isBetween(15_000L, 60_479L);

            CopyReport report = SqliteToPostgres.copy(full, config(target));
            assertThat(report.table("market.candlesticks").resumed()).isEqualTo(candles);
            assertSameContent(full, target);
            assertTheDaosContinueAfterTheSourcesIds(full, target);
        }
    }

    /**
     * PostgreSQL's collation may order text unlike SQLite's byte order (ICU English puts aUSDT before BUSDT, bytes put
     * B first): the checksums must still see the rows of a text key in one order on both sides.
     */
    @Test
    void textKeysAreComparedByTheirBytesWhateverTheTargetsCollation() throws Exception {
        Path source;
        try (Tradestore store = Stores.open(dir.resolve("symbols"))) {
            store.useTransaction(uow -> uow.candlesticks().upsert(List.of(
                    candle("aUSDT", 0), candle("BUSDT", 0), candle("aUSDT", 1), candle("BUSDT", 1))));
            source = Stores.config(dir.resolve("symbols")).file();
        }
        try (PostgresDatabases target = new PostgresDatabases("LOCALE_PROVIDER icu ICU_LOCALE 'en' TEMPLATE template0");
             Connection c = target.connect(); Statement st = c.createStatement()) {
            var rs = st.executeQuery("SELECT 'aUSDT' < 'BUSDT'");
            rs.next();
            assertThat(rs.getBoolean(1)).as("the target's collation is not byte order").isTrue();
            Tradestore.open(config(target)).close();
            CopyReport report = SqliteToPostgres.copy(source, config(target));
            assertThat(report.table("market.candlesticks").rows()).isEqualTo(4);
            assertSameContent(source, target);

            RuntimeException stop = new IllegalStateException("stop");
            st.executeUpdate("TRUNCATE market.candlesticks, market.candlestick_metadata");
            assertThatThrownBy(() -> SqliteToPostgres.copy(source, config(target), CopyOptions.defaults().withBatchSize(2)
                    .withProgress(p -> {
                        if (p.table().equals("market.candlesticks")) {
                            throw stop;
                        }
                    }))).isSameAs(stop);
            assertThat(SqliteToPostgres.copy(source, config(target)).table("market.candlesticks").resumed()).isEqualTo(2);
            assertSameContent(source, target);
        }
    }

    private static io.tradestore.market.Candle candle(String symbol, int minute) {
        BigDecimal p = new BigDecimal("1.5");
        return new io.tradestore.market.Candle(symbol, Timeframe.M1, Stores.T0.plusSeconds(60L * minute), p, p, p, p, p);
    }

    @Test
    void badArgumentsAreRefusedNamingTheParameter() {
        assertThatThrownBy(() -> CopyOptions.defaults().withBatchSize(0)).isInstanceOf(ValidationException.class)
                .hasMessage("batchSize: must be between 1 and 1000000 (was 0)");
        assertThatThrownBy(() -> SqliteToPostgres.copy(small, TradestoreConfig.sqlite(dir.resolve("x.db"))))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("target: must be a PostgreSQL config (TradestoreConfig.postgres)");
        assertThatThrownBy(() -> SqliteToPostgres.copy(dir.resolve("missing.db"), TradestoreConfig.postgres(
                "jdbc:postgresql://127.0.0.1/none", "u", "")))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("sqliteFile: must be an existing tradestore SQLite file");
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static TradestoreConfig config(PostgresDatabases db) {
        return TradestoreConfig.postgres(db.url(), PostgresDatabases.USER, PostgresDatabases.PASSWORD);
    }

    private static List<String> domainTables() {
        return DefaultSchema.DEFAULT_SCHEMA.getTables().stream().map(Table::getName)
                .filter(n -> !n.equals("schema_versions")).toList();
    }

    /**
     * Every row of every table through jOOQ on each engine, compared as values (BigDecimal, Instant, enums, Json):
     * independent of the copy's own reading and digest. Rows are sorted by their text, since PostgreSQL's collation
     * need not order text as SQLite does.
     */
    private static void assertSameContent(Path sqlite, PostgresDatabases target) throws SQLException {
        long start = System.nanoTime();
        Map<String, List<String>> source;
        Map<String, List<String>> copy;
        try (Connection c = SqliteFiles.open(sqlite)) {
            source = dump(c, SQLDialect.SQLITE);
        }
        Properties p = new Properties();
        p.setProperty("user", PostgresDatabases.USER);
        p.setProperty("password", PostgresDatabases.PASSWORD);
        p.setProperty("currentSchema", "trading,market,analytics,public");
        try (Connection c = DriverManager.getConnection(target.url(), p)) {
            copy = dump(c, SQLDialect.POSTGRES);
        }
        assertThat(copy.keySet()).isEqualTo(source.keySet());
        for (String table : source.keySet()) {
            assertThat(copy.get(table)).as("rows of %s", table).hasSameSizeAs(source.get(table));
            assertThat(copy.get(table)).as("rows of %s", table).isEqualTo(source.get(table));
        }
        log.info("same content through jOOQ on both engines, checked in {} ms", (System.nanoTime() - start) / 1_000_000);
    }

    private static Map<String, List<String>> dump(Connection c, SQLDialect dialect) {
        Map<String, List<String>> tables = new TreeMap<>();
        for (Table<?> table : DefaultSchema.DEFAULT_SCHEMA.getTables()) {
            if (table.getName().equals("schema_versions")) {
                continue;
            }
            List<String> rows = new ArrayList<>();
            for (Record r : DSL.using(c, dialect).selectFrom(table).fetch()) {
                // Values by their Java type: a decimal must come back equal (normalized), not just compareTo-equal.
                rows.add(r.intoList().stream().map(v -> v == null ? "null" : v.getClass().getSimpleName() + ":" + v)
                        .collect(Collectors.joining("|")));
            }
            rows.sort(null);
            tables.put(table.getName(), rows);
        }
        return tables;
    }

    /**
     * After the copy the DAOs insert into every table with an id, and each new id comes right after the largest id
     * SQLite ever handed out for it (sqlite_sequence, ahead of MAX(id) where rows were deleted).
     */
    private static void assertTheDaosContinueAfterTheSourcesIds(Path sqlite, PostgresDatabases target) throws SQLException {
        Map<String, Long> seq = new LinkedHashMap<>();
        try (Connection c = SqliteFiles.open(sqlite)) {
            SqliteFiles.rows(c, "SELECT name, seq FROM sqlite_sequence").forEach(r -> seq.put(r.get(0), Long.parseLong(r.get(1))));
            long maxPattern = Long.parseLong(SqliteFiles.rows(c, "SELECT MAX(id) FROM pattern_cache").get(0).get(0));
            assertThat(seq.get("pattern_cache")).as("purged patterns left ids behind").isGreaterThan(maxPattern);
        }
        Map<String, Long> ids = new TreeMap<>();
        try (Tradestore store = Tradestore.open(config(target).withClock(Stores.fixed(CopySources.NOW)))) {
            store.useTransaction(uow -> {
                var at = CopySources.NOW.minusSeconds(60);
                var position = uow.positions().open(NewPosition.of("NEWUSDT", PositionSide.LONG, BigDecimal.ONE,
                        BigDecimal.TEN, at));
                ids.put("positions", position.id());
                var order = uow.orders().place(NewOrder.market("after-copy", "NEWUSDT", OrderSide.BUY, BigDecimal.ONE)
                        .forPosition(position.id()));
                ids.put("orders", order.id());
                ids.put("order_fills", uow.orders().fill(order.id(), NewFill.of("after-copy-t1", BigDecimal.ONE,
                        BigDecimal.TEN, at)).fill().id());
                uow.positions().close(position.id(), BigDecimal.TEN, at, "after copy");
                ids.put("position_events", uow.positions().events(position.id()).get(0).id());
                var prediction = uow.predictions().record(new NewPrediction("NEWUSDT", at, PredictedAction.BUY,
                        BigDecimal.ONE, Direction.UP, BigDecimal.ONE, null, "m", BigDecimal.TEN, null));
                ids.put("predictions", prediction.id());
                ids.put("outcomes", uow.outcomes().record(new NewOutcome(prediction.id(), at, BigDecimal.ZERO,
                        Direction.FLAT, BigDecimal.TEN, false)).id());
                ids.put("trade_execution_log", uow.executionLog().record(new NewExecutionEvent(order.id(), "after-copy",
                        "FILLED", 1L, at, null)).id());
                CachedPattern pattern = uow.patternCache().put(new NewCachedPattern("after-copy", "NEWUSDT",
                        Timeframe.H1, "doji", BigDecimal.ONE, Json.of("{}"), at), Duration.ofDays(1)).entry();
                ids.put("pattern_cache", pattern.id());
                ids.put("analytics_metrics", uow.metrics().record(new NewMetric("after", BigDecimal.ONE, at)).id());
                ids.put("sentiment_scores", uow.sentiment().record(new NewSentimentScore("NEWUSDT", at, BigDecimal.ONE,
                        BigDecimal.ONE, 1, "s")).id());
                ids.put("ml_model_results", uow.modelResults().record(new NewModelResult("m", "after", at, at, at, 1,
                        BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ONE, null)).id());
                ids.put("portfolio_snapshots", uow.portfolio().record(new NewPortfolioSnapshot(at, BigDecimal.ONE,
                        BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO, 0)).id());
            });
        }
        Map<String, Long> expected = new TreeMap<>();
        seq.forEach((table, n) -> expected.put(table, n + 1));
        assertThat(ids).isEqualTo(expected);
    }

    /** Rows per table of a SQLite file, by table name. */
    private static Map<String, Long> counts(Path sqlite) throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = SqliteFiles.open(sqlite)) {
            for (String table : domainTables()) {
                counts.put(table, Long.parseLong(SqliteFiles.rows(c, "SELECT COUNT(*) FROM " + table).get(0).get(0)));
            }
        }
        return counts;
    }

    /** Rows per table of the target, schema-qualified. */
    private static Map<String, Long> postgresCounts(PostgresDatabases db) throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = db.connect()) {
            for (List<String> t : SqliteFiles.rows(c, "SELECT table_schema || '.' || table_name FROM"
                    + " information_schema.tables WHERE table_schema IN ('trading', 'market', 'analytics')")) {
                counts.put(t.get(0), Long.parseLong(SqliteFiles.rows(c, "SELECT COUNT(*) FROM " + t.get(0)).get(0).get(0)));
            }
        }
        return counts;
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
