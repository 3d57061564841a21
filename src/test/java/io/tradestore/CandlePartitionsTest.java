package io.tradestore;

import io.tradestore.market.Candle;
import io.tradestore.market.CandlePartition;
import io.tradestore.market.CandlestickDao;
import io.tradestore.market.Retention;
import io.tradestore.market.SeriesInfo;
import io.tradestore.market.Timeframe;
import io.tradestore.testing.Pages;
import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.Props;
import io.tradestore.testing.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.tradestore.testing.SqliteFiles.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Release 9's monthly candle partitions (PostgreSQL) and {@code uow.candlePartitions()}: retention drops old months
 * whole and keeps candlestick_metadata equal to the candles on both engines; months created late take their candles
 * out of the default partition; a 1,000-candle range read through the DAO's own SQL scans one or two partitions
 * (EXPLAIN parsed by PostgreSQL's JSON path, custom and generic plans) over ~200,000 candles in six months, or 10
 * million in 28 months under {@code -Dtradestore.soak=true}, with load time, size and latency logged.
 */
class CandlePartitionsTest {
    private static final Logger log = LoggerFactory.getLogger(CandlePartitionsTest.class);

    enum Engine { SQLITE, POSTGRES }

    @TempDir
    Path dir;
    private PostgresDatabases pg;

    @AfterEach
    void dropPostgresDatabase() throws SQLException {
        if (pg != null) {
            pg.close();
        }
    }

    private TradestoreConfig config(Engine engine) throws SQLException {
        if (engine == Engine.SQLITE) {
            return Stores.config(dir);
        }
        if (pg == null) {
            pg = new PostgresDatabases();
        }
        return TradestoreConfig.postgres(pg.url(), PostgresDatabases.USER, PostgresDatabases.PASSWORD);
    }

    /**
     * December 2022 (no partition on PostgreSQL: the default one), January and February (partitions), March and
     * April: dropping before 2023-03-15 removes exactly the candles before March 1 on both engines, the two older
     * month partitions whole, and leaves every series' metadata equal to what its remaining candles say; a series
     * with nothing left loses its metadata row.
     */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void dropBeforeRemovesWholeOlderMonthsKeepsNewerOnesAndMetadataAgrees(Engine engine) throws Exception {
        List<Candle> all = new ArrayList<>();
        all.addAll(series("BTCUSDT", Timeframe.H1, Instant.parse("2022-12-31T00:00:00Z"), Instant.parse("2023-04-10T00:00:00Z")));
        all.addAll(series("ETHUSDT", Timeframe.D1, Instant.parse("2023-01-05T00:00:00Z"), Instant.parse("2023-02-20T00:00:00Z")));
        all.addAll(series("SOLUSDT", Timeframe.M15, Instant.parse("2023-03-02T00:00:00Z"), Instant.parse("2023-03-20T00:00:00Z")));
        Instant boundary = Instant.parse("2023-03-01T00:00:00Z");
        try (Tradestore store = Tradestore.open(config(engine).withClock(Stores.fixed(Instant.parse("2023-04-10T00:00:00Z"))))) {
            if (engine == Engine.POSTGRES) {
                store.useTransaction(uow -> uow.candlePartitions().ensureMonths(YearMonth.of(2023, 1), YearMonth.of(2023, 3)));
            }
            for (int from = 0; from < all.size(); from += 2_000) {
                List<Candle> chunk = all.subList(from, Math.min(all.size(), from + 2_000));
                store.useTransaction(uow -> uow.candlesticks().upsert(chunk));
            }
            long older = all.stream().filter(c -> c.openTime().isBefore(boundary)).count();
            long inDecember = all.stream().filter(c -> c.openTime().isBefore(Instant.parse("2023-01-01T00:00:00Z"))).count();

            Retention r = store.inTransaction(uow -> uow.candlePartitions().dropBefore(Instant.parse("2023-03-15T12:34:56Z")));

            assertThat(r.boundary()).isEqualTo(boundary);
            assertThat(r.recomputedSeries()).as("BTCUSDT 1h and ETHUSDT 1d had older candles").isEqualTo(2);
            if (engine == Engine.POSTGRES) {
                assertThat(r.droppedPartitions()).containsExactly("candlesticks_y2023m01", "candlesticks_y2023m02");
                assertThat(r.deletedRows()).as("December's candles, in the default partition").isEqualTo(inDecember);
                assertThat(parts(store))
                        .extracting(CandlePartition::name).containsExactly("candlesticks_y2023m03", "candlesticks_default");
            } else {
                assertThat(r.droppedPartitions()).isEmpty();
                assertThat(r.deletedRows()).isEqualTo(older);
            }
            List<Candle> kept = all.stream().filter(c -> !c.openTime().isBefore(boundary)).toList();
            assertThat(stored(store)).isEqualTo(kept);
            List<SeriesInfo> series = store.read(uow -> uow.candlesticks().series());
            assertThat(series.stream().map(CandlePartitionsTest::withoutUpdatedAt).toList())
                    .containsExactlyElementsOf(expectedSeries(kept));
        }
    }

    /** Candles written before their month had a partition wait in the default one and move when it is created. */
    @Test
    void ensureMonthsMovesAMonthsCandlesOutOfTheDefaultPartition() throws Exception {
        List<Candle> march = series("BTCUSDT", Timeframe.M5, Instant.parse("2023-03-01T00:00:00Z"), Instant.parse("2023-04-01T00:00:00Z"));
        try (Tradestore store = Tradestore.open(config(Engine.POSTGRES))) {
            store.useTransaction(uow -> uow.candlesticks().upsert(march));
            assertThat(parts(store)).extracting(CandlePartition::name)
                    .containsExactly("candlesticks_default");

            assertThat(ensure(store, YearMonth.of(2023, 2), YearMonth.of(2023, 4)))
                    .containsExactly("candlesticks_y2023m02", "candlesticks_y2023m03", "candlesticks_y2023m04");
            assertThat(ensure(store, YearMonth.of(2023, 3), YearMonth.of(2023, 3)))
                    .as("again: nothing to create").isEmpty();

            assertThat(stored(store)).isEqualTo(march);
            try (Connection c = pg.connect()) {
                assertThat(rows(c, "SELECT tableoid::regclass::text, COUNT(*) FROM market.candlesticks GROUP BY 1"))
                        .containsExactly(List.of("market.candlesticks_y2023m03", String.valueOf(march.size())));
            }
            List<CandlePartition> parts = parts(store);
            assertThat(parts.get(1)).isEqualTo(new CandlePartition("candlesticks_y2023m03",
                    Instant.parse("2023-03-01T00:00:00Z"), Instant.parse("2023-04-01T00:00:00Z"), parts.get(1).estimatedRows()));
        }
    }

    @Test
    void partitionsAreAPostgresFeatureAndBadMonthsAreRefusedBeforeAnySql() throws Exception {
        try (Tradestore store = Tradestore.open(config(Engine.SQLITE))) {
            assertThatThrownBy(() -> store.read(uow -> uow.candlePartitions().list()))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage("candlePartitions().list is PostgreSQL-only: SQLite stores candles in one table without"
                            + " partitions; dropBefore works on both engines");
            assertThatThrownBy(() -> store.inTransaction(uow -> uow.candlePartitions().ensureMonths(YearMonth.of(2023, 4), YearMonth.of(2023, 3))))
                    .isInstanceOf(ValidationException.class)
                    .hasMessage("last: must not be before first (2023-04) (was 2023-03)");
            assertThatThrownBy(() -> store.inTransaction(uow -> uow.candlePartitions().dropBefore(null)))
                    .isInstanceOf(ValidationException.class).hasMessageStartingWith("cutoff: must not be null");
        }
    }

    /**
     * The DAO's range read of 1,000 candles that cross a month boundary, captured as it runs, EXPLAINed with its own
     * bind values: the custom plan scans two partitions and the generic plan (a prepared statement after five runs)
     * executes two, of the six (28 under soak) months plus default. Logs load rate, bytes per million candles and
     * the read's latency with one month loaded and with everything loaded.
     */
    @Test
    void aThousandCandleRangeReadScansOneOrTwoPartitions() throws Exception {
        boolean soak = Props.soak();
        // the shape of data/samples/candles: USDT pairs, 1m (soak) or 5m and 15m series
        List<String> symbols = soak ? List.of("BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "ADAUSDT", "DOGEUSDT", "LTCUSDT")
                : List.of("BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT");
        Map<Timeframe, Integer> perSeries = soak ? Map.of(Timeframe.M1, 1_200_000, Timeframe.M5, 50_000)
                : Map.of(Timeframe.M5, 45_000, Timeframe.M15, 5_000);
        Instant start = Instant.parse("2022-01-01T00:00:00Z");
        Instant end = start.plus(Duration.ofMinutes(soak ? 1_200_000 : 5L * 45_000));
        QueryPlanTest.Capture capture = new QueryPlanTest.Capture(Set.of(CandlestickDao.class));
        try (Tradestore store = Tradestore.open(config(Engine.POSTGRES), capture);
             Connection c = pg.connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("SET search_path = " + io.tradestore.internal.PostgresEngine.SEARCH_PATH); // as the store's connections
            }
            YearMonth last = YearMonth.from(end.atZone(ZoneOffset.UTC));
            List<String> months = ensure(store, YearMonth.of(2022, 1), last);
            Timeframe probe = soak ? Timeframe.M1 : Timeframe.M5;
            Instant from = Instant.parse("2022-03-01T00:00:00Z").minus(probe.duration().multipliedBy(500));
            Instant to = from.plus(probe.duration().multipliedBy(1_000));

            long loaded = load(c, List.of(symbols.get(0)), Map.of(probe, (int) (Duration.ofDays(62).toMinutes() / probe.duration().toMinutes())), start);
            double smallMillis = latency(store, symbols.get(0), probe, from, to);
            long t0 = System.nanoTime();
            long rest = 0;
            for (String s : symbols) {
                Map<Timeframe, Integer> counts = new LinkedHashMap<>(perSeries);
                if (s.equals(symbols.get(0))) {
                    // the probe series continues where the first load stopped
                    rest += load(c, List.of(s), Map.of(probe, counts.remove(probe) - (int) loaded), start.plus(probe.duration().multipliedBy(loaded)));
                }
                rest += load(c, List.of(s), counts, start);
            }
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            long total = loaded + rest;
            try (Statement st = c.createStatement()) {
                st.execute("INSERT INTO market.candlestick_metadata SELECT symbol, timeframe, MIN(open_time), MAX(open_time),"
                        + " COUNT(*), 0 FROM market.candlesticks GROUP BY 1, 2");
                st.execute("ANALYZE market.candlesticks");
            }
            long bytes = Long.parseLong(rows(c, "SELECT SUM(pg_total_relation_size(relid)) FROM pg_partition_tree('market.candlesticks')").get(0).get(0));
            double largeMillis = latency(store, symbols.get(0), probe, from, to);

            capture.recording = true;
            String probeSymbol = symbols.get(0);
            List<Candle> read = store.read(uow -> uow.candlesticks().range(probeSymbol, probe, from, to, PageRequest.first(1_000)).items());
            capture.recording = false;
            assertThat(read).hasSize(1_000);
            QueryPlanTest.Executed range = capture.executed.stream().filter(e -> e.method().startsWith("CandlestickDao.range"))
                    .findFirst().orElseThrow();

            List<String> custom = scanned(c, "EXPLAIN (FORMAT JSON) " + range.sql(), range.binds());
            List<String> generic = genericPlanScans(c, range);
            log.info("partitions: {} candles in {} months + default; load {} candles in {} s ({} candles/s) by COPY;"
                            + " {} bytes per million candles (table + primary key); 1,000-candle range read: {} ms with {}"
                            + " candles, {} ms with {}; custom plan scans {}, generic plan executes {}",
                    total, months.size(), rest, String.format("%.1f", loadSeconds), Math.round(rest / loadSeconds),
                    bytes * 1_000_000 / total, String.format("%.2f", smallMillis), loaded, String.format("%.2f", largeMillis),
                    total, custom, generic);
            assertThat(total).isEqualTo(symbols.size() * perSeries.values().stream().mapToLong(Integer::longValue).sum());
            assertThat(months).hasSizeGreaterThanOrEqualTo(6);
            assertThat(custom).as("partitions the custom plan scans").hasSizeBetween(1, 2)
                    .containsExactlyInAnyOrder("candlesticks_y2022m02", "candlesticks_y2022m03");
            assertThat(generic).as("partitions the generic plan executes").hasSizeBetween(1, 2)
                    .containsExactlyInAnyOrder("candlesticks_y2022m02", "candlesticks_y2022m03");
        }
    }

    /** Median wall time of the DAO's range read, after warming the connection pool and the plan cache. */
    private static double latency(Tradestore store, String symbol, Timeframe tf, Instant from, Instant to) {
        double[] ms = new double[21];
        for (int i = -10; i < ms.length; i++) {
            long t = System.nanoTime();
            int n = store.read(uow -> uow.candlesticks().range(symbol, tf, from, to, PageRequest.first(1_000)).items().size());
            assertThat(n).isEqualTo(1_000);
            if (i >= 0) {
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        Arrays.sort(ms);
        return ms[ms.length / 2];
    }

    /** COPY, 100,000 rows per statement; prices a deterministic walk with eight decimals. Returns the count. */
    private static long load(Connection c, List<String> symbols, Map<Timeframe, Integer> perSeries, Instant start) throws Exception {
        long n = 0;
        for (String s : symbols) {
            for (Map.Entry<Timeframe, Integer> e : perSeries.entrySet()) {
                long step = e.getKey().duration().toNanos() / 1_000;
                long t0 = start.getEpochSecond() * 1_000_000;
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < e.getValue(); i++) {
                    long base = 1_000 + (i * 7_919L + s.hashCode() & 0xfff);
                    sb.append(s).append('\t').append(e.getKey().code()).append('\t').append(t0 + i * step).append('\t')
                            .append(base).append(".12345678\t").append(base + 2).append(".5\t").append(base - 1)
                            .append(".25\t").append(base + 1).append(".00000001\t").append(i % 977).append(".123\n");
                    if (sb.length() > 8_000_000 || i == e.getValue() - 1) {
                        c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY market.candlesticks"
                                + " (symbol, timeframe, open_time, open, high, low, close, volume) FROM STDIN", new StringReader(sb.toString()));
                        sb.setLength(0);
                    }
                    n++;
                }
            }
        }
        return n;
    }

    /** The relations an EXPLAIN (FORMAT JSON) names, read out of the plan by PostgreSQL's JSON path. */
    private static List<String> scanned(Connection c, String explain, Map<Integer, Object> binds) throws SQLException {
        String plan;
        try (PreparedStatement ps = c.prepareStatement(explain)) {
            for (Map.Entry<Integer, Object> b : binds.entrySet()) {
                ps.setObject(b.getKey(), b.getValue());
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                plan = rs.getString(1);
            }
        }
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT jsonb_path_query(CAST(? AS jsonb), 'strict $.**.\"Relation Name\"') #>> '{}'")) {
            ps.setString(1, plan);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /**
     * The same statement PREPAREd and EXPLAIN ANALYZEd under a generic plan, as PgJDBC's server-side statements run
     * after five executions: partitions pruned at executor start are absent from the plan, so what it names ran.
     */
    private static List<String> genericPlanScans(Connection c, QueryPlanTest.Executed e) throws SQLException {
        StringBuilder sql = new StringBuilder();
        int p = 0;
        for (char ch : e.sql().toCharArray()) {
            sql.append(ch == '?' ? "$" + ++p : String.valueOf(ch));
        }
        String args = e.binds().values().stream()
                .map(v -> v instanceof Number ? v.toString() : "'" + v.toString().replace("'", "''") + "'")
                .collect(Collectors.joining(", "));
        try (Statement st = c.createStatement()) {
            st.execute("SET plan_cache_mode = force_generic_plan");
            st.execute("PREPARE probe AS " + sql);
        }
        return scanned(c, "EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE probe(" + args + ")", Map.of());
    }

    private static List<Candle> series(String symbol, Timeframe tf, Instant from, Instant to) {
        List<Candle> out = new ArrayList<>();
        int i = 0;
        for (Instant t = from; t.isBefore(to); t = t.plus(tf.duration()), i++) {
            BigDecimal o = new BigDecimal(100 + i % 50).add(new BigDecimal("0.000000000000000001"));
            out.add(new Candle(symbol, tf, t, o, o.add(BigDecimal.TEN), o.subtract(BigDecimal.ONE), o.add(BigDecimal.ONE),
                    new BigDecimal(i)));
        }
        return out;
    }

    private static List<CandlePartition> parts(Tradestore store) {
        return store.inTransaction(uow -> uow.candlePartitions().list());
    }

    private static List<String> ensure(Tradestore store, YearMonth first, YearMonth last) {
        return store.inTransaction(uow -> uow.candlePartitions().ensureMonths(first, last));
    }

    private static List<Candle> stored(Tradestore store) {
        return store.read(uow -> {
            List<Candle> out = new ArrayList<>();
            for (SeriesInfo s : uow.candlesticks().series()) {
                out.addAll(Pages.all(page -> uow.candlesticks().range(s.symbol(), s.timeframe(), Instant.EPOCH,
                        Instant.parse("9999-01-01T00:00:00Z"), page)));
            }
            return out;
        });
    }

    private static List<Object> expectedSeries(List<Candle> candles) {
        Map<String, List<Candle>> bySeries = new LinkedHashMap<>();
        for (Candle c : candles) {
            bySeries.computeIfAbsent(c.symbol() + " " + c.timeframe(), k -> new ArrayList<>()).add(c);
        }
        return bySeries.values().stream().<Object>map(l -> List.of(l.get(0).symbol(), l.get(0).timeframe(),
                l.get(0).openTime(), l.get(l.size() - 1).openTime(), (long) l.size())).toList();
    }

    private static Object withoutUpdatedAt(SeriesInfo s) {
        return List.of(s.symbol(), s.timeframe(), s.firstOpenTime(), s.lastOpenTime(), s.candleCount());
    }
}
