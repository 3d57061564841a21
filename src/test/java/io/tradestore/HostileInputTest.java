package io.tradestore;

import io.tradestore.testing.Pages;

import io.tradestore.testing.Fills;

import io.tradestore.analytics.CachePut;
import io.tradestore.analytics.Direction;
import io.tradestore.analytics.NewCachedPattern;
import io.tradestore.analytics.NewExecutionEvent;
import io.tradestore.analytics.NewMetric;
import io.tradestore.analytics.NewModelResult;
import io.tradestore.analytics.NewOutcome;
import io.tradestore.analytics.NewPrediction;
import io.tradestore.analytics.NewSentimentScore;
import io.tradestore.analytics.PredictedAction;
import io.tradestore.analytics.SentimentScore;
import io.tradestore.market.Candle;
import io.tradestore.market.Timeframe;
import io.tradestore.testing.FixtureCopies;
import io.tradestore.testing.MutableClock;
import io.tradestore.testing.Snapshot;
import io.tradestore.testing.PostgresFixtureCopies;
import io.tradestore.testing.SqliteFixtureCopies;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import io.tradestore.internal.Decimal18;
import io.tradestore.testing.SqliteFiles;
import io.tradestore.testing.Stores;
import io.tradestore.trading.NewFill;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.NewPortfolioSnapshot;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.Order;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.OrderStatus;
import io.tradestore.trading.Position;
import io.tradestore.trading.PositionDao;
import io.tradestore.trading.PositionSide;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

