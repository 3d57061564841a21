package io.tradestore;

import io.tradestore.market.Candle;
import io.tradestore.market.SeriesInfo;
import io.tradestore.market.Timeframe;
import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.Props;
import io.tradestore.trading.FillResult;
import io.tradestore.trading.NewFill;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.Order;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.OrderStatus;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL only: how often write units fail with a serialization failure (40001) or deadlock (40P01)
 * when they touch <em>different</em> rows, i.e. how many aborts are spurious (issue 10). 16 threads each place
 * distinct orders and fill each in three units (plus one redelivered fill), while 2 threads upsert candle batches
 * of their own symbol; retries are off, so every abort reaches the test, which counts it per unit type and runs
 * the unit again itself. Every unit's outcome is checked afterwards (each fill recorded once, orders FILLED with the
 * exact average price, series metadata equal to the stored candles), so a change cannot buy a lower rate with a
 * wrong answer. The table, and the predicate locks PostgreSQL held at their peak, are logged; the measured numbers
 * are in docs/postgresql.md ("Serialization failures under load"). SQLite has a single writer and never aborts a unit this way.
 */
class SerializationFailureRateTest {
    private static final Logger log = LoggerFactory.getLogger(SerializationFailureRateTest.class);
    private static final int ORDER_THREADS = 16;
    private static final int CANDLE_THREADS = 2;
    private static final boolean SOAK = Props.soak();
    private static final int ORDERS_PER_THREAD = SOAK ? 60 : 8;
    private static final int CANDLES_PER_BATCH = SOAK ? 5_000 : 1_000;
    private static final int MIN_BATCHES = SOAK ? 20 : 6;
    /** Each batch starts this many candles before the previous one ends: replaced keys must not be counted again. */
    private static final int OVERLAP = 100;
    /** The target, asserted for the unit types that meet it (docs/postgresql.md ("Serialization failures under load")). */
    private static final double MAX_ABORT_RATE = 0.01;

    enum Unit { PLACE, FILL, REDELIVER, CANDLES }

    private final Map<Unit, AtomicLong> attempts = counters();
    private final Map<Unit, AtomicLong> aborts = counters();
    private final Map<String, AtomicLong> abortReasons = new ConcurrentHashMap<>();

    /**
     * The default: write units at READ COMMITTED, DAOs locking the rows they decide on (decision 0017). Every unit type
     * stays below the 1 %.
     */
    @Test
    void unitsOnDistinctRowsRarelyAbort() throws Exception {
        run(UnaryOperator.identity());
        for (Unit u : Unit.values()) {
            assertThat(rate(u)).as("%s aborted: %s (%s)", u, aborts, abortReasons).isLessThan(MAX_ABORT_RATE);
        }
    }

    /**
     * For comparison, under soak only: the same workload with {@code withSerializableWrites(true)}, where placements
     * and fills abort at 30-36 % and 85-90 % (docs/postgresql.md): every unit reads and writes the few index leaf
     * pages that all orders in flight share, and PostgreSQL's predicate locks on indexes are page-granular. Candle
     * batches and redeliveries stay below 1 % there too (counting a batch's stored keys with a query first made 45 %
     * of candle batches abort).
     */
    @Test
    void underSerializableWritesOnlyCandlesAndRedeliveriesStayBelowOnePercent() throws Exception {
        Assumptions.assumeTrue(SOAK, "the serializable comparison runs with -Dtradestore.soak=true");
        run(c -> c.withSerializableWrites(true));
        assertThat(rate(Unit.CANDLES)).as("candle batches aborted: %s", aborts).isLessThan(MAX_ABORT_RATE);
        assertThat(rate(Unit.REDELIVER)).as("redeliveries aborted: %s", aborts).isLessThan(MAX_ABORT_RATE);
    }

