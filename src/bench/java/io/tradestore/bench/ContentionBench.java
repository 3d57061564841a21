package io.tradestore.bench;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.analytics.NewExecutionEvent;
import io.tradestore.market.Candle;
import io.tradestore.market.CandleIngest;
import io.tradestore.market.Timeframe;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.OrderSide;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 13, point 3: what one write lock for all three schemas costs an order placement on SQLite. JMH samples every
 * placement's latency (SampleTime: percentiles), once with the placing thread alone ({@code alone}) and once while a
 * second thread upserts 10,000-candle batches without pause ({@code contended}); the figure of merit is the ratio
 * of the two p99s, read off JMH's output. On PostgreSQL ({@code -p engine=postgres}, needs {@code TRADESTORE_PG_URL}
 * or {@code -Dtradestore.pg.url}, an admin URL on which a database is created and dropped) the same pair.
 *
 * <pre>
 * mvn -Pbench -DskipTests test-compile exec:exec@bench -Dbench.jmh="ContentionBench"
 * </pre>
 */
@State(Scope.Group)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ContentionBench {
    private static final Instant T0 = Instant.parse("2020-01-01T00:00:00Z");

    @Param({"sqlite", "postgres"})
    String engine;

    /** Candles per ingest unit: 10,000 as the issue asks; smaller slices let a waiting placement in sooner. */
    @Param({"10000"})
    int batch;

    /** unit: each batch one unit of work; sliced: each batch through CandleIngest, one unit per 500 candles. */
    @Param({"unit", "sliced"})
    String ingest;

    private Tradestore store;
    private Path dir;
    private String adminUrl;
    private String database;
    private final AtomicLong sequence = new AtomicLong();
    private long nextMinute;

    @Setup(Level.Trial)
    public void open() throws IOException, SQLException {
        if (engine.equals("sqlite")) {
            dir = Files.createTempDirectory("tradestore-contention");
            store = Tradestore.open(TradestoreConfig.sqlite(dir.resolve("bench.db")));
            return;
        }
        adminUrl = System.getProperty("tradestore.pg.url", System.getenv("TRADESTORE_PG_URL"));
        if (adminUrl == null) {
            throw new IllegalStateException("engine=postgres needs TRADESTORE_PG_URL or -Dtradestore.pg.url");
        }
        database = "tradestore_contention_" + System.nanoTime();
        try (Connection c = DriverManager.getConnection(adminUrl, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        store = Tradestore.open(TradestoreConfig.postgres(adminUrl.replaceFirst("/[^/?]*(\\?|$)", "/" + database + "$1"),
                "postgres", ""));
    }

    @TearDown(Level.Trial)
    public void close() throws IOException, SQLException {
        store.close();
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        if (database != null) {
            try (Connection c = DriverManager.getConnection(adminUrl, "postgres", "");
                 Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
        }
    }

    @Benchmark
    @Group("alone")
    @GroupThreads(1)
    public long placeAlone() {
        return place();
    }

    @Benchmark
    @Group("contended")
    @GroupThreads(1)
    public long placeWhileIngesting() {
        return place();
    }

    @Benchmark
    @Group("contended")
    @GroupThreads(1)
    public int ingest() {
        long start;
        synchronized (this) {
            start = nextMinute;
            nextMinute += batch;
        }
        List<Candle> candles = candles(start, batch);
        return ingest.equals("sliced") ? CandleIngest.upsert(store, candles)
                : store.inTransaction(uow -> uow.candlesticks().upsert(candles));
    }

    private long place() {
        long n = sequence.getAndIncrement();
        return store.inTransaction(uow -> {
            String clientId = "contention-" + n;
            long id = uow.orders().place(NewOrder.market(clientId, "BTCUSDT", OrderSide.BUY,
                    new BigDecimal("0.05"))).id();
            uow.executionLog().record(new NewExecutionEvent(id, clientId, "NEW", 850L, uow.now(), null));
            return id;
        });
    }

    private static List<Candle> candles(long startMinute, int n) {
        List<Candle> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            BigDecimal low = new BigDecimal("23128.52").add(BigDecimal.valueOf(i % 100, 2));
            out.add(new Candle("BTCUSDT", Timeframe.M1, T0.plus(Duration.ofMinutes(startMinute + i)),
                    low.add(new BigDecimal("10.01")), low.add(new BigDecimal("20.55")), low,
                    low.add(new BigDecimal("12.7")), new BigDecimal("2.131777").add(BigDecimal.valueOf(i, 6))));
        }
        return out;
    }
}
