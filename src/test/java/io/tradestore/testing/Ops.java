package io.tradestore.testing;

import io.tradestore.Json;
import io.tradestore.UnitOfWork;
import io.tradestore.analytics.Direction;
import io.tradestore.analytics.NewCachedPattern;
import io.tradestore.analytics.NewExecutionEvent;
import io.tradestore.analytics.NewMetric;
import io.tradestore.analytics.NewOutcome;
import io.tradestore.analytics.NewPrediction;
import io.tradestore.analytics.NewSentimentScore;
import io.tradestore.analytics.PredictedAction;
import io.tradestore.market.Candle;
import io.tradestore.market.Timeframe;
import io.tradestore.trading.NewFill;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.NewPortfolioSnapshot;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.PositionSide;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * DAO operations across all three schemas as generated test data: small records whose toString reads like the
 * call they make ("orders().fill(order#2, 0.5 @ 100, T0+7s)", where order#2 is the third order the program has
 * seen, counted modulo their number), so a shrunk counterexample is a readable program. Operations refer to rows by index into the
 * ids created so far (plus the seeded ones), so most of them succeed; some fail on purpose (closing a closed
 * position), which is a legitimate way for a unit to end too.
 */
public final class Ops {
    private Ops() {
    }

    /** Ids a program has seen: seeded rows first, then whatever its own operations created. */
    public static final class Ids {
        public final List<Long> positions = new ArrayList<>();
        public final List<Long> orders = new ArrayList<>();
        public final List<Long> predictions = new ArrayList<>();

        public Ids copy() {
            Ids c = new Ids();
            c.positions.addAll(positions);
            c.orders.addAll(orders);
            c.predictions.addAll(predictions);
            return c;
        }

        static long pick(List<Long> ids, int ref) {
            return ids.isEmpty() ? 999_999L : ids.get(Math.floorMod(ref, ids.size()));
        }
    }

    public sealed interface Op {
        void apply(UnitOfWork uow, Ids ids);
    }

    public record OpenPosition(String symbol, PositionSide side, BigDecimal qty, BigDecimal price, int second) implements Op {
        public void apply(UnitOfWork uow, Ids ids) {
            ids.positions.add(uow.positions().open(NewPosition.of(symbol, side, qty, price, at(second))).id());
        }

        @Override
        public String toString() {
            return "positions().open(" + symbol + " " + side + " " + qty.toPlainString() + " @ " + price.toPlainString() + ", T0+" + second + "s)";
        }
    }

    public record ClosePosition(int ref, BigDecimal price, int second) implements Op {
        public void apply(UnitOfWork uow, Ids ids) {
            uow.positions().close(Ids.pick(ids.positions, ref), price, at(second + 100_000), "generated");
        }

        @Override
        public String toString() {
            return "positions().close(position#" + ref + ", " + price.toPlainString() + ", T0+" + (second + 100_000) + "s)";
        }
    }

    public record IncreasePosition(int ref, BigDecimal qty, BigDecimal price, int second) implements Op {
        public void apply(UnitOfWork uow, Ids ids) {
            uow.positions().increase(Ids.pick(ids.positions, ref), qty, price, at(second + 50_000));
        }

        @Override
        public String toString() {
            return "positions().increase(position#" + ref + ", " + qty.toPlainString() + " @ " + price.toPlainString()
                    + ", T0+" + (second + 50_000) + "s)";
        }
    }

    /** Reduces by {@code qty}: more than is open (refused) as often as not, so failures come from it too. */
    public record ReducePosition(int ref, BigDecimal qty, BigDecimal price, int second) implements Op {
        public void apply(UnitOfWork uow, Ids ids) {
            uow.positions().reduce(Ids.pick(ids.positions, ref), qty, price, at(second + 60_000), "generated");
        }

        @Override
        public String toString() {
            return "positions().reduce(position#" + ref + ", " + qty.toPlainString() + " @ " + price.toPlainString()
                    + ", T0+" + (second + 60_000) + "s)";
        }
    }

    public record PlaceOrder(String clientOrderId, BigDecimal qty, int positionRef) implements Op {
        public void apply(UnitOfWork uow, Ids ids) {
            NewOrder o = NewOrder.market(clientOrderId, "BTCUSDT", OrderSide.BUY, qty);
            if (positionRef >= 0 && !ids.positions.isEmpty()) {
                o = o.forPosition(Ids.pick(ids.positions, positionRef));
            }
            ids.orders.add(uow.orders().place(o).id());
        }

        @Override
        public String toString() {
            return "orders().place(" + clientOrderId + ", BUY " + qty.toPlainString() + (positionRef >= 0 ? ", position#" + positionRef : "") + ")";
        }
    }

    /**
     * A fill under one of a few trade ids, so programs repeat executions: the same report again (a duplicate, which
     * writes nothing) or the same trade id with other values (a ConflictException).
     */
    public record FillOrder(int ref, String tradeId, BigDecimal qty, BigDecimal price, int second) implements Op {
        public FillOrder(int ref, BigDecimal qty, BigDecimal price, int second) {
            this(ref, "T-" + second, qty, price, second);
        }

