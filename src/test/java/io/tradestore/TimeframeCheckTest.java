package io.tradestore;

import io.tradestore.testing.Pages;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;

import io.tradestore.analytics.CachedPattern;
import io.tradestore.analytics.NewCachedPattern;
import io.tradestore.market.Candle;
import io.tradestore.market.SeriesInfo;
import io.tradestore.market.Timeframe;
import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.Props;
import io.tradestore.testing.SqliteFiles;
import io.tradestore.testing.Stores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.quicktheories.core.Gen;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * {@link Timeframe} and the database's CHECKs agree, on SQLite and PostgreSQL: for every constant of the enum a candle
 * on its grid is accepted and one a microsecond off it is refused by ck_candlesticks_open_time even when written with
 * raw SQL past the DAO; a code the enum does not have is refused by every timeframe CHECK; and the database accepts
 * exactly the open times {@link Timeframe#isOnGrid} accepts. Adding a constant without its changeset (or a changeset
 * without its constant) fails here. Candles and cached patterns of every timeframe round-trip through the DAOs.
 */
class TimeframeCheckTest {
    /** Tries of the agreement property per build: each PostgreSQL example is a round trip to the server. */
    private static int tries(TestEngine engine) {
        return engine == TestEngine.SQLITE ? 300 : 120;
    }

    /** Codes a venue or a typo might produce that are not timeframes of this build. */
    private static final List<String> UNKNOWN = List.of("2w", "1M", "1W", "10m", "1 m", "1m ", "60m", "24h", "7d", "");

    /** 9999-12-31T23:59:59.999999Z, the last storable microsecond. */
    private static final long TS_MAX = 253_402_300_799_999_999L;

    private static Path dir;
    private static PostgresDatabases pg;
    private static final Map<TestEngine, Connection> connections = new EnumMap<>(TestEngine.class);
    private static final Map<TestEngine, Tradestore> stores = new EnumMap<>(TestEngine.class);

    @BeforeAll
    static void createDirectory() throws Exception {
        dir = Files.createTempDirectory("tradestore-timeframes");
    }

    /** Opened on first use, so that without a PostgreSQL server the SQLite cases still run. */
    private static synchronized void open(TestEngine engine) throws SQLException {
        if (connections.containsKey(engine)) {
            return;
        }
        if (engine == TestEngine.SQLITE) {
            connections.put(engine, SqliteFiles.open(SqliteFiles.migrated(dir)));
            stores.put(engine, Stores.open(dir.resolve("store"), Stores.fixed(Stores.T0)));
        } else {
            pg = PostgresDatabases.migrated();
            Connection postgres = pg.connect();
            postgres.setAutoCommit(true); // every raw statement stands alone: a refused one must not abort the next
            connections.put(engine, postgres);
            stores.put(engine, Tradestore.open(pg.config().withPoolSize(2).withClock(Stores.fixed(Stores.T0))));
        }
    }

    private static Connection connection(TestEngine engine) throws SQLException {
        open(engine);
        return connections.get(engine);
    }

    private static Tradestore store(TestEngine engine) throws SQLException {
        open(engine);
        return stores.get(engine);
    }