    private void run(UnaryOperator<TradestoreConfig> isolation) throws Exception {
        try (PostgresDatabases pg = PostgresDatabases.migrated();
             Tradestore store = Tradestore.open(isolation.apply(pg.config())
                     .withRetryAttempts(0)
                     .withPoolSize(ORDER_THREADS + CANDLE_THREADS + 2)
                     .withBusyTimeout(Duration.ofSeconds(30)))) {
            ExecutorService threads = Executors.newFixedThreadPool(ORDER_THREADS + CANDLE_THREADS + 1);
            CyclicBarrier start = new CyclicBarrier(ORDER_THREADS + CANDLE_THREADS);
            AtomicBoolean ordersDone = new AtomicBoolean();
            PredicateLockSampler sampler = new PredicateLockSampler(pg);
            long began = System.nanoTime();
            try {
                Future<?> sampling = threads.submit(sampler);
                List<Future<List<Order>>> orderThreads = new ArrayList<>();
                for (int t = 0; t < ORDER_THREADS; t++) {
                    int thread = t;
                    orderThreads.add(threads.submit(() -> {
                        start.await();
                        return placeAndFill(store, thread);
                    }));
                }
                List<Future<Integer>> candleThreads = new ArrayList<>();
                for (int t = 0; t < CANDLE_THREADS; t++) {
                    String symbol = "INGEST" + t;
                    candleThreads.add(threads.submit(() -> {
                        start.await();
                        return ingest(store, symbol, ordersDone);
                    }));
                }
                List<Order> placed = new ArrayList<>();
                for (Future<List<Order>> f : orderThreads) {
                    placed.addAll(f.get(10, TimeUnit.MINUTES));
                }
                ordersDone.set(true);
                List<Integer> batches = new ArrayList<>();
                for (Future<Integer> f : candleThreads) {
                    batches.add(f.get(10, TimeUnit.MINUTES));
                }
                sampler.stop();
                sampling.get(1, TimeUnit.MINUTES);
                double seconds = (System.nanoTime() - began) / 1e9;

                report(seconds, sampler);
                explain(pg);
                assertOrdersExact(store, placed);
                for (int t = 0; t < CANDLE_THREADS; t++) {
                    assertSeriesExact(store, "INGEST" + t, batches.get(t));
                }
            } finally {
                sampler.stop();
                threads.shutdownNow();
            }
        }
    }

    /** Place orders one after another and fill each in three units, then redeliver its second fill. */
    private List<Order> placeAndFill(Tradestore store, int thread) {
        List<Order> placed = new ArrayList<>();
        for (int n = 0; n < ORDERS_PER_THREAD; n++) {
            int i = n;
            NewOrder o = NewOrder.limit("t" + thread + "-o" + i, "SYM" + thread, OrderSide.BUY, new BigDecimal("3"),
                    new BigDecimal("105"));
            Order order = unit(store, Unit.PLACE, uow -> uow.orders().place(o));
            assertThat(order.status()).isEqualTo(OrderStatus.NEW);
            for (int f = 0; f < 3; f++) {
                NewFill fill = fill(thread, i, f);
                FillResult r = unit(store, Unit.FILL, uow -> uow.orders().fill(order.id(), fill));
                // An aborted attempt wrote nothing, so the attempt that committed recorded the fill itself.
                assertThat(r.duplicate()).as("first delivery of %s", fill.tradeId()).isFalse();
            }
            FillResult again = unit(store, Unit.REDELIVER, uow -> uow.orders().fill(order.id(), fill(thread, i, 1)));
            assertThat(again.duplicate()).isTrue();
            assertThat(again.fill().quantity()).isEqualByComparingTo("1");
            placed.add(order);
        }
        return placed;
    }

    private static NewFill fill(int thread, int order, int n) {
        return NewFill.of("t" + thread + "-o" + order + "-f" + n, BigDecimal.ONE, new BigDecimal(100 + n),
                T0.plusSeconds(order * 10L + n));
    }

    /** Batches of consecutive 1m candles, each overlapping the previous one's tail; returns how many were written. */
    private int ingest(Tradestore store, String symbol, AtomicBoolean ordersDone) {
        int batch = 0;
        while (batch < MIN_BATCHES || !ordersDone.get()) {
            List<Candle> candles = batch(symbol, batch);
            int written = unit(store, Unit.CANDLES, uow -> uow.candlesticks().upsert(candles));
            assertThat(written).isEqualTo(CANDLES_PER_BATCH);
            batch++;
        }
        return batch;
    }