        public void apply(UnitOfWork uow, Ids ids) {
            uow.orders().fill(Ids.pick(ids.orders, ref),
                    new NewFill(tradeId, qty, price, new BigDecimal("0.0001"), "USDT", at(second)));
        }

        @Override
        public String toString() {
            return "orders().fill(order#" + ref + ", " + tradeId + ": " + qty.toPlainString() + " @ "
                    + price.toPlainString() + ", T0+" + second + "s)";
        }
    }

    public record CancelRejected(int ref) implements Op {
        public void apply(UnitOfWork uow, Ids ids) {
            uow.orders().cancelRejected(Ids.pick(ids.orders, ref));
        }

        @Override
        public String toString() {
            return "orders().cancelRejected(order#" + ref + ")";
        }
    }

    public record ConfirmCancel(int ref) implements Op {
        public void apply(UnitOfWork uow, Ids ids) {
            uow.orders().confirmCancel(Ids.pick(ids.orders, ref));
        }

        @Override
        public String toString() {
            return "orders().confirmCancel(order#" + ref + ")";
        }
    }

    public record CancelOrder(int ref) implements Op {
        public void apply(UnitOfWork uow, Ids ids) {
            uow.orders().cancel(Ids.pick(ids.orders, ref));
        }

        @Override
        public String toString() {
            return "orders().cancel(order#" + ref + ")";
        }
    }

    public record UpsertCandles(String symbol, int firstMinute, int count, BigDecimal price) implements Op {
        public void apply(UnitOfWork uow, Ids ids) {
            List<Candle> batch = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                BigDecimal p = price.add(BigDecimal.valueOf(i));
                batch.add(new Candle(symbol, Timeframe.M1, at(60 * (firstMinute + i)), p, p.add(BigDecimal.ONE), p,
                        p, BigDecimal.TEN));
            }
            uow.candlesticks().upsert(batch);
        }

