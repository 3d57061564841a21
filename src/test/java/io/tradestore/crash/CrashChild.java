package io.tradestore.crash;

import io.tradestore.testing.Pages;

import io.tradestore.testing.Fills;

import io.tradestore.Json;
import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.UnitOfWork;
import io.tradestore.analytics.Direction;
import io.tradestore.analytics.NewCachedPattern;
import io.tradestore.analytics.NewExecutionEvent;
import io.tradestore.analytics.NewMetric;
import io.tradestore.analytics.NewOutcome;
import io.tradestore.analytics.NewPrediction;
import io.tradestore.analytics.PredictedAction;
import io.tradestore.analytics.Prediction;
import io.tradestore.market.Candle;
import io.tradestore.market.Timeframe;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.NewPortfolioSnapshot;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.Order;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.Position;
import io.tradestore.trading.PositionSide;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The process {@link CrashSafetyTest} kills. Arguments: database file, acknowledgement journal, first unit number,
 * and optionally a sabotage mode (see {@link Sabotage}; only for proving that the test can fail).
 *
 * <p>Opens the store, warms up (see {@link #warmUp}), prints {@code READY} on standard out, then runs units 1, 2, 3, ... (from the first number)
 * until it is killed. Before unit n it appends {@code n} to {@code <journal>.attempts} (a plain write: it survives
 * a process crash, which is all it is for; the test uses it to tell where a kill landed). Unit n is ONE
 * {@link Tradestore#useTransaction} writing the footprint {@link UnitFootprint} checks, in all three schemas.
 * Only after the unit has returned, i.e. committed, it appends {@code n} to the journal and forces it to disk:
 * that line is the acknowledgement, the promise "unit n is durable" a real backend would act on (tell the
 * exchange, answer the caller).
 *
 * <p>Unit n, at t = T0 + n s ({@link UnitFootprint#T0}):
 * <ul>
 *   <li>closes position n-1 with exit reason {@code closed-by-unit-n} and records the outcome of prediction
 *       n-1 at t (updates of rows an earlier unit wrote; absent for n = 1);</li>
 *   <li>opens position {@code unit-n}, places order {@code u-n} for it and fills it in two fills, logging the
 *       events NEW and FILLED;</li>
 *   <li>records prediction {@code unit-n} at t, three 1m candles with volume n at T0 + 3n..3n+2 min (the
 *       series' candlestick_metadata row is rewritten), pattern {@code unit-n}, the shared pattern
 *       {@code crash:latest} with payload {@code {"unit": n}}, metric {@code crash.unit} = n at t and a
 *       portfolio snapshot at t with cash n.</li>
 * </ul>
 * The state a unit expects at its start (exactly position n-1 open, prediction n-1 without outcome) is checked
 * by the unit itself: a child that finds a torn database fails instead of papering over it.
 */
public final class CrashChild {
    public static final String READY = "READY";
    static final String SYMBOL = "CRASHUSDT";
    static final BigDecimal QUANTITY = new BigDecimal("0.25");
    static final BigDecimal FIRST_FILL = new BigDecimal("0.1");
    static final BigDecimal SECOND_FILL = new BigDecimal("0.15");
    static final int CANDLES_PER_UNIT = 3;
    static final String LATEST_PATTERN = "crash:latest";
    static final int WARM_UP_ROUNDS = 3;

    /** Deliberate bugs that {@link CrashSafetyTest} must catch; never used by a normal run. */
    enum Sabotage {
        /** Correct behaviour. */
        NONE,
        /** Acknowledge unit n inside its transaction, before the writes: a kill can leave an acknowledged unit absent. */
        ACK_BEFORE_COMMIT,
        /** Split unit n into two transactions (trading, then market + analytics): a kill can leave half a unit. */
        SPLIT_UNIT
    }

    private CrashChild() {
    }

    public static void main(String[] args) {
        try {
            if (args.length < 3 || args.length > 4) {
                throw new IllegalArgumentException("usage: CrashChild <database> <journal> <first unit> [sabotage]");
            }
            Path database = Path.of(args[0]);
            Path journal = Path.of(args[1]);
            long first = Long.parseLong(args[2]);
            Sabotage sabotage = args.length == 4 ? Sabotage.valueOf(args[3]) : Sabotage.NONE;
            run(database, journal, first, sabotage);
        } catch (Throwable e) {
            e.printStackTrace();
            System.err.flush();
            // Any exit other than the SIGKILL the test sends is a failure; 3 says "the child gave up".
            Runtime.getRuntime().halt(3);
        }
    }

    private static void run(Path database, Path journal, long first, Sabotage sabotage) throws IOException {
        // One reader is enough: the child only writes. Never closed: the process ends by SIGKILL.
        Tradestore store = Tradestore.open(TradestoreConfig.sqlite(database).withPoolSize(1));
        FileChannel acks = append(journal);
        FileChannel attempts = append(attemptsFile(journal));
        warmUp(store, first);
        System.out.println(READY);
        System.out.flush();
        for (long n = first; ; n++) {
            long unit = n;
            attempts.write(line(unit)); // no force: only a process crash is simulated
            switch (sabotage) {
                case NONE -> store.useTransaction(uow -> unit(uow, unit));
                case ACK_BEFORE_COMMIT -> store.useTransaction(uow -> {
                    acknowledge(acks, unit);
                    unit(uow, unit);
                });
                case SPLIT_UNIT -> {
                    store.useTransaction(uow -> tradingHalf(uow, unit));
                    store.useTransaction(uow -> marketAndAnalyticsHalf(uow, unit));
                }
            }
            if (sabotage != Sabotage.ACK_BEFORE_COMMIT) {
                acknowledge(acks, unit);
            }
        }
    }

    /**
     * Runs the first unit {@value #WARM_UP_ROUNDS} times and rolls it back each time: a cold JVM needs about a
     * second for its first unit (class loading, the interpreter), which would swallow most of the kill window.
     * A warm-up that leaked anything would make the real unit fail on its unique keys.
     */
    private static void warmUp(Tradestore store, long first) {
        for (int i = 0; i < WARM_UP_ROUNDS; i++) {
            try {
                store.useTransaction(uow -> {
                    unit(uow, first);
                    throw new WarmUpRollback();
                });
            } catch (WarmUpRollback expected) {
                // rolled back, as intended
            }
        }
    }

    private static final class WarmUpRollback extends RuntimeException {
        WarmUpRollback() {
            super("warm-up: roll back", null, false, false);
        }
    }

    /** The file next to the journal where the child notes each unit before starting it. */
    static Path attemptsFile(Path journal) {
        return journal.resolveSibling(journal.getFileName() + ".attempts");
    }

    /** All of unit n, inside the caller's unit of work. */
    static void unit(UnitOfWork uow, long n) {
        tradingHalf(uow, n);
        marketAndAnalyticsHalf(uow, n);
    }

    static void tradingHalf(UnitOfWork uow, long n) {
        Instant t = UnitFootprint.at(n);
        if (n > 1) {
            List<Position> open = uow.positions().listOpen(SYMBOL);
            if (open.size() != 1 || !UnitFootprint.strategy(n - 1).equals(open.get(0).strategy())) {
                throw new IllegalStateException("unit " + n + " expected exactly position " + UnitFootprint.strategy(n - 1)
                        + " open, found " + open.stream().map(p -> p.id() + ":" + p.strategy()).toList());
            }
            uow.positions().close(open.get(0).id(), price(n - 1).add(BigDecimal.ONE), t, UnitFootprint.closedBy(n));
        }
        Position position = uow.positions().open(NewPosition.of(SYMBOL, PositionSide.LONG, QUANTITY, price(n), t)
                .withStrategy(UnitFootprint.strategy(n)));
        String clientOrderId = UnitFootprint.clientOrderId(n);
        Order order = uow.orders().place(NewOrder.market(clientOrderId, SYMBOL, OrderSide.BUY, QUANTITY)
                .forPosition(position.id()));
        uow.executionLog().record(new NewExecutionEvent(order.id(), clientOrderId, "NEW", 100L, uow.now(), null));
        uow.orders().fill(order.id(), Fills.of(FIRST_FILL, price(n), new BigDecimal("0.01"), uow.now())).order();
        uow.orders().fill(order.id(), Fills.of(SECOND_FILL, price(n), new BigDecimal("0.01"), uow.now())).order();
        uow.executionLog().record(new NewExecutionEvent(order.id(), clientOrderId, "FILLED", 900L, uow.now(), null));
    }

    static void marketAndAnalyticsHalf(UnitOfWork uow, long n) {
        Instant t = UnitFootprint.at(n);
        if (n > 1) {
            List<Prediction> previous = Pages.all(page ->
                    uow.predictions().bySymbol(SYMBOL, UnitFootprint.at(n - 1), t, page));
            if (previous.size() != 1) {
                throw new IllegalStateException("unit " + n + " expected the prediction of unit " + (n - 1)
                        + ", found " + previous);
            }
            uow.outcomes().record(new NewOutcome(previous.get(0).id(), t, new BigDecimal("0.001"), Direction.UP,
                    price(n - 1).add(BigDecimal.ONE), true));
        }
        uow.predictions().record(new NewPrediction(SYMBOL, t, PredictedAction.BUY, new BigDecimal("0.7"), Direction.UP,
                new BigDecimal("0.01"), Json.of("{\"unit\": " + n + "}"), UnitFootprint.strategy(n), price(n), null));
        List<Candle> candles = new ArrayList<>(CANDLES_PER_UNIT);
        for (int k = 0; k < CANDLES_PER_UNIT; k++) {
            candles.add(new Candle(SYMBOL, Timeframe.M1, UnitFootprint.candleAt(n, k), price(n), price(n), price(n),
                    price(n), BigDecimal.valueOf(n)));
        }
        uow.candlesticks().upsert(candles);
        Json payload = Json.of("{\"unit\": " + n + "}");
        uow.patternCache().put(new NewCachedPattern(UnitFootprint.strategy(n), SYMBOL, Timeframe.M1, "crash-test",
                new BigDecimal("0.5"), payload, t), Duration.ofDays(365));
        uow.patternCache().put(new NewCachedPattern(LATEST_PATTERN, SYMBOL, Timeframe.M1, "crash-test",
                new BigDecimal("0.5"), payload, t), Duration.ofDays(365));
        uow.metrics().record(new NewMetric(UnitFootprint.METRIC, BigDecimal.valueOf(n), t));
        BigDecimal cash = BigDecimal.valueOf(n);
        uow.portfolio().record(new NewPortfolioSnapshot(t, cash, cash, BigDecimal.ZERO, BigDecimal.ZERO, 1));
    }

    static BigDecimal price(long n) {
        return BigDecimal.valueOf(20_000 + n % 1_000);
    }

    private static void acknowledge(FileChannel acks, long n) {
        try {
            acks.write(line(n));
            acks.force(true);
        } catch (IOException e) {
            throw new IllegalStateException("cannot acknowledge unit " + n, e);
        }
    }

    private static FileChannel append(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private static ByteBuffer line(long n) {
        return ByteBuffer.wrap((n + "\n").getBytes(StandardCharsets.US_ASCII));
    }
}
