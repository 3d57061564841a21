package io.tradestore;

import io.tradestore.analytics.Direction;
import io.tradestore.analytics.NewPrediction;
import io.tradestore.analytics.PredictedAction;
import io.tradestore.analytics.Prediction;
import io.tradestore.market.Candle;
import io.tradestore.market.SeriesInfo;
import io.tradestore.market.Timeframe;
import io.tradestore.testing.Stores;
import io.tradestore.trading.Fill;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.Order;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.OrderStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many threads, one database: writers place and fill orders, upsert candles and record predictions while readers
 * check invariants inside their snapshots. Asserts correctness only; throughput is logged.
 */
class ConcurrencyStressTest {
    private static final Logger log = LoggerFactory.getLogger(ConcurrencyStressTest.class);
    private static final int THREADS = 16;
    private static final Instant FAR = Instant.parse("9999-01-01T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void sixteenThreadsRunningOverAThousandMixedUnitsLoseNothingAndNeverSeeHalfAUnit() throws Exception {
        run(1_200);
    }

    @Test
    @EnabledIfSystemProperty(named = "tradestore.soak", matches = "true")
    void soakTenThousandUnits() throws Exception {
        run(10_000);
    }

    private void run(int units) throws Exception {
        try (Tradestore store = Tradestore.open(Stores.config(dir).withPoolSize(4))) {
            AtomicInteger nextUnit = new AtomicInteger();
            Set<Integer> placed = ConcurrentHashMap.newKeySet();
            AtomicLong fillsApplied = new AtomicLong();
            AtomicInteger reads = new AtomicInteger();
            AtomicInteger overfills = new AtomicInteger();
            Map<Integer, Boolean> candleMinutes = new ConcurrentHashMap<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch start = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            long began;
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                workers.add(pool.submit(() -> {
                    await(start);
                    for (int u; (u = nextUnit.getAndIncrement()) < units; ) {
                        try {
                            int kind = ThreadLocalRandom.current().nextInt(10);
                            if (kind < 3) {
                                placeWithPrediction(store, u);
                                placed.add(u);
                            } else if (kind < 6) {
                                if (fillSomeOpenOrder(store)) {
                                    fillsApplied.incrementAndGet();
                                } else {
                                    overfills.incrementAndGet();
                                }
                            } else if (kind < 8) {
                                int minute = ThreadLocalRandom.current().nextInt(200);
                                upsertCandles(store, minute);
                                for (int m = minute; m < minute + 5; m++) {
                                    candleMinutes.put(m, true);
                                }
                            } else {
                                checkInvariants(store, 50);
                                reads.incrementAndGet();
                            }
                        } catch (Throwable e) {
                            failures.add(e);
                        }
                    }
                }));
            }
            began = System.nanoTime();
            start.countDown();
            for (Future<?> w : workers) {
                w.get(5, TimeUnit.MINUTES);
            }
            double seconds = (System.nanoTime() - began) / 1e9;
            pool.shutdownNow();
            log.info("{} units from {} threads in {} s: {} units/s ({} placements, {} fills, {} reads)",
                    units, THREADS, String.format("%.2f", seconds), String.format("%.0f", units / seconds),
                    placed.size(), fillsApplied.get(), reads.get());

            assertThat(failures).as("no unit may fail, in particular with SQLITE_BUSY").isEmpty();
            checkInvariants(store, Integer.MAX_VALUE);
            List<Order> orders = allOrders(store);
            assertThat(orders).hasSize(placed.size());
            long fillRows = store.read(uow -> orders.stream().mapToLong(o -> uow.orders().fills(o.id()).size()).sum());
            assertThat(fillRows).as("every acknowledged fill is stored, none twice").isEqualTo(fillsApplied.get());
            Optional<SeriesInfo> series = store.read(uow -> uow.candlesticks().series("BTCUSDT", Timeframe.M1));
            assertThat(series.orElseThrow().candleCount()).isEqualTo(candleMinutes.size());
        }
    }

    /** One unit: an order and the prediction behind it. A reader must see both or neither. */
    private static void placeWithPrediction(Tradestore store, int unit) {
        store.useTransaction(uow -> {
            uow.orders().place(NewOrder.market("u-" + unit, "BTCUSDT", OrderSide.BUY, new BigDecimal("1")));
            uow.predictions().record(new NewPrediction("BTCUSDT", T0.plusSeconds(unit), PredictedAction.BUY,
                    new BigDecimal("0.5"), Direction.UP, new BigDecimal("0.01"), null, "stress", new BigDecimal("100"), null));
        });
    }

    /** Read-modify-write on a contended row: fills must add up exactly, never beyond the order's quantity. */
    private static boolean fillSomeOpenOrder(Tradestore store) {
        return store.inTransaction(uow -> {
            List<Order> open = uow.orders().listOpen();
            if (open.isEmpty()) {
                return false;
            }
            Order o = open.get(ThreadLocalRandom.current().nextInt(open.size()));
            BigDecimal qty = new BigDecimal("0.3");
            if (qty.compareTo(o.remainingQuantity()) > 0) {
                try {
                    uow.orders().fill(o.id(), qty, new BigDecimal("100.5"), BigDecimal.ZERO, uow.now());
                    throw new AssertionError("an overfill was accepted: " + o);
                } catch (ValidationException expected) {
                    return false;
                }
            }
            uow.orders().fill(o.id(), qty, new BigDecimal("100.5"), BigDecimal.ZERO, uow.now());
            return true;
        });
    }

    private static void upsertCandles(Tradestore store, int minute) {
        List<Candle> batch = new ArrayList<>();
        for (int m = minute; m < minute + 5; m++) {
            BigDecimal p = BigDecimal.valueOf(100 + m);
            batch.add(new Candle("BTCUSDT", Timeframe.M1, T0.plusSeconds(60L * m), p, p, p, p, BigDecimal.ONE));
        }
        store.useTransaction(uow -> uow.candlesticks().upsert(batch));
    }

    /**
     * Inside one read snapshot: order/prediction pairs are whole, and the fills of (a random sample of at most
     * {@code fillChecks}) orders add up. Sampling keeps a reader's cost flat as the tables grow.
     */
    private static void checkInvariants(Tradestore store, int fillChecks) {
        store.read(uow -> {
            List<Order> orders = new ArrayList<>();
            for (OrderStatus s : OrderStatus.values()) {
                orders.addAll(uow.orders().byStatus(s));
            }
            Set<String> orderUnits = orders.stream().map(o -> o.clientOrderId().substring(2)).collect(Collectors.toSet());
            List<Prediction> predictions = uow.predictions().bySymbol("BTCUSDT", T0, FAR);
            Set<String> predictionUnits = predictions.stream()
                    .map(p -> Long.toString(p.predictionTimestamp().getEpochSecond() - T0.getEpochSecond()))
                    .collect(Collectors.toSet());
            assertThat(orderUnits).as("orders and their predictions are committed together").isEqualTo(predictionUnits);
            java.util.Collections.shuffle(orders);
            for (Order o : orders.subList(0, Math.min(fillChecks, orders.size()))) {
                List<Fill> fills = uow.orders().fills(o.id());
                BigDecimal sum = fills.stream().map(Fill::quantity).reduce(BigDecimal.ZERO, BigDecimal::add);
                assertThat(sum).as("fills of %s", o.clientOrderId()).isEqualByComparingTo(o.filledQuantity());
                assertThat(o.filledQuantity()).isLessThanOrEqualTo(o.quantity());
            }
            return null;
        });
    }

    private static List<Order> allOrders(Tradestore store) {
        return store.read(uow -> {
            List<Order> all = new ArrayList<>();
            for (OrderStatus s : OrderStatus.values()) {
                all.addAll(uow.orders().byStatus(s));
            }
            return all;
        });
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