    @AfterAll
    static void closeDatabases() throws Exception {
        for (Tradestore store : stores.values()) {
            store.close();
        }
        for (Connection c : connections.values()) {
            c.close();
        }
        if (pg != null) {
            pg.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @EachEngine
    void everyTimeframeOnItsGridIsStoredAndOneMicrosecondOffIsRefusedByTheCheck(TestEngine engine) throws SQLException {
        Connection c = connection(engine);
        for (Timeframe tf : Timeframe.values()) {
            Instant recent = tf.floor(Instant.parse("2023-03-08T13:47:12Z"));
            Instant first = tf.floor(tf.anchor().plus(tf.duration()).minusSeconds(1)); // the first storable open time
            Instant last = tf.floor(Instant.parse("9999-12-31T23:59:59Z"));
            for (Instant onGrid : List.of(first, recent, last)) {
                assertThat(insertCandle(c, tf.code(), micros(onGrid))).as("%s at %s", tf, onGrid).isNull();
                if (micros(onGrid) > 0) {
                    assertThat(insertCandle(c, tf.code(), micros(onGrid) - 1)).as("%s at %s - 1µs", tf, onGrid)
                            .contains("ck_candlesticks_open_time");
                }
                if (onGrid != last) {
                    assertThat(insertCandle(c, tf.code(), micros(onGrid) + 1)).as("%s at %s + 1µs", tf, onGrid)
                            .contains("ck_candlesticks_open_time");
                }
            }
            assertThat(insertSeries(c, tf.code())).as("series of %s", tf).isNull();
            assertThat(insertPattern(c, tf.code())).as("pattern of %s", tf).isNull();
        }
    }

    /**
     * Weekly candles open on Mondays: the epoch's grid (Thursdays, whole weeks since 1970-01-01) is refused by the
     * database as by the enum, and so is every other day of the week.
     */
    @EachEngine
    void weeklyCandlesAreStoredOnMondaysOnly(TestEngine engine) throws SQLException {
        Connection c = connection(engine);
        Instant monday = Instant.parse("2023-03-06T00:00:00Z");
        for (int day = 0; day < 7; day++) {
            Instant t = monday.plus(Duration.ofDays(day));
            String refusal = insertCandle(c, "1w", micros(t));
            if (day == 0) {
                assertThat(refusal).isNull();
            } else {
                assertThat(refusal).as("1w on %s", t.atOffset(java.time.ZoneOffset.UTC).getDayOfWeek())
                        .contains("ck_candlesticks_open_time");
            }
        }
        assertThat(insertCandle(c, "1w", 0)).as("the epoch, a Thursday").contains("ck_candlesticks_open_time");
        assertThat(insertCandle(c, "1w", micros(Instant.parse("1970-01-05T00:00:00Z")))).isNull();
    }

    @EachEngine
    void aCodeThatIsNotATimeframeIsRefusedByEveryTimeframeCheck(TestEngine engine) throws SQLException {
        Connection c = connection(engine);
        for (String code : UNKNOWN) {
            // both CHECKs of candlesticks refuse it; which one reports depends on the engine's order
            assertThat(insertCandle(c, code, 0)).as("candle %s", code)
                    .containsAnyOf("ck_candlesticks_timeframe", "ck_candlesticks_open_time");
            assertThat(insertSeries(c, code)).as("series %s", code).contains("ck_candlestick_metadata_timeframe");
            assertThat(insertPattern(c, code)).as("pattern %s", code).contains("ck_pattern_cache_timeframe");
        }
        assertThat(count(c, "market", "candlesticks")).as("raw rows left behind").isEqualTo(0);
    }

    /** The database accepts an open time exactly when {@link Timeframe#isOnGrid} does, near and on the grid. */
    @EachEngine
    void theDatabaseAcceptsExactlyTheOpenTimesTheEnumPutsOnItsGrid(TestEngine engine) throws SQLException {
        Connection c = connection(engine);
        int[] accepted = {0};
        Props.check(tries(engine), 50, openTimes(), p -> {
            Instant t = Instant.EPOCH.plus(p.micros, ChronoUnit.MICROS);
            String refusal;
            try {
                refusal = insertCandle(c, p.timeframe.code(), p.micros);
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
            if (p.timeframe.isOnGrid(t)) {
                accepted[0]++;
                assertThat(refusal).as("%s accepts %s", p.timeframe, t).isNull();
            } else {
                assertThat(refusal).as("%s refuses %s", p.timeframe, t).contains("ck_candlesticks_open_time");
            }
        });
        assertThat(accepted[0]).as("examples on the grid").isGreaterThan(tries(engine) / 5);
    }

    @EachEngine
    void candlesAndPatternsOfEveryTimeframeRoundTripThroughTheDaos(TestEngine engine) throws SQLException {
        Tradestore store = store(engine);
        for (Timeframe tf : Timeframe.values()) {
            Instant first = tf.floor(Instant.parse("2023-03-08T13:47:12Z"));
            List<Candle> candles = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                BigDecimal price = new BigDecimal("23140.48").add(BigDecimal.valueOf(i));
                candles.add(new Candle("RT" + engine.ordinal(), tf, first.plus(tf.duration().multipliedBy(i)), price,
                        price.add(BigDecimal.ONE), price.subtract(BigDecimal.ONE), price, new BigDecimal("0.5")));
            }
            String symbol = "RT" + engine.ordinal();
            int written = store.inTransaction(uow -> uow.candlesticks().upsert(candles));
            assertThat(written).isEqualTo(3);
            Instant end = first.plus(tf.duration().multipliedBy(3));
            List<Candle> range = store.read(uow -> Pages.all(page ->
                    uow.candlesticks().range(symbol, tf, first, end, page)));
            assertThat(range).isEqualTo(candles);
            List<Candle> latest = store.read(uow -> uow.candlesticks().latest(symbol, tf, 2));
            assertThat(latest).isEqualTo(candles.subList(1, 3));
            SeriesInfo series = store.read(uow -> uow.candlesticks().series("RT" + engine.ordinal(), tf)).orElseThrow();
            assertThat(series.timeframe()).isSameAs(tf);
            assertThat(series.firstOpenTime()).isEqualTo(first);
            assertThat(series.candleCount()).isEqualTo(3);

            CachedPattern cached = store.inTransaction(uow -> uow.patternCache().put(new NewCachedPattern(
                    "rt-" + tf.code(), "RT" + engine.ordinal(), tf, "double_top", new BigDecimal("0.8"),
                    Json.of("{}"), Stores.T0), Duration.ofHours(1)).entry());
            assertThat(cached.timeframe()).isSameAs(tf);
            List<CachedPattern> patterns = store.read(uow -> uow.patternCache().bySymbol(symbol, tf));
            assertThat(patterns).containsExactly(cached);
        }
        assertThat(store.read(uow -> uow.candlesticks().series()).stream()
                .filter(s -> s.symbol().equals("RT" + engine.ordinal())).map(SeriesInfo::timeframe))
                .containsExactlyInAnyOrder(Timeframe.values());
    }

    // --- examples and raw SQL ---

    private record OpenTime(Timeframe timeframe, long micros) {
        @Override
        public String toString() {
            return timeframe + " at " + Instant.EPOCH.plus(micros, ChronoUnit.MICROS) + " (" + micros + " µs)";
        }
    }

    /**
     * A timeframe and a storable open time near one of its grid points, anywhere from 1970 to 9999: on it, a
     * microsecond or a second either side, or a whole number of days away (a Thursday of the epoch's weekly grid
     * among them); about half are on the grid.
     */
    private static Gen<OpenTime> openTimes() {
        Gen<Timeframe> timeframes = integers().between(0, Timeframe.values().length - 1).map(i -> Timeframe.values()[i]);
        long[] nudges = {-86_400_000_000L * 4, -86_400_000_000L, -1_000_000L, -1L, 1L, 1_000_000L, 86_400_000_000L,
                86_400_000_000L * 3};
        return timeframes.zip(longs().between(0, Long.MAX_VALUE), integers().between(-nudges.length, nudges.length - 1),
                (tf, k, nudge) -> {
                    long period = micros(tf.duration());
                    long periods = Math.floorMod(k, (TS_MAX - micros(tf.anchor())) / period + 1);
                    long point = micros(tf.anchor()) + period * periods;
                    long t = nudge < 0 ? point : point + nudges[nudge];
                    return new OpenTime(tf, Math.min(TS_MAX, Math.max(0, t)));
                });
    }

    private static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
    }

    private static long micros(Duration d) {
        return d.toNanos() / 1000;
    }

    /** Inserts a candle with raw SQL (deleted again if accepted); the database's refusal, or null if accepted. */
    private static String insertCandle(Connection c, String code, long openTime) throws SQLException {
        String one = decimal(c, "1");
        return insert(c, "market", "candlesticks", "(symbol, timeframe, open_time, open, high, low, close, volume)",
                "('RAW', '" + code + "', " + openTime + ", " + one + ", " + one + ", " + one + ", " + one + ", "
                        + decimal(c, "0") + ")");
    }

    private static String insertSeries(Connection c, String code) throws SQLException {
        return insert(c, "market", "candlestick_metadata",
                "(symbol, timeframe, first_open_time, last_open_time, candle_count, updated_at)",
                "('RAW', '" + code + "', 0, 0, 1, 0)");
    }

    private static String insertPattern(Connection c, String code) throws SQLException {
        return insert(c, "analytics", "pattern_cache",
                "(cache_key, symbol, timeframe, pattern_type, confidence, payload, detected_at, expires_at)",
                "('raw', 'RAW', '" + code + "', 'double_top', " + decimal(c, "0") + ", '{}', 0, 0)");
    }

    private static String insert(Connection c, String schema, String table, String columns, String values)
            throws SQLException {
        String name = sqlite(c) ? table : schema + "." + table;
        try (Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO " + name + " " + columns + " VALUES " + values);
            st.executeUpdate("DELETE FROM " + name + " WHERE symbol = 'RAW'");
            return null;
        } catch (SQLException e) {
            assertThat(e.getMessage()).as("a CHECK refused it, nothing else").containsIgnoringCase("check constraint");
            return e.getMessage();
        }
    }

    private static long count(Connection c, String schema, String table) throws SQLException {
        return Long.parseLong(SqliteFiles.rows(c, "SELECT COUNT(*) FROM "
                + (sqlite(c) ? table : schema + "." + table) + " WHERE symbol = 'RAW'")
                .get(0).get(0));
    }

    /** 0 or 1 as the column stores it: NUMERIC on PostgreSQL, the order-preserving BLOB on SQLite. */
    private static String decimal(Connection c, String value) throws SQLException {
        if (!sqlite(c)) {
            return value;
        }
        return value.equals("0") ? "X'80'" : "X'8110'";
    }

    private static boolean sqlite(Connection c) throws SQLException {
        return c.getMetaData().getURL().startsWith("jdbc:sqlite:");
    }
}