    private static List<Candle> batch(String symbol, int batch) {
        long first = (long) batch * (CANDLES_PER_BATCH - OVERLAP);
        List<Candle> candles = new ArrayList<>(CANDLES_PER_BATCH);
        for (int i = 0; i < CANDLES_PER_BATCH; i++) {
            long minute = first + i;
            // The price encodes the batch, so a replaced candle shows which batch wrote it last.
            BigDecimal price = BigDecimal.valueOf(1000 + batch);
            candles.add(new Candle(symbol, Timeframe.M1, T0.plus(Duration.ofMinutes(minute)), price,
                    price.add(BigDecimal.ONE), price, price, BigDecimal.valueOf(minute)));
        }
        return candles;
    }

    /** Runs {@code work} as one write unit until it commits, counting each attempt and each busy abort. */
    private <T> T unit(Tradestore store, Unit type, Function<UnitOfWork, T> work) {
        while (true) {
            attempts.get(type).incrementAndGet();
            try {
                return store.inTransaction(work);
            } catch (BusyException e) {
                assertThat(e.sqlState()).as("busy for another reason than an abort: %s", e.getMessage())
                        .isIn("40001", "40P01");
                aborts.get(type).incrementAndGet();
                abortReasons.computeIfAbsent(type + ": " + reason(e), k -> new AtomicLong()).incrementAndGet();
            }
        }
    }

