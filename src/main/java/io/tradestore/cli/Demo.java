package io.tradestore.cli;


import io.tradestore.Json;
import io.tradestore.Page;
import io.tradestore.PageRequest;
import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.UnitOfWork;
import io.tradestore.analytics.Accuracy;
import io.tradestore.analytics.Direction;
import io.tradestore.analytics.NewExecutionEvent;
import io.tradestore.analytics.NewOutcome;
import io.tradestore.analytics.NewPrediction;
import io.tradestore.analytics.PredictedAction;
import io.tradestore.analytics.Prediction;
import io.tradestore.internal.db.DefaultSchema;
import io.tradestore.market.Candle;
import io.tradestore.market.CandleCsv;
import io.tradestore.market.Timeframe;
import io.tradestore.trading.DailyPnl;
import io.tradestore.trading.NewFill;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.NewPortfolioSnapshot;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.Order;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.Position;
import io.tradestore.trading.PositionSide;
import org.jooq.Table;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * End-to-end demo on the sample candles: migrate, ingest, trade a moving-average crossover, record predictions
 * and their outcomes, print a summary. Each signal is one unit of work spanning all three schemas: the order,
 * its fill, the position, the execution log entry and the prediction commit together or not at all.
 *
 * <p>Run: {@code java -jar target/tradestore-cli.jar demo [--db <file|url>] [--candles <dir>]}. The candle
 * directory holds {@code .csv} or {@code .csv.gz} exports named {@code <exchange>_<SYMBOL>_...}.
 */
public final class Demo {
    static final String MODEL = "sma-15-60";
    private static final int FAST = 15;
    private static final int SLOW = 60;
    private static final BigDecimal QUANTITY = new BigDecimal("0.05");
    private static final BigDecimal STARTING_CASH = new BigDecimal("10000");
    /** The samples that ship with the repository; relative, like the database, to where the demo is started. */
    static final Path DEFAULT_CANDLES = Path.of("data", "samples", "candles");

    private final PrintWriter out;

    public Demo(PrintWriter out) {
        this.out = out;
    }

    /** Rows per table, realized P&L and accuracy, as printed. */
    public record Summary(Map<String, Long> rows, BigDecimal realizedPnl, int closedPositions, Accuracy accuracy) {
    }

    /** The demo on the database {@code config} names (migrated first if it is older, as the demo is a first run). */
    public Summary run(TradestoreConfig config, Path candleDir) {
        List<Path> files = csvFiles(candleDir); // a wrong folder fails before the database is touched
        try (Tradestore store = Tradestore.open(config.withAutoMigrate(true))) {
            String database = config.engine() == TradestoreConfig.Engine.SQLITE ? config.file().toString()
                    : config.jdbcUrl();
            out.printf("database %s at schema version %d%n", database, store.schemaVersion());
            for (Path csv : files) {
                String symbol = symbolOf(csv);
                long written = ingest(store, symbol, csv);
                out.printf("ingested %,d candles of %s from %s%n", written, symbol, csv.getFileName());
                trade(store, symbol);
            }
            Summary summary = summarize(store);
            out.flush();
            return summary;
        }
    }

    private static long ingest(Tradestore store, String symbol, Path csv) {
        return CandleCsv.of(symbol, Timeframe.M1).importFile(store, csv, CandleCsv.ImportOptions.defaults()).written();
    }

    /** Fast/slow simple moving averages of the close; a cross up opens a LONG, a cross down closes it. */
    private void trade(Tradestore store, String symbol) {
        // The simulation keeps the series in memory (three weeks of 1m candles); it reads it a page at a time.
        List<Candle> candles = new ArrayList<>();
        for (PageRequest page = PageRequest.first(PageRequest.MAX_LIMIT); page != null; ) {
            PageRequest request = page;
            Page<Candle> read = store.read(uow -> uow.candlesticks().range(symbol, Timeframe.M1, Instant.EPOCH,
                    Instant.parse("9999-01-01T00:00:00Z"), request));
            candles.addAll(read.items());
            page = read.next();
        }
        if (candles.size() <= SLOW) {
            return;
        }
        Instant from = candles.get(0).openTime();
        Instant to = candles.get(candles.size() - 1).openTime().plusSeconds(60);
        List<Prediction> done = store.read(uow -> uow.predictions().bySymbol(symbol, from, to, PageRequest.first(1))
                .items());
        if (!done.isEmpty()) {
            out.printf("%s already simulated; skipping%n", symbol);
            return;
        }
        BigDecimal fastSum = BigDecimal.ZERO;
        BigDecimal slowSum = BigDecimal.ZERO;
        int previousSign = 0;
        Long openPosition = null;
        Long openPrediction = null;
        for (int i = 0; i < candles.size(); i++) {
            BigDecimal close = candles.get(i).close();
            fastSum = fastSum.add(close).subtract(i >= FAST ? candles.get(i - FAST).close() : BigDecimal.ZERO);
            slowSum = slowSum.add(close).subtract(i >= SLOW ? candles.get(i - SLOW).close() : BigDecimal.ZERO);
            if (i < SLOW - 1) {
                continue;
            }
            // fast mean vs slow mean without division: fastSum * SLOW vs slowSum * FAST, exact.
            int sign = fastSum.multiply(BigDecimal.valueOf(SLOW)).compareTo(slowSum.multiply(BigDecimal.valueOf(FAST)));
            Candle c = candles.get(i);
            Instant at = c.openTime().plusSeconds(60);
            if (previousSign < 0 && sign > 0 && openPosition == null) {
                long[] ids = store.inTransaction(uow -> enter(uow, symbol, close, at));
                openPosition = ids[0];
                openPrediction = ids[1];
            } else if (previousSign > 0 && sign < 0 && openPosition != null) {
                long position = openPosition;
                long prediction = openPrediction;
                store.useTransaction(uow -> exit(uow, symbol, position, prediction, close, at));
                openPosition = null;
                openPrediction = null;
            }
            if (sign != 0) {
                previousSign = sign;
            }
        }
    }

