package io.tradestore;

import io.tradestore.analytics.Direction;
import io.tradestore.analytics.NewExecutionEvent;
import io.tradestore.analytics.NewMetric;
import io.tradestore.analytics.NewModelResult;
import io.tradestore.analytics.NewOutcome;
import io.tradestore.analytics.Outcome;
import io.tradestore.trading.NewPortfolioSnapshot;
import io.tradestore.trading.PortfolioSnapshot;
import io.tradestore.trading.PositionStatus;
import org.jooq.Record2;
import org.jooq.Result;
import io.tradestore.analytics.NewPrediction;
import io.tradestore.analytics.NewSentimentScore;
import io.tradestore.analytics.PredictedAction;
import io.tradestore.market.Candle;
import io.tradestore.market.Timeframe;
import io.tradestore.testing.EngineStores;
import io.tradestore.testing.Props;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.Fill;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.Order;
import io.tradestore.trading.NewFill;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.Position;
import io.tradestore.trading.PositionSide;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import static io.tradestore.internal.db.Tables.ANALYTICS_METRICS;
import static io.tradestore.internal.db.Tables.CANDLESTICKS;
import static io.tradestore.internal.db.Tables.ML_MODEL_RESULTS;
import static io.tradestore.internal.db.Tables.ORDERS;
import static io.tradestore.internal.db.Tables.ORDER_FILLS;
import static io.tradestore.internal.db.Tables.OUTCOMES;
import static io.tradestore.internal.db.Tables.PORTFOLIO_SNAPSHOTS;
import static io.tradestore.internal.db.Tables.POSITIONS;
import static io.tradestore.internal.db.Tables.PREDICTIONS;
import static io.tradestore.internal.db.Tables.SENTIMENT_SCORES;
import static io.tradestore.internal.db.Tables.TRADE_EXECUTION_LOG;
import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Keyset paging (decision 0012), on SQLite and PostgreSQL through one path: for every paged list, walking the pages
 * from {@code PageRequest.first(limit)} along {@code next()}, each page in its own read unit, yields exactly the
 * example's rows in the window, in (time, id) order, with no duplicate and no gap, and every page but the last is
 * full. The oracle is independent of the DAOs: plain SELECTs of the example's rows through {@code uow.jooq()},
 * windowed and sorted in Java. Rows are written at a
 * handful of distinct instants, so most instants hold several rows (ties broken by id, whose order is not the time
 * order: rows are written in generated order), and windows cut through groups of ties. Each example writes in a
 * day of its own and under names of its own, so examples never see each other's rows.
 */
class KeysetPagingPropertyTest {
    /** Examples per build: each writes up to 20 rows into each of ten tables and reads them back paged. */
    private static int tries(TestEngine engine) {
        return engine == TestEngine.SQLITE ? 100 : 25;
    }

    /** Rows at {@code offsets} (seconds, or minutes for candles, after the example's day), read with {@code limit}. */
    record Case(List<Integer> offsets, int limit, int windowStart, int windowLength) {
        Instant from(Instant base, Duration unit) {
            return base.plus(unit.multipliedBy(windowStart));
        }

        Instant to(Instant base, Duration unit) {
            return base.plus(unit.multipliedBy(windowStart + windowLength));
        }

        /** For tables with one row per instant (per symbol, series or model version): the first row at each. */
        List<Integer> distinctOffsets() {
            return List.copyOf(new LinkedHashSet<>(offsets));
        }

        long inWindow(List<Integer> of) {
            return of.stream().filter(o -> o >= windowStart && o < windowStart + windowLength).count();
        }
    }

    private static final EngineStores stores = new EngineStores("tradestore-paging", false, c -> c.withPoolSize(2));
    private static final AtomicInteger examples = new AtomicInteger();

    private static Tradestore store(TestEngine engine) {
        return stores.get(engine);
    }

    @AfterAll
    static void closeStores() throws Exception {
        stores.close();
    }

    @EachEngine
    void walkingEveryPageYieldsTheUnpagedListInOrderWithoutDuplicatesOrGaps(TestEngine engine) throws SQLException {
        Tradestore store = store(engine);
        var cases = lists().of(integers().between(0, 9)).ofSizeBetween(0, 20)
                .zip(integers().between(1, 6), integers().between(0, 5), integers().between(0, 7), Case::new);
        Props.check(tries(engine), 50, cases, c -> check(store, c));
    }

