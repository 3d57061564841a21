package io.tradestore.bench;

import io.tradestore.testing.Pages;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.analytics.NewExecutionEvent;
import io.tradestore.market.Candle;
import io.tradestore.market.Timeframe;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.Position;
import io.tradestore.trading.PositionSide;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The DAO hot paths through the public API only, so that the same compiled benchmark runs against the library of
 * any release (issue 8: release 4's decimals must not make them more than 10 % slower than release 3's). Run it
 * with one release's jar on the class path, then the other's, alternating (docs/benchmarks/decimal-storage.md).
 *
 * <p>The database, a 1,000,000-candle series plus positions, is built once per release and schema version and
 * copied for each trial, so that setup does not dominate.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Dorg.jooq.no-logo=true", "-Dorg.jooq.no-tips=true"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DaoHotPathBench {
    private static final int SERIES = 1_000_000;
    private static final int BATCH = 10_000;
    private static final Instant T0 = Instant.parse("2020-01-01T00:00:00Z");
    private static final BigDecimal[] PRICES = {new BigDecimal("23140.48"), new BigDecimal("23150.77"),
            new BigDecimal("23128.52"), new BigDecimal("23142.31"), new BigDecimal("2.131777")};

    private Path dir;
    private Tradestore store;
    private long[] positionIds;
    private final AtomicLong sequence = new AtomicLong();
    private long nextBatchStart;

    @Setup(Level.Trial)
    public void open() throws IOException {
        Path template = template();
        dir = Files.createTempDirectory("tradestore-dao-bench");
        Path file = dir.resolve("bench.db");
        Files.copy(template, file, StandardCopyOption.REPLACE_EXISTING);
        store = Tradestore.open(TradestoreConfig.sqlite(file));
        positionIds = store.read(uow -> uow.positions().listOpen().stream().mapToLong(Position::id).toArray());
        nextBatchStart = 0;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** (a) 10,000 new candles in one unit of work; the score is per candle. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int upsert10kCandlesInOneUnit() {
        List<Candle> batch = candles("BENCH", nextBatchStart, BATCH);
        nextBatchStart += BATCH;
        return store.inTransaction(uow -> uow.candlesticks().upsert(batch));
    }

    /** (b) 1,000 consecutive candles out of the 1,000,000-candle series, in a read unit. */
    @Benchmark
    public List<Candle> range1kOf1M() {
        long start = Math.floorMod(sequence.getAndIncrement() * 7919, SERIES - 1_000);
        Instant from = T0.plus(Duration.ofMinutes(start));
        return store.read(uow -> Pages.all(page ->
                uow.candlesticks().range("BTCUSDT", Timeframe.M1, from, from.plus(Duration.ofMinutes(1_000)), page)));
    }

    /** (c) One position by id, in a read unit. */
    @Benchmark
    public Position positionById() {
        long id = positionIds[(int) Math.floorMod(sequence.getAndIncrement(), (long) positionIds.length)];
        return store.read(uow -> uow.positions().find(id).orElseThrow());
    }

    /** (d) Place an order and log its execution, one write unit. */
    @Benchmark
    public long placeOrderAndLogExecution() {
        long n = sequence.getAndIncrement();
        return store.inTransaction(uow -> {
            String clientId = "bench-" + System.nanoTime() + "-" + n;
            long id = uow.orders().place(NewOrder.market(clientId, "BTCUSDT", OrderSide.BUY, new BigDecimal("0.05"))).id();
            uow.executionLog().record(new NewExecutionEvent(id, clientId, "NEW", 850L, uow.now(), null));
            return id;
        });
    }

    private static List<Candle> candles(String symbol, long startMinute, int n) {
        List<Candle> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            BigDecimal low = PRICES[2].add(BigDecimal.valueOf(i % 100, 2));
            out.add(new Candle(symbol, Timeframe.M1, T0.plus(Duration.ofMinutes(startMinute + i)),
                    low.add(new BigDecimal("10.01")), low.add(new BigDecimal("20.55")), low, low.add(new BigDecimal("12.7")),
                    PRICES[4].add(BigDecimal.valueOf(i, 6))));
        }
        return out;
    }

    /** The 1M-candle database of the library on the class path, built once and kept under target/. */
    private static synchronized Path template() throws IOException {
        Path cached = Path.of("target", "bench", "dao-template-" + Tradestore.class.getPackage().getImplementationVersion()
                + "-" + HotPathsTemplate.schemaVersionOfBuild() + ".db");
        if (Files.exists(cached)) {
            return cached;
        }
        Files.createDirectories(cached.getParent());
        Path tmp = cached.resolveSibling(cached.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (Tradestore s = Tradestore.open(TradestoreConfig.sqlite(tmp))) {
            for (long start = 0; start < SERIES; start += 50_000) {
                List<Candle> batch = candles("BTCUSDT", start, 50_000);
                s.useTransaction(uow -> uow.candlesticks().upsert(batch));
            }
            s.useTransaction(uow -> {
                for (int i = 0; i < 1_000; i++) {
                    uow.positions().open(NewPosition.of("BTCUSDT", PositionSide.LONG, new BigDecimal("0.05"),
                            PRICES[0].add(BigDecimal.valueOf(i, 2)), uow.now()));
                }
            });
        }
        Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING);
        return cached;
    }
}
