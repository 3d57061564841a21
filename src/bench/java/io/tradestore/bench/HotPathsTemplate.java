package io.tradestore.bench;

import io.tradestore.Json;
import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.analytics.NewCachedPattern;
import io.tradestore.internal.Decimal18;
import io.tradestore.internal.EpochMicros;
import io.tradestore.market.Candle;
import io.tradestore.market.Timeframe;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.OrderStatus;
import io.tradestore.trading.PositionSide;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The database {@link HotPathsBench} copies for every trial, built once per series length and schema version and
 * kept under {@code target/bench/}: a one-minute series of {@code series} real-shaped candles ({@link BenchData}),
 * 1,000 open positions, 1,000 orders to look up, {@value #PATTERNS} pattern-cache entries, and for case (f)
 * {@value #FILL_ORDERS} orders per side (DAO and raw) with {@value #FILLS_PER_ORDER} fills each, the two sides'
 * orders identical fill for fill. Positions, orders and cache entries go through the DAOs; the candles and fills,
 * a million rows or more, through {@link RawHotPaths} and plain batches, which is faster to build and gives the
 * same rows (each trial's self-check compares what both sides read).
 */
final class HotPathsTemplate {
    /** Raise when what the template holds changes, so a stale cached template is not used. */
    private static final String FORMAT = "v1";
    static final String SYMBOL = BenchData.SYMBOL;
    static final Timeframe TIMEFRAME = Timeframe.M1;
    static final int POSITIONS = 1_000;
    static final int LOOKUP_ORDERS = 1_000;
    static final int PATTERNS = 1_000;
    static final int FILL_ORDERS = 2_000;
    static final int FILLS_PER_ORDER = 100;
    /** Large enough that no run of case (f) fills an order completely. */
    static final BigDecimal FILL_ORDER_QUANTITY = new BigDecimal("1000000");
    static final String LOOKUP_ORDER_PREFIX = "c-";
    static final String DAO_FILL_ORDER_PREFIX = "f-dao-";
    static final String RAW_FILL_ORDER_PREFIX = "f-raw-";
    static final String PATTERN_KEY_PREFIX = "pattern-";
    /** A detector's payload of typical size (about 400 characters), parsed as JSON on every read. */
    static final String PAYLOAD = "{\"pattern\":\"head_and_shoulders\",\"direction\":\"bearish\",\"points\":"
            + "[[1677628800000,23140.48],[1677632400000,23318.12],[1677636000000,23201.77],"
            + "[1677639600000,23402.05],[1677643200000,23188.91],[1677646800000,23290.33],"
            + "[1677650400000,23012.60]],\"neckline\":{\"slope\":-0.00042,\"intercept\":23195.4},"
            + "\"target\":22815.25,\"volume_confirmed\":true,\"model\":\"pd-v3.2\",\"features\":"
            + "[0.183,0.552,0.921,0.044,0.377,0.615,0.208,0.731]}";

    private HotPathsTemplate() {
    }

    static synchronized Path get(int series) throws IOException, SQLException {
        String version = Tradestore.class.getPackage().getImplementationVersion();
        Path cached = Path.of("target", "bench", "hotpaths-template-" + FORMAT + "-" + series + "-"
                + (version == null ? "classes" : version) + "-schema" + schemaVersionOfBuild() + ".db");
        if (Files.exists(cached)) {
            return cached;
        }
        Files.createDirectories(cached.getParent());
        Path tmp = cached.resolveSibling(cached.getFileName() + ".tmp");
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(Path.of(tmp + suffix));
        }
        long start = System.nanoTime();
        build(tmp, series);
        Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING);
        System.out.printf("built %s in %.1f s%n", cached, (System.nanoTime() - start) / 1e9);
        return cached;
    }

    private static void build(Path file, int series) throws SQLException {
        try (Tradestore s = Tradestore.open(TradestoreConfig.sqlite(file))) {
            s.useTransaction(uow -> {
                for (int i = 0; i < POSITIONS; i++) {
                    uow.positions().open(NewPosition.of(SYMBOL, PositionSide.LONG, new BigDecimal("0.05"),
                            new BigDecimal("23140.48").add(BigDecimal.valueOf(i, 2)), uow.now()));
                }
            });
            s.useTransaction(uow -> {
                for (int i = 0; i < LOOKUP_ORDERS; i++) {
                    uow.orders().place(NewOrder.limit(LOOKUP_ORDER_PREFIX + i, SYMBOL, OrderSide.BUY,
                            new BigDecimal("0.05"), new BigDecimal("23100.5").add(BigDecimal.valueOf(i, 2))));
                }
            });
            // Twins in the same order, so the i-th DAO order and the i-th raw order have the same fills.
            s.useTransaction(uow -> {
                for (String prefix : new String[] {DAO_FILL_ORDER_PREFIX, RAW_FILL_ORDER_PREFIX}) {
                    for (int i = 0; i < FILL_ORDERS; i++) {
                        uow.orders().place(NewOrder.market(prefix + i, SYMBOL, OrderSide.BUY, FILL_ORDER_QUANTITY));
                    }
                }
            });
            Instant detected = s.clock().instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
            s.useTransaction(uow -> {
                for (int i = 0; i < PATTERNS; i++) {
                    uow.patternCache().put(new NewCachedPattern(PATTERN_KEY_PREFIX + i, SYMBOL, TIMEFRAME,
                            "head_and_shoulders", new BigDecimal("0.8125"), Json.of(PAYLOAD), detected),
                            Duration.ofDays(3650));
                }
            });
        }
        BenchData data = BenchData.load();
        try (RawSqlite raw = RawSqlite.open(file)) {
            int unit = 50_000;
            for (long from = 0; from < series; from += unit) {
                List<Candle> batch = candles(data, SYMBOL, from, (int) Math.min(unit, series - from), 0);
                raw.write(c -> RawHotPaths.upsertCandles(c, batch, HotPathsBench.now()));
            }
            raw.write(c -> {
                addFills(c.connection);
                return null;
            });
            long count = raw.read(c -> {
                try (var st = c.connection.createStatement();
                     ResultSet rs = st.executeQuery("SELECT candle_count FROM candlestick_metadata"
                             + " WHERE symbol = '" + SYMBOL + "' AND timeframe = '" + TIMEFRAME.code() + "'")) {
                    return rs.next() ? rs.getLong(1) : -1L;
                }
            });
            if (count != series) {
                throw new IllegalStateException("template metadata counts " + count + " candles, expected " + series);
            }
        }
    }

    /**
     * {@value #FILLS_PER_ORDER} fills for each case-(f) order, and the order row as OrderDao.fill would have left it
     * after them: filled quantity, the exact average price rounded once, the last fill time, version 100.
     */
    private static void addFills(Connection c) throws SQLException {
        long base = EpochMicros.toMicros("t", Instant.parse("2024-03-01T00:00:00Z"));
        List<Long> orders = new ArrayList<>();
        try (var st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM orders WHERE client_order_id LIKE 'f-%' ORDER BY id")) {
            while (rs.next()) {
                orders.add(rs.getLong(1));
            }
        }
        BigDecimal notional = BigDecimal.ZERO;
        BigDecimal total = BigDecimal.ZERO;
        List<BigDecimal[]> fills = new ArrayList<>();
        for (int k = 0; k < FILLS_PER_ORDER; k++) {
            BigDecimal q = new BigDecimal("0.01").add(BigDecimal.valueOf(k % 7, 3));
            BigDecimal p = new BigDecimal("23140.48").add(BigDecimal.valueOf((k * 37L) % 1000, 2));
            fills.add(new BigDecimal[] {q, p});
            notional = notional.add(q.multiply(p));
            total = total.add(q);
        }
        BigDecimal average = Decimal18.rounded("orders.average_fill_price",
                notional.divide(total, Decimal18.SCALE, RoundingMode.HALF_EVEN));
        long lastFillAt = base + (FILLS_PER_ORDER - 1) * 1_000_000L;
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO order_fills (order_id, trade_id, quantity,"
                + " price, fee, fee_currency, filled_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement update = c.prepareStatement("UPDATE orders SET status = ?, filled_quantity = ?,"
                     + " average_fill_price = ?, last_fill_at = ?, version = ? WHERE id = ?")) {
            for (long order : orders) {
                for (int k = 0; k < FILLS_PER_ORDER; k++) {
                    insert.setLong(1, order);
                    insert.setString(2, "t-" + k);
                    insert.setBytes(3, Decimal18.encode(fills.get(k)[0]));
                    insert.setBytes(4, Decimal18.encode(fills.get(k)[1]));
                    insert.setBytes(5, Decimal18.encode(new BigDecimal("0.0125")));
                    insert.setString(6, "USDT");
                    insert.setLong(7, base + k * 1_000_000L);
                    insert.addBatch();
                }
                insert.executeBatch();
                update.setString(1, OrderStatus.PARTIALLY_FILLED.name());
                update.setBytes(2, Decimal18.encode(total));
                update.setBytes(3, Decimal18.encode(average));
                update.setLong(4, lastFillAt);
                update.setLong(5, FILLS_PER_ORDER);
                update.setLong(6, order);
                update.executeUpdate();
            }
        }
    }

    /** {@code n} candles of series rows {@code from...}, open times shifted by {@code minuteOffset}. */
    static List<Candle> candles(BenchData data, String symbol, long from, int n, long minuteOffset) {
        List<Candle> out = new ArrayList<>(n);
        for (long i = from; i < from + n; i++) {
            BenchData.Values v = data.values(i);
            out.add(new Candle(symbol, TIMEFRAME, EpochMicros.fromMicros(BenchData.openTime(i + minuteOffset)),
                    v.open(), v.high(), v.low(), v.close(), v.volume()));
        }
        return out;
    }

    /** The schema version the library on the class path was built at; the templates are kept per version. */
    static String schemaVersionOfBuild() {
        try (var in = Tradestore.class.getResourceAsStream("/io/tradestore/internal/schema-version.properties")) {
            var p = new java.util.Properties();
            p.load(in);
            return p.getProperty("schema.version").trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