/**
 * The hostile input table: every row feeds one hostile value to the public API of a store that already holds
 * data (open and closed positions, orders in every status, a prediction with an outcome, candles, a cache entry,
 * ...) and asserts the documented typed exception, a message that names the field or id and the rule, and that
 * the database is exactly as before (every row of every table, sqlite_sequence included; on PostgreSQL every row,
 * and sequences where they were or further on: see {@link Snapshot}). docs/errors.md is the prose version of this
 * table.
 *
 * <p>Every table runs on SQLite and, when a server is configured, on PostgreSQL through the same cases
 * ({@link TestEngine}): each engine has its own fixture ({@link FixtureCopies}), written by the same
 * {@link #populate}, which must hand out the same ids on both. Rows whose action never reaches a store (config
 * validation, {@code Json.of}, opening SQLite files) run once, on SQLite.
 *
 * <p>Those rows let the exception end the unit, so they prove little more than ROLLBACK. The catch-and-continue
 * cases ({@link #writeCases}) give every DAO write method each failure it can produce inside a unit that catches
 * the exception, writes something else and commits: the database must then hold exactly that other write.
 *
 * <p>The accepted table ({@link #acceptedRows}) is the other side of the boundary: the extreme values
 * DECIMAL(38,18) holds, and number-like text (NaN, Infinity, 1e400, -0, ...) through every free-text and JSON path,
 * each committed to a copy of the fixture, read back exactly and found stored as written (text as text).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputTest {
    /** The store's fixed clock: a day after the fixture's data, so nothing in the cache expires mid-run. */
    static final Instant NOW = T0.plus(Duration.ofDays(1));
    static final long MISSING = 999_999;
    /** Messages stay short and single-line whatever the input (a 10 kB symbol, a 1 MB JSON document). */
    static final int MAX_MESSAGE = 1_000;
    /** The exact decimal rules (decision 0009): DECIMAL(38,18), never rounded. */
    static final String MORE_THAN_18 = "has more than 18 decimal places; tradestore stores decimals exactly with at most"
            + " 18 and never rounds: round the value yourself if that is what you mean";
    static final String RANGE = "within ±99999999999999999999.999999999999999999 (DECIMAL(38,18): below 10^20, at most"
            + " 18 decimal places)";
    static final String WITHIN_RANGE = "must be " + RANGE;

    @TempDir
    static Path dir;
    /**
     * Per engine: its fixture copies, the copy the error rows run on, and the accepted table's own copy (its rows
     * commit, so they must not touch the other).
     */
    record Target(FixtureCopies copies, FixtureCopies.Copy main, FixtureCopies.Copy accepted) {
    }

    final Map<TestEngine, Target> targets = new EnumMap<>(TestEngine.class);
    /** The engine the running case uses; {@link #store} is its main copy's store. */
    Target current;
    Tradestore store;
    /** The fixture's clock; {@link #populate} moves it back once to write a cache entry already expired at NOW. */
    final MutableClock fixtureClock = new MutableClock(NOW);

    long openPosition;
    long closedPosition;
    long hugeQuantityPosition;
    long tinyPricePosition;
    long newOrder;
    long partialOrder;
    long filledOrder;
    long cancelledOrder;
    long pendingCancelOrder;
    long rejectedOrder;
    long evaluatedPrediction;
    long pendingPrediction;
    /** Only the catch-and-continue cases' other write evaluates this one, so it never shares a row with a failed call. */
    long otherPendingPrediction;
    long outcome;

    /** One row of the table; its description is its display name. */
    record Row(String description, ThrowingCallable action, Class<? extends Throwable> expectedType,
               String messageFragment) {
        @Override
        public String toString() {
            return description;
        }
    }

    @BeforeAll
    void openStoreWithData() {
        List<Long> firstIds = null;
        for (TestEngine engine : TestEngine.available().toList()) {
            FixtureCopies copies = fixtureCopies(engine);
            // The rows are built once, with the ids of these fields: every engine's fixture must have the same.
            List<Long> ids = fixtureIds();
            if (firstIds == null) {
                firstIds = ids;
            }
            assertThat(ids).as("ids of the %s fixture", engine).isEqualTo(firstIds);
            targets.put(engine, new Target(copies, copies.copy(Stores.fixed(NOW)), copies.copy(Stores.fixed(NOW))));
            use(engine);
            // The fixture really has an order in every status, as the rows below assume.
            long statusesPresent = store.read(uow -> Stream.of(OrderStatus.values())
                    .filter(s -> !uow.orders().byStatus(s, PageRequest.first(1)).items().isEmpty()).count());
            assertThat(statusesPresent).isEqualTo(OrderStatus.values().length);
        }
    }

    /**
     * The one place every case gets its databases from: every copy starts from the fixture written once per
     * engine by {@link #populate}.
     */
    FixtureCopies fixtureCopies(TestEngine engine) {
        return switch (engine) {
            case SQLITE -> SqliteFixtureCopies.create(dir.resolve("copies"), fixtureClock, this::populate);
            case POSTGRES -> PostgresFixtureCopies.create(fixtureClock, this::populate);
        };
    }

    List<Long> fixtureIds() {
        return List.of(openPosition, closedPosition, hugeQuantityPosition, tinyPricePosition, newOrder, partialOrder,
                filledOrder, cancelledOrder, pendingCancelOrder, rejectedOrder, evaluatedPrediction, pendingPrediction,
                otherPendingPrediction, outcome);
    }

    /** Makes {@code engine} the one the next case runs on. */
    Target use(TestEngine engine) {
        current = targets.get(engine);
        store = current.main().store();
        return current;
    }

    Stream<FixtureCopies> engines() {
        return targets.values().stream().map(Target::copies);
    }

    /** Rows that reach a store run on every engine; the others (pure Java) once, on SQLite. */
    Stream<Arguments> onEachEngine(Stream<Row> rows) {
        return rows.flatMap(r -> r.action() instanceof StoreAction
                ? targets.keySet().stream().map(e -> Arguments.of(e, r))
                : Stream.of(Arguments.of(TestEngine.SQLITE, r)));
    }

    /** The data every row and case starts from; sets the id fields the rows refer to. */
    void populate(UnitOfWork uow) {
        Position open = uow.positions().open(NewPosition.of("BTCUSDT", PositionSide.LONG, d("1"), d("23000"), T0)
                .withStopLoss(d("22000")).withStrategy("ma-cross"));
        openPosition = open.id();
        Position toClose = uow.positions().open(NewPosition.of("ETHUSDT", PositionSide.SHORT, d("2"), d("1600"), T0));
        closedPosition = uow.positions().close(toClose.id(), d("1500"), T0.plusSeconds(3600), "take profit").id();
        hugeQuantityPosition = uow.positions().open(NewPosition.of("PNLBIG", PositionSide.LONG, d("1000"), d("1"), T0)).id();
        tinyPricePosition = uow.positions().open(NewPosition.of("TINY", PositionSide.LONG, d("1"), d("0.000000000000000001"), T0)).id();

        newOrder = uow.orders().place(NewOrder.limit("fixture-new", "BTCUSDT", OrderSide.BUY, d("1"), d("22000"))
                .forPosition(openPosition)).id();
        partialOrder = uow.orders().place(NewOrder.market("fixture-partial", "BTCUSDT", OrderSide.BUY, d("2"))).id();
        uow.orders().fill(partialOrder, new NewFill("fixture-trade-1", d("0.5"), d("23000"), d("0.01"), "USDT", T0.plusSeconds(1)));
        filledOrder = uow.orders().place(NewOrder.market("fixture-filled", "BTCUSDT", OrderSide.BUY, d("1"))).id();
        uow.orders().fill(filledOrder, Fills.of(d("1"), d("23001"), d("0.02"), T0.plusSeconds(2))).order();
        cancelledOrder = uow.orders().place(NewOrder.market("fixture-cancelled", "BTCUSDT", OrderSide.SELL, d("1"))).id();
        uow.orders().cancel(cancelledOrder);
        uow.orders().confirmCancel(cancelledOrder);
        pendingCancelOrder = uow.orders().place(NewOrder.market("fixture-pending-cancel", "BTCUSDT", OrderSide.SELL,
                d("1"))).id();
        uow.orders().cancel(pendingCancelOrder);
        rejectedOrder = uow.orders().place(NewOrder.market("fixture-rejected", "BTCUSDT", OrderSide.SELL, d("1"))).id();
        uow.orders().reject(rejectedOrder, "insufficient margin");

        evaluatedPrediction = uow.predictions().record(prediction("BTCUSDT", T0, d("0.72"), "lstm-v3")).id();
        outcome = uow.outcomes().record(new NewOutcome(evaluatedPrediction, T0.plusSeconds(3600), d("0.004"),
                Direction.UP, d("23092"), true)).id();
        pendingPrediction = uow.predictions().record(prediction("BTCUSDT", T0.plusSeconds(60), d("0.55"), "lstm-v3")).id();
        otherPendingPrediction = uow.predictions().record(prediction("BTCUSDT", T0.plusSeconds(120), d("0.58"), "lstm-v3")).id();

        List<Candle> candles = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            candles.add(candle("BTCUSDT", Timeframe.M1, T0.plusSeconds(60L * i)));
        }
        uow.candlesticks().upsert(candles);
        uow.patternCache().put(pattern("BTCUSDT:1h:double-top", Json.of("{\"neckline\":22800}")), Duration.ofHours(1));
        // Expired at NOW, so a purge that runs when it should have failed (the bad-clock case) deletes a row.
        fixtureClock.set(NOW.minus(Duration.ofHours(2)));
        try {
            uow.patternCache().put(pattern("BTCUSDT:1h:expired", Json.of("{}")), Duration.ofHours(1));
        } finally {
            fixtureClock.set(NOW);
        }
        uow.portfolio().record(new NewPortfolioSnapshot(T0, d("10000"), d("33000"), d("200"), d("0"), 3));
        uow.executionLog().record(new NewExecutionEvent(filledOrder, "fixture-filled", "filled", 1_250L,
                T0.plusSeconds(2), Json.of("{\"venue\":\"binance\"}")));
        uow.modelResults().record(modelResult("lstm", "v3", T0, T0.minusSeconds(86_400), T0, d("0.61")));
        uow.metrics().record(new NewMetric("sharpe", d("1.25"), T0, Json.of("{\"strategy\":\"ma-cross\"}")));
        uow.sentiment().record(new NewSentimentScore("BTCUSDT", T0, d("0.3"), d("0.8"), 12, "newsapi"));
    }

    @AfterAll
    void closeStore() {
        RuntimeException failure = null;
        for (Target t : targets.values()) {
            for (AutoCloseable c : List.of(t.main(), t.accepted(), t.copies())) {
                try {
                    c.close();
                } catch (Exception e) {
                    if (failure == null) {
                        failure = new IllegalStateException("closing the fixtures failed", e);
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    Stream<Arguments> rowsOnEachEngine() {
        return onEachEngine(rows());
    }

    Stream<Arguments> fixedBugRowsOnEachEngine() {
        return onEachEngine(fixedBugRows());
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("rowsOnEachEngine")
    void hostileInputGetsItsTypedErrorAndChangesNothing(TestEngine engine, Row row) {
        use(engine);
        check(row);
    }

    /**
     * Regressions: inputs this table found accepted, stored lossily or answered silently, fixed since. Each row
     * keeps the description of what used to happen.
     */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("fixedBugRowsOnEachEngine")
    void formerlyAcceptedInputsAreNowRefused(TestEngine engine, Row row) {
        use(engine);
        check(row);
    }

    private void check(Row row) {
        Snapshot before = current.main().snapshot();
        Throwable thrown = catchThrowable(row.action());
        Snapshot after = current.main().snapshot();
        if (thrown == null) {
            fail("accepted without an exception: " + row.description() + "; expected " + row.expectedType().getSimpleName()
                    + " containing \"" + row.messageFragment() + "\"; database changes: " + after.differencesFrom(before));
        }
        assertThat(thrown).as("exception type for: %s", row.description()).isExactlyInstanceOf(row.expectedType());
        String message = thrown.getMessage();
        assertThat(message).as("message of %s", thrown).contains(row.messageFragment());
        assertActionable(row, thrown);
        assertThat(after.differencesFrom(before)).as("database changes after: %s", row.description()).isEmpty();
        assertThat(after).isEqualTo(before);
    }

    /**
     * The message tells the caller what to fix: it names the field (a ValidationException's message starts with
     * its field, and the row's fragment starts with that field), is short, and carries no raw control characters
     * from the hostile value into a log line. Database-derived errors carry their standard SQLState.
     */
    private static void assertActionable(Row row, Throwable thrown) {
        String message = thrown.getMessage();
        assertThat(message).isNotBlank().hasSizeLessThanOrEqualTo(MAX_MESSAGE);
        assertThat(message.chars().filter(Character::isISOControl).count())
                .as("raw control characters in: %s", message).isZero();
        if (thrown instanceof ValidationException v) {
            assertThat(v.field()).isNotBlank();
            assertThat(message).startsWith(v.field() + ": " + v.rule());
            assertThat(row.messageFragment()).as("the row's fragment names the field").startsWith(v.field());
        }
        if (thrown instanceof ConflictException c) {
            assertThat(c.sqlState()).isEqualTo("23505");
        } else if (thrown instanceof ForeignKeyViolationException f) {
            assertThat(f.sqlState()).isEqualTo("23503");
            assertThat((Throwable) f.sqlException()).as("the driver's exception").isNotNull();
        }
    }

    Stream<Row> rows() {
        return Stream.of(nulls(), decimals(), symbols(), texts(), timestamps(), json(), duplicates(), dangling(),
                transitions(), config(), unitsOfWork()).flatMap(List::stream);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Nulls
    // ---------------------------------------------------------------------------------------------------------

    List<Row> nulls() {
        return List.of(
                row("null position symbol", tx(uow -> uow.positions().open(NewPosition.of(null, PositionSide.LONG, d("1"), d("1"), T0))),
                        ValidationException.class, "positions.symbol: must not be null"),
                row("null position side", tx(uow -> uow.positions().open(NewPosition.of("BTCUSDT", null, d("1"), d("1"), T0))),
                        ValidationException.class, "positions.side: must not be null"),
                row("null position quantity", tx(uow -> uow.positions().open(NewPosition.of("BTCUSDT", PositionSide.LONG, null, d("1"), T0))),
                        ValidationException.class, "positions.quantity: must not be null"),
                row("null position entry price", tx(uow -> uow.positions().open(NewPosition.of("BTCUSDT", PositionSide.LONG, d("1"), null, T0))),
                        ValidationException.class, "positions.entry_price: must not be null"),
                row("null position entry time", tx(uow -> uow.positions().open(NewPosition.of("BTCUSDT", PositionSide.LONG, d("1"), d("1"), null))),
                        ValidationException.class, "positions.entry_time: must not be null"),
                row("positions().open(null)", tx(uow -> uow.positions().open(null)),
                        ValidationException.class, "position: must not be null"),
                row("null client order id", tx(uow -> uow.orders().place(NewOrder.market(null, "BTCUSDT", OrderSide.BUY, d("1")))),
                        ValidationException.class, "orders.client_order_id: must not be null"),
                row("null order side", tx(uow -> uow.orders().place(NewOrder.market("h-null-side", "BTCUSDT", null, d("1")))),
                        ValidationException.class, "orders.side: must not be null"),
                row("LIMIT order with a null limit price", tx(uow -> uow.orders().place(NewOrder.limit("h-limit", "BTCUSDT", OrderSide.BUY, d("1"), null))),
                        ValidationException.class, "orders.limit_price: is required for LIMIT orders"),
                row("MARKET order carrying a limit price", tx(uow -> uow.orders().place(new NewOrder("h-market", null, "BTCUSDT", OrderSide.BUY,
                                io.tradestore.trading.OrderType.MARKET, d("1"), d("22000"), null))),
                        ValidationException.class, "orders.limit_price: must be null for MARKET orders"),
                row("orders().place(null)", tx(uow -> uow.orders().place(null)),
                        ValidationException.class, "order: must not be null"),
                row("fill with a null fee", tx(uow -> uow.orders().fill(newOrder, Fills.of(d("0.1"), d("22000"), null, T0)).order()),
                        ValidationException.class, "order_fills.fee: must not be null"),
                row("fill with a null trade id", tx(uow -> uow.orders().fill(newOrder, new NewFill(null, d("0.1"), d("22000"), d("0"), null, T0))),
                        ValidationException.class, "order_fills.trade_id: must not be null"),
                row("fill with a blank trade id", tx(uow -> uow.orders().fill(newOrder, new NewFill(" ", d("0.1"), d("22000"), d("0"), null, T0))),
                        ValidationException.class, "order_fills.trade_id: must not be blank"),
                row("fill with a 65-character trade id", tx(uow -> uow.orders().fill(newOrder, new NewFill("t".repeat(65), d("0.1"), d("22000"), d("0"), null, T0))),
                        ValidationException.class, "order_fills.trade_id: must be at most 64 characters"),
                row("fill with a newline in the trade id", tx(uow -> uow.orders().fill(newOrder, new NewFill("t-1\n", d("0.1"), d("22000"), d("0"), null, T0))),
                        ValidationException.class, "order_fills.trade_id: must not contain control characters"),
                row("fill with a fee but no fee currency", tx(uow -> uow.orders().fill(newOrder, new NewFill("t-fee", d("0.1"), d("22000"), d("0.01"), null, T0))),
                        ValidationException.class, "order_fills.fee_currency: is required when the fee is not zero (fee 0.01)"),
                row("fill with a lower-case fee currency", tx(uow -> uow.orders().fill(newOrder, new NewFill("t-fee", d("0.1"), d("22000"), d("0.01"), "usdt", T0))),
                        ValidationException.class, "order_fills.fee_currency: must be 1-16 characters of A-Z and 0-9 (was \"usdt\")"),
                row("fill with a 17-character fee currency", tx(uow -> uow.orders().fill(newOrder, new NewFill("t-fee", d("0.1"), d("22000"), d("0.01"), "ABCDEFGHIJKLMNOPQ", T0))),
                        ValidationException.class, "order_fills.fee_currency: must be 1-16 characters of A-Z and 0-9"),
                row("fill with an empty fee currency", tx(uow -> uow.orders().fill(newOrder, new NewFill("t-fee", d("0.1"), d("22000"), d("0"), "", T0))),
                        ValidationException.class, "order_fills.fee_currency: must be 1-16 characters of A-Z and 0-9"),
                row("orders().fill(id, null)", tx(uow -> uow.orders().fill(newOrder, null)),
                        ValidationException.class, "fill: must not be null"),
                row("find a fill by a blank trade id", tx(uow -> uow.orders().findFill(partialOrder, "")),
                        ValidationException.class, "order_fills.trade_id: must not be blank"),
                row("null prediction confidence", tx(uow -> uow.predictions().record(prediction("BTCUSDT", T0.plusSeconds(900), null, "lstm-v3"))),
                        ValidationException.class, "predictions.confidence: must not be null"),
                row("null outcome direction", tx(uow -> uow.outcomes().record(new NewOutcome(evaluatedPrediction, NOW, d("0.01"), null, d("1"), true))),
                        ValidationException.class, "outcomes.actual_direction: must not be null"),
                row("null candle list", tx(uow -> uow.candlesticks().upsert(null)),
                        ValidationException.class, "candles: must not be null"),
                row("null element in a candle batch", tx(uow -> uow.candlesticks().upsert(Arrays.asList(
                                candle("BTCUSDT", Timeframe.M1, T0.plusSeconds(600)), null))),
                        ValidationException.class, "candles[1]: must not be null"),
                row("null cache payload", tx(uow -> uow.patternCache().put(pattern("h-null-payload", null), Duration.ofHours(1))),
                        ValidationException.class, "pattern_cache.payload: must not be null"),
                row("byStatus(null)", read(uow -> uow.orders().byStatus(null, PageRequest.first(10))),
                        ValidationException.class, "status: must not be null"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Decimals: sign, scale, range; NaN and infinity cannot even become a BigDecimal
    // ---------------------------------------------------------------------------------------------------------

    List<Row> decimals() {
        return List.of(
                row("zero position quantity", tx(uow -> uow.positions().open(position("BTCUSDT", d("0"), d("1")))),
                        ValidationException.class, "positions.quantity: must be > 0"),
                row("negative position quantity", tx(uow -> uow.positions().open(position("BTCUSDT", d("-1"), d("1")))),
                        ValidationException.class, "positions.quantity: must be > 0 (was -1)"),
                row("zero entry price", tx(uow -> uow.positions().open(position("BTCUSDT", d("1"), d("0")))),
                        ValidationException.class, "positions.entry_price: must be > 0"),
                row("negative limit price", tx(uow -> uow.orders().place(NewOrder.limit("h-neg-limit", "BTCUSDT", OrderSide.BUY, d("1"), d("-0.01")))),
                        ValidationException.class, "orders.limit_price: must be > 0"),
                row("zero fill quantity", tx(uow -> uow.orders().fill(newOrder, Fills.of(d("0"), d("22000"), d("0"), T0)).order()),
                        ValidationException.class, "order_fills.quantity: must be > 0"),
                row("negative fill price", tx(uow -> uow.orders().fill(newOrder, Fills.of(d("0.1"), d("-22000"), d("0"), T0)).order()),
                        ValidationException.class, "order_fills.price: must be > 0"),
                row("negative fee -0.000000000000000001", tx(uow -> uow.orders().fill(newOrder, Fills.of(d("0.1"), d("22000"), d("-0.000000000000000001"), T0)).order()),
                        ValidationException.class, "order_fills.fee: must be >= 0"),
                row("negative candle volume", tx(uow -> uow.candlesticks().upsert(List.of(new Candle("BTCUSDT", Timeframe.M1, T0,
                                d("1"), d("1"), d("1"), d("1"), d("-1"))))),
                        ValidationException.class, "candlesticks.volume: must be >= 0"),
                row("zero candle open", tx(uow -> uow.candlesticks().upsert(List.of(new Candle("BTCUSDT", Timeframe.M1, T0,
                                d("0"), d("1"), d("1"), d("1"), d("1"))))),
                        ValidationException.class, "candlesticks.open: must be > 0"),
                row("candle high below low", tx(uow -> uow.candlesticks().upsert(List.of(new Candle("BTCUSDT", Timeframe.M1, T0,
                                d("1"), d("1"), d("2"), d("1"), d("1"))))),
                        ValidationException.class, "candlesticks.high: must be >= low (was high=1, low=2)"),
                row("prediction confidence 1.000000000000000001", tx(uow -> uow.predictions().record(prediction("BTCUSDT", T0.plusSeconds(900), d("1.000000000000000001"), "lstm-v3"))),
                        ValidationException.class, "predictions.confidence: must be within [0, 1] (was 1.000000000000000001)"),
                row("prediction confidence -0.000000000000000001", tx(uow -> uow.predictions().record(prediction("BTCUSDT", T0.plusSeconds(900), d("-0.000000000000000001"), "lstm-v3"))),
                        ValidationException.class, "predictions.confidence: must be within [0, 1] (was -1E-18)"),
                row("position ml confidence 1.000000000000000001", tx(uow -> uow.positions().open(position("BTCUSDT", d("1"), d("1")).withMlConfidence(d("1.000000000000000001")))),
                        ValidationException.class, "positions.ml_confidence: must be within [0, 1]"),
                row("sentiment score 1.5", tx(uow -> uow.sentiment().record(new NewSentimentScore("BTCUSDT", NOW, d("1.5"), d("0.5"), 1, null))),
                        ValidationException.class, "sentiment_scores.score: must be within [-1, 1] (was 1.5)"),
                row("position sentiment -1.5", tx(uow -> uow.positions().open(position("BTCUSDT", d("1"), d("1")).withSentimentScore(d("-1.5")))),
                        ValidationException.class, "positions.sentiment_score: must be within [-1, 1]"),
                row("negative prediction magnitude", tx(uow -> uow.predictions().record(new NewPrediction("BTCUSDT", T0.plusSeconds(900),
                                PredictedAction.SELL, d("0.5"), Direction.DOWN, d("-0.01"), null, "lstm-v3", d("1"), null))),
                        ValidationException.class, "predictions.magnitude: must be >= 0"),
                row("quantity with 19 decimals 0.0000000000000000001", tx(uow -> uow.positions().open(position("BTCUSDT", d("0.0000000000000000001"), d("1")))),
                        ValidationException.class, "positions.quantity: " + MORE_THAN_18 + " (was 1E-19)"),
                row("new BigDecimal(0.1): 55-decimal binary expansion is rejected, not rounded",
                        tx(uow -> uow.positions().open(position("BTCUSDT", d("1"), new BigDecimal(0.1)))),
                        ValidationException.class, "positions.entry_price: " + MORE_THAN_18
                                + " (was 0.1000000000000000055511151231257827021181583404541015625)"),
                row("new BigDecimal(Double.toString(1e-19)) as fee", tx(uow -> uow.orders().fill(newOrder, Fills.of(d("0.1"), d("22000"),
                                new BigDecimal(Double.toString(1e-19)), T0)).order()),
                        ValidationException.class, "order_fills.fee: " + MORE_THAN_18 + " (was 1.0E-19)"),
                row("1E+30 cash", tx(uow -> uow.portfolio().record(snapshot(NOW, d("1E+30"), d("0")))),
                        ValidationException.class, "portfolio_snapshots.cash: " + WITHIN_RANGE + " (was 1E+30)"),
                row("equity -100000000000000000000 (-10^20): one unit of the 18th place below the minimum", tx(uow -> uow.portfolio().record(snapshot(NOW, d("0"), d("-100000000000000000000")))),
                        ValidationException.class, "portfolio_snapshots.equity: " + WITHIN_RANGE + " (was -100000000000000000000)"),
                row("metric value 100000000000000000000 (10^20): one unit of the 18th place above the maximum", tx(uow -> uow.metrics().record(new NewMetric("h-metric", d("100000000000000000000"), NOW))),
                        ValidationException.class, "analytics_metrics.value: " + WITHIN_RANGE + " (was 100000000000000000000)"),
                row("cash 100000000000000000000.000000000000000000: 10^20 written at scale 18", tx(uow -> uow.portfolio().record(snapshot(NOW, d("100000000000000000000.000000000000000000"), d("0")))),
                        ValidationException.class, "portfolio_snapshots.cash: " + WITHIN_RANGE + " (was 100000000000000000000.000000000000000000)"),
                row("outcome return 100000000000000000000.000000000000000001: 10^20 plus one unit of the 18th place", tx(uow -> uow.outcomes().record(new NewOutcome(
                                pendingPrediction, NOW, d("100000000000000000000.000000000000000001"), Direction.UP, d("1"), true))),
                        ValidationException.class, "outcomes.actual_return: " + WITHIN_RANGE + " (was 100000000000000000000.000000000000000001)"),
                row("equity -100000000000000000000.000000000000000001: -10^20 minus one unit of the 18th place", tx(uow -> uow.portfolio().record(snapshot(NOW, d("0"), d("-100000000000000000000.000000000000000001")))),
                        ValidationException.class, "portfolio_snapshots.equity: " + WITHIN_RANGE + " (was -100000000000000000000.000000000000000001)"),
                row("exit price 10^20: a positive column checks the range too", tx(uow -> uow.positions().close(openPosition, d("1E+20"), NOW, null)),
                        ValidationException.class, "positions.exit_price: " + WITHIN_RANGE + " (was 1E+20)"),
                row("candle high 10^20 above an in-range low", tx(uow -> uow.candlesticks().upsert(List.of(new Candle("BTCUSDT", Timeframe.M1, T0.plusSeconds(600),
                                d("1"), d("100000000000000000000"), d("1"), d("1"), d("1"))))),
                        ValidationException.class, "candlesticks.high: " + WITHIN_RANGE + " (was 100000000000000000000)"),
                row("fill price with 19 decimals 1.0000000000000000001", tx(uow -> uow.orders().fill(newOrder, Fills.of(d("0.1"), d("1.0000000000000000001"), d("0"), NOW)).order()),
                        ValidationException.class, "order_fills.price: " + MORE_THAN_18 + " (was 1.0000000000000000001)"),
                row("metric value with 19 decimals -0.0000000000000000001", tx(uow -> uow.metrics().record(new NewMetric("h-metric", d("-0.0000000000000000001"), NOW))),
                        ValidationException.class, "analytics_metrics.value: " + MORE_THAN_18 + " (was -1E-19)"),
                row("cash 99999999999999999999.9999999999999999999: below 10^20 with 19 decimals, rounded neither up nor down", tx(uow -> uow.portfolio().record(snapshot(NOW, d("99999999999999999999.9999999999999999999"), d("0")))),
                        ValidationException.class, "portfolio_snapshots.cash: " + MORE_THAN_18 + " (was 99999999999999999999.9999999999999999999)"),
                row("entry price 1E-18 written with 19 places and a 5 (0.0000000000000000015): not rounded to 2E-18", tx(uow -> uow.positions().open(position("BTCUSDT", d("1"), d("0.0000000000000000015")))),
                        ValidationException.class, "positions.entry_price: " + MORE_THAN_18 + " (was 1.5E-18)"),
                row("outcome return 1E+999999999 (cheap bound check, no huge arithmetic)", tx(uow -> uow.outcomes().record(new NewOutcome(
                                evaluatedPrediction, NOW, d("1E+999999999"), Direction.UP, d("1"), true))),
                        ValidationException.class, "outcomes.actual_return: must be within"),
                row("stop loss 1E-999999999", tx(uow -> uow.positions().updateStops(openPosition, d("1E-999999999"), null, 0)),
                        ValidationException.class, "positions.stop_loss: " + MORE_THAN_18 + " (was 1E-999999999)"),
                row("realized P&L too large to store (derived, not rounded into range): 1000 x (10^17 + 1 - 1) = 10^20",
                        tx(uow -> uow.positions().close(hugeQuantityPosition, d("100000000000000001"), NOW, "moon")),
                        ValidationException.class, "positions.realized_pnl: is derived from the given values and must be "
                                + RANGE + " (was 100000000000000000000.000000000000000000)"),
                row("return % too large to store (entry 0.000000000000000001, exit 2)",
                        tx(uow -> uow.positions().close(tinyPricePosition, d("2"), NOW, null)),
                        ValidationException.class, "positions.return_pct: is derived from the given values and must be " + RANGE),
                // The JDK's wording differs between releases (17: "Character N is neither...", 25: "Infinite or NaN"):
                // these two rows pin only the type, and that nothing was written.
                row("BigDecimal.valueOf(Double.NaN) fails in the caller's code, before tradestore (JDK)",
                        tx(uow -> uow.positions().open(position("BTCUSDT", d("1"), BigDecimal.valueOf(Double.NaN)))),
                        NumberFormatException.class, ""),
                row("new BigDecimal(Double.toString(+Infinity)) fails before tradestore (JDK)",
                        tx(uow -> uow.positions().open(position("BTCUSDT", new BigDecimal(Double.toString(Double.POSITIVE_INFINITY)), d("1")))),
                        NumberFormatException.class, ""));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Symbols
    // ---------------------------------------------------------------------------------------------------------

    List<Row> symbols() {
        String rule = ": must be 1-32 characters of A-Z, a-z, 0-9 and . _ : / -, starting with a letter or digit";
        List<Row> rows = new ArrayList<>();
        Object[][] hostile = {
                {"empty symbol", ""},
                {"blank symbol", "   "},
                {"10 kB symbol", "B".repeat(10_240)},
                {"symbol '; DROP TABLE positions; --", "'; DROP TABLE positions; --"},
                {"symbol BTC' OR '1'='1", "BTC' OR '1'='1"},
                {"symbol Robert'); DROP TABLE orders;--", "Robert'); DROP TABLE orders;--"},
                {"symbol with euro sign BTC\\u20ac", "BTC\u20ac"},
                {"symbol with emoji", "BTC\uD83D\uDE80"},
                {"symbol with RTL mark \\u200f", "\u200FBTCUSDT"},
                {"symbol with RTL override \\u202e", "BTC\u202EUSDT"},
                {"symbol with zero-width joiner \\u200d", "BTC\u200DUSDT"},
                {"symbol with NUL \\u0000", "BTC\u0000"},
                {"symbol with newline", "BTC\nUSDT"},
                {"symbol with tab", "BTC\tUSDT"},
                {"symbol with leading space", " BTCUSDT"},
                {"symbol of 33 characters", "A".repeat(33)},
                {"symbol with Arabic-Indic digit", "BTC\u0661"},
                // Number-like text the symbol rule refuses (a symbol starts with a letter or digit); the others
                // (NaN, Infinity, 1e400, 0x10) are symbols, stored as text: see acceptedRows.
                {"symbol -Infinity", "-Infinity"},
                {"symbol -0", "-0"},
        };
        for (Object[] h : hostile) {
            String symbol = (String) h[1];
            rows.add(row("positions: " + h[0], tx(uow -> uow.positions().open(position(symbol, d("1"), d("1")))),
                    ValidationException.class, "positions.symbol" + rule));
        }
        rows.add(row("orders: symbol BTC' OR '1'='1", tx(uow -> uow.orders().place(NewOrder.market("h-inj", "BTC' OR '1'='1", OrderSide.BUY, d("1")))),
                ValidationException.class, "orders.symbol" + rule));
        rows.add(row("candles: symbol Robert'); DROP TABLE orders;--", tx(uow -> uow.candlesticks().upsert(List.of(
                        candle("Robert'); DROP TABLE orders;--", Timeframe.M1, T0)))),
                ValidationException.class, "candlesticks.symbol" + rule));
        rows.add(row("predictions: symbol with emoji", tx(uow -> uow.predictions().record(prediction("\uD83D\uDE80", NOW, d("0.5"), "lstm-v3"))),
                ValidationException.class, "predictions.symbol" + rule));
        rows.add(row("query listOpen('; DROP TABLE positions; --) is refused, not run", read(uow -> uow.positions().listOpen("'; DROP TABLE positions; --")),
                ValidationException.class, "symbol" + rule));
        rows.add(row("query candles range for symbol BTC' OR '1'='1", read(uow -> uow.candlesticks().range("BTC' OR '1'='1", Timeframe.M1, T0, NOW, PageRequest.first(10))),
                ValidationException.class, "symbol" + rule));
        return rows;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Client order ids, cache keys, model versions, free text
    // ---------------------------------------------------------------------------------------------------------

    List<Row> texts() {
        return List.of(
                row("empty client order id", tx(uow -> uow.orders().place(NewOrder.market("", "BTCUSDT", OrderSide.BUY, d("1")))),
                        ValidationException.class, "orders.client_order_id: must not be blank"),
                row("blank client order id", tx(uow -> uow.orders().place(NewOrder.market(" \t ", "BTCUSDT", OrderSide.BUY, d("1")))),
                        ValidationException.class, "orders.client_order_id: must not be blank"),
                row("client order id of 65 characters", tx(uow -> uow.orders().place(NewOrder.market("c".repeat(65), "BTCUSDT", OrderSide.BUY, d("1")))),
                        ValidationException.class, "orders.client_order_id: must be at most 64 characters"),
                row("client order id with NUL", tx(uow -> uow.orders().place(NewOrder.market("bot-1\u0000", "BTCUSDT", OrderSide.BUY, d("1")))),
                        ValidationException.class, "orders.client_order_id: must not contain control characters (was \"bot-1\\u0000\")"),
                row("client order id with CR LF (log injection)", tx(uow -> uow.orders().place(NewOrder.market("bot-1\r\nINFO fake", "BTCUSDT", OrderSide.BUY, d("1")))),
                        ValidationException.class, "orders.client_order_id: must not contain control characters"),
                row("client order id with DEL \\u007f", tx(uow -> uow.orders().place(NewOrder.market("bot-\u007F", "BTCUSDT", OrderSide.BUY, d("1")))),
                        ValidationException.class, "orders.client_order_id: must not contain control characters"),
                row("execution log: client order id of 10 kB", tx(uow -> uow.executionLog().record(new NewExecutionEvent(null, "x".repeat(10_240), "sent", null, NOW, null))),
                        ValidationException.class, "trade_execution_log.client_order_id: must be at most 64 characters"),
                row("execution log: tab-only event name", tx(uow -> uow.executionLog().record(new NewExecutionEvent(null, "h-1", "\t", null, NOW, null))),
                        ValidationException.class, "trade_execution_log.event: must not be blank"),
                row("execution log: negative latency", tx(uow -> uow.executionLog().record(new NewExecutionEvent(null, "h-1", "sent", -1L, NOW, null))),
                        ValidationException.class, "trade_execution_log.latency_micros: must be >= 0"),
                row("empty cache key", tx(uow -> uow.patternCache().put(pattern("", Json.of("{}")), Duration.ofHours(1))),
                        ValidationException.class, "pattern_cache.cache_key: must not be blank"),
                row("cache key of 257 characters", tx(uow -> uow.patternCache().put(pattern("k".repeat(257), Json.of("{}")), Duration.ofHours(1))),
                        ValidationException.class, "pattern_cache.cache_key: must be at most 256 characters"),
                row("cache key with newline", tx(uow -> uow.patternCache().put(pattern("BTCUSDT:1h\nhs", Json.of("{}")), Duration.ofHours(1))),
                        ValidationException.class, "pattern_cache.cache_key: must not contain control characters"),
                row("cache get of an empty key", read(uow -> uow.patternCache().get("")),
                        ValidationException.class, "cacheKey: must not be blank"),
                row("empty model version", tx(uow -> uow.predictions().record(prediction("BTCUSDT", T0.plusSeconds(900), d("0.5"), ""))),
                        ValidationException.class, "predictions.model_version: must not be blank"),
                row("model version of 65 characters", tx(uow -> uow.predictions().record(prediction("BTCUSDT", T0.plusSeconds(900), d("0.5"), "v".repeat(65)))),
                        ValidationException.class, "predictions.model_version: must be at most 64 characters"),
                row("model version with ANSI escape", tx(uow -> uow.predictions().record(prediction("BTCUSDT", T0.plusSeconds(900), d("0.5"), "v3\u001B[31m"))),
                        ValidationException.class, "predictions.model_version: must not contain control characters (was \"v3\\u001b[31m\")"),
                row("accuracy of a blank model version", read(uow -> uow.predictions().accuracyByModel(" ", T0, NOW)),
                        ValidationException.class, "modelVersion: must not be blank"),
                row("model result: model name of 65 characters", tx(uow -> uow.modelResults().record(modelResult("m".repeat(65), "v3", NOW, T0, NOW, null))),
                        ValidationException.class, "ml_model_results.model_name: must be at most 64 characters"),
                row("exit reason of 257 characters", tx(uow -> uow.positions().close(openPosition, d("23500"), NOW, "r".repeat(257))),
                        ValidationException.class, "positions.exit_reason: must be at most 256 characters"),
                row("empty exit reason", tx(uow -> uow.positions().close(openPosition, d("23500"), NOW, "")),
                        ValidationException.class, "positions.exit_reason: must not be blank"),
                row("strategy of 65 characters", tx(uow -> uow.positions().open(position("BTCUSDT", d("1"), d("1")).withStrategy("s".repeat(65)))),
                        ValidationException.class, "positions.strategy: must be at most 64 characters"),
                row("reject reason with NUL", tx(uow -> uow.orders().reject(newOrder, "venue\u0000down")),
                        ValidationException.class, "orders.reject_reason: must not contain control characters"),
                row("metric name of 129 characters", tx(uow -> uow.metrics().record(new NewMetric("n".repeat(129), d("1"), NOW))),
                        ValidationException.class, "analytics_metrics.name: must be at most 128 characters"),
                row("sentiment source with a vertical tab", tx(uow -> uow.sentiment().record(new NewSentimentScore("BTCUSDT", NOW, d("0"), d("0.5"), 1, "news\u000Bapi"))),
                        ValidationException.class, "sentiment_scores.source: must not contain control characters"),
                row("sentiment with news count -1", tx(uow -> uow.sentiment().record(new NewSentimentScore("BTCUSDT", NOW, d("0"), d("0.5"), -1, null))),
                        ValidationException.class, "sentiment_scores.news_count: must be >= 0"),
                row("portfolio snapshot with -1 open positions", tx(uow -> uow.portfolio().record(new NewPortfolioSnapshot(NOW, d("1"), d("1"), d("0"), d("0"), -1))),
                        ValidationException.class, "portfolio_snapshots.open_position_count: must be >= 0"),
                row("unknown timeframe code 1M (monthly: venues publish it, tradestore stops at a week)", () -> Timeframe.fromCode("1M"),
                        ValidationException.class, "timeframe: must be one of 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h, 1d, 1w (was \"1M\")"),
                row("unknown timeframe code 1W (codes are case-sensitive)", () -> Timeframe.fromCode("1W"),
                        ValidationException.class, "timeframe: must be one of 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h, 1d, 1w (was \"1W\")"),
                row("latest 0 candles", read(uow -> uow.candlesticks().latest("BTCUSDT", Timeframe.M1, 0)),
                        ValidationException.class, "n: must be within [1, 100000]"),
                row("latest Integer.MAX_VALUE candles", read(uow -> uow.candlesticks().latest("BTCUSDT", Timeframe.M1, Integer.MAX_VALUE)),
                        ValidationException.class, "n: must be within [1, 100000]"),
                row("awaiting outcome with a negative horizon", read(uow -> uow.predictions().awaitingOutcome(Duration.ofSeconds(-1), 10)),
                        ValidationException.class, "horizon: must not be negative"),
                row("awaiting outcome with limit 0", read(uow -> uow.predictions().awaitingOutcome(Duration.ZERO, 0)),
                        ValidationException.class, "limit: must be within [1, 10000] (was 0)"),
                row("awaiting outcome with limit Integer.MAX_VALUE (the unbounded call again)", read(uow -> uow.predictions().awaitingOutcome(Duration.ZERO, Integer.MAX_VALUE)),
                        ValidationException.class, "limit: must be within [1, 10000] (was 2147483647)"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Timestamps and windows
    // ---------------------------------------------------------------------------------------------------------

    List<Row> timestamps() {
        String range = ": must be within [1970-01-01T00:00:00Z, 9999-12-31T23:59:59.999999Z]";
        return List.of(
                row("entry time Instant.MIN", tx(uow -> uow.positions().open(NewPosition.of("BTCUSDT", PositionSide.LONG, d("1"), d("1"), Instant.MIN))),
                        ValidationException.class, "positions.entry_time" + range),
                row("prediction at 1969-12-31T23:59:59Z", tx(uow -> uow.predictions().record(prediction("BTCUSDT", Instant.parse("1969-12-31T23:59:59Z"), d("0.5"), "lstm-v3"))),
                        ValidationException.class, "predictions.prediction_timestamp" + range + " (was 1969-12-31T23:59:59Z)"),
                row("sentiment at +10000-01-01T00:00:00Z", tx(uow -> uow.sentiment().record(new NewSentimentScore("BTCUSDT",
                                Instant.parse("+10000-01-01T00:00:00Z"), d("0"), d("0.5"), 1, null))),
                        ValidationException.class, "sentiment_scores.scored_at" + range),
                row("metric at Instant.MAX", tx(uow -> uow.metrics().record(new NewMetric("h-metric", d("1"), Instant.MAX))),
                        ValidationException.class, "analytics_metrics.computed_at" + range),
                row("fill at T0 + 1 ns (sub-microsecond)", tx(uow -> uow.orders().fill(newOrder, Fills.of(d("0.1"), d("22000"), d("0"), T0.plusNanos(1))).order()),
                        ValidationException.class, "order_fills.filled_at: has sub-microsecond precision"),
                row("Instant.now()-style nanoseconds in a log time", tx(uow -> uow.executionLog().record(new NewExecutionEvent(null, "h-1", "sent", null,
                                NOW.plusNanos(403_686_952), null))),
                        ValidationException.class, "trade_execution_log.logged_at: has sub-microsecond precision"),
                row("1h candle opening at 00:01, off the grid", tx(uow -> uow.candlesticks().upsert(List.of(candle("BTCUSDT", Timeframe.H1, T0.plusSeconds(60))))),
                        ValidationException.class, "candlesticks.open_time: must lie on the 1h grid, a whole multiple of PT1H since the epoch (nearest before: 2023-03-01T00:00:00Z)"),
                row("1w candle opening on Thursday 00:00, the epoch's weekly grid", tx(uow -> uow.candlesticks().upsert(List.of(candle("BTCUSDT", Timeframe.W1, Instant.parse("2023-03-02T00:00:00Z"))))),
                        ValidationException.class, "candlesticks.open_time: must lie on the 1w grid, a whole multiple of PT168H since Monday 1970-01-05T00:00:00Z (nearest before: 2023-02-27T00:00:00Z) (was 2023-03-02T00:00:00Z)"),
                row("1w candle opening at the epoch, a Thursday", tx(uow -> uow.candlesticks().upsert(List.of(candle("BTCUSDT", Timeframe.W1, Instant.EPOCH)))),
                        ValidationException.class, "candlesticks.open_time: must lie on the 1w grid, a whole multiple of PT168H since Monday 1970-01-05T00:00:00Z (nearest before: 1969-12-29T00:00:00Z)"),
                row("1w candle opening on Sunday 23:59, a minute before the week", tx(uow -> uow.candlesticks().upsert(List.of(candle("BTCUSDT", Timeframe.W1, Instant.parse("2023-03-05T23:59:00Z"))))),
                        ValidationException.class, "candlesticks.open_time: must lie on the 1w grid, a whole multiple of PT168H since Monday 1970-01-05T00:00:00Z (nearest before: 2023-02-27T00:00:00Z)"),
                row("1m candle opening 1 ms after the minute", tx(uow -> uow.candlesticks().upsert(List.of(candle("BTCUSDT", Timeframe.M1, T0.plusMillis(1))))),
                        ValidationException.class, "candlesticks.open_time: must lie on the 1m grid"),
                row("close with exit time before entry time", tx(uow -> uow.positions().close(openPosition, d("23500"), T0.minusSeconds(1), null)),
                        ValidationException.class, "positions.exit_time: must not be before positions.entry_time (2023-03-01T00:00:00Z)"),
                row("outcome evaluated before its prediction was made", tx(uow -> uow.outcomes().record(new NewOutcome(pendingPrediction,
                                T0, d("0"), Direction.FLAT, d("1"), false))),
                        ValidationException.class, "outcomes.evaluation_timestamp: must not be before the prediction_timestamp of prediction"),
                row("outcome marked wrong although the UP prediction's return 0.01 went UP", tx(uow -> uow.outcomes().record(
                                new NewOutcome(pendingPrediction, NOW, d("0.01"), Direction.UP, d("1"), false))),
                        ValidationException.class, "outcomes.correct: must be true exactly when the prediction's direction equals"
                                + " actual_direction: prediction " + pendingPrediction + " predicted UP and actual_return 0.01 is UP,"
                                + " so correct must be true"),
                row("outcome marked right although the UP prediction's return 0 was FLAT", tx(uow -> uow.outcomes().record(
                                new NewOutcome(pendingPrediction, NOW, d("0.000"), Direction.FLAT, d("1"), true))),
                        ValidationException.class, "outcomes.correct: must be true exactly when the prediction's direction equals"
                                + " actual_direction: prediction " + pendingPrediction + " predicted UP and actual_return 0.000 is FLAT,"
                                + " so correct must be false"),
                row("outcome direction UP for a negative return", tx(uow -> uow.outcomes().record(
                                new NewOutcome(pendingPrediction, NOW, d("-0.000000000000000001"), Direction.UP, d("1"), false))),
                        ValidationException.class, "outcomes.actual_direction: must be the sign of actual_return (UP if > 0,"
                                + " DOWN if < 0, FLAT if = 0): actual_return -0.000000000000000001 is DOWN"),
                row("outcome direction FLAT for a positive return", tx(uow -> uow.outcomes().record(
                                new NewOutcome(pendingPrediction, NOW, d("0.01"), Direction.FLAT, d("1"), false))),
                        ValidationException.class, "outcomes.actual_direction: must be the sign of actual_return"),
                row("model result window reversed", tx(uow -> uow.modelResults().record(modelResult("lstm", "v4", NOW, NOW, T0, null))),
                        ValidationException.class, "ml_model_results.window_end_time: must not be before ml_model_results.window_start_time"),
                row("cache entry detected a year after it would expire", tx(uow -> uow.patternCache().put(new NewCachedPattern("h-future", "BTCUSDT",
                                Timeframe.H1, "double-top", d("0.5"), Json.of("{}"), NOW.plus(Duration.ofDays(365))), Duration.ofHours(1))),
                        ValidationException.class, "pattern_cache.expires_at: must not be before detected_at"),
                row("cache ttl zero", tx(uow -> uow.patternCache().put(pattern("h-ttl", Json.of("{}")), Duration.ZERO)),
                        ValidationException.class, "ttl: must be > 0 and at most 3650 days"),
                row("cache ttl negative", tx(uow -> uow.patternCache().put(pattern("h-ttl", Json.of("{}")), Duration.ofSeconds(-1))),
                        ValidationException.class, "ttl: must be > 0 and at most 3650 days"),
                row("cache ttl Long.MAX_VALUE seconds", tx(uow -> uow.patternCache().put(pattern("h-ttl", Json.of("{}")), Duration.ofSeconds(Long.MAX_VALUE))),
                        ValidationException.class, "ttl: must be > 0 and at most 3650 days"),
                row("cache ttl 1500 ns", tx(uow -> uow.patternCache().put(pattern("h-ttl", Json.of("{}")), Duration.ofNanos(1_500))),
                        ValidationException.class, "ttl: must be whole microseconds"),
                row("portfolio range page with to < from", read(uow -> uow.portfolio().range(NOW, T0, PageRequest.first(10))),
                        ValidationException.class, "to: must not be before from (2023-03-02T00:00:00Z) (was 2023-03-01T00:00:00Z)"),
                row("accuracy per model with to < from", read(uow -> uow.predictions().accuracyPerModel(NOW, T0)),
                        ValidationException.class, "to: must not be before from"),
                row("outcomes evaluatedBetween page with to < from", read(uow -> uow.outcomes().evaluatedBetween(NOW, T0, PageRequest.first(10))),
                        ValidationException.class, "to: must not be before from"),
                row("window from Instant.MIN", read(uow -> uow.portfolio().range(Instant.MIN, NOW, PageRequest.first(10))),
                        ValidationException.class, "from" + range),
                row("orders bySymbol page with to < from", read(uow -> uow.orders().bySymbol("BTCUSDT", NOW, T0, PageRequest.first(10))),
                        ValidationException.class, "to: must not be before from"),
                row("orders bySymbol page of a symbol with a space", read(uow -> uow.orders().bySymbol("BTC USDT", T0, NOW, PageRequest.first(10))),
                        ValidationException.class, "symbol: must be 1-32 characters"),
                row("fills between with to < from", read(uow -> uow.orders().fillsBetween(NOW, T0, PageRequest.first(10))),
                        ValidationException.class, "to: must not be before from"),
                row("orders byStatus page null", read(uow -> uow.orders().byStatus(OrderStatus.FILLED, null)),
                        ValidationException.class, "page: must not be null"),
                row("closed positions page with to < from", read(uow -> uow.positions().closed(NOW, T0, PageRequest.first(10))),
                        ValidationException.class, "to: must not be before from"),
                row("execution log page with to < from", read(uow -> uow.executionLog().between(NOW, T0, PageRequest.first(10))),
                        ValidationException.class, "to: must not be before from"),
                row("predictions bySymbol page with to < from", read(uow -> uow.predictions().bySymbol("BTCUSDT", NOW, T0, PageRequest.first(10))),
                        ValidationException.class, "to: must not be before from"),
                row("candle range page with to < from", read(uow -> uow.candlesticks().range("BTCUSDT", Timeframe.M1, NOW, T0, PageRequest.first(10))),
                        ValidationException.class, "to: must not be before from"),
                row("metric series page with to < from", read(uow -> uow.metrics().series("sharpe", NOW, T0, PageRequest.first(10))),
                        ValidationException.class, "to: must not be before from"),
                row("sentiment range page with to < from", read(uow -> uow.sentiment().range("BTCUSDT", NOW, T0, PageRequest.first(10))),
                        ValidationException.class, "to: must not be before from"),
                row("model history page null", read(uow -> uow.modelResults().history("lstm", (PageRequest) null)),
                        ValidationException.class, "page: must not be null"),
                row("closed positions page null", read(uow -> uow.positions().closed(T0, NOW, null)),
                        ValidationException.class, "page: must not be null"),
                row("portfolio range page null", read(uow -> uow.portfolio().range(T0, NOW, null)),
                        ValidationException.class, "page: must not be null"),
                row("outcomes evaluatedBetween page null", read(uow -> uow.outcomes().evaluatedBetween(T0, NOW, null)),
                        ValidationException.class, "page: must not be null"),
                row("page limit 0", read(uow -> uow.executionLog().between(T0, NOW, PageRequest.first(0))),
                        ValidationException.class, "page.limit: must be within [1, 10000] (was 0)"),
                row("page limit Integer.MIN_VALUE", read(uow -> uow.metrics().series("sharpe", T0, NOW, PageRequest.first(Integer.MIN_VALUE))),
                        ValidationException.class, "page.limit: must be within [1, 10000]"),
                row("page limit 10001", read(uow -> uow.sentiment().range("BTCUSDT", T0, NOW, PageRequest.first(10_001))),
                        ValidationException.class, "page.limit: must be within [1, 10000] (was 10001)"),
                row("page cursor before 1970", read(uow -> uow.positions().closed(T0, NOW, PageRequest.after(Instant.EPOCH.minusSeconds(1), 1, 10))),
                        ValidationException.class, "page.afterTime"),
                row("page cursor with negative id", read(uow -> uow.positions().closed(T0, NOW, PageRequest.after(T0, -1, 10))),
                        ValidationException.class, "page.afterId: must be >= 0 (was -1)"),
                row("afterCommit in store.read", read(uow -> {
                            uow.afterCommit(() -> { });
                            return null;
                        }), IllegalStateException.class, "uow.afterCommit was called in a read-only unit of work"),
                row("afterCommit with a null callback", tx(uow -> uow.afterCommit(null)),
                        NullPointerException.class, "callback"),
                row("a write through uow.jooq() in store.read", read(uow -> uow.jooq().execute("DELETE FROM positions")),
                        IllegalStateException.class, "but this is a read-only unit of work"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // JSON
    // ---------------------------------------------------------------------------------------------------------

    List<Row> json() {
        return List.of(
                row("JSON {", () -> Json.of("{"),
                        ValidationException.class, "json: must be well-formed JSON (expected a quoted member name at offset 1)"),
                row("JSON {\"a\":}", () -> Json.of("{\"a\":}"),
                        ValidationException.class, "json: must be well-formed JSON"),
                row("JSON not json", () -> Json.of("not json"),
                        ValidationException.class, "json: must be well-formed JSON"),
                row("JSON empty", () -> Json.of(""),
                        ValidationException.class, "json: must be a JSON document, not blank"),
                row("JSON whitespace only", () -> Json.of(" \n\t "),
                        ValidationException.class, "json: must be a JSON document, not blank"),
                row("JSON with trailing garbage {} x", () -> Json.of("{} x"),
                        ValidationException.class, "json: must be well-formed JSON"),
                row("JSON NaN", () -> Json.of("NaN"),
                        ValidationException.class, "json: must be well-formed JSON"),
                row("JSON with single quotes", () -> Json.of("{'a':1}"),
                        ValidationException.class, "json: must be well-formed JSON"),
                row("JSON of 1,000,001 characters", () -> Json.of("{\"a\":\"" + "x".repeat(1_000_000 - 7) + "\"}"),
                        ValidationException.class, "json: must be at most 1000000 characters"),
                row("null Json text", () -> new Json(null),
                        ValidationException.class, "json: must not be null"),
                row("malformed feature vector on the way to predictions().record",
                        tx(uow -> uow.predictions().record(new NewPrediction("BTCUSDT", T0.plusSeconds(900), PredictedAction.BUY, d("0.5"),
                                Direction.UP, d("0.01"), Json.of("{\"rsi\":}"), "lstm-v3", d("1"), null))),
                        ValidationException.class, "json: must be well-formed JSON"),
                row("metric dimensions that are an array, not an object", tx(uow -> uow.metrics().record(new NewMetric("h-metric", d("1"), NOW, Json.of("[1,2]")))),
                        ValidationException.class, "analytics_metrics.dimensions: must be a JSON object (was \"[1,2]\")"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Duplicates
    // ---------------------------------------------------------------------------------------------------------

    List<Row> duplicates() {
        return List.of(
                row("same prediction (symbol + timestamp) again", tx(uow -> uow.predictions().record(prediction("BTCUSDT", T0, d("0.9"), "lstm-v4"))),
                        ConflictException.class, "a prediction for BTCUSDT at 2023-03-01T00:00:00Z already exists (prediction "
                                + evaluatedPrediction + "); predictions are keyed by (symbol, prediction_timestamp)"),
                row("same new prediction twice in one unit: the first insert is undone too", tx(uow -> {
                            uow.predictions().record(prediction("BTCUSDT", T0.plusSeconds(900), d("0.5"), "lstm-v3"));
                            uow.predictions().record(prediction("BTCUSDT", T0.plusSeconds(900), d("0.6"), "lstm-v3"));
                        }),
                        ConflictException.class, "a prediction for BTCUSDT at 2023-03-01T00:15:00Z already exists"),
                row("different order under an existing client order id", tx(uow -> uow.orders().place(NewOrder.market("fixture-filled", "BTCUSDT", OrderSide.BUY, d("2")))),
                        ConflictException.class, "client order id \"fixture-filled\" is already used by order " + filledOrder
                                + " with different parameters: quantity 1 (stored) vs 2 (requested)"),
                row("second outcome for a prediction", tx(uow -> uow.outcomes().record(new NewOutcome(evaluatedPrediction, NOW, d("-0.01"), Direction.DOWN, d("1"), false))),
                        ConflictException.class, "prediction " + evaluatedPrediction + " already has an outcome (outcome " + outcome + ")"),
                row("portfolio snapshot at an instant already taken (unique key in the database)", tx(uow -> uow.portfolio().record(snapshot(T0, d("1"), d("1")))),
                        ConflictException.class, "a portfolio snapshot taken at 2023-03-01T00:00:00Z already exists; snapshots are keyed by taken_at"),
                row("duplicate snapshot caught inside the unit, unit committed: still nothing written", caughtThenCommitted(
                                uow -> uow.portfolio().record(snapshot(T0, d("1"), d("1"))), ConflictException.class),
                        ConflictException.class, "a portfolio snapshot taken at 2023-03-01T00:00:00Z already exists"),
                row("model result for the same model, version and instant", tx(uow -> uow.modelResults().record(modelResult("lstm", "v3", T0, T0, T0, null))),
                        ConflictException.class, "a result for model lstm version v3 evaluated at 2023-03-01T00:00:00Z already exists"),
                row("sentiment score for the same symbol and instant", tx(uow -> uow.sentiment().record(new NewSentimentScore("BTCUSDT", T0, d("0"), d("0.5"), 1, null))),
                        ConflictException.class, "a sentiment score for BTCUSDT at 2023-03-01T00:00:00Z already exists"),
                row("duplicate key inside one candle batch", tx(uow -> uow.candlesticks().upsert(List.of(
                                candle("BTCUSDT", Timeframe.M1, T0.plusSeconds(600)), candle("BTCUSDT", Timeframe.M1, T0.plusSeconds(600))))),
                        ValidationException.class, "candles[1]: must not repeat the key (symbol, timeframe, open_time) of candles[0]"),
                row("600-candle batch repeating a key past the first chunk, caught and committed: nothing written", caughtThenCommitted(
                                uow -> uow.candlesticks().upsert(batchWithDuplicateAt599()), ValidationException.class),
                        ValidationException.class, "candles[599]: must not repeat the key (symbol, timeframe, open_time) of candles[0]"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Dangling references and unknown ids
    // ---------------------------------------------------------------------------------------------------------

    List<Row> dangling() {
        return List.of(
                row("order for a non-existent position", tx(uow -> uow.orders().place(NewOrder.market("h-orphan", "BTCUSDT", OrderSide.BUY, d("1")).forPosition(MISSING))),
                        ForeignKeyViolationException.class, "cannot place order \"h-orphan\": orders.position_id " + MISSING + " names no position"),
                row("order with position id 0", tx(uow -> uow.orders().place(NewOrder.market("h-orphan", "BTCUSDT", OrderSide.BUY, d("1")).forPosition(0))),
                        ValidationException.class, "orders.position_id: must be > 0"),
                row("outcome for an unknown prediction", tx(uow -> uow.outcomes().record(new NewOutcome(MISSING, NOW, d("0"), Direction.FLAT, d("1"), false))),
                        NotFoundException.class, "prediction " + MISSING + " does not exist; record the prediction before its outcome"),
                row("outcome for prediction id -1", tx(uow -> uow.outcomes().record(new NewOutcome(-1, NOW, d("0"), Direction.FLAT, d("1"), false))),
                        ValidationException.class, "outcomes.prediction_id: must be > 0"),
                row("execution event for an unknown order", tx(uow -> uow.executionLog().record(new NewExecutionEvent(MISSING, "h-ghost", "sent", 10L, NOW, null))),
                        ForeignKeyViolationException.class, "order " + MISSING + " does not exist (trade_execution_log.order_id, event sent of client order h-ghost)"),
                row("fill an unknown order", tx(uow -> uow.orders().fill(MISSING, Fills.of(d("1"), d("1"), d("0"), NOW)).order()),
                        NotFoundException.class, "no order with id " + MISSING),
                row("fill order id Long.MIN_VALUE", tx(uow -> uow.orders().fill(Long.MIN_VALUE, Fills.of(d("1"), d("1"), d("0"), NOW)).order()),
                        NotFoundException.class, "no order with id " + Long.MIN_VALUE),
                row("cancel an unknown order", tx(uow -> uow.orders().cancel(MISSING)),
                        NotFoundException.class, "no order with id " + MISSING),
                row("reject an unknown order", tx(uow -> uow.orders().reject(MISSING, "venue down")),
                        NotFoundException.class, "no order with id " + MISSING),
                row("close an unknown position", tx(uow -> uow.positions().close(MISSING, d("1"), NOW, null)),
                        NotFoundException.class, "no position with id " + MISSING),
                row("update stops of an unknown position", tx(uow -> uow.positions().updateStops(MISSING, d("1"), null, 0)),
                        NotFoundException.class, "no position with id " + MISSING));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Invalid state transitions, overfills, stale versions
    // ---------------------------------------------------------------------------------------------------------

    List<Row> transitions() {
        return List.of(
                row("late fill of a CANCELLED order beyond its remaining 1", tx(uow -> uow.orders().fill(cancelledOrder, Fills.of(d("1.000000000000000001"), d("1"), d("0"), NOW))),
                        ValidationException.class, "order_fills.quantity: must not exceed the remaining quantity 1 of order \"fixture-cancelled\""
                                + " (0 of 1 filled) (was 1.000000000000000001)"),
                row("late fill of a PENDING_CANCEL order beyond its remaining 1", tx(uow -> uow.orders().fill(pendingCancelOrder, Fills.of(d("2"), d("1"), d("0"), NOW))),
                        ValidationException.class, "order_fills.quantity: must not exceed the remaining quantity 1 of order \"fixture-pending-cancel\""),
                row("a trade id already recorded for the order with another quantity and fee", tx(uow -> uow.orders().fill(partialOrder,
                                new NewFill("fixture-trade-1", d("0.4"), d("23000"), d("0.02"), "USDT", T0.plusSeconds(1)))),
                        ConflictException.class, "trade id \"fixture-trade-1\" of order \"fixture-partial\" is already recorded as fill "),
                row("a trade id already recorded for the order with another fee currency and time", tx(uow -> uow.orders().fill(partialOrder,
                                new NewFill("fixture-trade-1", d("0.5"), d("23000"), d("0.01"), "BNB", T0.plusSeconds(2)))),
                        ConflictException.class, "with different values: fee_currency USDT (stored) vs BNB (requested), filled_at"
                                + " 2023-03-01T00:00:01Z (stored) vs 2023-03-01T00:00:02Z (requested); a trade id names exactly one execution"),
                row("confirm the cancel of a FILLED order", tx(uow -> uow.orders().confirmCancel(filledOrder)),
                        InvalidStateTransitionException.class, "cannot confirm the cancel of order fixture-filled: it is FILLED"),
                row("confirm the cancel of a REJECTED order", tx(uow -> uow.orders().confirmCancel(rejectedOrder)),
                        InvalidStateTransitionException.class, "cannot confirm the cancel of order fixture-rejected: it is REJECTED"),
                row("confirm the cancel of an unknown order", tx(uow -> uow.orders().confirmCancel(MISSING)),
                        NotFoundException.class, "no order with id " + MISSING),
                row("the venue refuses the cancel of an unknown order", tx(uow -> uow.orders().cancelRejected(MISSING)),
                        NotFoundException.class, "no order with id " + MISSING),
                row("fill a FILLED order", tx(uow -> uow.orders().fill(filledOrder, Fills.of(d("0.1"), d("1"), d("0"), NOW)).order()),
                        InvalidStateTransitionException.class, "cannot fill order fixture-filled: it is FILLED"),
                row("fill a REJECTED order", tx(uow -> uow.orders().fill(rejectedOrder, Fills.of(d("1"), d("1"), d("0"), NOW)).order()),
                        InvalidStateTransitionException.class, "cannot fill order fixture-rejected: it is REJECTED"),
                row("cancel a FILLED order", tx(uow -> uow.orders().cancel(filledOrder)),
                        InvalidStateTransitionException.class, "cannot cancel order fixture-filled: it is FILLED"),
                row("cancel a REJECTED order", tx(uow -> uow.orders().cancel(rejectedOrder)),
                        InvalidStateTransitionException.class, "cannot cancel order fixture-rejected: it is REJECTED"),
                row("reject a PARTIALLY_FILLED order", tx(uow -> uow.orders().reject(partialOrder, "too late")),
                        InvalidStateTransitionException.class, "cannot reject order fixture-partial: it is PARTIALLY_FILLED"),
                row("close a CLOSED position", tx(uow -> uow.positions().close(closedPosition, d("1500"), NOW, null)),
                        InvalidStateTransitionException.class, "position " + closedPosition + " is already CLOSED (closed at 2023-03-01T01:00:00Z at 1500)"),
                row("close a CLOSED position with a stale version: CLOSED wins", tx(uow -> uow.positions().close(closedPosition, d("1500"), NOW, null, 0)),
                        InvalidStateTransitionException.class, "position " + closedPosition + " is already CLOSED"),
                row("update the stops of a CLOSED position", tx(uow -> uow.positions().updateStops(closedPosition, d("1"), null, 1)),
                        InvalidStateTransitionException.class, "cannot update the stops of position " + closedPosition + ": it is CLOSED"),
                row("overfill a NEW order (1.000000000000000001 of 1)", tx(uow -> uow.orders().fill(newOrder, Fills.of(d("1.000000000000000001"), d("22000"), d("0"), NOW)).order()),
                        ValidationException.class, "order_fills.quantity: must not exceed the remaining quantity 1 of order \"fixture-new\""
                                + " (0 of 1 filled) (was 1.000000000000000001)"),
                row("overfill a PARTIALLY_FILLED order (1.500000000000000001 of the remaining 1.5)", tx(uow -> uow.orders().fill(partialOrder, Fills.of(d("1.500000000000000001"), d("23000"), d("0"), NOW)).order()),
                        ValidationException.class, "order_fills.quantity: must not exceed the remaining quantity 1.5 of order \"fixture-partial\""
                                + " (0.5 of 2 filled) (was 1.500000000000000001)"),
                row("close with a stale expected version", tx(uow -> uow.positions().close(openPosition, d("23500"), NOW, null, 5)),
                        OptimisticLockException.class, "position " + openPosition + " is at version 0, not the expected version 5"),
                row("close with expected version Long.MAX_VALUE (no overflow to a match)", tx(uow -> uow.positions().close(openPosition, d("23500"), NOW, null, Long.MAX_VALUE)),
                        OptimisticLockException.class, "position " + openPosition + " is at version 0, not the expected version " + Long.MAX_VALUE),
                row("update stops with a stale expected version", tx(uow -> uow.positions().updateStops(openPosition, d("22500"), null, 3)),
                        OptimisticLockException.class, "position " + openPosition + " is at version 0, not the expected version 3"),
                row("close with expected version -1", tx(uow -> uow.positions().close(openPosition, d("23500"), NOW, null, -1)),
                        ValidationException.class, "expectedVersion: must be >= 0"),
                // Scaling in and out (release 6)
                row("reduce by a negative quantity", tx(uow -> uow.positions().reduce(openPosition, d("-0.5"), d("23500"), NOW, null)),
                        ValidationException.class, "position_events.quantity: must be > 0 (was -0.5)"),
                row("reduce by zero", tx(uow -> uow.positions().reduce(openPosition, d("0"), d("23500"), NOW, null)),
                        ValidationException.class, "position_events.quantity: must be > 0 (was 0)"),
                row("reduce by more than is open (1.000000000000000001 of 1)", tx(uow -> uow.positions().reduce(openPosition,
                                d("1.000000000000000001"), d("23500"), NOW, null)),
                        ValidationException.class, "position_events.quantity: must not exceed the open quantity 1 of position "
                                + openPosition + " (1 entered) (was 1.000000000000000001)"),
                row("reduce at exit price 0", tx(uow -> uow.positions().reduce(openPosition, d("0.5"), d("0"), NOW, null)),
                        ValidationException.class, "position_events.price: must be > 0 (was 0)"),
                row("reduce before the entry time", tx(uow -> uow.positions().reduce(openPosition, d("0.5"), d("23500"), T0.minusSeconds(1), null)),
                        ValidationException.class, "position_events.occurred_at: must not be before positions.entry_time"),
                row("reduce with a reason of 257 characters", tx(uow -> uow.positions().reduce(openPosition, d("0.5"), d("23500"), NOW, "r".repeat(257))),
                        ValidationException.class, "position_events.reason: "),
                row("reduce by 19 decimal places 0.5000000000000000001", tx(uow -> uow.positions().reduce(openPosition,
                                d("0.5000000000000000001"), d("23500"), NOW, null)),
                        ValidationException.class, "position_events.quantity: " + MORE_THAN_18 + " (was 0.5000000000000000001)"),
                row("reduce a CLOSED position", tx(uow -> uow.positions().reduce(closedPosition, d("1"), d("1500"), NOW, null)),
                        InvalidStateTransitionException.class, "cannot reduce position " + closedPosition + ": it is CLOSED"),
                row("reduce an unknown position", tx(uow -> uow.positions().reduce(MISSING, d("1"), d("1"), NOW, null)),
                        NotFoundException.class, "no position with id " + MISSING),
                row("reduced P&L too large to store: 1000 x (10^17 + 1 - 1), derived, not rounded into range",
                        tx(uow -> uow.positions().reduce(hugeQuantityPosition, d("1000"), d("100000000000000001"), NOW, null)),
                        ValidationException.class, "positions.realized_pnl: is derived from the given values and must be " + RANGE),
                row("increase by a negative quantity", tx(uow -> uow.positions().increase(openPosition, d("-1"), d("23500"), NOW)),
                        ValidationException.class, "position_events.quantity: must be > 0 (was -1)"),
                row("increase at price 19 decimal places 1.0000000000000000001", tx(uow -> uow.positions().increase(openPosition,
                                d("1"), d("1.0000000000000000001"), NOW)),
                        ValidationException.class, "position_events.price: " + MORE_THAN_18 + " (was 1.0000000000000000001)"),
                row("increase to a total quantity of 10^20", tx(uow -> uow.positions().increase(hugeQuantityPosition,
                                d("99999999999999999000"), d("1"), NOW)),
                        ValidationException.class, "positions.quantity: is derived from the given values and must be " + RANGE),
                row("increase a CLOSED position", tx(uow -> uow.positions().increase(closedPosition, d("1"), d("1500"), NOW)),
                        InvalidStateTransitionException.class, "cannot increase position " + closedPosition + ": it is CLOSED"),
                row("increase an unknown position", tx(uow -> uow.positions().increase(MISSING, d("1"), d("1"), NOW)),
                        NotFoundException.class, "no position with id " + MISSING),
                row("quote currency in lower case", tx(uow -> uow.positions().open(position("BTCUSDT", d("1"), d("1"))
                                .withQuoteCurrency("usdt"))),
                        ValidationException.class, "positions.quote_currency: must be 1-16 characters of A-Z and 0-9 (was \"usdt\")"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Configuration and opening
    // ---------------------------------------------------------------------------------------------------------

    List<Row> config() {
        TradestoreConfig base = TradestoreConfig.sqlite(dir.resolve("other.db"));
        return List.of(
                row("pool size 0", () -> base.withPoolSize(0),
                        ValidationException.class, "poolSize: must be between 1 and 64 (was 0)"),
                row("pool size 65", () -> base.withPoolSize(65),
                        ValidationException.class, "poolSize: must be between 1 and 64 (was 65)"),
                row("negative busy timeout", () -> base.withBusyTimeout(Duration.ofMillis(-1)),
                        ValidationException.class, "busyTimeout: must be between 0 and PT10M"),
                row("busy timeout of 11 minutes", () -> base.withBusyTimeout(Duration.ofMinutes(11)),
                        ValidationException.class, "busyTimeout: must be between 0 and PT10M (was PT11M)"),
                row("null busy timeout", () -> base.withBusyTimeout(null),
                        ValidationException.class, "busyTimeout: must be between 0 and PT10M (was null)"),
                row("21 retry attempts", () -> base.withRetryAttempts(21),
                        ValidationException.class, "retryAttempts: must be between 0 and 20 (was 21)"),
                row("-1 retry attempts", () -> base.withRetryAttempts(-1),
                        ValidationException.class, "retryAttempts: must be between 0 and 20"),
                row("null clock", () -> base.withClock(null),
                        ValidationException.class, "clock: must not be null"),
                row("MySQL JDBC URL for postgres()", () -> TradestoreConfig.postgres("jdbc:mysql://127.0.0.1:3306/trading", "app", "pw"),
                        ValidationException.class, "jdbcUrl: must start with jdbc:postgresql: (was \"jdbc:mysql://127.0.0.1:3306/trading\")"),
                row("SQLite JDBC URL for postgres()", () -> TradestoreConfig.postgres("jdbc:sqlite:data/tradestore.db", "app", "pw"),
                        ValidationException.class, "jdbcUrl: must start with jdbc:postgresql:"),
                row("null JDBC URL for postgres()", () -> TradestoreConfig.postgres(null, "app", "pw"),
                        ValidationException.class, "jdbcUrl: must start with jdbc:postgresql: (was null)"),
                row("blank PostgreSQL user", () -> TradestoreConfig.postgres("jdbc:postgresql://127.0.0.1:5432/trading", " ", "pw"),
                        ValidationException.class, "user: must not be blank"),
                row("empty SQLite path", () -> TradestoreConfig.sqlite(Path.of("")),
                        ValidationException.class, "file: must be a path to a database file"),
                row("open a file that is not SQLite: refused, not written", () -> {
                            Path junk = Files.writeString(dir.resolve("junk.db"), "this is not a database ".repeat(100));
                            try {
                                Tradestore.open(TradestoreConfig.sqlite(junk)).close();
                            } finally {
                                assertThat(junk).hasContent("this is not a database ".repeat(100));
                            }
                        },
                        SchemaVersionException.class, "cannot be read as a SQLite database"),
                row("open a SQLite database that is not tradestore's: refused", () -> {
                            Path foreign = dir.resolve("foreign.db");
                            try (Connection c = SqliteFiles.open(foreign); Statement st = c.createStatement()) {
                                st.execute("CREATE TABLE IF NOT EXISTS accounts (id INTEGER PRIMARY KEY)");
                                st.execute("INSERT INTO accounts VALUES (1)");
                            }
                            Snapshot untouched = Snapshot.of(foreign);
                            try {
                                Tradestore.open(TradestoreConfig.sqlite(foreign)).close();
                            } finally {
                                assertThat(Snapshot.of(foreign)).isEqualTo(untouched);
                            }
                        },
                        SchemaVersionException.class, "is not a tradestore database: it has tables"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Units of work: read-only units, leaked DAOs, other threads, closed and read-only stores
    // ---------------------------------------------------------------------------------------------------------

    List<Row> unitsOfWork() {
        return List.of(
                row("a write inside store.read", read(uow -> uow.positions().open(position("BTCUSDT", d("1"), d("1")))),
                        IllegalStateException.class, "positions().open writes, but this is a read-only unit of work (store.read)"),
                row("purgeExpired inside store.read", read(uow -> uow.patternCache().purgeExpired()),
                        IllegalStateException.class, "patternCache().purgeExpired writes, but this is a read-only unit of work"),
                row("a write unit started inside a read unit", read(uow -> store.inTransaction(inner -> inner.orders().cancel(newOrder))),
                        IllegalStateException.class, "a write unit of work cannot start inside a read unit"),
                row("a DAO read after its unit ended", onStore(() -> {
                            PositionDao leaked = store.read(uow -> uow.positions());
                            leaked.listOpen();
                        }),
                        IllegalStateException.class, "this unit of work (and every DAO it handed out) has already ended"),
                row("a DAO write after its unit ended", onStore(() -> {
                            PositionDao leaked = store.inTransaction(uow -> uow.positions());
                            leaked.open(position("BTCUSDT", d("1"), d("1")));
                        }),
                        IllegalStateException.class, "this unit of work (and every DAO it handed out) has already ended"),
                row("a UnitOfWork used after it ended", onStore(() -> {
                            UnitOfWork leaked = store.inTransaction(uow -> uow);
                            leaked.orders();
                        }),
                        IllegalStateException.class, "already ended"),
                row("a DAO called from another thread", tx(uow -> {
                            PositionDao dao = uow.positions();
                            try {
                                CompletableFuture.runAsync(() -> dao.open(position("BTCUSDT", d("1"), d("1")))).join();
                            } catch (CompletionException e) {
                                throw (RuntimeException) e.getCause();
                            }
                        }),
                        IllegalStateException.class, "a unit of work and its DAOs are confined to the thread that runs it"),
                row("a write unit on a store opened read-only", onStore(() -> {
                            try (FixtureCopies.Copy readOnly = current.copies().copy(Stores.fixed(NOW),
                                    config -> config.withReadOnly(true))) {
                                readOnly.store().useTransaction(uow -> uow.orders().cancel(newOrder));
                            }
                        }),
                        IllegalStateException.class, "this store was opened read-only"),
                row("a unit of work on a closed store", onStore(() -> {
                            FixtureCopies.Copy other = current.copies().copy(Stores.fixed(NOW));
                            other.close();
                            other.store().read(uow -> uow.positions().listOpen());
                        }),
                        IllegalStateException.class, "this Tradestore is closed"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Found by this table and fixed: each row says what used to happen
    // ---------------------------------------------------------------------------------------------------------

    Stream<Row> fixedBugRows() {
        return Stream.of(
                // Decision 0007: "a reversed window is refused, not answered with nothing". PositionDao uses
                // Check.timestamp twice instead of Check.window, so these two answer [] for swapped arguments.
                row("FIXED positions().closed(to < from) should refuse the reversed window, answers []",
                        read(uow -> uow.positions().closed(NOW, T0, PageRequest.first(10))),
                        ValidationException.class, "to: must not be before from"),
                row("FIXED positions().dailyRealizedPnl(to < from) should refuse the reversed window, answers []",
                        read(uow -> uow.positions().dailyRealizedPnl(NOW, T0)),
                        ValidationException.class, "to: must not be before from"),
                // Json is documented as "a well-formed JSON document"; jOOQ's bundled json-simple parser is lenient
                // and lets these through, and they are stored as such.
                row("FIXED Json {\"a\" 1} (missing colon) should be refused as malformed", () -> Json.of("{\"a\" 1}"),
                        ValidationException.class, "json: must be well-formed JSON"),
                row("FIXED Json [1 2] (missing comma) should be refused as malformed", () -> Json.of("[1 2]"),
                        ValidationException.class, "json: must be well-formed JSON"),
                row("FIXED Json {,} should be refused as malformed", () -> Json.of("{,}"),
                        ValidationException.class, "json: must be well-formed JSON"),
                row("FIXED Json {\"a\":1,} (trailing comma) should be refused as malformed", () -> Json.of("{\"a\":1,}"),
                        ValidationException.class, "json: must be well-formed JSON"),
                row("FIXED Json 01 (leading zero) should be refused as malformed", () -> Json.of("01"),
                        ValidationException.class, "json: must be well-formed JSON"),
                row("FIXED metric dimensions with a raw NUL inside a JSON string should be refused (invalid JSON;"
                                + " PostgreSQL TEXT cannot hold NUL), is stored",
                        tx(uow -> uow.metrics().record(new NewMetric("bug-nul", d("1"), NOW, Json.of("{\"a\":\"x\u0000y\"}")))),
                        ValidationException.class, "json: must be well-formed JSON"),
                // A lone surrogate is not valid UTF-16; SQLite stores UTF-8 and the driver replaces it with '?', so
                // the stored client order id is not the one given (bug-x? instead of bug-x\ud800).
                row("FIXED client order id with a lone surrogate \\ud800 should be refused, is stored lossily as '?'",
                        tx(uow -> uow.orders().place(NewOrder.market("bug-x\uD800", "BTCUSDT", OrderSide.BUY, d("1")))),
                        ValidationException.class, "orders.client_order_id:"),
                // Check.text refuses C1 controls (Character.isISOControl), but ValidationException.show escapes only
                // < 0x20 and 0x7f, so U+0080..U+009F reach the message and the log raw (U+009B is the one-byte CSI
                // that starts a terminal escape sequence).
                row("FIXED a C1 control \\u009b in a client order id is refused but copied raw into the message",
                        tx(uow -> uow.orders().place(NewOrder.market("bot-\u009B31m", "BTCUSDT", OrderSide.BUY, d("1")))),
                        ValidationException.class, "orders.client_order_id: must not contain control characters (was \"bot-\\u009b31m\")"),
                row("FIXED TradestoreConfig.sqlite(null) should be a ValidationException naming file, is a NullPointerException",
                        () -> TradestoreConfig.sqlite(null),
                        ValidationException.class, "file: must not be null"),
                // withClock accepts any clock; a clock outside the storable range surfaces from the converter
                // backstop as "timestamp column: ...", naming neither the column (created_at) nor the clock.
                row("FIXED a store clock at 1969 should fail naming positions.created_at, says only 'timestamp column'", onStore(() -> {
                            try (FixtureCopies.Copy past = current.copies().copy(Stores.fixed(Instant.parse("1969-06-01T00:00:00Z")))) {
                                past.store().useTransaction(uow -> uow.positions().open(position("BTCUSDT", d("1"), d("1"))));
                            }
                        }),
                        ValidationException.class, "clock (TradestoreConfig.withClock): must be within"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Caught and carried on: the unit catches the DAO's exception, writes something else and commits
    // ---------------------------------------------------------------------------------------------------------

    /** A clock outside 1970-9999: the one hostile input every write that reads the store's clock can get. */
    static final Instant CLOCK_BEFORE_1970 = Instant.parse("1969-06-01T00:00:00Z");
    static final String CLOCK_RULE = "clock (TradestoreConfig.withClock): must be within";

    /**
     * The failures each DAO write method can produce, keyed as {@link #writeMethods} names them; the guard test
     * holds both the code's write methods and the cases to exactly this. Absent on purpose:
     * <ul>
     * <li>ConstraintViolationException: a backstop for a CHECK the Java checks missed; no public call is known to
     * reach it;</li>
     * <li>a database-raised error from positions, candles, the cache and metrics: the Java checks cover their
     * constraints first, the cache upserts, and metrics have no unique key;</li>
     * <li>the ConflictException behind a lookup (orders, predictions, outcomes) and the OptimisticLockException of
     * orders and of the close that reads the version itself: each needs another writer between the DAO's read and
     * its write, which SQLite's single writer excludes.</li>
     * </ul>
     */
    static final Map<String, Set<Class<? extends TradestoreException>>> FAILURE_KINDS = Map.ofEntries(
            Map.entry("positions().open(NewPosition)", Set.of(ValidationException.class)),
            Map.entry("positions().increase(long, BigDecimal, BigDecimal, Instant)", Set.of(ValidationException.class,
                    NotFoundException.class, InvalidStateTransitionException.class)),
            Map.entry("positions().reduce(long, BigDecimal, BigDecimal, Instant, String)", Set.of(
                    ValidationException.class, NotFoundException.class, InvalidStateTransitionException.class)),
            Map.entry("positions().increase(long, BigDecimal, BigDecimal, Instant, long)", Set.of(
                    ValidationException.class, NotFoundException.class, InvalidStateTransitionException.class,
                    OptimisticLockException.class)),
            Map.entry("positions().reduce(long, BigDecimal, BigDecimal, Instant, String, long)", Set.of(
                    ValidationException.class, NotFoundException.class, InvalidStateTransitionException.class,
                    OptimisticLockException.class)),
            Map.entry("positions().close(long, BigDecimal, Instant, String, long)", Set.of(ValidationException.class,
                    NotFoundException.class, InvalidStateTransitionException.class, OptimisticLockException.class)),
            Map.entry("positions().close(long, BigDecimal, Instant, String)", Set.of(ValidationException.class,
                    NotFoundException.class, InvalidStateTransitionException.class)),
            Map.entry("positions().updateStops(long, BigDecimal, BigDecimal, long)", Set.of(ValidationException.class,
                    NotFoundException.class, InvalidStateTransitionException.class, OptimisticLockException.class)),
            Map.entry("orders().place(NewOrder)", Set.of(ValidationException.class, ConflictException.class,
                    ForeignKeyViolationException.class)),
            Map.entry("orders().fill(long, NewFill)", Set.of(ValidationException.class, NotFoundException.class,
                    InvalidStateTransitionException.class, ConflictException.class)),
            Map.entry("orders().confirmCancel(long)", Set.of(ValidationException.class, NotFoundException.class,
                    InvalidStateTransitionException.class)),
            Map.entry("orders().cancelRejected(long)", Set.of(ValidationException.class, NotFoundException.class)),
            Map.entry("orders().cancel(long)", Set.of(ValidationException.class, NotFoundException.class,
                    InvalidStateTransitionException.class)),
            Map.entry("orders().reject(long, String)", Set.of(ValidationException.class, NotFoundException.class,
                    InvalidStateTransitionException.class)),
            Map.entry("portfolio().record(NewPortfolioSnapshot)", Set.of(ValidationException.class,
                    ConflictException.class)),
            Map.entry("candlesticks().upsert(List)", Set.of(ValidationException.class)),
            Map.entry("candlesticks().delete(String, Timeframe, Instant, Instant)", Set.of(ValidationException.class)),
            Map.entry("patternCache().put(NewCachedPattern, Duration)", Set.of(ValidationException.class)),
            Map.entry("patternCache().purgeExpired()", Set.of(ValidationException.class)),
            Map.entry("predictions().record(NewPrediction)", Set.of(ValidationException.class, ConflictException.class)),
            Map.entry("predictions().claimAwaitingOutcome(Duration, int)", Set.of(ValidationException.class)),
            Map.entry("outcomes().record(NewOutcome)", Set.of(ValidationException.class, NotFoundException.class,
                    ConflictException.class)),
            Map.entry("executionLog().record(NewExecutionEvent)", Set.of(ValidationException.class,
                    ForeignKeyViolationException.class)),
            Map.entry("modelResults().record(NewModelResult)", Set.of(ValidationException.class,
                    ConflictException.class)),
            Map.entry("metrics().record(NewMetric)", Set.of(ValidationException.class)),
            Map.entry("sentiment().record(NewSentimentScore)", Set.of(ValidationException.class,
                    ConflictException.class)));

    /**
     * One catch-and-continue case: inside one unit, {@code failing} must throw exactly {@code expected} (its
     * message containing {@code fragment}), the unit catches it, runs {@code other} and commits. {@code clock},
     * when set, is the store's clock during the failing call only.
     */
    record WriteCase(String method, String description, Instant clock, Consumer<UnitOfWork> failing,
                     Class<? extends TradestoreException> expected, String fragment, OtherWrite other) {
        WriteCase atClock(Instant at) {
            return new WriteCase(method, description, at, failing, expected, fragment, other);
        }

        @Override
        public String toString() {
            return method + ": " + description + " -> " + expected.getSimpleName() + ", then " + other.name();
        }
    }

    /** The valid write a unit carries on with. Equal only to itself (the lambda), so it can key expected states. */
    record OtherWrite(String name, Consumer<UnitOfWork> write) {
    }

    /** The fixture plus one other write, per engine: computed once, shared by the cases ending in that write. */
    final Map<Map.Entry<FixtureCopies, OtherWrite>, Snapshot> expectedStates = new ConcurrentHashMap<>();
    /** Each engine's fixture as a copy starts out: where the failed call's ids are rewound to. */
    final Map<FixtureCopies, Snapshot> fixtureStates = new ConcurrentHashMap<>();

    Stream<Arguments> caughtAndContinued() {
        List<WriteCase> cases = writeCases();
        return engines().flatMap(engine -> cases.stream().map(c -> Arguments.of(engine, c)));
    }

    /**
     * The database must hold exactly the other write: its expected state is the other write applied alone to
     * another copy of the fixture, so anything the failed call left behind (a first statement of several, an
     * id taken from an AUTOINCREMENT counter, a row updated before a check failed) is a difference. On PostgreSQL an
     * id the failed call took from a sequence stays taken whatever the unit does (sequences are not transactional:
     * see {@link Snapshot}): the case rewinds the sequences after the failure, checking they did not go back, so the
     * other write takes the ids it takes alone and any row the failed call left shows as a difference (or as a
     * duplicate id). (autoCloseArguments off: the engine serves every case and is closed once, by closeStore.)
     */
    @ParameterizedTest(name = "[{0}] {1}", autoCloseArguments = false)
    @MethodSource("caughtAndContinued")
    void aFailedWriteCaughtInsideTheUnitLeavesOnlyTheUnitsOtherWrite(FixtureCopies engine, WriteCase c) {
        Snapshot expected = expectedStates.computeIfAbsent(Map.entry(engine, c.other()), k -> {
            try (FixtureCopies.Copy reference = engine.copy(Stores.fixed(NOW))) {
                Snapshot fixture = reference.snapshot();
                fixtureStates.putIfAbsent(engine, fixture);
                reference.store().useTransaction(c.other().write());
                Snapshot after = reference.snapshot();
                assertThat(after.differencesFrom(fixture)).as("%s changes the fixture", c.other().name()).isNotEmpty();
                return after;
            }
        });

        MutableClock clock = new MutableClock(NOW);
        try (FixtureCopies.Copy copy = engine.copy(clock)) {
            AtomicReference<RuntimeException> caught = new AtomicReference<>();
            copy.store().useTransaction(uow -> {
                if (c.clock() != null) {
                    clock.set(c.clock());
                }
                try {
                    c.failing().accept(uow);
                } catch (RuntimeException e) {
                    caught.set(e);
                } finally {
                    clock.set(NOW);
                }
                copy.rewindSequences(fixtureStates.get(engine));
                c.other().write().accept(uow);
            });
            assertThat(caught.get()).as("caught inside the unit: %s", c).isExactlyInstanceOf(c.expected());
            assertThat(caught.get()).hasMessageContaining(c.fragment());
            Snapshot actual = copy.snapshot();
            assertThat(actual.differencesFrom(expected)).as("left behind by the failed call: %s", c).isEmpty();
            assertThat(actual).isEqualTo(expected);
        }
    }

    /**
     * A write method added to a DAO without catch-and-continue cases, or a failure kind without its case, fails
     * here. Write methods are found, not listed: every public method of every DAO the UnitOfWork hands out whose
     * name is an operation the DAO's source passes to {@code tx.dslForWrite}, the guard every DAO write goes
     * through (so a read unit refuses it).
     */
    @Test
    void everyDaoWriteMethodHasACaughtAndContinuedCaseForEachFailureItCanProduce() throws IOException {
        Set<String> writes = writeMethods();
        assertThat(writes).as("write methods of the DAOs").containsExactlyInAnyOrderElementsOf(FAILURE_KINDS.keySet());

        List<WriteCase> cases = writeCases();
        Map<String, Set<Class<? extends TradestoreException>>> covered = new TreeMap<>();
        for (WriteCase c : cases) {
            covered.computeIfAbsent(c.method(), m -> new HashSet<>()).add(c.expected());
        }
        assertThat(covered).as("failure kinds with a case, per write method").isEqualTo(new TreeMap<>(FAILURE_KINDS));
        assertThat(cases.stream().map(WriteCase::toString).toList()).doesNotHaveDuplicates();
    }

    /** "accessor().method(ParameterTypes)" for every DAO write method, from reflection and the DAOs' sources. */
    static Set<String> writeMethods() throws IOException {
        Pattern operation = Pattern.compile("dslForWrite\\(\"(\\w+)\\(\\)\\.(\\w+)\"\\)");
        Path sourceRoot = mainSourceRoot();
        Set<String> writes = new TreeSet<>();
        int daos = 0;
        for (Method accessor : UnitOfWork.class.getMethods()) {
            Class<?> dao = accessor.getReturnType();
            // By name, as QueryPlanTest finds them: a DAO stays in however it is constructed.
            if (!dao.getSimpleName().endsWith("Dao")) {
                continue;
            }
            daos++;
            assertThat(accessor.getParameterCount()).as("parameters of UnitOfWork.%s()", accessor.getName()).isZero();
            Path file = sourceRoot.resolve(dao.getName().replace('.', '/') + ".java");
            if (!Files.isRegularFile(file)) {
                fail("cannot analyse " + dao.getSimpleName() + ": no source at " + file.toAbsolutePath());
            }
            String source = withoutComments(Files.readString(file));
            Set<String> names = new TreeSet<>();
            Matcher m = operation.matcher(source);
            while (m.find()) {
                assertThat(m.group(1)).as("accessor named by %s().%s", m.group(1), m.group(2))
                        .isEqualTo(accessor.getName());
                names.add(m.group(2));
            }
            // Every DAO writes (read-only ones would need an explicit exemption here); none found means the
            // pattern no longer matches how the DAO guards its writes, and its write methods would go unchecked.
            assertThat(names).as("write operations %s passes to tx.dslForWrite (%s)", dao.getSimpleName(), file)
                    .isNotEmpty();
            List<Method> methods = Stream.of(dao.getDeclaredMethods())
                    .filter(x -> Modifier.isPublic(x.getModifiers()) && !Modifier.isStatic(x.getModifiers()))
                    .toList();
            assertThat(methods.stream().map(Method::getName).toList()).as("public methods of %s", dao.getSimpleName())
                    .containsAll(names);
            for (Method method : methods) {
                if (names.contains(method.getName())) {
                    writes.add(accessor.getName() + "()." + method.getName() + Stream.of(method.getParameterTypes())
                            .map(Class::getSimpleName).collect(Collectors.joining(", ", "(", ")")));
                }
            }
        }
        assertThat(daos).as("DAOs UnitOfWork hands out").isGreaterThanOrEqualTo(11);
        return writes;
    }

    /** src/main/java of this module: surefire sets basedir, so the guard does not depend on where Maven ran. */
    static Path mainSourceRoot() {
        String basedir = System.getProperty("basedir");
        Path root = (basedir == null ? Path.of("") : Path.of(basedir)).resolve("src/main/java").toAbsolutePath();
        if (!Files.isDirectory(root)) {
            fail("DAO sources not found at " + root + " (basedir=" + basedir + ", working directory="
                    + Path.of("").toAbsolutePath() + ")");
        }
        return root;
    }

    /**
     * {@code source} with its line and block comments removed, so a dslForWrite call mentioned in a comment is not
     * taken for a write. String literals are kept intact (a "//" inside one is not a comment); text blocks and
     * char literals holding quotes are not expected in the DAOs.
     */
    static String withoutComments(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (c == '"') {
                int end = i + 1;
                while (end < source.length() && source.charAt(end) != '"') {
                    end += source.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(end + 1, source.length());
                out.append(source, i, end);
                i = end;
            } else if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                i = end < 0 ? source.length() : end;
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? source.length() : end + 2;
                out.append(' ');
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    List<WriteCase> writeCases() {
        String open = "positions().open(NewPosition)";
        String closeAt = "positions().close(long, BigDecimal, Instant, String, long)";
        String close = "positions().close(long, BigDecimal, Instant, String)";
        String stops = "positions().updateStops(long, BigDecimal, BigDecimal, long)";
        String increase = "positions().increase(long, BigDecimal, BigDecimal, Instant)";
        String reduce = "positions().reduce(long, BigDecimal, BigDecimal, Instant, String)";
        String increaseAt = "positions().increase(long, BigDecimal, BigDecimal, Instant, long)";
        String reduceAt = "positions().reduce(long, BigDecimal, BigDecimal, Instant, String, long)";
        String place = "orders().place(NewOrder)";
        String fill = "orders().fill(long, NewFill)";
        String cancel = "orders().cancel(long)";
        String confirm = "orders().confirmCancel(long)";
        String cancelRefused = "orders().cancelRejected(long)";
        String reject = "orders().reject(long, String)";
        String snapshot = "portfolio().record(NewPortfolioSnapshot)";
        String upsert = "candlesticks().upsert(List)";
        String deleteCandles = "candlesticks().delete(String, Timeframe, Instant, Instant)";
        String put = "patternCache().put(NewCachedPattern, Duration)";
        String purge = "patternCache().purgeExpired()";
        String predict = "predictions().record(NewPrediction)";
        String evaluate = "outcomes().record(NewOutcome)";
        String claim = "predictions().claimAwaitingOutcome(Duration, int)";
        String log = "executionLog().record(NewExecutionEvent)";
        String result = "modelResults().record(NewModelResult)";
        String metric = "metrics().record(NewMetric)";
        String sentiment = "sentiment().record(NewSentimentScore)";

        // Each other write goes to the failed call's own tables (ids, sequences, metadata, the order a fill belongs
        // to) but never to the row the failed call was given: writing that row again could overwrite what the
        // failed call half-changed with the same values and hide it.
        OtherWrite openAnother = other("opens another position",
                uow -> uow.positions().open(position("SOLUSDT", d("3"), d("20"))));
        OtherWrite closeTinyAtVersion0 = other("closes the TINY position at version 0",
                uow -> uow.positions().close(tinyPricePosition, d("0.000000000000000002"), NOW, "doubled", 0));
        OtherWrite closeLarge = other("closes the PNLBIG position",
                uow -> uow.positions().close(hugeQuantityPosition, d("2"), NOW, "doubled"));
        OtherWrite moveStops = other("moves the PNLBIG position's stops",
                uow -> uow.positions().updateStops(hugeQuantityPosition, d("0.5"), d("3"), 0));
        OtherWrite increaseLarge = other("increases the PNLBIG position",
                uow -> uow.positions().increase(hugeQuantityPosition, d("1"), d("2"), NOW));
        OtherWrite reduceTiny = other("reduces the TINY position in part",
                uow -> uow.positions().reduce(tinyPricePosition, d("0.5"), d("2"), NOW, "trim"));
        OtherWrite placeAnother = other("places another order for the open position",
                uow -> uow.orders().place(NewOrder.limit("h-after", "BTCUSDT", OrderSide.BUY, d("0.5"), d("22100"))
                        .forPosition(openPosition)));
        OtherWrite fillNew = other("fills the NEW order in part",
                uow -> uow.orders().fill(newOrder, new NewFill("h-other-1", d("0.4"), d("22000"), d("0.01"), "USDT", NOW)));
        OtherWrite fillPartial = other("fills more of the PARTIALLY_FILLED order",
                uow -> uow.orders().fill(partialOrder, NewFill.of("h-other-2", d("0.25"), d("23002"), NOW)));
        OtherWrite cancelNew = other("cancels the NEW order", uow -> uow.orders().cancel(newOrder));
        OtherWrite rejectAnother = other("places another order and rejects it", uow -> uow.orders().reject(
                uow.orders().place(NewOrder.market("h-rejected", "BTCUSDT", OrderSide.SELL, d("1"))).id(), "venue down"));
        OtherWrite snapshotNow = other("records a snapshot now",
                uow -> uow.portfolio().record(snapshot(NOW, d("9000"), d("32000"))));
        OtherWrite nextCandle = other("upserts the next candle of the stored series",
                uow -> uow.candlesticks().upsert(List.of(candle("BTCUSDT", Timeframe.M1, T0.plusSeconds(300)))));
        OtherWrite putAnother = other("caches another pattern",
                uow -> uow.patternCache().put(pattern("h-after:1h", Json.of("{}")), Duration.ofHours(2)));
        OtherWrite predictAnother = other("records another prediction",
                uow -> uow.predictions().record(prediction("BTCUSDT", T0.plusSeconds(900), d("0.6"), "lstm-v3")));
        OtherWrite evaluatePending = other("records the other pending prediction's outcome",
                uow -> uow.outcomes().record(new NewOutcome(otherPendingPrediction, NOW, d("-0.002"), Direction.DOWN,
                        d("22950"), false)));
        OtherWrite logAnother = other("logs an event of the NEW order",
                uow -> uow.executionLog().record(new NewExecutionEvent(newOrder, "fixture-new", "sent", 900L, NOW, null)));
        OtherWrite resultAnother = other("records another model result",
                uow -> uow.modelResults().record(modelResult("lstm", "v4", NOW, T0, NOW, d("0.63"))));
        OtherWrite metricAnother = other("records another metric",
                uow -> uow.metrics().record(new NewMetric("h-after", d("2"), NOW)));
        OtherWrite sentimentNow = other("records a sentiment score now",
                uow -> uow.sentiment().record(new NewSentimentScore("BTCUSDT", NOW, d("0.1"), d("0.7"), 3, "newsapi")));

        return List.of(
                when(open, "null position", uow -> uow.positions().open(null),
                        ValidationException.class, "position: must not be null", openAnother),
                when(open, "store clock before 1970", uow -> uow.positions().open(position("ADAUSDT", d("1"), d("1"))),
                        ValidationException.class, CLOCK_RULE, openAnother).atClock(CLOCK_BEFORE_1970),

                when(closeAt, "expected version -1", uow -> uow.positions().close(openPosition, d("23500"), NOW, null, -1),
                        ValidationException.class, "expectedVersion: must be >= 0", closeTinyAtVersion0),
                when(closeAt, "exit before entry (checked after the read)", uow -> uow.positions().close(openPosition,
                                d("23500"), T0.minusSeconds(1), null, 0),
                        ValidationException.class, "positions.exit_time: must not be before positions.entry_time",
                        closeTinyAtVersion0),
                when(closeAt, "P&L too large to store (derived after the read)", uow -> uow.positions().close(
                                hugeQuantityPosition, d("100000000000000001"), NOW, "moon", 0),
                        ValidationException.class, "positions.realized_pnl: is derived from the given values",
                        closeTinyAtVersion0),
                when(closeAt, "store clock before 1970 (read after the row)", uow -> uow.positions().close(openPosition,
                                d("23500"), NOW, null, 0),
                        ValidationException.class, CLOCK_RULE, closeTinyAtVersion0).atClock(CLOCK_BEFORE_1970),
                when(closeAt, "unknown position", uow -> uow.positions().close(MISSING, d("1"), NOW, null, 0),
                        NotFoundException.class, "no position with id " + MISSING, closeTinyAtVersion0),
                when(closeAt, "CLOSED position", uow -> uow.positions().close(closedPosition, d("1500"), NOW, null, 1),
                        InvalidStateTransitionException.class, "position " + closedPosition + " is already CLOSED",
                        closeTinyAtVersion0),
                when(closeAt, "stale expected version 5", uow -> uow.positions().close(openPosition, d("23500"), NOW, null, 5),
                        OptimisticLockException.class, "is at version 0, not the expected version 5", closeTinyAtVersion0),

                when(close, "exit price 0", uow -> uow.positions().close(openPosition, d("0"), NOW, null),
                        ValidationException.class, "positions.exit_price: must be > 0", closeLarge),
                when(close, "return % too large to store (derived after the read)", uow -> uow.positions().close(
                                tinyPricePosition, d("2"), NOW, null),
                        ValidationException.class, "positions.return_pct: is derived from the given values", closeLarge),
                when(close, "unknown position", uow -> uow.positions().close(MISSING, d("1"), NOW, null),
                        NotFoundException.class, "no position with id " + MISSING, closeLarge),
                when(close, "CLOSED position", uow -> uow.positions().close(closedPosition, d("1500"), NOW, null),
                        InvalidStateTransitionException.class, "position " + closedPosition + " is already CLOSED",
                        closeLarge),

                when(stops, "stop loss with 999999999 decimals", uow -> uow.positions().updateStops(openPosition,
                                d("1E-999999999"), null, 0),
                        ValidationException.class, "positions.stop_loss: " + MORE_THAN_18, moveStops),
                when(stops, "store clock before 1970 (read after the row)", uow -> uow.positions().updateStops(
                                openPosition, d("22100"), null, 0),
                        ValidationException.class, CLOCK_RULE, moveStops).atClock(CLOCK_BEFORE_1970),
                when(stops, "unknown position", uow -> uow.positions().updateStops(MISSING, d("1"), null, 0),
                        NotFoundException.class, "no position with id " + MISSING, moveStops),
                when(stops, "CLOSED position", uow -> uow.positions().updateStops(closedPosition, d("1"), null, 1),
                        InvalidStateTransitionException.class, "cannot update the stops of position " + closedPosition,
                        moveStops),
                when(stops, "stale expected version 3", uow -> uow.positions().updateStops(openPosition, d("22100"), null, 3),
                        OptimisticLockException.class, "is at version 0, not the expected version 3", moveStops),

                when(increase, "quantity 0", uow -> uow.positions().increase(openPosition, d("0"), d("23500"), NOW),
                        ValidationException.class, "position_events.quantity: must be > 0", increaseLarge),
                when(increase, "before the entry (checked after the read)", uow -> uow.positions().increase(openPosition,
                                d("1"), d("23500"), T0.minusSeconds(1)),
                        ValidationException.class, "position_events.occurred_at: must not be before", increaseLarge),
                when(increase, "store clock before 1970 (read after the row)", uow -> uow.positions().increase(openPosition,
                                d("1"), d("23500"), NOW),
                        ValidationException.class, CLOCK_RULE, increaseLarge).atClock(CLOCK_BEFORE_1970),
                when(increase, "unknown position", uow -> uow.positions().increase(MISSING, d("1"), d("1"), NOW),
                        NotFoundException.class, "no position with id " + MISSING, increaseLarge),
                when(increase, "CLOSED position", uow -> uow.positions().increase(closedPosition, d("1"), d("1"), NOW),
                        InvalidStateTransitionException.class, "cannot increase position " + closedPosition, increaseLarge),

                when(reduce, "more than is open (checked after the read)", uow -> uow.positions().reduce(openPosition,
                                d("1.5"), d("23500"), NOW, null),
                        ValidationException.class, "must not exceed the open quantity 1 of position", reduceTiny),
                when(reduce, "P&L too large to store (derived after the read)", uow -> uow.positions().reduce(
                                hugeQuantityPosition, d("1000"), d("100000000000000001"), NOW, null),
                        ValidationException.class, "positions.realized_pnl: is derived from the given values", reduceTiny),
                when(reduce, "store clock before 1970 (read after the row)", uow -> uow.positions().reduce(openPosition,
                                d("0.5"), d("23500"), NOW, null),
                        ValidationException.class, CLOCK_RULE, reduceTiny).atClock(CLOCK_BEFORE_1970),
                when(reduce, "unknown position", uow -> uow.positions().reduce(MISSING, d("1"), d("1"), NOW, null),
                        NotFoundException.class, "no position with id " + MISSING, reduceTiny),
                when(reduce, "CLOSED position", uow -> uow.positions().reduce(closedPosition, d("1"), d("1"), NOW, null),
                        InvalidStateTransitionException.class, "cannot reduce position " + closedPosition, reduceTiny),
                when(increaseAt, "expected version -1", uow -> uow.positions().increase(openPosition, d("1"), d("23500"), NOW, -1),
                        ValidationException.class, "expectedVersion: must be >= 0", increaseLarge),
                when(increaseAt, "unknown position", uow -> uow.positions().increase(MISSING, d("1"), d("1"), NOW, 0),
                        NotFoundException.class, "no position with id " + MISSING, increaseLarge),
                when(increaseAt, "CLOSED position", uow -> uow.positions().increase(closedPosition, d("1"), d("1"), NOW, 1),
                        InvalidStateTransitionException.class, "cannot increase position " + closedPosition, increaseLarge),
                when(increaseAt, "stale expected version 5", uow -> uow.positions().increase(openPosition, d("1"), d("23500"), NOW, 5),
                        OptimisticLockException.class, "is at version 0, not the expected version 5", increaseLarge),
                when(reduceAt, "expected version -1", uow -> uow.positions().reduce(openPosition, d("0.5"), d("23500"), NOW, null, -1),
                        ValidationException.class, "expectedVersion: must be >= 0", reduceTiny),
                when(reduceAt, "unknown position", uow -> uow.positions().reduce(MISSING, d("1"), d("1"), NOW, null, 0),
                        NotFoundException.class, "no position with id " + MISSING, reduceTiny),
                when(reduceAt, "CLOSED position", uow -> uow.positions().reduce(closedPosition, d("1"), d("1"), NOW, null, 1),
                        InvalidStateTransitionException.class, "cannot reduce position " + closedPosition, reduceTiny),
                when(reduceAt, "stale expected version 5", uow -> uow.positions().reduce(openPosition, d("0.5"), d("23500"), NOW, null, 5),
                        OptimisticLockException.class, "is at version 0, not the expected version 5", reduceTiny),

                when(place, "null order", uow -> uow.orders().place(null),
                        ValidationException.class, "order: must not be null", placeAnother),
                when(place, "store clock before 1970 (read after the lookup)", uow -> uow.orders().place(
                                NewOrder.market("h-clock", "BTCUSDT", OrderSide.BUY, d("1"))),
                        ValidationException.class, CLOCK_RULE, placeAnother).atClock(CLOCK_BEFORE_1970),
                when(place, "client order id taken with other parameters (lookup)", uow -> uow.orders().place(
                                NewOrder.market("fixture-filled", "BTCUSDT", OrderSide.BUY, d("2"))),
                        ConflictException.class, "client order id \"fixture-filled\" is already used", placeAnother),
                when(place, "unknown position (foreign key, raised by the database)", uow -> uow.orders().place(
                                NewOrder.market("h-orphan", "BTCUSDT", OrderSide.BUY, d("1")).forPosition(MISSING)),
                        ForeignKeyViolationException.class, "orders.position_id " + MISSING + " names no position",
                        placeAnother),

                when(fill, "zero quantity", uow -> uow.orders().fill(newOrder, Fills.of(d("0"), d("22000"), d("0"), NOW)).order(),
                        ValidationException.class, "order_fills.quantity: must be > 0", fillPartial),
                when(fill, "overfill (checked after the read)", uow -> uow.orders().fill(newOrder, Fills.of(d("1.000000000000000001"),
                                d("22000"), d("0"), NOW)).order(),
                        ValidationException.class, "order_fills.quantity: must not exceed the remaining quantity", fillPartial),
                when(fill, "overfill of a PARTIALLY_FILLED order (after reading its fills)", uow -> uow.orders().fill(
                                partialOrder, Fills.of(d("1.500000000000000001"), d("23000"), d("0"), NOW)).order(),
                        ValidationException.class, "must not exceed the remaining quantity 1.5 of", fillNew),
                when(fill, "store clock before 1970 (read between the fills and the update)", uow -> uow.orders().fill(
                                partialOrder, Fills.of(d("0.5"), d("23000"), d("0"), NOW)).order(),
                        ValidationException.class, CLOCK_RULE, fillNew).atClock(CLOCK_BEFORE_1970),
                when(fill, "unknown order", uow -> uow.orders().fill(MISSING, Fills.of(d("1"), d("1"), d("0"), NOW)).order(),
                        NotFoundException.class, "no order with id " + MISSING, fillNew),
                when(fill, "late fill of a CANCELLED order beyond its remaining quantity", uow -> uow.orders().fill(cancelledOrder,
                                Fills.of(d("1.1"), d("1"), d("0"), NOW)),
                        ValidationException.class, "must not exceed the remaining quantity 1 of", fillPartial),
                when(fill, "REJECTED order", uow -> uow.orders().fill(rejectedOrder, Fills.of(d("0.1"), d("1"), d("0"), NOW)),
                        InvalidStateTransitionException.class, "cannot fill order fixture-rejected", fillPartial),
                when(fill, "trade id recorded with other values (lookup)", uow -> uow.orders().fill(partialOrder,
                                new NewFill("fixture-trade-1", d("0.25"), d("23000"), d("0.01"), "USDT", T0.plusSeconds(1))),
                        ConflictException.class, "is already recorded as fill", fillNew),

                when(confirm, "store clock before 1970 (read after the row)", uow -> uow.orders().confirmCancel(pendingCancelOrder),
                        ValidationException.class, CLOCK_RULE, cancelNew).atClock(CLOCK_BEFORE_1970),
                when(confirm, "unknown order", uow -> uow.orders().confirmCancel(MISSING),
                        NotFoundException.class, "no order with id " + MISSING, cancelNew),
                when(cancelRefused, "store clock before 1970 (read after the row)", uow -> uow.orders().cancelRejected(pendingCancelOrder),
                        ValidationException.class, CLOCK_RULE, cancelNew).atClock(CLOCK_BEFORE_1970),
                when(cancelRefused, "unknown order", uow -> uow.orders().cancelRejected(MISSING),
                        NotFoundException.class, "no order with id " + MISSING, cancelNew),
                when(confirm, "FILLED order", uow -> uow.orders().confirmCancel(filledOrder),
                        InvalidStateTransitionException.class, "cannot confirm the cancel of order fixture-filled", cancelNew),
                when(fill, "FILLED order", uow -> uow.orders().fill(filledOrder, Fills.of(d("0.1"), d("1"), d("0"), NOW)).order(),
                        InvalidStateTransitionException.class, "cannot fill order fixture-filled", fillPartial),

                when(cancel, "store clock before 1970 (read after the row)", uow -> uow.orders().cancel(partialOrder),
                        ValidationException.class, CLOCK_RULE, cancelNew).atClock(CLOCK_BEFORE_1970),
                when(cancel, "unknown order", uow -> uow.orders().cancel(MISSING),
                        NotFoundException.class, "no order with id " + MISSING, cancelNew),
                when(cancel, "FILLED order", uow -> uow.orders().cancel(filledOrder),
                        InvalidStateTransitionException.class, "cannot cancel order fixture-filled", cancelNew),

                when(reject, "reason with NUL", uow -> uow.orders().reject(newOrder, "venue\u0000down"),
                        ValidationException.class, "orders.reject_reason: must not contain control characters", rejectAnother),
                when(reject, "unknown order", uow -> uow.orders().reject(MISSING, "venue down"),
                        NotFoundException.class, "no order with id " + MISSING, rejectAnother),
                when(reject, "PARTIALLY_FILLED order", uow -> uow.orders().reject(partialOrder, "too late"),
                        InvalidStateTransitionException.class, "cannot reject order fixture-partial", rejectAnother),

                when(snapshot, "null snapshot", uow -> uow.portfolio().record(null),
                        ValidationException.class, "snapshot: must not be null", snapshotNow),
                when(snapshot, "instant already taken (unique key, raised by the database)", uow -> uow.portfolio().record(
                                snapshot(T0, d("1"), d("1"))),
                        ConflictException.class, "a portfolio snapshot taken at " + T0 + " already exists", snapshotNow),

                when(upsert, "null list", uow -> uow.candlesticks().upsert(null),
                        ValidationException.class, "candles: must not be null", nextCandle),
                when(upsert, "600 candles repeating a key past the first chunk", uow -> uow.candlesticks().upsert(
                                batchWithDuplicateAt599()),
                        ValidationException.class, "candles[599]: must not repeat the key", nextCandle),
                // Found by this case: the clock was read after the candles were written, so the failure left the
                // candles without their metadata row.
                when(upsert, "store clock before 1970 (was read after writing the candles)", uow -> uow.candlesticks()
                                .upsert(List.of(candle("ETHUSDT", Timeframe.M1, T0), candle("ETHUSDT", Timeframe.M1,
                                        T0.plusSeconds(60)))),
                        ValidationException.class, CLOCK_RULE, nextCandle).atClock(CLOCK_BEFORE_1970),

                when(deleteCandles, "a window ending before it starts", uow -> uow.candlesticks().delete("BTCUSDT",
                                Timeframe.M1, T0.plusSeconds(60), T0),
                        ValidationException.class, "to: must not be before from (" + T0.plusSeconds(60) + ")",
                        nextCandle),
                // The clock is read before the candles are deleted: a failure must leave them and their metadata.
                when(deleteCandles, "store clock before 1970", uow -> uow.candlesticks().delete("BTCUSDT",
                                Timeframe.M1, T0, T0.plusSeconds(300)),
                        ValidationException.class, CLOCK_RULE, nextCandle).atClock(CLOCK_BEFORE_1970),

                when(put, "null pattern", uow -> uow.patternCache().put(null, Duration.ofHours(1)),
                        ValidationException.class, "pattern: must not be null", putAnother),
                when(put, "ttl zero", uow -> uow.patternCache().put(pattern("h-ttl", Json.of("{}")), Duration.ZERO),
                        ValidationException.class, "ttl: must be > 0", putAnother),
                when(put, "expiring before it was detected (checked against the clock)", uow -> uow.patternCache().put(
                                new NewCachedPattern("h-future", "BTCUSDT", Timeframe.H1, "double-top", d("0.5"),
                                        Json.of("{}"), NOW.plus(Duration.ofDays(365))), Duration.ofHours(1)),
                        ValidationException.class, "pattern_cache.expires_at: must not be before detected_at", putAnother),
                when(put, "store clock before 1970", uow -> uow.patternCache().put(pattern("h-clock", Json.of("{}")),
                                Duration.ofHours(1)),
                        ValidationException.class, CLOCK_RULE, putAnother).atClock(CLOCK_BEFORE_1970),

                when(purge, "store clock before 1970 (the fixture's expired entry must survive)", uow -> uow.patternCache().purgeExpired(),
                        ValidationException.class, CLOCK_RULE, putAnother).atClock(CLOCK_BEFORE_1970),

                when(predict, "null prediction", uow -> uow.predictions().record(null),
                        ValidationException.class, "prediction: must not be null", predictAnother),
                when(predict, "store clock before 1970 (read after the lookup)", uow -> uow.predictions().record(
                                prediction("BTCUSDT", T0.plusSeconds(1800), d("0.5"), "lstm-v3")),
                        ValidationException.class, CLOCK_RULE, predictAnother).atClock(CLOCK_BEFORE_1970),
                when(predict, "same symbol and timestamp (lookup)", uow -> uow.predictions().record(
                                prediction("BTCUSDT", T0, d("0.9"), "lstm-v4")),
                        ConflictException.class, "a prediction for BTCUSDT at " + T0 + " already exists", predictAnother),

                when(claim, "negative horizon (the worker then records an outcome)",
                        uow -> uow.predictions().claimAwaitingOutcome(Duration.ofSeconds(-1), 5),
                        ValidationException.class, "horizon: must not be negative", evaluatePending),

                when(evaluate, "null outcome", uow -> uow.outcomes().record(null),
                        ValidationException.class, "outcome: must not be null", evaluatePending),
                when(evaluate, "evaluated before the prediction (checked after the lookup)", uow -> uow.outcomes().record(
                                new NewOutcome(pendingPrediction, T0, d("0"), Direction.FLAT, d("1"), false)),
                        ValidationException.class, "outcomes.evaluation_timestamp: must not be before", evaluatePending),
                when(evaluate, "store clock before 1970 (read after the lookup)", uow -> uow.outcomes().record(
                                new NewOutcome(pendingPrediction, NOW, d("0"), Direction.FLAT, d("1"), false)),
                        ValidationException.class, CLOCK_RULE, evaluatePending).atClock(CLOCK_BEFORE_1970),
                when(evaluate, "correct contradicting the directions (checked after the lookup)", uow -> uow.outcomes().record(
                                new NewOutcome(pendingPrediction, NOW, d("-0.01"), Direction.DOWN, d("1"), true)),
                        ValidationException.class, "outcomes.correct: must be true exactly when", evaluatePending),
                when(evaluate, "unknown prediction", uow -> uow.outcomes().record(new NewOutcome(MISSING, NOW, d("0"),
                                Direction.FLAT, d("1"), false)),
                        NotFoundException.class, "prediction " + MISSING + " does not exist", evaluatePending),
                when(evaluate, "second outcome (lookup)", uow -> uow.outcomes().record(new NewOutcome(evaluatedPrediction,
                                NOW, d("-0.01"), Direction.DOWN, d("1"), false)),
                        ConflictException.class, "prediction " + evaluatedPrediction + " already has an outcome",
                        evaluatePending),

                when(log, "null event", uow -> uow.executionLog().record(null),
                        ValidationException.class, "event: must not be null", logAnother),
                when(log, "unknown order (foreign key, raised by the database)", uow -> uow.executionLog().record(
                                new NewExecutionEvent(MISSING, "h-ghost", "sent", 10L, NOW, null)),
                        ForeignKeyViolationException.class, "order " + MISSING + " does not exist", logAnother),

                when(result, "null result", uow -> uow.modelResults().record(null),
                        ValidationException.class, "modelResult: must not be null", resultAnother),
                when(result, "same model, version and instant (unique key, raised by the database)",
                        uow -> uow.modelResults().record(modelResult("lstm", "v3", T0, T0, T0, null)),
                        ConflictException.class, "a result for model lstm version v3 evaluated at " + T0, resultAnother),

                when(metric, "null metric", uow -> uow.metrics().record(null),
                        ValidationException.class, "metric: must not be null", metricAnother),

                when(sentiment, "null score", uow -> uow.sentiment().record(null),
                        ValidationException.class, "sentimentScore: must not be null", sentimentNow),
                when(sentiment, "same symbol and instant (unique key, raised by the database)", uow -> uow.sentiment()
                                .record(new NewSentimentScore("BTCUSDT", T0, d("0"), d("0.5"), 1, null)),
                        ConflictException.class, "a sentiment score for BTCUSDT at " + T0 + " already exists",
                        sentimentNow));
    }

    static WriteCase when(String method, String description, Consumer<UnitOfWork> failing,
                          Class<? extends TradestoreException> expected, String fragment, OtherWrite other) {
        return new WriteCase(method, description, null, failing, expected, fragment, other);
    }

    static OtherWrite other(String name, Consumer<UnitOfWork> write) {
        return new OtherWrite(name, write);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The accepted table: exact decimal boundaries and number-like text, stored and read back exactly
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Text a number parser takes or mangles (1e400 overflows a double to infinity, -0 is 0, 0x10 is 16 to some):
     * in a text column it is text. A column with NUMERIC affinity, a driver or a loose comparison could turn it
     * into a number; the accepted table stores each through every free-text path and reads it back verbatim.
     */
    static final List<String> NUMBER_LIKE = List.of("NaN", "Infinity", "-Infinity", "1e400", "-0", "0x10");
    /** The number-like values the symbol rule refuses (not starting with a letter or digit): rows of {@link #symbols}. */
    static final Set<String> NOT_SYMBOLS = Set.of("-Infinity", "-0");
    /** Gives the accepted rows distinct keys (timestamps) where their values alone would repeat one. */
    final AtomicInteger acceptedSeq = new AtomicInteger();

    /**
     * One accepted input. {@code write} stores it in a unit of its own, which commits, and returns the key of the
     * row it wrote; {@code readBack} reads the value back through the API in a new unit, and it must equal
     * {@code expected} (for a decimal, {@code equals}: its normalized scale too). {@code cellSql}, bound to the key,
     * selects SQLite's {@code quote()} of the stored cell, which must be exactly {@code cell}: {@code 'NaN'} for
     * text stored as text (a number would show unquoted), {@code X'8110'} for a decimal's encoding.
     */
    record Accepted(String description, Function<UnitOfWork, Object> write, BiFunction<UnitOfWork, Object, Object> readBack,
                    Object expected, String cellSql, String cell) {
        @Override
        public String toString() {
            return description;
        }
    }

    Stream<Arguments> acceptedRowsOnEachEngine() {
        List<Accepted> rows = acceptedRows().toList();
        return targets.keySet().stream().flatMap(e -> rows.stream().map(r -> Arguments.of(e, r)));
    }

    /**
     * On PostgreSQL the stored cell is read with {@code quote_nullable}, SQLite's {@code quote()} for text (text
     * stays {@code 'NaN'}; the columns are TEXT there too, so a number could not be stored), and a decimal is
     * NUMERIC(38,18): the value at scale 18, quoted, where SQLite shows its encoding ({@link #postgresCell}).
     */
    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("acceptedRowsOnEachEngine")
    void acceptedInputIsStoredAndReadBackExactly(TestEngine engine, Accepted row) throws SQLException {
        FixtureCopies.Copy accepted = targets.get(engine).accepted();
        Object key = accepted.store().inTransaction(row.write());
        Object back = accepted.store().read(uow -> row.readBack().apply(uow, key));
        assertThat(back).as("read back: %s", row).isEqualTo(row.expected());
        boolean postgres = engine == TestEngine.POSTGRES;
        String cellSql = postgres ? row.cellSql().replace("quote(", "quote_nullable(") : row.cellSql();
        String expectedCell = postgres ? postgresCell(row.cell()) : row.cell();
        List<String> cells = new ArrayList<>();
        try (Connection c = accepted.connect(); PreparedStatement st = c.prepareStatement(cellSql)) {
            st.setObject(1, key);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    cells.add(rs.getString(1));
                }
            }
        }
        assertThat(cells).as("stored cell (%s) of: %s", postgres ? "quote_nullable()" : "SQLite quote()", row)
                .containsExactly(expectedCell);
    }

    /** Each SQLite decimal cell {@code X'..'} of {@code sqliteCell} as PostgreSQL's NUMERIC(38,18) quoted. */
    static String postgresCell(String sqliteCell) {
        return Pattern.compile("X'([0-9A-F]+)'").matcher(sqliteCell).replaceAll(m -> "'" + Decimal18.decode(
                java.util.HexFormat.of().parseHex(m.group(1))).setScale(Decimal18.SCALE).toPlainString() + "'");
    }

    Stream<Accepted> acceptedRows() {
        return Stream.concat(acceptedDecimals().stream(), acceptedText().stream());
    }

    /** The DECIMAL(38,18) boundaries, accepted exactly: cells are the encodings docs/schema.md describes. */
    List<Accepted> acceptedDecimals() {
        String max = "99999999999999999999.999999999999999999";
        String min = "-99999999999999999999.999999999999999999";
        String maxCell = "X'94" + "99".repeat(19) + "'";
        return List.of(
                new Accepted("entry price " + max + ", the maximum",
                        uow -> uow.positions().open(position("EDGE", d("1"), d(max))).id(),
                        (uow, id) -> uow.positions().find((Long) id).orElseThrow().entryPrice(), d(max),
                        "SELECT quote(entry_price) FROM positions WHERE id = ?", maxCell),
                new Accepted("cash " + min + ", the minimum",
                        uow -> uow.portfolio().record(snapshot(NOW.plusSeconds(acceptedSeq.incrementAndGet()), d(min), d(max))).id(),
                        (uow, id) -> only(Pages.all(page -> uow.portfolio().range(NOW, NOW.plus(Duration.ofDays(1)), page)), s -> s.id(), id).cash(), d(min),
                        "SELECT quote(cash) FROM portfolio_snapshots WHERE id = ?", "X'6B" + "00".repeat(19) + "FF'"),
                new Accepted("metric value 12345678901234567890.123456789012345678: 20 integer digits and 18 places",
                        uow -> uow.metrics().record(new NewMetric("acc-widest", d("12345678901234567890.123456789012345678"), NOW)).id(),
                        (uow, id) -> uow.metrics().latest("acc-widest").orElseThrow().value(), d("12345678901234567890.123456789012345678"),
                        "SELECT quote(value) FROM analytics_metrics WHERE id = ?", "X'9412345678901234567890123456789012345678'"),
                new Accepted("order quantity 0.000000000000000001 (1E-18), the smallest positive value",
                        uow -> uow.orders().place(NewOrder.market("acc-1e-18", "BTCUSDT", OrderSide.BUY, d("0.000000000000000001"))).id(),
                        (uow, id) -> uow.orders().find((Long) id).orElseThrow().quantity(), d("1E-18"),
                        "SELECT quote(quantity) FROM orders WHERE id = ?", "X'80000000000000000001'"),
                new Accepted("outcome return -0.000000000000000001 (-1E-18), the largest negative value",
                        uow -> {
                            Instant at = NOW.plusSeconds(acceptedSeq.incrementAndGet());
                            long prediction = uow.predictions().record(prediction("EDGE", at, d("0.5"), "acc")).id();
                            uow.outcomes().record(new NewOutcome(prediction, at, d("-0.000000000000000001"), Direction.DOWN, d("1"), false));
                            return prediction;
                        },
                        (uow, prediction) -> uow.outcomes().forPrediction((Long) prediction).orElseThrow().actualReturn(), d("-1E-18"),
                        "SELECT quote(actual_return) FROM outcomes WHERE prediction_id = ?", "X'7F999999999999999998FF'"),
                new Accepted("quantity 1.0000000000000000000: 19 places written, none needed, reads back as 1",
                        uow -> uow.positions().open(position("EDGE", d("1.0000000000000000000"), d("1"))).id(),
                        (uow, id) -> uow.positions().find((Long) id).orElseThrow().quantity(), d("1"),
                        "SELECT quote(quantity) FROM positions WHERE id = ?", "X'8110'"),
                new Accepted("metric value -0.000000000000000000000 (a negative zero at 21 places) is 0",
                        uow -> uow.metrics().record(new NewMetric("acc-zero", d("-0.000000000000000000000"), NOW)).id(),
                        (uow, id) -> uow.metrics().latest("acc-zero").orElseThrow().value(), d("0"),
                        "SELECT quote(value) FROM analytics_metrics WHERE id = ?", "X'80'"),
                new Accepted("candle from 1E-18 to the maximum",
                        uow -> uow.candlesticks().upsert(List.of(new Candle("EDGE", Timeframe.M1, T0, d("1"), d(max),
                                d("0.000000000000000001"), d("1"), d("0")))) > 0 ? "EDGE" : null,
                        (uow, symbol) -> Pages.all(page -> uow.candlesticks().range((String) symbol, Timeframe.M1, T0, NOW, page)),
                        List.of(new Candle("EDGE", Timeframe.M1, T0, d("1"), d(max), d("1E-18"), d("1"), d("0"))),
                        "SELECT quote(high) || ' ' || quote(low) FROM candlesticks WHERE symbol = ?", maxCell + " X'80000000000000000001'"),
                new Accepted("average fill price of 1E-18 filled at the maximum is the maximum, exactly",
                        uow -> {
                            long id = uow.orders().place(NewOrder.market("acc-max-fill", "BTCUSDT", OrderSide.BUY, d("1E-18"))).id();
                            return uow.orders().fill(id, Fills.of(d("1E-18"), d(max), d("0"), NOW)).order().id();
                        },
                        (uow, id) -> uow.orders().find((Long) id).orElseThrow().averageFillPrice(), d(max),
                        "SELECT quote(average_fill_price) FROM orders WHERE id = ?", maxCell),
                // (max - 1000) x 1 exactly; return (max - 1000) / 1000 x 100 = 9999999999999999899.9999999999999999999,
                // rounded half-even at the 18th place through nineteen nines to 9999999999999999900.
                new Accepted("realized P&L of closing at the maximum: 99999999999999998999.999999999999999999",
                        uow -> closedAtMax(uow, max),
                        (uow, id) -> uow.positions().find((Long) id).orElseThrow().realizedPnl(), d("99999999999999998999.999999999999999999"),
                        "SELECT quote(realized_pnl) FROM positions WHERE id = ?", "X'9499999999999999998999999999999999999999'"),
                new Accepted("return % of closing at the maximum: rounded up to 9999999999999999900",
                        uow -> closedAtMax(uow, max),
                        (uow, id) -> uow.positions().find((Long) id).orElseThrow().returnPct(), d("9999999999999999900"),
                        "SELECT quote(return_pct) FROM positions WHERE id = ?", "X'9399999999999999999000'"));
    }

    private static Object closedAtMax(UnitOfWork uow, String max) {
        long id = uow.positions().open(position("EDGE", d("1"), d("1000"))).id();
        return uow.positions().close(id, d(max), NOW, "top").id();
    }

    /**
     * Every free-text path (the symbol ones with the values the symbol rule allows) and every JSON document path,
     * each with every {@link #NUMBER_LIKE} value: as text, and in JSON as a string (the JSON numbers 1e400 and -0
     * too, where any document is allowed). Each must come back, and be stored, as exactly the text given.
     */
    List<Accepted> acceptedText() {
        Map<String, Function<String, Accepted>> paths = new LinkedHashMap<>();
        paths.put("positions.symbol", v -> text("positions.symbol", v,
                uow -> uow.positions().open(position(v, d("1"), d("1"))).id(),
                (uow, id) -> only(uow.positions().listOpen(v), Position::id, id).symbol(),
                "SELECT quote(symbol) FROM positions WHERE id = ?"));
        paths.put("positions.strategy", v -> text("positions.strategy", v,
                uow -> uow.positions().open(position("BTCUSDT", d("1"), d("1")).withStrategy(v)).id(),
                (uow, id) -> uow.positions().find((Long) id).orElseThrow().strategy(),
                "SELECT quote(strategy) FROM positions WHERE id = ?"));
        paths.put("positions.exit_reason", v -> text("positions.exit_reason", v,
                uow -> uow.positions().close(uow.positions().open(position("BTCUSDT", d("1"), d("1"))).id(), d("2"), NOW, v).id(),
                (uow, id) -> uow.positions().find((Long) id).orElseThrow().exitReason(),
                "SELECT quote(exit_reason) FROM positions WHERE id = ?"));
        paths.put("orders.client_order_id", v -> text("orders.client_order_id", v,
                uow -> uow.orders().place(NewOrder.market(v, "BTCUSDT", OrderSide.BUY, d("1"))).id(),
                (uow, id) -> uow.orders().findByClientOrderId(v).filter(o -> id.equals(o.id())).orElseThrow().clientOrderId(),
                "SELECT quote(client_order_id) FROM orders WHERE id = ?"));
        paths.put("orders.symbol", v -> text("orders.symbol", v,
                uow -> uow.orders().place(NewOrder.market("acc-symbol-" + v, v, OrderSide.BUY, d("1"))).id(),
                (uow, id) -> uow.orders().find((Long) id).orElseThrow().symbol(),
                "SELECT quote(symbol) FROM orders WHERE id = ?"));
        paths.put("orders.reject_reason", v -> text("orders.reject_reason", v,
                uow -> uow.orders().reject(uow.orders().place(NewOrder.market("acc-reject-" + v, "BTCUSDT", OrderSide.SELL, d("1"))).id(), v).id(),
                (uow, id) -> uow.orders().find((Long) id).orElseThrow().rejectReason(),
                "SELECT quote(reject_reason) FROM orders WHERE id = ?"));
        paths.put("predictions.symbol", v -> text("predictions.symbol", v,
                uow -> uow.predictions().record(prediction(v, T0, d("0.5"), "lstm-v3")).id(),
                (uow, id) -> only(Pages.all(page -> uow.predictions().bySymbol(v, T0, NOW, page)), p -> p.id(), id).symbol(),
                "SELECT quote(symbol) FROM predictions WHERE id = ?"));
        paths.put("predictions.model_version", v -> text("predictions.model_version", v,
                uow -> uow.predictions().record(prediction("ACC", NOW.plusSeconds(acceptedSeq.incrementAndGet()), d("0.5"), v)).id(),
                (uow, id) -> uow.predictions().find((Long) id).orElseThrow().modelVersion(),
                "SELECT quote(model_version) FROM predictions WHERE id = ?"));
        paths.put("candlesticks.symbol", v -> text("candlesticks.symbol", v,
                uow -> uow.candlesticks().upsert(List.of(candle(v, Timeframe.M1, T0))) > 0 ? v : null,
                (uow, symbol) -> Pages.all(page -> uow.candlesticks().range(v, Timeframe.M1, T0, NOW, page)).stream().map(Candle::symbol).toList(),
                List.of(v), "SELECT quote(symbol) FROM candlesticks WHERE symbol = ? AND timeframe = '1m'"));
        paths.put("candlestick_metadata.symbol", v -> text("candlestick_metadata.symbol", v,
                uow -> uow.candlesticks().upsert(List.of(candle(v, Timeframe.M5, T0))) > 0 ? v : null,
                (uow, symbol) -> uow.candlesticks().series(v, Timeframe.M5).orElseThrow().symbol(),
                v, "SELECT quote(symbol) FROM candlestick_metadata WHERE symbol = ? AND timeframe = '5m'"));
        paths.put("pattern_cache.cache_key", v -> text("pattern_cache.cache_key", v,
                uow -> uow.patternCache().put(pattern(v, Json.of("{}")), Duration.ofHours(1)).entry().id(),
                (uow, id) -> uow.patternCache().get(v).filter(p -> id.equals(p.id())).orElseThrow().cacheKey(),
                "SELECT quote(cache_key) FROM pattern_cache WHERE id = ?"));
        paths.put("pattern_cache.symbol", v -> text("pattern_cache.symbol", v,
                uow -> uow.patternCache().put(new NewCachedPattern("acc-symbol-" + v, v, Timeframe.H1, "double-top", d("0.8"),
                        Json.of("{}"), T0), Duration.ofHours(1)).entry().id(),
                (uow, id) -> only(uow.patternCache().bySymbol(v), p -> p.id(), id).symbol(),
                "SELECT quote(symbol) FROM pattern_cache WHERE id = ?"));
        paths.put("pattern_cache.pattern_type", v -> text("pattern_cache.pattern_type", v,
                uow -> uow.patternCache().put(new NewCachedPattern("acc-type-" + v, "BTCUSDT", Timeframe.H1, v, d("0.8"),
                        Json.of("{}"), T0), Duration.ofHours(1)).entry().id(),
                (uow, id) -> uow.patternCache().get("acc-type-" + v).orElseThrow().patternType(),
                "SELECT quote(pattern_type) FROM pattern_cache WHERE id = ?"));
        paths.put("analytics_metrics.name", v -> text("analytics_metrics.name", v,
                uow -> uow.metrics().record(new NewMetric(v, d("1"), NOW)).id(),
                (uow, id) -> uow.metrics().latest(v).filter(m -> id.equals(m.id())).orElseThrow().name(),
                "SELECT quote(name) FROM analytics_metrics WHERE id = ?"));
        paths.put("sentiment_scores.symbol", v -> text("sentiment_scores.symbol", v,
                uow -> uow.sentiment().record(new NewSentimentScore(v, NOW, d("0"), d("0.5"), 1, null)).id(),
                (uow, id) -> uow.sentiment().latest(v).filter(s -> id.equals(s.id())).orElseThrow().symbol(),
                "SELECT quote(symbol) FROM sentiment_scores WHERE id = ?"));
        paths.put("sentiment_scores.source", v -> text("sentiment_scores.source", v,
                uow -> uow.sentiment().record(new NewSentimentScore("ACC", NOW.plusSeconds(acceptedSeq.incrementAndGet()), d("0"),
                        d("0.5"), 1, v)).id(),
                (uow, id) -> only(Pages.all(page -> uow.sentiment().range("ACC", NOW, NOW.plus(Duration.ofDays(1)), page)), SentimentScore::id, id).source(),
                "SELECT quote(source) FROM sentiment_scores WHERE id = ?"));
        paths.put("ml_model_results.model_name", v -> text("ml_model_results.model_name", v,
                uow -> uow.modelResults().record(modelResult(v, "v3", NOW, T0, NOW, null)).id(),
                (uow, id) -> uow.modelResults().latest(v).filter(m -> id.equals(m.id())).orElseThrow().modelName(),
                "SELECT quote(model_name) FROM ml_model_results WHERE id = ?"));
        paths.put("ml_model_results.model_version", v -> text("ml_model_results.model_version", v,
                uow -> uow.modelResults().record(modelResult("acc", v, NOW, T0, NOW, null)).id(),
                (uow, id) -> uow.modelResults().latest("acc", v).filter(m -> id.equals(m.id())).orElseThrow().modelVersion(),
                "SELECT quote(model_version) FROM ml_model_results WHERE id = ?"));
        paths.put("trade_execution_log.client_order_id", v -> text("trade_execution_log.client_order_id", v,
                uow -> uow.executionLog().record(new NewExecutionEvent(null, v, "sent", null, NOW, null)).id(),
                (uow, id) -> only(uow.executionLog().forClientOrderId(v), e -> e.id(), id).clientOrderId(),
                "SELECT quote(client_order_id) FROM trade_execution_log WHERE id = ?"));
        paths.put("trade_execution_log.event", v -> text("trade_execution_log.event", v,
                uow -> uow.executionLog().record(new NewExecutionEvent(null, "acc-event-" + v, v, null, NOW, null)).id(),
                (uow, id) -> only(uow.executionLog().forClientOrderId("acc-event-" + v), e -> e.id(), id).event(),
                "SELECT quote(event) FROM trade_execution_log WHERE id = ?"));

        // JSON documents: any document, or (dimensions) an object holding it.
        Map<String, Function<String, Accepted>> documents = new LinkedHashMap<>();
        documents.put("predictions.feature_vector", doc -> json("predictions.feature_vector", doc,
                uow -> uow.predictions().record(new NewPrediction("ACC", NOW.plusSeconds(acceptedSeq.incrementAndGet()), PredictedAction.BUY,
                        d("0.5"), Direction.UP, d("0.004"), Json.of(doc), "lstm-v3", d("23000"), null)).id(),
                (uow, id) -> uow.predictions().find((Long) id).orElseThrow().featureVector().text(),
                "SELECT quote(feature_vector) FROM predictions WHERE id = ?"));
        documents.put("predictions.market_context", doc -> json("predictions.market_context", doc,
                uow -> uow.predictions().record(new NewPrediction("ACC", NOW.plusSeconds(acceptedSeq.incrementAndGet()), PredictedAction.BUY,
                        d("0.5"), Direction.UP, d("0.004"), null, "lstm-v3", d("23000"), Json.of(doc))).id(),
                (uow, id) -> uow.predictions().find((Long) id).orElseThrow().marketContext().text(),
                "SELECT quote(market_context) FROM predictions WHERE id = ?"));
        documents.put("pattern_cache.payload", doc -> json("pattern_cache.payload", doc,
                uow -> uow.patternCache().put(pattern("acc-payload-" + doc, Json.of(doc)), Duration.ofHours(1)).entry().id(),
                (uow, id) -> uow.patternCache().get("acc-payload-" + doc).orElseThrow().payload().text(),
                "SELECT quote(payload) FROM pattern_cache WHERE id = ?"));
        documents.put("trade_execution_log.details", doc -> json("trade_execution_log.details", doc,
                uow -> uow.executionLog().record(new NewExecutionEvent(null, "acc-details", "sent", null,
                        NOW.plusSeconds(acceptedSeq.incrementAndGet()), Json.of(doc))).id(),
                (uow, id) -> only(uow.executionLog().forClientOrderId("acc-details"), e -> e.id(), id).details().text(),
                "SELECT quote(details) FROM trade_execution_log WHERE id = ?"));
        documents.put("ml_model_results.parameters", doc -> json("ml_model_results.parameters", doc,
                uow -> uow.modelResults().record(new NewModelResult("acc-parameters", "v1", NOW.plusSeconds(acceptedSeq.incrementAndGet()),
                        T0, NOW, 1, null, null, null, null, Json.of(doc))).id(),
                (uow, id) -> only(Pages.all(page -> uow.modelResults().history("acc-parameters", "v1", page)), m -> m.id(), id).parameters().text(),
                "SELECT quote(parameters) FROM ml_model_results WHERE id = ?"));
        documents.put("analytics_metrics.dimensions", doc -> json("analytics_metrics.dimensions", "{\"v\":" + doc + "}",
                uow -> uow.metrics().record(new NewMetric("acc-dimensions", d("1"), NOW.plusSeconds(acceptedSeq.incrementAndGet()),
                        Json.of("{\"v\":" + doc + "}"))).id(),
                (uow, id) -> Pages.all(page -> uow.metrics().series("acc-dimensions", NOW, NOW.plus(Duration.ofDays(1)), page)).stream()
                        .filter(m -> id.equals(m.id())).findFirst().orElseThrow().dimensions().text(),
                "SELECT quote(dimensions) FROM analytics_metrics WHERE id = ?"));

        List<Accepted> rows = new ArrayList<>();
        paths.forEach((column, path) -> NUMBER_LIKE.stream()
                .filter(v -> !(column.endsWith(".symbol") && NOT_SYMBOLS.contains(v)))
                .forEach(v -> rows.add(path.apply(v))));
        List<String> docs = new ArrayList<>(NUMBER_LIKE.stream().map(v -> "\"" + v + "\"").toList());
        docs.addAll(List.of("1e400", "-0")); // JSON numbers, kept as written: not Infinity, not 0
        documents.values().forEach(path -> docs.forEach(doc -> rows.add(path.apply(doc))));
        return rows;
    }

    /** Text {@code v} written to {@code column}: read back as {@code v}, stored as the text {@code v}. */
    static Accepted text(String column, String v, Function<UnitOfWork, Object> write,
                         BiFunction<UnitOfWork, Object, Object> readBack, String cellSql) {
        return text(column, v, write, readBack, v, cellSql);
    }

    static Accepted text(String column, String v, Function<UnitOfWork, Object> write,
                         BiFunction<UnitOfWork, Object, Object> readBack, Object expected, String cellSql) {
        return new Accepted(column + " = " + v + " (text)", write, readBack, expected, cellSql, quoted(v));
    }

    /** The JSON document {@code doc} in {@code column}: its text read back and stored verbatim. */
    static Accepted json(String column, String doc, Function<UnitOfWork, Object> write,
                         BiFunction<UnitOfWork, Object, Object> readBack, String cellSql) {
        return new Accepted(column + " = " + doc + " (JSON)", write, readBack, doc, cellSql, quoted(doc));
    }

    /** SQLite's quote() of a TEXT value. */
    static String quoted(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    /** The one element of {@code found} whose id is {@code key}. */
    static <T> T only(List<T> found, Function<T, Long> id, Object key) {
        List<T> matching = found.stream().filter(x -> id.apply(x).equals(key)).toList();
        assertThat(matching).as("rows with id %s among %s", key, found).hasSize(1);
        return matching.get(0);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Tests outside the table: what hostile-looking input is legitimately accepted
    // ---------------------------------------------------------------------------------------------------------

    /** SQL-looking text that passes the text rules is bound as a parameter and stored verbatim. */
    @EachEngine
    void injectionShapedTextThatIsValidIsStoredVerbatimAndHarmless(TestEngine engine) {
        use(engine);
        Snapshot before = current.main().snapshot();
        String clientOrderId = "Robert'); DROP TABLE orders;--";
        String reason = "'; DROP TABLE positions; --";
        Throwable rolledBack = catchThrowable(() -> store.useTransaction(uow -> {
            Order placed = uow.orders().place(NewOrder.market(clientOrderId, "BTCUSDT", OrderSide.BUY, d("1")));
            Order rejected = uow.orders().reject(placed.id(), reason);
            assertThat(uow.orders().findByClientOrderId(clientOrderId)).contains(rejected);
            assertThat(rejected.rejectReason()).isEqualTo(reason);
            assertThat(uow.orders().findByClientOrderId("x' OR '1'='1")).isEmpty();
            throw new IllegalStateException("roll back on purpose");
        }));
        assertThat(rolledBack).hasMessage("roll back on purpose");
        assertThat(current.main().snapshot()).isEqualTo(before);
        assertThat(before.rows("orders")).isGreaterThanOrEqualTo(5);
        assertThat(before.rows("positions")).isGreaterThanOrEqualTo(4);
    }

    /**
     * A detection older than the one cached under its key is an answer, not an error: the put reports itself stale,
     * returns the stored entry, and nothing changes, so a pipeline whose detectors finish out of order can commit
     * the rest of its unit.
     */
    @EachEngine
    void aStalePatternPutIsAnAnswerNotAnErrorAndChangesNothing(TestEngine engine) {
        use(engine);
        Snapshot before = current.main().snapshot();
        CachePut late = store.inTransaction(uow -> uow.patternCache().put(new NewCachedPattern("BTCUSDT:1h:double-top",
                "ETHUSDT", Timeframe.M5, "flag", d("0.1"), Json.of("{}"), T0.minusNanos(1_000)), Duration.ofDays(1)));
        assertThat(late.stale()).isTrue();
        assertThat(late.entry().detectedAt()).isEqualTo(T0);
        assertThat(late.entry().payload()).isEqualTo(Json.of("{\"neckline\":22800}"));
        assertThat(current.main().snapshot()).isEqualTo(before);
    }

    /**
     * A callback that throws after the commit (the exchange is down) is logged, does not stop the next callback, and
     * neither undoes the commit nor reaches the caller: the order is placed, and the caller learns of the failed send
     * from its own callback, not from the store.
     */
    @EachEngine
    void anAfterCommitCallbackThatThrowsNeitherUndoesTheCommitNorEscapes(TestEngine engine) {
        try (FixtureCopies.Copy copy = targets.get(engine).copies().copy(Stores.fixed(NOW))) {
            Tradestore s = copy.store();
            List<String> ran = new ArrayList<>();
            Order placed = s.inTransaction(uow -> {
                uow.afterCommit(() -> {
                    throw new IllegalStateException("exchange down");
                });
                uow.afterCommit(() -> ran.add("second callback"));
                return uow.orders().place(NewOrder.market("h-after-commit", "BTCUSDT", OrderSide.BUY, d("1")));
            });
            Optional<Order> stored = s.read(uow -> uow.orders().findByClientOrderId("h-after-commit"));
            assertThat(ran).containsExactly("second callback");
            assertThat(stored).contains(placed);
        }
    }

    /**
     * BigDecimal.valueOf(0.1) is the decimal 0.1 and is stored exactly; new BigDecimal(0.1) is a table row.
     * BigDecimal.valueOf(1e-18) is 1.0E-18, scale 19 with a trailing zero: the value has 18 places, so it is accepted
     * and reads back normalized.
     */
    @EachEngine
    void bigDecimalValueOfADoubleIsAcceptedExactly(TestEngine engine) {
        use(engine);
        Snapshot before = current.main().snapshot();
        Throwable rolledBack = catchThrowable(() -> store.useTransaction(uow -> {
            Position p = uow.positions().open(position("BTCUSDT", d("1"), BigDecimal.valueOf(0.1)));
            assertThat(p.entryPrice()).isEqualTo(d("0.1")).hasScaleOf(1);
            assertThat(BigDecimal.valueOf(1e-18).scale()).isEqualTo(19);
            Position tiny = uow.positions().open(position("BTCUSDT", BigDecimal.valueOf(1e-18), d("1")));
            assertThat(uow.positions().find(tiny.id()).orElseThrow().quantity()).isEqualTo(d("1E-18")).hasScaleOf(18);
            throw new IllegalStateException("roll back on purpose");
        }));
        assertThat(rolledBack).hasMessage("roll back on purpose");
        assertThat(current.main().snapshot()).isEqualTo(before);
    }

    @Test
    void theTableIsLargeAndEveryDescriptionIsUnique() {
        List<String> descriptions = rows().map(Row::description).toList();
        assertThat(descriptions).hasSizeGreaterThanOrEqualTo(60).doesNotHaveDuplicates();
        assertThat(descriptions).allSatisfy(s -> assertThat(s.chars().allMatch(c -> c >= 0x20 && c < 0x7f))
                .as("ASCII display name: %s", s).isTrue());
        List<String> accepted = acceptedRows().map(Accepted::description).toList();
        assertThat(accepted).hasSizeGreaterThanOrEqualTo(150).doesNotHaveDuplicates();
        assertThat(accepted).allSatisfy(s -> assertThat(s.chars().allMatch(c -> c >= 0x20 && c < 0x7f))
                .as("ASCII display name: %s", s).isTrue());
        // Every number-like value reaches every text path: refused by a symbol rule (a row of the table) or accepted.
        for (String v : NUMBER_LIKE) {
            assertThat(accepted.stream().filter(s -> s.endsWith(" = " + v + " (text)"))).as("text paths accepting %s", v)
                    .hasSize(NOT_SYMBOLS.contains(v) ? 13 : 20);
            assertThat(accepted.stream().filter(s -> s.endsWith(" (JSON)") && s.contains("\"" + v + "\"")))
                    .as("JSON paths holding the string \"%s\"", v).hasSize(6);
        }
        for (String v : NOT_SYMBOLS) {
            assertThat(descriptions).contains("positions: symbol " + v);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------

    static Row row(String description, ThrowingCallable action, Class<? extends Throwable> type, String fragment) {
        return new Row(description, action, type, fragment);
    }

    /** An action that reaches the running engine's store ({@link #store}, {@link #current}): runs on every engine. */
    interface StoreAction extends ThrowingCallable {
    }

    static StoreAction onStore(StoreAction action) {
        return action;
    }

    StoreAction tx(Consumer<UnitOfWork> work) {
        return () -> store.useTransaction(work);
    }

    StoreAction read(Function<UnitOfWork, ?> work) {
        return () -> store.read(work);
    }

    /**
     * Runs {@code work} in a unit that catches the expected exception and commits anyway, then rethrows it: proves
     * that what failed left nothing behind even when the caller carries on.
     */
    StoreAction caughtThenCommitted(Consumer<UnitOfWork> work, Class<? extends RuntimeException> expected) {
        return () -> {
            AtomicReference<RuntimeException> caught = new AtomicReference<>();
            store.useTransaction(uow -> {
                try {
                    work.accept(uow);
                } catch (RuntimeException e) {
                    if (!expected.isInstance(e)) {
                        throw e;
                    }
                    caught.set(e);
                }
            });
            if (caught.get() == null) {
                throw new AssertionError("expected " + expected.getSimpleName() + " inside the unit, nothing was thrown");
            }
            throw caught.get();
        };
    }

    static List<Candle> batchWithDuplicateAt599() {
        List<Candle> batch = new ArrayList<>();
        for (int i = 0; i < 599; i++) {
            batch.add(candle("ETHUSDT", Timeframe.M1, T0.plusSeconds(60L * i)));
        }
        batch.add(candle("ETHUSDT", Timeframe.M1, T0));
        return batch;
    }

    static BigDecimal d(String value) {
        return new BigDecimal(value);
    }

    static NewPosition position(String symbol, BigDecimal quantity, BigDecimal entryPrice) {
        return NewPosition.of(symbol, PositionSide.LONG, quantity, entryPrice, T0);
    }

    static NewPrediction prediction(String symbol, Instant at, BigDecimal confidence, String modelVersion) {
        return new NewPrediction(symbol, at, PredictedAction.BUY, confidence, Direction.UP, d("0.004"), null, modelVersion,
                d("23000"), null);
    }

    static Candle candle(String symbol, Timeframe timeframe, Instant openTime) {
        return new Candle(symbol, timeframe, openTime, d("23000"), d("23010"), d("22990"), d("23005"), d("12.5"));
    }

    static NewCachedPattern pattern(String key, Json payload) {
        return new NewCachedPattern(key, "BTCUSDT", Timeframe.H1, "double-top", d("0.8"), payload, T0);
    }

    static NewPortfolioSnapshot snapshot(Instant at, BigDecimal cash, BigDecimal equity) {
        return new NewPortfolioSnapshot(at, cash, equity, d("0"), d("0"), 0);
    }

    static NewModelResult modelResult(String name, String version, Instant evaluatedAt, Instant start, Instant end,
                                      BigDecimal accuracy) {
        return new NewModelResult(name, version, evaluatedAt, start, end, 1_000, accuracy, null, null, null, null);
    }
}
