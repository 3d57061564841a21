package io.tradestore;

import io.tradestore.testing.Fills;

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
import io.tradestore.market.Candle;
import io.tradestore.market.Timeframe;
import io.tradestore.testing.MutableClock;
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
import io.tradestore.trading.PositionSide;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The plans of the SQL the DAOs really execute, not of hand-written copies. A jOOQ {@link ExecuteListener}, attached
 * through the test hook {@link Tradestore#open(TradestoreConfig, ExecuteListener)}, records every statement with the
 * values JDBC was given, attributed to the public DAO method that issued it, while every public method of every DAO
 * runs against a real store seeded with a few hundred rows per table. Each distinct captured statement is then run
 * through {@code EXPLAIN QUERY PLAN} on (a copy of) the same database file with the same bind values.
 *
 * <p>What is guaranteed is at least one captured statement per public DAO method, not every statement a method can
 * issue: one issued only on a path the drive does not take (such as the re-read that reports a stale version in
 * {@code OrderDao.conditionalUpdate}) is not necessarily captured.
 *
 * <p>No plan may read a whole table ({@code SCAN t}, directly or through an index, by name or alias), use a
 * temporary b-tree (for ORDER BY above all, but also GROUP BY or DISTINCT) or build an automatic index, except the
 * {@link #EXCEPTIONS} listed with their reasons, each for the passes its reason covers.
 *
 * <p>Plans are checked twice: as SQLite plans them without statistics, which is how tradestore's databases run
 * (nothing in tradestore runs ANALYZE), and after ANALYZE of the seeded data, which is how they run if an
 * application does. The data and the statements are deterministic, so neither pass depends on luck.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryPlanTest {
    /** The two ways a database is planned; an exception holds only for the passes its reason covers. */
    enum Pass {
        /** As tradestore's own databases run: nothing in tradestore runs ANALYZE. */
        NO_STATISTICS,
        /** After ANALYZE of the seeded data, as an application that runs it would see. */
        AFTER_ANALYZE
    }

    /**
     * An allowed plan step: only for {@code method}, only in {@code passes}, only for exactly {@code step}, and, if
     * {@code sql} is given, only for statements whose SQL it finds; each must still occur in each of its passes.
     */
    record Allowed(String method, Set<Pass> passes, String step, Pattern sql, String reason) {
        boolean covers(String method, Pass pass, String step, String sql) {
            return this.method.equals(method) && passes.contains(pass) && this.step.equals(step)
                    && (this.sql == null || this.sql.matcher(sql).find());
        }
    }

    private static final List<Allowed> EXCEPTIONS = List.of(
            new Allowed("PortfolioDao.latest()", EnumSet.allOf(Pass.class),
                    "SCAN portfolio_snapshots USING INDEX sqlite_autoindex_portfolio_snapshots_1",
                    // Without the LIMIT this step would read every snapshot, so the exception requires it.
                    Pattern.compile("(?i)\\blimit\\b"),
                    "ORDER BY taken_at DESC LIMIT 1: walks the unique taken_at index from its last entry and stops"
                            + " after one row; a scan in name only"),
            new Allowed("CandlestickDao.series()", EnumSet.allOf(Pass.class),
                    "SCAN candlestick_metadata", null,
                    "lists every series, by design; the table holds one row per (symbol, timeframe), not per candle"));

    /**
     * A plan step that reads a whole table or index: {@code SCAN positions}, {@code SCAN p USING INDEX ix} (SQLite
     * names an aliased table by its alias), but also {@code SCAN CONSTANT ROW} and {@code SCAN (subquery-1)}, which
     * {@link #readsATable} tells apart.
     */
    private static final Pattern SCAN = Pattern.compile("^SCAN (\\S+)(?: .*)?$");
    /** The plan steps that name a subquery or CTE that a later SCAN of the same name reads, not a table. */
    private static final Pattern MATERIALIZED = Pattern.compile("^(?:MATERIALIZE|CO-ROUTINE) (\\S+)$");
    private static final String[] SYMBOLS = {"BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT", "ADAUSDT"};
    private static final String[] MODELS = {"lstm", "xgboost", "transformer"};

    @TempDir
    static Path dir;
    /** Seeded and driven through the DAOs; tests explain on copies of it. */
    private Path database;
    private Set<Class<?>> daos;
    private List<Executed> executed;

    /** One executed statement: the DAO method it came from, its SQL and the values bound to it, by index. */
    record Executed(String method, String sql, Map<Integer, Object> binds) {
    }

    /** A statement and the plan steps EXPLAIN QUERY PLAN gave for it. */
    record Explained(Executed statement, List<String> plan) {
    }

    /**
     * Records what the DAOs execute while {@link #recording} is on. jOOQ lets a listener replace the statement it
     * prepared; the replacement forwards every call and records the parameters, so the binds are exactly what the
     * driver received, after jOOQ's converters.
     */
    static final class Capture implements ExecuteListener {
        private final Set<Class<?>> daos;
        final List<Executed> executed = Collections.synchronizedList(new ArrayList<>());
        volatile boolean recording;

        Capture(Set<Class<?>> daos) {
            this.daos = daos;
        }

        @Override
        public void prepareEnd(ExecuteContext ctx) {
            if (!recording || ctx.statement() == null) {
                return;
            }
            Map<Integer, Object> binds = Collections.synchronizedMap(new TreeMap<>());
            executed.add(new Executed(issuingDaoMethod(), ctx.sql(), binds));
            ctx.statement(recordingBinds(ctx.statement(), binds));
        }

        /** The outermost DAO frame on the stack: the public method the caller invoked, not a private helper. */
        private String issuingDaoMethod() {
            return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                    .walk(frames -> frames.filter(f -> daos.contains(f.getDeclaringClass()))
                            .reduce((inner, outer) -> outer)
                            .map(f -> name(f.getDeclaringClass(), f.getMethodName(), f.getMethodType()))
                            .orElse("(no DAO on the stack)"));
        }

        private static PreparedStatement recordingBinds(PreparedStatement real, Map<Integer, Object> binds) {
            InvocationHandler handler = (proxy, method, args) -> {
                // The parameter setters are exactly the set* methods whose first argument is the parameter index.
                if (method.getName().startsWith("set") && args != null && args.length >= 2
                        && args[0] instanceof Integer index) {
                    binds.put(index, method.getName().equals("setNull") ? null : args[1]);
                }
                try {
                    return method.invoke(real, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            };
            return (PreparedStatement) Proxy.newProxyInstance(QueryPlanTest.class.getClassLoader(),
                    new Class<?>[] {PreparedStatement.class}, handler);
        }
    }

    @BeforeAll
    void runEveryDaoMethodAgainstASeededStore() {
        daos = daoClasses();
        Capture capture = new Capture(daos);
        MutableClock clock = new MutableClock(T0);
        try (Tradestore store = Tradestore.open(Stores.config(dir.resolve("store")).withClock(clock), capture)) {
            database = store.config().file();
            seed(store, clock);
            capture.recording = true;
            drive(store, clock);
            capture.recording = false;
        }
        executed = List.copyOf(capture.executed);
    }

    @Test
    void everyPublicDaoMethodIssuedStatementsThatWereCaptured() {
        Set<String> seen = executed.stream().map(Executed::method).collect(Collectors.toCollection(TreeSet::new));
        assertThat(seen).as("DAO methods whose statements were captured, vs every public method of the %d DAOs;"
                        + " a method missing here is not driven by this test, or issued no SQL", daos.size())
                .containsExactlyInAnyOrderElementsOf(publicMethods(daos));
        assertThat(executed).as("captured statements").allSatisfy(e -> assertThat(e.sql()).isNotBlank());
    }

    /** How tradestore's own databases are planned: it never runs ANALYZE. */
    @Test
    void withoutStatisticsNoStatementScansATableOrSorts() throws Exception {
        assertThat(violations(Pass.NO_STATISTICS, explain(Pass.NO_STATISTICS))).as(VIOLATIONS).isEmpty();
    }

    /** How they are planned if an application runs ANALYZE, here over the seeded few hundred rows per table. */
    @Test
    void afterAnalyzeNoStatementScansATableOrSorts() throws Exception {
        assertThat(violations(Pass.AFTER_ANALYZE, explain(Pass.AFTER_ANALYZE))).as(VIOLATIONS).isEmpty();
    }

    @Test
    void everyListedExceptionIsStillNeededInEachOfItsPasses() throws Exception {
        for (Pass pass : Pass.values()) {
            List<Explained> plans = explain(pass);
            for (Allowed a : EXCEPTIONS) {
                if (!a.passes().contains(pass)) {
                    continue;
                }
                assertThat(plans).as("plans in pass %s: the exception %s of %s is needed by no statement any more;"
                                + " narrow or remove it in EXCEPTIONS", pass, a.step(), a.method())
                        .anySatisfy(e -> assertThat(e.plan()).anySatisfy(step -> assertThat(
                                a.covers(e.statement().method(), pass, step, e.statement().sql())).isTrue()));
            }
        }
    }

    /** The SCAN check sees through aliases and tells tables from subqueries and CTEs. */
    @Test
    void aScanIsATableReadUnlessItReadsAConstantRowASubqueryOrACte() {
        assertThat(readsATable("SCAN p", List.of("SCAN p"))).isTrue();
        assertThat(readsATable("SCAN positions USING INDEX ix", List.of())).isTrue();
        assertThat(readsATable("SCAN CONSTANT ROW", List.of())).isFalse();
        assertThat(readsATable("SCAN (subquery-1)", List.of())).isFalse();
        assertThat(readsATable("SCAN SUBQUERY 1", List.of())).isFalse();
        assertThat(readsATable("SCAN w", List.of("MATERIALIZE w", "SCAN w"))).isFalse();
        assertThat(readsATable("SEARCH p USING INDEX ix (id=?)", List.of())).isFalse();
    }

    /** The check is not vacuous: drop the indexes that serve the two open lists, and both are reported. */
    @Test
    void withoutTheirIndexesTheListsOfOpenOrdersAndPositionsAreReported() throws Exception {
        List<String> found = violations(Pass.NO_STATISTICS, explain(Pass.NO_STATISTICS,
                "DROP INDEX ix_orders_status_created_at_id", "DROP INDEX ix_positions_status_entry_time"));
        assertThat(found).anySatisfy(v -> assertThat(v).startsWith("OrderDao.listOpen(): "))
                .anySatisfy(v -> assertThat(v).startsWith("PositionDao.listOpen(): USE TEMP B-TREE FOR ORDER BY"));
    }

    /**
     * awaitingOutcome reads only the partial index of the predictions still awaiting an outcome (release 6,
     * decision 0011), with and without statistics: no SCAN, no sort, and no look at outcomes or at resolved
     * predictions, which the release-4 plan walked through on every call. claimAwaitingOutcome sends SQLite the same
     * plain query (no FOR UPDATE, which SQLite cannot parse).
     */
    @Test
    void awaitingOutcomeSearchesOnlyThePartialIndexOfPredictionsWithoutAnOutcome() throws Exception {
        for (Pass pass : Pass.values()) {
            List<Explained> plans = explain(pass).stream()
                    .filter(e -> e.statement().method().equals("PredictionDao.awaitingOutcome(Duration, int)")
                            || e.statement().method().equals("PredictionDao.claimAwaitingOutcome(Duration, int)"))
                    .toList();
            assertThat(plans).as("pass %s: the captured awaitingOutcome statements", pass).isNotEmpty()
                    .anySatisfy(e -> assertThat(e.statement().method())
                            .isEqualTo("PredictionDao.claimAwaitingOutcome(Duration, int)"))
                    .allSatisfy(e -> assertThat(e.plan()).as("pass %s: %s", pass, e.statement().sql()).containsExactly(
                            "SEARCH predictions USING INDEX ix_predictions_awaiting_outcome (prediction_timestamp<?)"));
        }
    }

    private static final String VIOLATIONS = "plan steps that read a whole table, sort, or build an automatic index:"
            + " add an index that serves the query, or list the step in EXCEPTIONS with its reason";

    /** EXPLAIN QUERY PLAN of every distinct captured statement, with its binds, on a fresh copy of the database. */
    private List<Explained> explain(Pass pass, String... alterations) throws IOException, SQLException {
        Path copy = Files.createTempFile(dir, "explain", ".db");
        Files.copy(database, copy, StandardCopyOption.REPLACE_EXISTING);
        try (Connection c = SqliteFiles.open(copy); Statement st = c.createStatement()) {
            for (String sql : alterations) {
                st.execute(sql);
            }
            if (pass == Pass.AFTER_ANALYZE) {
                st.execute("ANALYZE");
            }
            Map<String, Executed> distinct = new LinkedHashMap<>();
            for (Executed e : executed) {
                distinct.putIfAbsent(e.method() + "\n" + e.sql() + "\n" + e.binds(), e);
            }
            assertThat(distinct).as("captured statements to explain").isNotEmpty();
            List<Explained> plans = new ArrayList<>();
            for (Executed e : distinct.values()) {
                plans.add(new Explained(e, plan(c, e)));
            }
            return plans;
        }
    }

    private static List<String> plan(Connection c, Executed e) throws SQLException {
        List<String> steps = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + e.sql())) {
            // Unbound parameters are NULL, and EXPLAIN would then plan a different query without complaint.
            int parameters = ps.getParameterMetaData().getParameterCount();
            assertThat(e.binds().keySet()).as("captured bind indexes of %s, for its %d parameters: %s", e.method(),
                    parameters, e.sql()).containsExactlyElementsOf(
                    IntStream.rangeClosed(1, parameters).boxed().toList());
            for (Map.Entry<Integer, Object> b : e.binds().entrySet()) {
                ps.setObject(b.getKey(), b.getValue());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    steps.add(rs.getString("detail"));
                }
            }
        }
        return steps;
    }

    /** Each offending plan step, with its statement, binds and whole plan, unless listed in EXCEPTIONS. */
    private static List<String> violations(Pass pass, List<Explained> plans) {
        List<String> found = new ArrayList<>();
        for (Explained e : plans) {
            String method = e.statement().method();
            String sql = e.statement().sql();
            for (String step : e.plan()) {
                boolean bad = readsATable(step, e.plan())
                        || step.startsWith("USE TEMP B-TREE")
                        || step.contains("AUTOMATIC");
                if (bad && EXCEPTIONS.stream().noneMatch(a -> a.covers(method, pass, step, sql))) {
                    found.add(method + ": " + step + "\n    " + sql
                            + "\n    binds " + e.statement().binds() + "\n    plan " + e.plan());
                }
            }
        }
        return found;
    }

    /**
     * Whether {@code step} reads a whole table, under its name or an alias. Any SCAN does, except one of a
     * constant row, of a subquery, or of a CTE or subquery that {@code plan} materializes or runs as a co-routine.
     */
    static boolean readsATable(String step, List<String> plan) {
        Matcher scan = SCAN.matcher(step);
        if (!scan.matches() || step.startsWith("SCAN CONSTANT ROW") || step.startsWith("SCAN SUBQUERY")) {
            return false;
        }
        String name = scan.group(1);
        if (name.startsWith("(")) {
            return false;
        }
        return plan.stream().map(MATERIALIZED::matcher).noneMatch(m -> m.matches() && m.group(1).equals(name));
    }

    /** The DAO classes UnitOfWork hands out, found from its accessors, so a new DAO is covered without editing. */
    private static Set<Class<?>> daoClasses() {
        Set<Class<?>> found = new HashSet<>();
        for (Method m : UnitOfWork.class.getMethods()) {
            if (m.getReturnType().getSimpleName().endsWith("Dao")) {
                found.add(m.getReturnType());
            }
        }
        assertThat(found).as("DAO classes of UnitOfWork").hasSizeGreaterThanOrEqualTo(11);
        return found;
    }

    private static Set<String> publicMethods(Set<Class<?>> daos) {
        Set<String> names = new TreeSet<>();
        for (Class<?> dao : daos) {
            for (Method m : dao.getDeclaredMethods()) {
                if (Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers()) && !m.isSynthetic()) {
                    names.add(name(dao, m.getName(), MethodType.methodType(m.getReturnType(), m.getParameterTypes())));
                }
            }
        }
        return names;
    }

    /** {@code PositionDao.close(long, BigDecimal, Instant, String, long)}: overloads stay apart. */
    private static String name(Class<?> dao, String method, MethodType type) {
        return dao.getSimpleName() + "." + method + type.parameterList().stream().map(Class::getSimpleName)
                .collect(Collectors.joining(", ", "(", ")"));
    }

    // --- data -------------------------------------------------------------------------------------------------------

    /**
     * 300 rows in most tables (600 candles, about 100 fills and 200 outcomes), spread over symbols, statuses, models
     * and time, so that every index has rows to tell apart and ANALYZE something to measure. Not recorded.
     */
    private static void seed(Tradestore store, MutableClock clock) {
        store.useTransaction(uow -> {
            List<Candle> candles = new ArrayList<>();
            for (String symbol : List.of(SYMBOLS[0], SYMBOLS[1], SYMBOLS[2])) {
                for (Timeframe tf : List.of(Timeframe.M1, Timeframe.H1)) {
                    for (int i = 0; i < 100; i++) {
                        candles.add(new Candle(symbol, tf, T0.plus(tf.duration().multipliedBy(i)), dec("100"),
                                dec("101"), dec("99"), dec("100.5"), dec("10")));
                    }
                }
            }
            uow.candlesticks().upsert(candles);
            for (int i = 0; i < 300; i++) {
                String symbol = SYMBOLS[i % SYMBOLS.length];
                String model = MODELS[i % MODELS.length];
                Instant at = T0.plus(Duration.ofMinutes(i));
                Position p = uow.positions().open(NewPosition.of(symbol, PositionSide.LONG, dec("1"), dec("100"), at));
                Order o = uow.orders().place(NewOrder.market("seed-" + i, symbol, OrderSide.BUY, dec("2"))
                        .forPosition(p.id()));
                switch (i % 6) {
                    case 0 -> uow.orders().fill(o.id(), Fills.of(dec("2"), dec("100"), dec("0"), at)).order();
                    case 1 -> uow.orders().fill(o.id(), Fills.of(dec("1"), dec("100"), dec("0"), at)).order();
                    case 2 -> uow.orders().confirmCancel(uow.orders().cancel(o.id()).id());
                    case 3 -> uow.orders().reject(o.id(), "seeded rejection");
                    default -> {
                        // stays NEW
                    }
                }
                if (i % 6 == 4) {
                    uow.positions().increase(p.id(), dec("1"), dec("102"), at.plus(Duration.ofMinutes(5)));
                    uow.positions().reduce(p.id(), dec("0.5"), dec("103"), at.plus(Duration.ofMinutes(10)), "trim");
                }
                if (i % 6 != 5) {
                    uow.positions().close(p.id(), dec("101"), at.plus(Duration.ofMinutes(30)), "seed");
                }
                uow.executionLog().record(new NewExecutionEvent(o.id(), o.clientOrderId(), "PLACED", 100L, at, null));
                uow.portfolio().record(new NewPortfolioSnapshot(at, dec("1000"), dec("1000"), dec("0"), dec("0"), 1));
                Prediction prediction = uow.predictions().record(new NewPrediction(symbol, at, PredictedAction.BUY,
                        dec("0.5"), Direction.UP, dec("0.01"), null, model, dec("100"), null));
                if (i % 3 != 0) {
                    uow.outcomes().record(new NewOutcome(prediction.id(), at.plus(Duration.ofHours(1)), dec("0.01"),
                            Direction.UP, dec("101"), true));
                }
                uow.modelResults().record(new NewModelResult(model, "v" + (i % 4), at, T0, at, 10, dec("0.5"),
                        dec("0.5"), dec("0.5"), dec("0.5"), null));
                uow.metrics().record(new NewMetric("metric-" + (i % 5), dec("1.5"), at));
                uow.sentiment().record(new NewSentimentScore(symbol, at, dec("0.1"), dec("0.9"), 3, "seed"));
                uow.patternCache().put(new NewCachedPattern("seed-" + i, symbol,
                        i % 2 == 0 ? Timeframe.M1 : Timeframe.H1, "double-top", dec("0.7"), Json.of("{}"), T0),
                        Duration.ofMinutes(1 + 3L * i));
            }
        });
        // Six hours on, 120 cache entries have expired (purgeExpired has rows to delete) and 180 have not.
        clock.set(T0.plus(Duration.ofHours(6)));
    }

    /** Calls every public method of every DAO at least once, and the failure path that issues its own query. */
    private static void drive(Tradestore store, MutableClock clock) {
        Instant from = T0.plus(Duration.ofMinutes(30));
        Instant to = T0.plus(Duration.ofHours(3));
        Instant now = clock.instant();
        store.useTransaction(uow -> {
            var positions = uow.positions();
            Position p = positions.open(NewPosition.of("BTCUSDT", PositionSide.LONG, dec("1"), dec("100"), now));
            positions.find(p.id());
            positions.listOpen();
            positions.listOpen("BTCUSDT");
            Position stopped = positions.updateStops(p.id(), dec("90"), dec("120"), p.version());
            assertThatThrownBy(() -> positions.close(p.id(), dec("110"), now, "stale", p.version()))
                    .isInstanceOf(OptimisticLockException.class); // reads the current version to report it
            positions.close(p.id(), dec("110"), now, "target", stopped.version());
            Position q = positions.open(NewPosition.of("ETHUSDT", PositionSide.SHORT, dec("1"), dec("100"), now));
            positions.close(q.id(), dec("90"), now, null);
            bothPages(page -> positions.closed(from, to, page));
            positions.dailyRealizedPnl(from, to);
            Position r = positions.open(NewPosition.of("BTCUSDT", PositionSide.LONG, dec("2"), dec("100"), now)
                    .withQuoteCurrency("USDT"));
            positions.increase(r.id(), dec("1"), dec("103"), now);
            Position trimmed = positions.reduce(r.id(), dec("1"), dec("104"), now, "trim");
            Position regrown = positions.increase(r.id(), dec("1"), dec("103"), now, trimmed.version());
            positions.reduce(r.id(), dec("1"), dec("104"), now, "trim", regrown.version());
            positions.events(r.id());
            positions.pnl(r.id());

            var orders = uow.orders();
            NewOrder limit = NewOrder.limit("drive-1", "BTCUSDT", OrderSide.BUY, dec("2"), dec("100"))
                    .forPosition(q.id());
            Order o = orders.place(limit);
            orders.place(limit); // idempotent: found by client order id
            orders.fill(o.id(), new NewFill("drive-t1", dec("1"), dec("100"), dec("0.1"), "USDT", now));
            orders.fill(o.id(), new NewFill("drive-t1", dec("1"), dec("100"), dec("0.1"), "USDT", now)); // duplicate
            orders.fill(o.id(), new NewFill("drive-t2", dec("1"), dec("101"), dec("0.1"), "BNB", now));
            Order cancelling = orders.cancel(orders.place(NewOrder.market("drive-2", "BTCUSDT", OrderSide.SELL, dec("1"))).id());
            orders.cancelRejected(cancelling.id());
            orders.cancel(cancelling.id());
            orders.confirmCancel(cancelling.id());
            orders.fill(cancelling.id(), NewFill.of("drive-t3", dec("0.5"), dec("99"), now)); // late
            orders.reject(orders.place(NewOrder.market("drive-3", "BTCUSDT", OrderSide.SELL, dec("1"))).id(), "no");
            orders.find(o.id());
            orders.findByClientOrderId("drive-1");
            bothPages(page -> orders.byStatus(OrderStatus.FILLED, page));
            Instant ever = Instant.parse("9999-01-01T00:00:00Z"); // the seed's orders carry the store's clock
            bothPages(page -> orders.bySymbol("BTCUSDT", Instant.EPOCH, ever, page));
            bothPages(page -> orders.fillsBetween(Instant.EPOCH, ever, page));
            orders.byPosition(q.id());
            orders.listOpen();
            orders.fills(o.id());
            orders.findFill(o.id(), "drive-t2");
            orders.fees(o.id());

            var portfolio = uow.portfolio();
            portfolio.record(new NewPortfolioSnapshot(now, dec("1"), dec("1"), dec("0"), dec("0"), 0));
            portfolio.latest();
            bothPages(page -> portfolio.range(from, to, page));

            var candles = uow.candlesticks();
            candles.upsert(List.of(new Candle("BTCUSDT", Timeframe.M1, T0, dec("100"), dec("102"), dec("98"),
                    dec("101"), dec("11"))));
            bothPages(page -> candles.range("BTCUSDT", Timeframe.M1, from, to, page));
            candles.latest("BTCUSDT", Timeframe.H1, 10);
            candles.series("BTCUSDT", Timeframe.M1);
            candles.series();
            candles.count("BTCUSDT", Timeframe.M1, from, to);
            // Retention's delete, of part of a series so that its metadata is recomputed from the candles left.
            candles.upsert(List.of(new Candle("BTCUSDT", Timeframe.M1, T0.minusSeconds(60), dec("100"), dec("102"),
                    dec("98"), dec("101"), dec("11"))));
            candles.delete("BTCUSDT", Timeframe.M1, T0.minusSeconds(60), T0);

            var cache = uow.patternCache();
            cache.put(new NewCachedPattern("drive-1", "BTCUSDT", Timeframe.M1, "flag", dec("0.5"), Json.of("{}"),
                    now), Duration.ofHours(1));
            cache.get("drive-1");
            cache.bySymbol("BTCUSDT");
            cache.bySymbol("BTCUSDT", Timeframe.M1);
            cache.purgeExpired();

            var predictions = uow.predictions();
            Prediction prediction = predictions.record(new NewPrediction("BTCUSDT", now, PredictedAction.SELL,
                    dec("0.6"), Direction.DOWN, dec("0.02"), null, "lstm", dec("100"), null));
            predictions.find(prediction.id());
            bothPages(page -> predictions.bySymbol("BTCUSDT", from, to, page));
            predictions.awaitingOutcome(Duration.ofHours(1), 5);
            predictions.claimAwaitingOutcome(Duration.ofHours(1), 5);
            predictions.accuracyByModel("lstm", from, to);
            predictions.accuracyBySymbol("BTCUSDT", from, to);
            predictions.accuracyPerModel(from, to);

            var outcomes = uow.outcomes();
            outcomes.record(new NewOutcome(prediction.id(), now, dec("-0.01"), Direction.DOWN, dec("99"), true));
            outcomes.forPrediction(prediction.id());
            bothPages(page -> outcomes.evaluatedBetween(from, to, page));

            var log = uow.executionLog();
            log.record(new NewExecutionEvent(o.id(), o.clientOrderId(), "FILLED", 50L, now, null));
            log.forClientOrderId(o.clientOrderId());
            bothPages(page -> log.between(from, to, page));

            var results = uow.modelResults();
            results.record(new NewModelResult("lstm", "v9", now, T0, now, 5, null, null, null, null, null));
            results.latest("lstm");
            results.latest("lstm", "v1");
            bothPages(page -> results.history("lstm", page));
            bothPages(page -> results.history("lstm", "v1", page));

            var metrics = uow.metrics();
            metrics.record(new NewMetric("metric-0", dec("2"), now));
            bothPages(page -> metrics.series("metric-0", from, to, page));
            metrics.latest("metric-0");

            var sentiment = uow.sentiment();
            sentiment.record(new NewSentimentScore("BTCUSDT", now, dec("0.2"), dec("0.8"), 1, null));
            bothPages(page -> sentiment.range("BTCUSDT", from, to, page));
            sentiment.latest("BTCUSDT");
        });
    }

    /** A first page and the one after it: the keyset condition of a later page must be index-backed too. */
    private static void bothPages(java.util.function.Function<PageRequest, Page<?>> list) {
        Page<?> first = list.apply(PageRequest.first(3));
        assertThat(first.hasNext()).as("the seed fills more than one page").isTrue();
        list.apply(first.next());
    }

    private static BigDecimal dec(String s) {
        return new BigDecimal(s);
    }
}