    /** PostgreSQL's reason code ("Canceled on identification as a pivot, during write."), or the SQLState. */
    private static String reason(BusyException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getMessage() != null) {
                String m = sql.getMessage();
                int at = m.indexOf("Reason code: ");
                if (at >= 0) {
                    String rest = m.substring(at + "Reason code: ".length());
                    int end = rest.indexOf('\n');
                    return (end < 0 ? rest : rest.substring(0, end)).trim();
                }
                if (m.contains("deadlock")) {
                    return "deadlock";
                }
            }
        }
        return e.sqlState();
    }

    private void assertOrdersExact(Tradestore store, List<Order> placed) {
        assertThat(placed).hasSize(ORDER_THREADS * ORDERS_PER_THREAD);
        store.read(uow -> {
            for (Order p : placed) {
                Order o = uow.orders().find(p.id()).orElseThrow();
                assertThat(o.status()).as(o.clientOrderId()).isEqualTo(OrderStatus.FILLED);
                assertThat(o.filledQuantity()).as(o.clientOrderId()).isEqualByComparingTo("3");
                assertThat(o.averageFillPrice()).as(o.clientOrderId()).isEqualByComparingTo("101");
                assertThat(o.version()).as("one version per fill, none per redelivery").isEqualTo(3);
                assertThat(uow.orders().fills(o.id())).extracting(f -> f.tradeId())
                        .as("each fill of %s recorded exactly once", o.clientOrderId())
                        .containsExactly(o.clientOrderId() + "-f0", o.clientOrderId() + "-f1",
                                o.clientOrderId() + "-f2");
            }
            return null;
        });
    }

    private static void assertSeriesExact(Tradestore store, String symbol, int batches) {
        long candles = (long) batches * (CANDLES_PER_BATCH - OVERLAP) + OVERLAP;
        store.read(uow -> {
            SeriesInfo info = uow.candlesticks().series(symbol, Timeframe.M1).orElseThrow();
            assertThat(info.candleCount()).as("%s candle_count", symbol).isEqualTo(candles);
            assertThat(info.firstOpenTime()).isEqualTo(T0);
            assertThat(info.lastOpenTime()).isEqualTo(T0.plus(Duration.ofMinutes(candles - 1)));
            // The stored rows themselves, counted past the DAO: the metadata must describe them.
            int stored = uow.jooq().fetchCount(io.tradestore.internal.db.Tables.CANDLESTICKS,
                    io.tradestore.internal.db.Tables.CANDLESTICKS.SYMBOL.eq(symbol));
            assertThat(stored).isEqualTo(candles);
            List<Candle> last = uow.candlesticks().latest(symbol, Timeframe.M1, 1);
            assertThat(last.get(0).open()).isEqualByComparingTo(BigDecimal.valueOf(1000 + batches - 1));
            return null;
        });
    }

    private void report(double seconds, PredicateLockSampler sampler) {
        StringBuilder table = new StringBuilder(String.format("%n%-10s %8s %8s %8s%n", "unit", "attempts", "aborts",
                "rate"));
        long a = 0;
        long b = 0;
        for (Unit u : Unit.values()) {
            long n = attempts.get(u).get();
            long x = aborts.get(u).get();
            a += n;
            b += x;
            table.append(String.format("%-10s %8d %8d %7.2f%%%n", u, n, x, n == 0 ? 0 : 100.0 * x / n));
        }
        table.append(String.format("%-10s %8d %8d %7.2f%%%n", "all", a, b, a == 0 ? 0 : 100.0 * b / a));
        log.info("serialization failures, {} order threads x {} orders + {} candle threads x {}-candle batches, {}s:{}"
                        + "reasons: {}{}peak SIRead locks by relation and granularity: {}",
                ORDER_THREADS, ORDERS_PER_THREAD, CANDLE_THREADS, CANDLES_PER_BATCH, String.format("%.1f", seconds),
                table, new TreeMap<>(abortReasons), System.lineSeparator(), sampler.peaks());
    }

    /** The plans PostgreSQL chose for the order and fill reads, with the statistics it had at the end. */
    private static void explain(PostgresDatabases pg) throws SQLException {
        StringBuilder plans = new StringBuilder();
        try (Connection c = pg.connect(); Statement st = c.createStatement()) {
            for (String q : List.of("SELECT * FROM trading.orders WHERE id = 5",
                    "SELECT * FROM trading.order_fills WHERE order_id = 5",
                    "SELECT * FROM trading.orders WHERE client_order_id = 't1-o1'")) {
                try (ResultSet rs = st.executeQuery("EXPLAIN " + q)) {
                    plans.append(System.lineSeparator()).append(q).append(':');
                    while (rs.next()) {
                        plans.append(System.lineSeparator()).append("  ").append(rs.getString(1));
                    }
                }
            }
        }
        log.info("plans at the end:{}", plans);
    }

    private double rate(Unit u) {
        long n = attempts.get(u).get();
        return n == 0 ? 0 : (double) aborts.get(u).get() / n;
    }

    private static Map<Unit, AtomicLong> counters() {
        Map<Unit, AtomicLong> m = new EnumMap<>(Unit.class);
        for (Unit u : Unit.values()) {
            m.put(u, new AtomicLong());
        }
        return m;
    }

    /**
     * PostgreSQL's own evidence: every few milliseconds, the SIRead (predicate) locks held in the test database by
     * relation and granularity (tuple, page, relation); logs the peak of each.
     */
    private static final class PredicateLockSampler implements Runnable {
        private final PostgresDatabases pg;
        private final Map<String, Long> peaks = new ConcurrentHashMap<>();
        private volatile boolean stopped;

        PredicateLockSampler(PostgresDatabases pg) {
            this.pg = pg;
        }

        void stop() {
            stopped = true;
        }

        Map<String, Long> peaks() {
            return new TreeMap<>(peaks);
        }

        @Override
        public void run() {
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                while (!stopped) {
                    try (ResultSet rs = st.executeQuery("SELECT coalesce(r.relname, l.relation::text), l.locktype,"
                            + " count(*) FROM pg_locks l LEFT JOIN pg_class r ON r.oid = l.relation"
                            + " WHERE l.mode = 'SIReadLock' AND l.database = (SELECT oid FROM pg_database"
                            + " WHERE datname = current_database()) GROUP BY 1, 2")) {
                        while (rs.next()) {
                            peaks.merge(rs.getString(1) + "/" + rs.getString(2), rs.getLong(3), Math::max);
                        }
                    }
                    Thread.sleep(20);
                }
            } catch (SQLException e) {
                log.warn("sampling pg_locks failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