        @Override
        public String toString() {
            return "candlesticks().upsert(" + count + " x " + symbol + " 1m from minute " + firstMinute + " @ " + price.toPlainString() + ")";
        }
    }

    /** A detection {@code detectedMinutesAgo} before now: older than the key's stored one, the put is stale. */
    public record PutPattern(String key, int ttlMinutes, int detectedMinutesAgo) implements Op {
        public void apply(UnitOfWork uow, Ids ids) {
            uow.patternCache().put(new NewCachedPattern(key, "BTCUSDT", Timeframe.M5, "double-top",
                    new BigDecimal("0.8"), Json.of("{\"k\":\"" + key + "\"}"),
                    uow.now().minus(Duration.ofMinutes(detectedMinutesAgo))), Duration.ofMinutes(ttlMinutes));
        }

        @Override
        public String toString() {
            return "patternCache().put(" + key + ", detected now-" + detectedMinutesAgo + "m, ttl " + ttlMinutes + "m)";
        }
    }

    public record PurgePatterns() implements Op {
        public void apply(UnitOfWork uow, Ids ids) {
            uow.patternCache().purgeExpired();
        }

        @Override
        public String toString() {
            return "patternCache().purgeExpired()";
        }
    }

    public record RecordPrediction(String symbol, int second, BigDecimal confidence) implements Op {
        public void apply(UnitOfWork uow, Ids ids) {
            ids.predictions.add(uow.predictions().record(new NewPrediction(symbol, at(second), PredictedAction.BUY,
                    confidence, Direction.UP, new BigDecimal("0.01"), null, "gen-1", new BigDecimal("100"), null)).id());
        }

        @Override
        public String toString() {
            return "predictions().record(" + symbol + ", T0+" + second + "s, confidence " + confidence.toPlainString() + ")";
        }
    }

    public record RecordOutcome(int ref, BigDecimal actualReturn) implements Op {
        public void apply(UnitOfWork uow, Ids ids) {
            // Every generated prediction is UP (RecordPrediction): right exactly when the return is positive.
            Direction actual = Direction.ofReturn(actualReturn);
            uow.outcomes().record(new NewOutcome(Ids.pick(ids.predictions, ref), at(200_000), actualReturn,
                    actual, new BigDecimal("101"), actual == Direction.UP));
        }

        @Override
        public String toString() {
            return "outcomes().record(prediction#" + ref + ", return " + actualReturn.toPlainString() + ")";
        }
    }

    public record LogExecution(int ref, long latencyMicros) implements Op {
        public void apply(UnitOfWork uow, Ids ids) {
            uow.executionLog().record(new NewExecutionEvent(ids.orders.isEmpty() ? null : Ids.pick(ids.orders, ref),
                    "gen-" + ref, "ACK", latencyMicros, at(ref), null));
        }

        @Override
        public String toString() {
            return "executionLog().record(order#" + ref + ", " + latencyMicros + " µs)";
        }
    }

    public record RecordMetric(String name, BigDecimal value, int second) implements Op {
        public void apply(UnitOfWork uow, Ids ids) {
            uow.metrics().record(new NewMetric(name, value, at(second)));
        }

        @Override
        public String toString() {
            return "metrics().record(" + name + ", " + value.toPlainString() + ", T0+" + second + "s)";
        }
    }

    public record RecordSentiment(String symbol, int second, BigDecimal score) implements Op {
        public void apply(UnitOfWork uow, Ids ids) {
            uow.sentiment().record(new NewSentimentScore(symbol, at(second), score, new BigDecimal("0.5"), 3, null));
        }

        @Override
        public String toString() {
            return "sentiment().record(" + symbol + ", T0+" + second + "s, " + score.toPlainString() + ")";
        }
    }

    public record RecordSnapshot(int second, BigDecimal cash) implements Op {
        public void apply(UnitOfWork uow, Ids ids) {
            uow.portfolio().record(new NewPortfolioSnapshot(at(second), cash, cash, BigDecimal.ZERO, BigDecimal.ZERO, 0));
        }

        @Override
        public String toString() {
            return "portfolio().record(T0+" + second + "s, cash " + cash.toPlainString() + ")";
        }
    }

    static Instant at(int second) {
        return Stores.T0.plusSeconds(second);
    }

    /** Decimals of scale 4 in [min, max]. */
    private static Gen<BigDecimal> amount(String min, String max) {
        return longs().between(new BigDecimal(min).movePointRight(4).longValueExact(),
                new BigDecimal(max).movePointRight(4).longValueExact()).map(u -> BigDecimal.valueOf(u, 4));
    }

    private static Gen<String> symbol() {
        return Generate.pick(List.of("BTCUSDT", "ETHUSDT", "SOLUSDT"));
    }

    /** Any operation; small value ranges so that programs collide with each other and with the seed. */
    public static Gen<Op> any() {
        Gen<Integer> ref = integers().between(0, 7);
        Gen<Integer> second = integers().between(0, 50);
        List<Gen<Op>> ops = List.of(
                in -> new OpenPosition(symbol().generate(in), Generate.enumValues(PositionSide.class).generate(in),
                        amount("0.001", "3").generate(in), amount("50", "150").generate(in), second.generate(in)),
                in -> new ClosePosition(ref.generate(in), amount("50", "150").generate(in), second.generate(in)),
                in -> new IncreasePosition(ref.generate(in), amount("0.001", "2").generate(in),
                        amount("50", "150").generate(in), second.generate(in)),
                in -> new ReducePosition(ref.generate(in), amount("0.001", "2").generate(in),
                        amount("50", "150").generate(in), second.generate(in)),
                in -> new PlaceOrder("gen-c-" + integers().between(0, 30).generate(in), amount("0.01", "2").generate(in),
                        integers().between(-1, 5).generate(in)),
                in -> new FillOrder(ref.generate(in), Generate.pick(List.of("T-1", "T-2", "T-3")).generate(in),
                        Generate.pick(List.of(new BigDecimal("0.25"), new BigDecimal("0.5"))).generate(in),
                        Generate.pick(List.of(new BigDecimal("100"), new BigDecimal("101"))).generate(in),
                        integers().between(0, 2).generate(in)),
                ref.map(CancelOrder::new),
                ref.map(ConfirmCancel::new),
                ref.map(CancelRejected::new),
                in -> new UpsertCandles(symbol().generate(in), integers().between(0, 20).generate(in),
                        integers().between(1, 4).generate(in), amount("90", "110").generate(in)),
                in -> new PutPattern(Generate.pick(List.of("p1", "p2", "p3")).generate(in),
                        integers().between(1, 120).generate(in), Generate.pick(List.of(0, 0, 10)).generate(in)),
                Generate.constant(new PurgePatterns()),
                in -> new RecordPrediction(symbol().generate(in), second.generate(in), amount("0", "1").generate(in)),
                in -> new RecordOutcome(ref.generate(in), amount("-0.05", "0.05").generate(in)),
                in -> new LogExecution(ref.generate(in), longs().between(0, 5_000).generate(in)),
                in -> new RecordMetric(Generate.pick(List.of("sharpe", "drawdown")).generate(in),
                        amount("-5", "5").generate(in), second.generate(in)),
                in -> new RecordSentiment(symbol().generate(in), second.generate(in), amount("-1", "1").generate(in)),
                in -> new RecordSnapshot(second.generate(in), amount("0", "20000").generate(in)));
        Gen<Integer> which = integers().between(0, ops.size() - 1);
        return in -> ops.get(which.generate(in)).generate(in);
    }

    /** Programs of 1 to {@code maxSize} operations, printed like the calls they make. */
    public static Gen<List<Op>> programs(int maxSize) {
        return lists().of(any()).ofSizeBetween(1, maxSize);
    }
}
