package io.tradestore.bench;

import io.tradestore.Page;
import io.tradestore.PageRequest;
import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.analytics.CachedPattern;
import io.tradestore.analytics.NewExecutionEvent;
import io.tradestore.internal.EpochMicros;
import io.tradestore.market.Candle;
import io.tradestore.market.Timeframe;
import io.tradestore.trading.FillResult;
import io.tradestore.trading.NewFill;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.Order;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.Position;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 13, point 1: each hot path through the DAOs ({@code _dao}) and hand-written with sqlite-jdbc
 * ({@code _raw}, {@link RawHotPaths} on {@link RawSqlite}: the same PRAGMAs, transaction shape and result records),
 * in the same JMH run, so that the ratio of the two is the DAO's overhead on this machine at this moment. Run it,
 * and get the table of ratios against the targets, with {@link PerfSuite}:
 * {@code mvn -Pbench -DskipTests test-compile exec:exec@perf}.
 *
 * <p>Every trial copies a template database ({@link HotPathsTemplate}: a series of {@code series} one-minute
 * candles, 1,000,000 by default; positions, orders, cache entries, orders with 100 fills), checks that both sides
 * return the same records on it ({@link HotPathsCheck}), then opens only the side it measures. The two sides use
 * separate keys wherever they write (symbols, client order ids, orders to fill, minutes to append), so they could
 * even share a trial's file.
 *
 * <p>Cases (the letters of the issue): (a) 10,000 new candles of one series in one write unit, rows/s; (b) 1,000
 * consecutive candles of the series in a read unit ({@code range} with a 1,000-row page), µs; (c) a position and an
 * order by id in a read unit, µs; (d) place a market order and log its execution in one write unit, units/s, on 1
 * and on 8 threads (writers take turns: the store's fair writer lock, and the same on the raw side); (e) a pattern
 * cache entry by key in a read unit, hit and miss, µs; (f) a fill for an order that already has about 100 fills,
 * in a write unit, µs; (g) one new candle appended to the series in a write unit (a live feed), µs.
 *
 * <p>Case (f) drifts: each invocation adds a fill to the next of {@value HotPathsTemplate#FILL_ORDERS} orders in
 * turn, and before every iteration those orders are put back to their 100 template fills, so an order has 100 to
 * 100 + ⌈invocations per iteration / {@value HotPathsTemplate#FILL_ORDERS}⌉ fills (100 to 103 at 2 s iterations
 * and the speeds seen so far). Cases (a) and (g) grow their series for the whole trial (by their rate × 16 s: up to a
 * few million rows for (a), some 20,000 for (g)).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms2g", "-Xmx2g",
        "-Dorg.jooq.no-logo=true", "-Dorg.jooq.no-tips=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HotPathsBench {
    static final int BATCH = 10_000;
    static final int RANGE = 1_000;
    static final PageRequest RANGE_PAGE = PageRequest.first(RANGE);
    static final Duration RANGE_SPAN = Duration.ofMinutes(RANGE);
    static final BigDecimal ORDER_QUANTITY = new BigDecimal("0.05");
    static final BigDecimal FILL_QUANTITY = new BigDecimal("0.01");
    /** Case (g): the raw side appends this many minutes after the DAO side (in 2211), so their keys never meet. */
    static final long RAW_APPEND_OFFSET = 100_000_000L;
    private static final String SYMBOL = HotPathsTemplate.SYMBOL;
    private static final Timeframe M1 = HotPathsTemplate.TIMEFRAME;
    private static final BigDecimal[] FILL_PRICES = {new BigDecimal("23140.48"), new BigDecimal("23151.07"),
            new BigDecimal("23138.9"), new BigDecimal("23160.15"), new BigDecimal("23129.33")};

    /** Candles in the series the reads and (g) use; {@code -p series=50000} for a quick try. */
    @Param("1000000")
    public int series;

    private Path dir;
    private Path file;
    private String benchmark;
    private Tradestore store;
    private RawSqlite raw;
    private Ids ids;
    private long[] fillOrders;
    private FillReset fillReset;
    private BenchData.Values[] liveValues;
    private long appendFrom;
    private final AtomicLong sequence = new AtomicLong();

    /** The keys the template holds, read from the trial's copy. */
    static final class Ids {
        long[] positions;
        long[] lookupOrders;
        long[] daoFillOrders;
        long[] rawFillOrders;
        String[] patternKeys;
        String[] absentKeys;
    }

    @Setup(Level.Trial)
    public void open(BenchmarkParams params) throws IOException, SQLException {
        String name = params.getBenchmark();
        benchmark = name.substring(name.lastIndexOf('.') + 1);
        boolean dao = benchmark.endsWith("_dao");
        Path template = HotPathsTemplate.get(series);
        dir = Files.createTempDirectory("tradestore-hotpaths");
        file = dir.resolve("hotpaths.db");
        // A trial whose setup fails (its self-check) gets no teardown: its copy must not stay behind.
        try {
            Files.copy(template, file);
            ids = readIds(file);
            fillReset = FillReset.read(file);
            BenchData data = BenchData.load();
            try (Tradestore checkDao = Tradestore.open(TradestoreConfig.sqlite(file));
                 RawSqlite checkRaw = RawSqlite.open(file)) {
                HotPathsCheck.run(checkDao, checkRaw, ids, series, data);
            }
            fillReset.apply(file);
            fillOrders = dao ? ids.daoFillOrders : ids.rawFillOrders;
            liveValues = new BenchData.Values[data.realCount()];
            for (int i = 0; i < liveValues.length; i++) {
                liveValues[i] = data.values(i);
            }
            appendFrom = series + (dao ? 0 : RAW_APPEND_OFFSET);
            if (dao) {
                store = Tradestore.open(TradestoreConfig.sqlite(file));
            } else {
                raw = RawSqlite.open(file);
            }
        } catch (IOException | SQLException | RuntimeException e) {
            deleteDir();
            throw e;
        }
    }

    /** Case (f) only: its orders back to 100 fills each (see the class comment). */
    @Setup(Level.Iteration)
    public void resetFills() throws SQLException {
        if (benchmark.startsWith("f_")) {
            fillReset.apply(file);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException, SQLException {
        try {
            if (store != null) {
                store.close();
            }
            if (raw != null) {
                raw.close();
            }
        } finally {
            deleteDir();
        }
    }

    private void deleteDir() throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The store's clock as a unit of work reads it (system UTC, whole microseconds). */
    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    // ------------------------------------------------------------------------------------ (a) batch upsert

    /** Case (a)'s next 10,000 new candles, built before the invocation: the candles are the caller's, not the store's. */
    @State(Scope.Thread)
    public static class CandleBatch {
        private BenchData data;
        private String symbol;
        private long next;
        List<Candle> candles;

        @Setup(Level.Trial)
        public void load(BenchmarkParams params) {
            data = BenchData.load();
            symbol = params.getBenchmark().endsWith("_dao") ? "BENCHDAO" : "BENCHRAW";
            next = 0;
        }

        @Setup(Level.Invocation)
        public void nextBatch() {
            candles = HotPathsTemplate.candles(data, symbol, next, BATCH, 0);
            next += BATCH;
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public int a_candleBatchUpsert_dao(CandleBatch batch) {
        return store.inTransaction(uow -> uow.candlesticks().upsert(batch.candles));
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(BATCH)
    public int a_candleBatchUpsert_raw(CandleBatch batch) throws SQLException {
        return raw.write(c -> RawHotPaths.upsertCandles(c, batch.candles, now()));
    }

    // --------------------------------------------------------------------------------------- (b) range read

    private Instant rangeStart() {
        long start = Math.floorMod(sequence.getAndIncrement() * 7919, series - RANGE);
        return EpochMicros.fromMicros(BenchData.openTime(start));
    }

    @Benchmark
    public Page<Candle> b_range1kOf1M_dao() {
        Instant from = rangeStart();
        Instant to = from.plus(RANGE_SPAN);
        return store.read(uow -> uow.candlesticks().range(SYMBOL, M1, from, to, RANGE_PAGE));
    }

    @Benchmark
    public Page<Candle> b_range1kOf1M_raw() throws SQLException {
        Instant from = rangeStart();
        Instant to = from.plus(RANGE_SPAN);
        return raw.read(c -> RawHotPaths.range(c, SYMBOL, M1, from, to, RANGE_PAGE));
    }

    // ------------------------------------------------------------------------------------ (c) point lookups

    private long next(long[] keys) {
        return keys[(int) Math.floorMod(sequence.getAndIncrement(), (long) keys.length)];
    }

    @Benchmark
    public Optional<Position> c_positionById_dao() {
        long id = next(ids.positions);
        return store.read(uow -> uow.positions().find(id));
    }

    @Benchmark
    public Optional<Position> c_positionById_raw() throws SQLException {
        long id = next(ids.positions);
        return raw.read(c -> RawHotPaths.position(c, id));
    }

    @Benchmark
    public Optional<Order> c_orderById_dao() {
        long id = next(ids.lookupOrders);
        return store.read(uow -> uow.orders().find(id));
    }

    @Benchmark
    public Optional<Order> c_orderById_raw() throws SQLException {
        long id = next(ids.lookupOrders);
        return raw.read(c -> RawHotPaths.order(c, id));
    }

    // ------------------------------------------------------------------------- (d) place order + log execution

    private long placeDao(String prefix) {
        String clientId = prefix + sequence.getAndIncrement();
        return store.inTransaction(uow -> {
            long id = uow.orders().place(NewOrder.market(clientId, SYMBOL, OrderSide.BUY, ORDER_QUANTITY)).id();
            uow.executionLog().record(new NewExecutionEvent(id, clientId, "NEW", 850L, uow.now(), null));
            return id;
        });
    }

    private long placeRaw(String prefix) throws SQLException {
        String clientId = prefix + sequence.getAndIncrement();
        return raw.write(c -> {
            long id = RawHotPaths.place(c, NewOrder.market(clientId, SYMBOL, OrderSide.BUY, ORDER_QUANTITY), now()).id();
            RawHotPaths.record(c, new NewExecutionEvent(id, clientId, "NEW", 850L, now(), null));
            return id;
        });
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long d_placeOrderAndLog_dao() {
        return placeDao("d-");
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public long d_placeOrderAndLog_raw() throws SQLException {
        return placeRaw("r-");
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(8)
    public long d_placeOrderAndLog8Threads_dao() {
        return placeDao("d8-");
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(8)
    public long d_placeOrderAndLog8Threads_raw() throws SQLException {
        return placeRaw("r8-");
    }

    // ----------------------------------------------------------------------------------- (e) pattern cache

    @Benchmark
    public Optional<CachedPattern> e_patternHit_dao() {
        String key = next(ids.patternKeys);
        return store.read(uow -> uow.patternCache().get(key));
    }

    @Benchmark
    public Optional<CachedPattern> e_patternHit_raw() throws SQLException {
        String key = next(ids.patternKeys);
        return raw.read(c -> RawHotPaths.patternGet(c, key, now()));
    }

    @Benchmark
    public Optional<CachedPattern> e_patternMiss_dao() {
        String key = next(ids.absentKeys);
        return store.read(uow -> uow.patternCache().get(key));
    }

    @Benchmark
    public Optional<CachedPattern> e_patternMiss_raw() throws SQLException {
        String key = next(ids.absentKeys);
        return raw.read(c -> RawHotPaths.patternGet(c, key, now()));
    }

    private String next(String[] keys) {
        return keys[(int) Math.floorMod(sequence.getAndIncrement(), (long) keys.length)];
    }

    // ------------------------------------------------------------------------------------- (f) 101st fill

    @Benchmark
    public FillResult f_fillWith100Fills_dao() {
        long n = sequence.getAndIncrement();
        long orderId = fillOrders[(int) (n % fillOrders.length)];
        String tradeId = "x-" + n;
        BigDecimal price = FILL_PRICES[(int) (n % FILL_PRICES.length)];
        return store.inTransaction(uow -> uow.orders().fill(orderId, NewFill.of(tradeId, FILL_QUANTITY, price,
                uow.now())));
    }

    @Benchmark
    public FillResult f_fillWith100Fills_raw() throws SQLException {
        long n = sequence.getAndIncrement();
        long orderId = fillOrders[(int) (n % fillOrders.length)];
        String tradeId = "x-" + n;
        BigDecimal price = FILL_PRICES[(int) (n % FILL_PRICES.length)];
        return raw.write(c -> RawHotPaths.fill(c, orderId, NewFill.of(tradeId, FILL_QUANTITY, price, now()), now()));
    }

    // ------------------------------------------------------------------------------- (g) one live candle

    /** The next minute after the series (for this side), with real candle values. */
    private Candle liveCandle() {
        long minute = appendFrom + sequence.getAndIncrement();
        BenchData.Values v = liveValues[(int) (minute % liveValues.length)];
        return new Candle(SYMBOL, M1, EpochMicros.fromMicros(BenchData.openTime(minute)), v.open(), v.high(),
                v.low(), v.close(), v.volume());
    }

    @Benchmark
    public int g_singleCandleUpsert_dao() {
        List<Candle> one = List.of(liveCandle());
        return store.inTransaction(uow -> uow.candlesticks().upsert(one));
    }

    @Benchmark
    public int g_singleCandleUpsert_raw() throws SQLException {
        Candle one = liveCandle();
        return raw.write(c -> RawHotPaths.upsertCandle(c, one, now()));
    }

    // --------------------------------------------------------------------------------------------- setup

    private static Ids readIds(Path file) throws SQLException {
        Ids ids = new Ids();
        try (Connection c = Storage.openReader(file)) {
            ids.positions = longs(c, "SELECT id FROM positions ORDER BY id");
            ids.lookupOrders = longs(c, "SELECT id FROM orders WHERE client_order_id LIKE '"
                    + HotPathsTemplate.LOOKUP_ORDER_PREFIX + "%' ORDER BY id");
            ids.daoFillOrders = longs(c, "SELECT id FROM orders WHERE client_order_id LIKE '"
                    + HotPathsTemplate.DAO_FILL_ORDER_PREFIX + "%' ORDER BY id");
            ids.rawFillOrders = longs(c, "SELECT id FROM orders WHERE client_order_id LIKE '"
                    + HotPathsTemplate.RAW_FILL_ORDER_PREFIX + "%' ORDER BY id");
        }
        ids.patternKeys = new String[HotPathsTemplate.PATTERNS];
        ids.absentKeys = new String[HotPathsTemplate.PATTERNS];
        for (int i = 0; i < HotPathsTemplate.PATTERNS; i++) {
            ids.patternKeys[i] = HotPathsTemplate.PATTERN_KEY_PREFIX + i;
            ids.absentKeys[i] = "absent-" + i;
        }
        if (ids.positions.length != HotPathsTemplate.POSITIONS
                || ids.lookupOrders.length != HotPathsTemplate.LOOKUP_ORDERS
                || ids.daoFillOrders.length != HotPathsTemplate.FILL_ORDERS
                || ids.rawFillOrders.length != HotPathsTemplate.FILL_ORDERS) {
            throw new IllegalStateException("the template " + file + " does not hold what HotPathsTemplate writes");
        }
        return ids;
    }

    private static long[] longs(Connection c, String sql) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /** The case-(f) orders as the template has them, and the last template fill, to put them back. */
    private static final class FillReset {
        private final long lastTemplateFill;
        private final List<Object[]> orders;

        private FillReset(long lastTemplateFill, List<Object[]> orders) {
            this.lastTemplateFill = lastTemplateFill;
            this.orders = orders;
        }

        static FillReset read(Path file) throws SQLException {
            List<Object[]> orders = new ArrayList<>();
            long last;
            try (Connection c = Storage.openReader(file); var st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT max(id) FROM order_fills")) {
                    rs.next();
                    last = rs.getLong(1);
                }
                try (ResultSet rs = st.executeQuery("SELECT id, status, filled_quantity, average_fill_price,"
                        + " last_fill_at, updated_at, version FROM orders WHERE client_order_id LIKE 'f-%'")) {
                    while (rs.next()) {
                        orders.add(new Object[] {rs.getLong(1), rs.getString(2), rs.getBytes(3), rs.getBytes(4),
                                rs.getLong(5), rs.getLong(6), rs.getLong(7)});
                    }
                }
            }
            return new FillReset(last, orders);
        }

        void apply(Path file) throws SQLException {
            try (Connection c = Storage.openWriter(file); var st = c.createStatement();
                 PreparedStatement update = c.prepareStatement("UPDATE orders SET status = ?, filled_quantity = ?,"
                         + " average_fill_price = ?, last_fill_at = ?, updated_at = ?, version = ? WHERE id = ?")) {
                st.execute("BEGIN IMMEDIATE");
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM order_fills WHERE id > ?")) {
                    delete.setLong(1, lastTemplateFill);
                    delete.executeUpdate();
                }
                for (Object[] o : orders) {
                    update.setString(1, (String) o[1]);
                    update.setBytes(2, (byte[]) o[2]);
                    update.setBytes(3, (byte[]) o[3]);
                    update.setLong(4, (Long) o[4]);
                    update.setLong(5, (Long) o[5]);
                    update.setLong(6, (Long) o[6]);
                    update.setLong(7, (Long) o[0]);
                    update.addBatch();
                }
                update.executeBatch();
                st.execute("COMMIT");
            }
        }
    }
}