    private static void check(Tradestore store, Case c) {
        int n = examples.incrementAndGet();
        Instant base = T0.plus(Duration.ofDays(n));
        String symbol = "PAGE" + n;
        String metric = "metric-" + n;
        String model = "model-" + n;
        String evaluated = "EVAL" + n;
        Duration second = Duration.ofSeconds(1);
        Duration minute = Duration.ofMinutes(1);
        List<Integer> distinct = c.distinctOffsets();
        store.useTransaction(uow -> {
            for (int i = 0; i < c.offsets().size(); i++) {
                Instant at = base.plus(second.multipliedBy(c.offsets().get(i)));
                Position p = uow.positions().open(NewPosition.of(symbol, PositionSide.LONG, dec("1"), dec("100"),
                        base.minus(Duration.ofHours(1))));
                uow.positions().close(p.id(), dec("101"), at, null);
                uow.executionLog().record(new NewExecutionEvent(null, "page-" + n + "-" + i, "PLACED", null, at,
                        null));
                uow.metrics().record(new NewMetric(metric, dec(String.valueOf(i)), at));
                uow.modelResults().record(new NewModelResult(model, "v" + (i % 3), at.plusMillis(i / 3),
                        base, base, i, null, null, null, null, null));
                long order = uow.orders().place(NewOrder.market("page-" + n + "-o" + i, symbol, OrderSide.BUY,
                        dec("1"))).id();
                uow.orders().fill(order, NewFill.of("t-" + i, dec("1"), dec("100"), at));
            }
            for (int offset : distinct) {
                Instant at = base.plus(second.multipliedBy(offset));
                uow.predictions().record(new NewPrediction(symbol, at, PredictedAction.BUY, dec("0.5"),
                        Direction.UP, dec("0.01"), null, model, dec("100"), null));
                uow.sentiment().record(new NewSentimentScore(symbol, at, dec("0.1"), dec("0.9"), 1, null));
            }
            for (int offset : distinct) {
                Instant at = base.plus(second.multipliedBy(offset));
                uow.portfolio().record(new NewPortfolioSnapshot(at, dec("1000"), dec("1000"), dec("0"), dec("0"), 0));
            }
            // One prediction per outcome (a prediction has at most one), under a symbol of their own, each made
            // before the example's day and evaluated at the example's instants: ties in evaluation_timestamp.
            for (int i = 0; i < c.offsets().size(); i++) {
                long prediction = uow.predictions().record(new NewPrediction(evaluated,
                        base.minus(Duration.ofHours(1)).plusSeconds(i), PredictedAction.BUY, dec("0.5"), Direction.UP,
                        dec("0.01"), null, model, dec("100"), null)).id();
                uow.outcomes().record(new NewOutcome(prediction, base.plus(second.multipliedBy(c.offsets().get(i))),
                        dec("0.01"), Direction.UP, dec("101"), true));
            }
            uow.candlesticks().upsert(distinct.stream().map(o -> new Candle(symbol, Timeframe.M1,
                    base.plus(minute.multipliedBy(o)), dec("100"), dec("101"), dec("99"), dec("100.5"),
                    dec("10"))).toList());
        });

        Instant from = c.from(base, second);
        Instant to = c.to(base, second);
        walk(store, c, "positions().closed", c.inWindow(c.offsets()), Position::exitTime, Position::id, from, to,
                uow -> keys(uow.jooq().select(POSITIONS.EXIT_TIME, POSITIONS.ID).from(POSITIONS)
                        .where(POSITIONS.SYMBOL.eq(symbol), POSITIONS.STATUS.eq(PositionStatus.CLOSED)).fetch()),
                (uow, page) -> uow.positions().closed(from, to, page));
        walk(store, c, "executionLog().between", c.inWindow(c.offsets()), e -> e.loggedAt(), e -> e.id(), from, to,
                uow -> keys(uow.jooq().select(TRADE_EXECUTION_LOG.LOGGED_AT, TRADE_EXECUTION_LOG.ID)
                        .from(TRADE_EXECUTION_LOG).where(TRADE_EXECUTION_LOG.CLIENT_ORDER_ID.startsWith("page-" + n + "-"))
                        .fetch()),
                (uow, page) -> uow.executionLog().between(from, to, page));
        walk(store, c, "metrics().series", c.inWindow(c.offsets()), m -> m.computedAt(), m -> m.id(), from, to,
                uow -> keys(uow.jooq().select(ANALYTICS_METRICS.COMPUTED_AT, ANALYTICS_METRICS.ID)
                        .from(ANALYTICS_METRICS).where(ANALYTICS_METRICS.NAME.eq(metric)).fetch()),
                (uow, page) -> uow.metrics().series(metric, from, to, page));
        walk(store, c, "predictions().bySymbol", c.inWindow(distinct), p -> p.predictionTimestamp(), p -> p.id(),
                from, to, uow -> keys(uow.jooq().select(PREDICTIONS.PREDICTION_TIMESTAMP, PREDICTIONS.ID)
                        .from(PREDICTIONS).where(PREDICTIONS.SYMBOL.eq(symbol)).fetch()),
                (uow, page) -> uow.predictions().bySymbol(symbol, from, to, page));
        walk(store, c, "sentiment().range", c.inWindow(distinct), s -> s.scoredAt(), s -> s.id(), from, to,
                uow -> keys(uow.jooq().select(SENTIMENT_SCORES.SCORED_AT, SENTIMENT_SCORES.ID)
                        .from(SENTIMENT_SCORES).where(SENTIMENT_SCORES.SYMBOL.eq(symbol)).fetch()),
                (uow, page) -> uow.sentiment().range(symbol, from, to, page));
        walk(store, c, "modelResults().history", c.offsets().size(), r -> r.evaluatedAt(), r -> r.id(), null, null,
                uow -> keys(uow.jooq().select(ML_MODEL_RESULTS.EVALUATED_AT, ML_MODEL_RESULTS.ID)
                        .from(ML_MODEL_RESULTS).where(ML_MODEL_RESULTS.MODEL_NAME.eq(model)).fetch()),
                (uow, page) -> uow.modelResults().history(model, page));
        walk(store, c, "modelResults().history(v1)", (c.offsets().size() + 1) / 3, r -> r.evaluatedAt(), r -> r.id(),
                null, null, uow -> keys(uow.jooq().select(ML_MODEL_RESULTS.EVALUATED_AT, ML_MODEL_RESULTS.ID)
                        .from(ML_MODEL_RESULTS)
                        .where(ML_MODEL_RESULTS.MODEL_NAME.eq(model), ML_MODEL_RESULTS.MODEL_VERSION.eq("v1")).fetch()),
                (uow, page) -> uow.modelResults().history(model, "v1", page));
        // Orders are created at the store's clock, all in this example's one unit: a single instant of ties.
        Instant ever = Instant.parse("9999-01-01T00:00:00Z");
        walk(store, c, "orders().bySymbol", c.offsets().size(), Order::createdAt, Order::id, T0, ever,
                uow -> keys(uow.jooq().select(ORDERS.CREATED_AT, ORDERS.ID).from(ORDERS)
                        .where(ORDERS.SYMBOL.eq(symbol)).fetch()),
                (uow, page) -> uow.orders().bySymbol(symbol, T0, ever, page));
        walk(store, c, "orders().fillsBetween", c.inWindow(c.offsets()), Fill::filledAt, Fill::id, from, to,
                uow -> keys(uow.jooq().select(ORDER_FILLS.FILLED_AT, ORDER_FILLS.ID).from(ORDER_FILLS)
                        .join(ORDERS).on(ORDERS.ID.eq(ORDER_FILLS.ORDER_ID)).where(ORDERS.SYMBOL.eq(symbol)).fetch()),
                (uow, page) -> uow.orders().fillsBetween(from, to, page));
        Instant candleFrom = c.from(base, minute);
        Instant candleTo = c.to(base, minute);
        walk(store, c, "candlesticks().range", c.inWindow(distinct), Candle::openTime, k -> 0L, candleFrom, candleTo,
                uow -> uow.jooq().select(CANDLESTICKS.OPEN_TIME).from(CANDLESTICKS)
                        .where(CANDLESTICKS.SYMBOL.eq(symbol), CANDLESTICKS.TIMEFRAME.eq(Timeframe.M1))
                        .fetch(r -> new Key(r.value1(), 0)),
                (uow, page) -> uow.candlesticks().range(symbol, Timeframe.M1, candleFrom, candleTo, page));
        // taken_at is unique across the store: the example's snapshots are those in its own day.
        Instant nextDay = base.plus(Duration.ofDays(1));
        walk(store, c, "portfolio().range", c.inWindow(distinct), PortfolioSnapshot::takenAt, PortfolioSnapshot::id,
                from, to, uow -> keys(uow.jooq().select(PORTFOLIO_SNAPSHOTS.TAKEN_AT, PORTFOLIO_SNAPSHOTS.ID)
                        .from(PORTFOLIO_SNAPSHOTS)
                        .where(PORTFOLIO_SNAPSHOTS.TAKEN_AT.ge(base), PORTFOLIO_SNAPSHOTS.TAKEN_AT.lt(nextDay)).fetch()),
                (uow, page) -> uow.portfolio().range(from, to, page));
        walk(store, c, "outcomes().evaluatedBetween", c.inWindow(c.offsets()), Outcome::evaluationTimestamp,
                Outcome::id, from, to, uow -> keys(uow.jooq().select(OUTCOMES.EVALUATION_TIMESTAMP, OUTCOMES.ID)
                        .from(OUTCOMES).join(PREDICTIONS).on(PREDICTIONS.ID.eq(OUTCOMES.PREDICTION_ID))
                        .where(PREDICTIONS.SYMBOL.eq(evaluated)).fetch()),
                (uow, page) -> uow.outcomes().evaluatedBetween(from, to, page));
    }