    private static long[] enter(UnitOfWork uow, String symbol, BigDecimal price, Instant at) {
        String clientId = "demo-" + symbol + "-" + at.getEpochSecond() + "-in";
        Position position = uow.positions().open(NewPosition.of(symbol, PositionSide.LONG, QUANTITY, price, at)
                .withStrategy(MODEL).withMlConfidence(new BigDecimal("0.6")));
        Order order = uow.orders().place(NewOrder.market(clientId, symbol, OrderSide.BUY, QUANTITY)
                .forPosition(position.id()));
        // The venue's execution id; a simulated venue derives it from the order, as a replay must give the same one.
        uow.orders().fill(order.id(), NewFill.of(clientId + "-t1", QUANTITY, price, at));
        uow.executionLog().record(new NewExecutionEvent(order.id(), clientId, "FILLED", 1_250L, at, null));
        Prediction prediction = uow.predictions().record(new NewPrediction(symbol, at, PredictedAction.BUY,
                new BigDecimal("0.6"), Direction.UP, new BigDecimal("0.002"), Json.of("{\"fast\":15,\"slow\":60}"),
                MODEL, price, null));
        return new long[] {position.id(), prediction.id()};
    }

    private static void exit(UnitOfWork uow, String symbol, long positionId, long predictionId, BigDecimal price,
                             Instant at) {
        String clientId = "demo-" + symbol + "-" + at.getEpochSecond() + "-out";
        Order order = uow.orders().place(NewOrder.market(clientId, symbol, OrderSide.SELL, QUANTITY)
                .forPosition(positionId));
        uow.orders().fill(order.id(), NewFill.of(clientId + "-t1", QUANTITY, price, at));
        uow.executionLog().record(new NewExecutionEvent(order.id(), clientId, "FILLED", 1_250L, at, null));
        Position closed = uow.positions().close(positionId, price, at, "sma cross down");
        // A fraction (0.0125 = 1.25%): the percentage / 100, rounded to the 18 places the storage holds.
        BigDecimal actualReturn = closed.returnPct().movePointLeft(2).setScale(18, RoundingMode.HALF_EVEN);
        Direction direction = switch (actualReturn.signum()) {
            case 1 -> Direction.UP;
            case -1 -> Direction.DOWN;
            default -> Direction.FLAT;
        };
        uow.outcomes().record(new NewOutcome(predictionId, at, actualReturn, direction, price,
                direction == Direction.UP));
    }

    private Summary summarize(Tradestore store) {
        Instant from = Instant.EPOCH;
        Instant to = Instant.parse("9999-01-01T00:00:00Z");
        List<DailyPnl> days = store.read(uow -> uow.positions().dailyRealizedPnl(from, to));
        BigDecimal realized = days.stream().map(DailyPnl::realizedPnl).reduce(BigDecimal.ZERO, BigDecimal::add);
        int closed = days.stream().mapToInt(DailyPnl::reductions).sum();
        Accuracy accuracy = store.read(uow -> uow.predictions().accuracyByModel(MODEL, from, to));
        store.useTransaction(uow -> {
            int open = uow.positions().listOpen().size();
            Optional<io.tradestore.trading.PortfolioSnapshot> last = uow.portfolio().latest();
            if (last.isEmpty() || last.get().realizedPnl().compareTo(realized) != 0) {
                uow.portfolio().record(new NewPortfolioSnapshot(uow.now(), STARTING_CASH.add(realized),
                        STARTING_CASH.add(realized), realized, BigDecimal.ZERO, open));
            }
        });
        Map<String, Long> rows = rowCounts(store);
        out.println("rows per table:");
        rows.forEach((table, n) -> out.printf("  %-22s %,10d%n", table, n));
        out.printf("realized P&L: %s over %d closed positions%n", realized.toPlainString(), closed);
        out.printf("prediction accuracy (%s): %d evaluated, %d correct, hit rate %s, mean return %s%n", MODEL,
                accuracy.evaluated(), accuracy.correct(), accuracy.hitRate(), accuracy.meanReturn());
        return new Summary(rows, realized, closed, accuracy);
    }

    /** Rows per tradestore table, by name, in one read unit: the same on both engines. */
    private static Map<String, Long> rowCounts(Tradestore store) {
        return store.read(uow -> {
            Map<String, Long> rows = new TreeMap<>();
            for (Table<?> table : DefaultSchema.DEFAULT_SCHEMA.getTables()) {
                rows.put(table.getName(), (long) uow.jooq().fetchCount(table));
            }
            return new LinkedHashMap<>(rows);
        });
    }

    /** binance-us_BTCUSDT_1m_2023-03-01_2023-03-21.csv.gz -> BTCUSDT */
    public static String symbolOf(Path csv) {
        String[] parts = csv.getFileName().toString().split("_");
        return parts.length > 1 ? parts[1] : parts[0];
    }

    public static List<Path> csvFiles(Path dir) {
        List<Path> found;
        try (Stream<Path> files = Files.list(dir)) {
            found = files.filter(p -> p.toString().endsWith(".csv") || p.toString().endsWith(".csv.gz"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list candle files in " + dir.toAbsolutePath()
                    + " (run the demo from the project directory, or pass the directory with --candles)", e);
        }
        // An empty folder would otherwise "succeed" with a summary of nothing.
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no .csv or .csv.gz candle files in " + dir.toAbsolutePath()
                    + " (pass the directory with --candles)");
        }
        return found;
    }
}
