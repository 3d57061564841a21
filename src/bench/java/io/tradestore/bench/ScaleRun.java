package io.tradestore.bench;

import io.tradestore.PageRequest;
import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.market.Candle;
import io.tradestore.market.Timeframe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Issue 13, point 4: 10,000,000 candles through the DAO, in the shape of the samples (4 symbols × 1m and 5m over the
 * same span, about four years; values of the real March 2023 candles, BenchData). On PostgreSQL the month partitions
 * of that span are created first, as a deployment does with ensureMonths. Reports ingestion throughput per million, the 1,000-candle range read
 * (median and p95 of 201 random windows in one series) once 100,000 candles are stored and again at the end, and bytes
 * per million candles. Not JMH: a load test whose state grows, each measurement taken once at its size.
 *
 * <pre>
 * mvn -Pbench -DskipTests test-compile exec:exec@scale -Dbench.scale.args="sqlite 10000000"
 * mvn -Pbench -DskipTests test-compile exec:exec@scale -Dbench.scale.args="postgres 10000000"   (TRADESTORE_PG_URL)
 * </pre>
 */
public final class ScaleRun {
    private static final String[] SYMBOLS = {"BTCUSDT", "BTCUSD", "ETHUSDT", "SOLUSDT"};
    private static final Timeframe[] TIMEFRAMES = {Timeframe.M1, Timeframe.M5};
    private static final int BATCH = 10_000;
    private static final Instant T0 = Instant.parse("2000-01-01T00:00:00Z");

    private ScaleRun() {
    }

    public static void main(String[] args) throws Exception {
        String engine = args.length > 0 ? args[0] : "sqlite";
        long total = args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L;
        BenchData data = BenchData.load();
        Path dir = Files.createTempDirectory("tradestore-scale");
        String admin = System.getProperty("tradestore.pg.url", System.getenv("TRADESTORE_PG_URL"));
        String database = "tradestore_scale_" + System.nanoTime();
        TradestoreConfig config;
        if (engine.equals("postgres")) {
            try (Connection c = DriverManager.getConnection(admin, "postgres", ""); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + database);
            }
            config = TradestoreConfig.postgres(admin.replaceFirst("/[^/?]*(\\?|$)", "/" + database + "$1"), "postgres", "");
        } else {
            config = TradestoreConfig.sqlite(dir.resolve("scale.db"));
        }
        int series = SYMBOLS.length * TIMEFRAMES.length;
        // The 5m series cover the same span as the 1m ones: 4 × (n + n/5) = total.
        long perMinuteSeries = Math.round(total / (SYMBOLS.length * (1 + 1.0 / 5)));
        long[] length = new long[series];
        for (int s = 0; s < series; s++) {
            length[s] = TIMEFRAMES[s % TIMEFRAMES.length] == Timeframe.M1 ? perMinuteSeries : perMinuteSeries / 5;
        }
        try (Tradestore store = Tradestore.open(config)) {
            if (engine.equals("postgres")) {
                YearMonth first = YearMonth.from(T0.atZone(ZoneOffset.UTC));
                YearMonth last = YearMonth.from(T0.plus(Duration.ofMinutes(perMinuteSeries)).atZone(ZoneOffset.UTC));
                store.useTransaction(uow -> uow.candlePartitions().ensureMonths(first, last));
            }
            long written = 0;
            long millionStart = System.nanoTime();
            List<String> millions = new ArrayList<>();
            String rangeAt100k = null;
            // Round robin over the series, one 10,000-candle unit at a time, so every series grows together.
            for (long offset = 0; offset < perMinuteSeries; offset += BATCH) {
                for (int s = 0; s < series; s++) {
                    int n = (int) Math.min(BATCH, length[s] - offset);
                    if (n <= 0) {
                        continue;
                    }
                    List<Candle> batch = candles(data, SYMBOLS[s / TIMEFRAMES.length], TIMEFRAMES[s % TIMEFRAMES.length],
                            offset, n);
                    store.useTransaction(uow -> uow.candlesticks().upsert(batch));
                    long before = written;
                    written += n;
                    if (before / 1_000_000 != written / 1_000_000) {
                        long now = System.nanoTime();
                        millions.add(String.format(Locale.ROOT, "%d", Math.round(1_000_000 / ((now - millionStart) / 1e9))));
                        millionStart = now;
                    }
                    if (rangeAt100k == null && written >= 100_000) {
                        rangeAt100k = range(store, offset + n);
                    }
                }
            }
            String rangeAtEnd = range(store, perMinuteSeries);
            long bytes = bytes(store, config, engine);
            System.out.printf(Locale.ROOT, "engine %s, %,d candles in %d series%n", engine, written, series);
            System.out.println("ingestion, rows/s per million: " + String.join(", ", millions));
            System.out.println("1,000-candle range (median / p95 of 201) at ~100,000 candles: " + rangeAt100k);
            System.out.printf(Locale.ROOT, "1,000-candle range (median / p95 of 201) at %,d candles: %s%n", written, rangeAtEnd);
            System.out.printf(Locale.ROOT, "bytes: %,d in all, %,d per million candles%n", bytes, bytes * 1_000_000 / written);
        } finally {
            if (engine.equals("postgres")) {
                try (Connection c = DriverManager.getConnection(admin, "postgres", ""); Statement s = c.createStatement()) {
                    s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
                }
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static List<Candle> candles(BenchData data, String symbol, Timeframe tf, long offset, int n) {
        List<Candle> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long index = offset + i;
            BenchData.Values v = data.values(index);
            out.add(new Candle(symbol, tf, T0.plus(tf.duration().multipliedBy(index)), v.open(), v.high(), v.low(),
                    v.close(), v.volume()));
        }
        return out;
    }

    /** Median and p95 of 201 reads of 1,000 candles at random places in BTCUSDT 1m (stored length {@code n}). */
    private static String range(Tradestore store, long n) {
        Random random = new Random(42);
        long[] micros = new long[201];
        for (int warm = 0; warm < 300; warm++) {
            read(store, random, n);
        }
        for (int i = 0; i < micros.length; i++) {
            long t = System.nanoTime();
            read(store, random, n);
            micros[i] = (System.nanoTime() - t) / 1_000;
        }
        Arrays.sort(micros);
        return String.format(Locale.ROOT, "%,d µs / %,d µs", micros[100], micros[190]);
    }

    private static void read(Tradestore store, Random random, long n) {
        long start = (long) (random.nextDouble() * Math.max(1, n - 1_000));
        Instant from = T0.plus(Duration.ofMinutes(start));
        int got = store.read(uow -> uow.candlesticks().range("BTCUSDT", Timeframe.M1, from,
                from.plus(Duration.ofMinutes(1_000)), PageRequest.first(1_000)).items().size());
        if (got != 1_000 && n > 1_000) {
            throw new IllegalStateException("read " + got + " candles, not 1,000");
        }
    }

    private static long bytes(Tradestore store, TradestoreConfig config, String engine) throws Exception {
        if (engine.equals("sqlite")) {
            store.optimize();
            Path file = config.file();
            long size = Files.size(file);
            Path wal = file.resolveSibling(file.getFileName() + "-wal");
            return size + (Files.exists(wal) ? Files.size(wal) : 0);
        }
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits"
                     + " WHERE inhparent = 'market.candlesticks'::regclass")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