    /** A row of a list by what orders it: its timestamp and id (0 for candles, which have none). */
    record Key(Instant time, long id) {
    }

    private static List<Key> keys(Result<Record2<Instant, Long>> rows) {
        return rows.map(r -> new Key(r.value1(), r.value2()));
    }

    /**
     * Walks {@code paged} page by page (each in its own read unit) and requires the concatenation to be the
     * example's rows read by {@code examplesRows} (plain SELECTs through {@code uow.jooq()}, with no window, order
     * or limit), kept in {@code [from, to)} (null: unbounded) and sorted by (time, id) here in Java, so the oracle
     * shares nothing with the DAO's query; also {@code expectedSize} long (counted from what the example wrote),
     * strictly increasing in (time, id), with every page but the last full.
     */
    private static <T> void walk(Tradestore store, Case c, String list, long expectedSize, Function<T, Instant> time,
                                 ToLongFunction<T> id, Instant from, Instant to,
                                 Function<UnitOfWork, List<Key>> examplesRows,
                                 java.util.function.BiFunction<UnitOfWork, PageRequest, Page<T>> paged) {
        List<T> all = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        PageRequest request = PageRequest.first(c.limit());
        for (long guard = 0; request != null; guard++) {
            assertThat(guard).as("%s: more pages than rows", list).isLessThanOrEqualTo(expectedSize + 1);
            PageRequest current = request;
            Page<T> page = store.read(uow -> paged.apply(uow, current));
            sizes.add(page.items().size());
            assertThat(page.items().size()).as("%s: page size", list).isLessThanOrEqualTo(c.limit());
            if (page.hasNext()) {
                assertThat(page.items()).as("%s: a page with a next page is full", list).hasSize(c.limit());
            }
            all.addAll(page.items());
            request = page.next();
        }
        // A cursor from before the window (a caller resuming into a narrower window) still starts at its start.
        Page<T> resumedEarly = store.read(uow -> paged.apply(uow, PageRequest.after(T0, 0, c.limit())));
        assertThat(resumedEarly.items()).as("%s: resumed before the window", list)
                .containsExactlyElementsOf(all.subList(0, Math.min(all.size(), c.limit())));
        List<Key> expected = store.read(examplesRows::apply).stream()
                .filter(k -> (from == null || !k.time().isBefore(from)) && (to == null || k.time().isBefore(to)))
                .sorted(Comparator.comparing(Key::time).thenComparingLong(Key::id))
                .toList();
        assertThat(all.stream().map(item -> new Key(time.apply(item), id.applyAsLong(item))).toList())
                .as("%s: pages %s of %s", list, sizes, c).containsExactlyElementsOf(expected);
        assertThat(all).as("%s: rows written in the window", list).hasSize((int) expectedSize);
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < all.size(); i++) {
            T item = all.get(i);
            assertThat(keys.add(time.apply(item) + "/" + id.applyAsLong(item))).as("%s: duplicate %s", list, item)
                    .isTrue();
            if (i > 0) {
                T before = all.get(i - 1);
                int cmp = time.apply(before).compareTo(time.apply(item));
                assertThat(cmp < 0 || cmp == 0 && id.applyAsLong(before) < id.applyAsLong(item))
                        .as("%s: %s before %s", list, before, item).isTrue();
            }
        }
    }

    @Test
    void aPageRequestIsValidated() throws SQLException {
        assertThatThrownBy(() -> PageRequest.first(0)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("page.limit: must be within [1, 10000]");
        assertThatThrownBy(() -> PageRequest.first(PageRequest.MAX_LIMIT + 1)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("page.limit");
        assertThatThrownBy(() -> PageRequest.after(null, 1, 5)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("page.afterTime");
        assertThatThrownBy(() -> PageRequest.after(T0, -1, 5)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("page.afterId");
        assertThatThrownBy(() -> PageRequest.after(Instant.parse("1969-12-31T23:59:59Z"), 1, 5))
                .isInstanceOf(ValidationException.class).hasMessageContaining("page.afterTime");
        assertThat(PageRequest.first(1).isFirst()).isTrue();
        assertThatThrownBy(() -> store(TestEngine.SQLITE).read(uow -> uow.positions().closed(T0, T0, null)))
                .isInstanceOf(ValidationException.class).hasMessageContaining("page");
    }

    private static BigDecimal dec(String s) {
        return new BigDecimal(s);
    }
}
