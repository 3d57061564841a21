package io.tradestore.testing;

import io.tradestore.Json;
import io.tradestore.Tradestore;
import io.tradestore.UnitOfWork;
import io.tradestore.analytics.Direction;
import io.tradestore.analytics.NewCachedPattern;
import io.tradestore.analytics.NewExecutionEvent;
import io.tradestore.analytics.NewMetric;
import io.tradestore.analytics.NewModelResult;
import io.tradestore.analytics.NewOutcome;
import io.tradestore.analytics.NewPrediction;
import io.tradestore.analytics.NewSentimentScore;
import io.tradestore.analytics.PredictedAction;
import io.tradestore.analytics.Prediction;
import io.tradestore.cli.Demo;
import io.tradestore.market.CandleCsv;
import io.tradestore.market.Timeframe;
import io.tradestore.trading.NewFill;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.NewPortfolioSnapshot;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.Order;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.Position;
import io.tradestore.trading.PositionSide;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * SQLite files to copy to PostgreSQL (SqliteToPostgresTest): written through the DAOs, as a user's would be. Every
 * table gets rows; edge values ride along (one wei, the largest and most negative decimals, non-ASCII and JSON with
 * tabs, newlines and backslashes, which COPY's text format must escape); pattern-cache entries are purged so that
 * SQLite's AUTOINCREMENT counter runs ahead of the largest id left.
 */
public final class CopySources {
    /** The store's clock: after every generated timestamp, so the purged patterns have expired. */
    public static final Instant NOW = Instant.parse("2023-06-01T00:00:00Z");
    private static final String[] SYMBOLS = {"BTCUSDT", "ETHUSDT", "SOLUSDT", "PEPEUSDT"};
    public static final BigDecimal WEI = new BigDecimal("0.000000000000000001");
    public static final BigDecimal LARGEST = new BigDecimal("99999999999999999999.999999999999999999");

    private static final Logger log = LoggerFactory.getLogger(CopySources.class);

    private CopySources() {
    }

    /** The sample candles (60,480) and {@code stories} trading stories (about 10 rows each) in {@code dir}. */
    public static Path withSampleCandles(Path dir, int stories) {
        long start = System.nanoTime();
        MutableClock clock = new MutableClock(NOW);
        try (Tradestore store = Tradestore.open(Stores.config(dir).withClock(clock))) {
            for (Path csv : Demo.csvFiles(SampleData.candles())) {
                CandleCsv.of(Demo.symbolOf(csv), Timeframe.M1).importFile(store, csv, CandleCsv.ImportOptions.defaults());
            }
            log.info("sample candles written in {} ms", (System.nanoTime() - start) / 1_000_000);
            fill(store, clock, stories);
        }
        return Stores.config(dir).file();
    }

    /** Only the stories: every table, a few hundred rows, no sample candles. */
    public static Path small(Path dir, int stories) {
        MutableClock clock = new MutableClock(NOW);
        try (Tradestore store = Tradestore.open(Stores.config(dir).withClock(clock))) {
            fill(store, clock, stories);
        }
        return Stores.config(dir).file();
    }

    private static void fill(Tradestore store, MutableClock clock, int stories) {
        long began = System.nanoTime();
        for (int from = 0; from < stories; from += 250) {
            int start = from;
            int end = Math.min(stories, from + 250);
            store.useTransaction(uow -> {
                for (int i = start; i < end; i++) {
                    story(uow, i);
                }
            });
        }
        store.useTransaction(CopySources::edges);
        // Entries that expired long ago, the newest ids among them: purging them leaves sqlite_sequence ahead of
        // MAX(id), and the copy must not hand those ids out again.
        clock.set(Stores.T0);
        store.useTransaction(uow -> {
            for (int i = 0; i < 5; i++) {
                uow.patternCache().put(new NewCachedPattern("expired-" + i, "BTCUSDT", Timeframe.H1, "doji",
                        new BigDecimal("0.5"), Json.of("{}"), Stores.T0), Duration.ofMinutes(1));
            }
        });
        clock.set(NOW);
        store.useTransaction(uow -> uow.patternCache().purgeExpired());
        log.info("{} stories written in {} ms", stories, (System.nanoTime() - began) / 1_000_000);
    }

    private static void story(UnitOfWork uow, int i) {
        String symbol = SYMBOLS[i % SYMBOLS.length];
        Instant t = Stores.T0.plusSeconds(60L * i);
        BigDecimal price = new BigDecimal(20_000 + i).add(new BigDecimal(i % 97).movePointLeft(2));
        BigDecimal qty = new BigDecimal(1 + i % 9).movePointLeft(i % 4 + 1);
        PositionSide side = i % 3 == 0 ? PositionSide.SHORT : PositionSide.LONG;
        NewPosition np = NewPosition.of(symbol, side, qty, price, t).withStrategy("s" + i % 5);
        if (i % 2 == 0) {
            np = np.withStopLoss(price.subtract(BigDecimal.TEN)).withQuoteCurrency("USDT");
        }
        Position p = uow.positions().open(np);
        String client = "story-" + i;
        Order o = uow.orders().place(NewOrder.market(client, symbol, side == PositionSide.LONG ? OrderSide.BUY
                : OrderSide.SELL, qty).forPosition(p.id()));
        if (i % 3 == 0) {
            BigDecimal first = qty.divide(BigDecimal.valueOf(2));
            uow.orders().fill(o.id(), NewFill.of(client + "-t1", first, price, t).withFee(new BigDecimal("0.0001"), "USDT"));
            uow.orders().fill(o.id(), NewFill.of(client + "-t2", qty.subtract(first), price.add(BigDecimal.ONE), t)
                    .withFee(new BigDecimal("0.00012"), "BNB"));
        } else {
            uow.orders().fill(o.id(), NewFill.of(client + "-t1", qty, price, t));
        }
        uow.executionLog().record(new NewExecutionEvent(o.id(), client, "FILLED", 1_000L + i, t,
                Json.of("{\"story\": " + i + "}")));
        if (i % 4 == 0) {
            p = uow.positions().increase(p.id(), qty, price.add(BigDecimal.ONE), t.plusSeconds(1));
        }
        Prediction prediction = uow.predictions().record(new NewPrediction(symbol, t, PredictedAction.BUY,
                new BigDecimal("0.6"), Direction.UP, new BigDecimal("0.002"), Json.of("{\"f\": [1, 2.5]}"),
                "model-" + i % 3, price, null));
        if (i % 2 == 0) {
            BigDecimal exit = price.add(new BigDecimal(i % 11 - 5));
            uow.positions().reduce(p.id(), p.openQuantity().divide(BigDecimal.valueOf(2)), exit, t.plusSeconds(20),
                    "half");
            uow.positions().close(p.id(), exit, t.plusSeconds(30), "story " + i + " done");
            BigDecimal ret = exit.subtract(price).divide(price, 18, java.math.RoundingMode.HALF_EVEN);
            Direction d = ret.signum() > 0 ? Direction.UP : ret.signum() < 0 ? Direction.DOWN : Direction.FLAT;
            uow.outcomes().record(new NewOutcome(prediction.id(), t.plusSeconds(30), ret, d, exit, d == Direction.UP));
        }
        if (i % 5 == 0) {
            Order limit = uow.orders().place(NewOrder.limit(client + "-limit", symbol, OrderSide.BUY, qty,
                    price.subtract(BigDecimal.ONE)));
            uow.orders().cancel(limit.id());
            uow.orders().confirmCancel(limit.id());
        }
        if (i % 7 == 0) {
            Order rejected = uow.orders().place(NewOrder.market(client + "-rej", symbol, OrderSide.SELL, qty));
            uow.orders().reject(rejected.id(), "insufficient balance");
        }
        uow.patternCache().put(new NewCachedPattern("story-" + i, symbol, Timeframe.M15, "engulfing",
                new BigDecimal("0.8"), Json.of("{\"i\": " + i + "}"), t), Duration.ofDays(3000));
        uow.metrics().record(new NewMetric("pnl." + symbol, price.negate(), t, Json.of("{\"story\": true}")));
        uow.sentiment().record(new NewSentimentScore(symbol, t, new BigDecimal("-0.25"), new BigDecimal("0.9"),
                i % 50, "news"));
        uow.portfolio().record(new NewPortfolioSnapshot(t, new BigDecimal(10_000 + i), new BigDecimal(10_000 + i),
                BigDecimal.ZERO, BigDecimal.ZERO, i % 7));
        if (i % 10 == 0) {
            uow.modelResults().record(new NewModelResult("model", "v" + i, t, t.minusSeconds(3600), t, 100 + i,
                    new BigDecimal("0.5"), new BigDecimal("0.51"), new BigDecimal("0.52"), new BigDecimal("0.505"),
                    Json.of("{\"depth\": 3}")));
        }
    }

    /** Values at the edges of what tradestore stores: the copy must carry them exactly. */
    private static void edges(UnitOfWork uow) {
        Instant t = Stores.T0.plusSeconds(7 * 86_400).plusNanos(1_000);
        uow.positions().open(NewPosition.of("WEIUSDT", PositionSide.LONG, WEI, LARGEST, t)
                .withTakeProfit(LARGEST).withStrategy("édge ✓ 🚀 \\ back\\slash"));
        uow.metrics().record(new NewMetric("edge.min", LARGEST.negate(), t,
                Json.of("{\n\t\"text\": \"tab\\tnewline\\nbackslash\\\\quote\\\" ünï\",\r\n\"n\": -0.000000000000000001}")));
        uow.metrics().record(new NewMetric("edge.wei", WEI.negate(), t.plusSeconds(1)));
        uow.metrics().record(new NewMetric("edge.zero", new BigDecimal("0.000"), t.plusSeconds(2)));
        uow.metrics().record(new NewMetric("edge.100", new BigDecimal("100.00"), t.plusSeconds(3)));
        uow.sentiment().record(new NewSentimentScore("WEIUSDT", t, new BigDecimal("-1"), BigDecimal.ONE, 0,
                "\\N is not null"));
    }
}
