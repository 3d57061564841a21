package io.tradestore;

import io.tradestore.analytics.ExecutionLogDao;
import io.tradestore.analytics.MetricDao;
import io.tradestore.analytics.ModelResultDao;
import io.tradestore.analytics.OutcomeDao;
import io.tradestore.analytics.PatternCacheDao;
import io.tradestore.analytics.PredictionDao;
import io.tradestore.analytics.SentimentDao;
import io.tradestore.internal.Check;
import io.tradestore.internal.RowLocks;
import io.tradestore.internal.Tx;
import io.tradestore.internal.UnitDsl;
import io.tradestore.market.CandlePartitions;
import io.tradestore.market.CandlestickDao;
import io.tradestore.trading.OrderDao;
import io.tradestore.trading.PortfolioDao;
import io.tradestore.trading.PositionDao;

import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.SelectForUpdateStep;

import java.sql.Connection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One transaction, handed to the function given to {@link Tradestore#inTransaction}, {@link Tradestore#useTransaction}
 * or {@link Tradestore#read}. Its DAOs run every statement inside that transaction; once the function returns,
 * they (and this object) throw {@link IllegalStateException}. Confined to the thread running the function.
 */
public final class UnitOfWork {
    private final Tx tx;
    private final Connection connection;
    private final int depth;

    private PositionDao positions;
    private OrderDao orders;
    private PortfolioDao portfolio;
    private CandlestickDao candlesticks;
    private CandlePartitions candlePartitions;
    private PatternCacheDao patternCache;
    private PredictionDao predictions;
    private OutcomeDao outcomes;
    private ExecutionLogDao executionLog;
    private ModelResultDao modelResults;
    private MetricDao metrics;
    private SentimentDao sentiment;
    private DSLContext jooq;
    /** Callbacks registered in this unit (and adopted from nested units that succeeded), in registration order. */
    private final List<Runnable> afterCommit = new ArrayList<>();
    /** A nested unit is running inside this one: callbacks must be registered on it, the innermost unit. */
    private boolean nestedRunning;

    UnitOfWork(Tx tx, Connection connection, int depth) {
        this.tx = tx;
        this.connection = connection;
        this.depth = depth;
    }

    /** trading.positions: open, close with P&L, stops and targets, realized P&L by day. */
    public PositionDao positions() {
        tx.dsl();
        return positions == null ? positions = new PositionDao(tx) : positions;
    }

    /** trading.orders and order_fills: idempotent placement, fills, cancel, reject. */
    public OrderDao orders() {
        tx.dsl();
        return orders == null ? orders = new OrderDao(tx) : orders;
    }

    /** trading.portfolio_snapshots. */
    public PortfolioDao portfolio() {
        tx.dsl();
        return portfolio == null ? portfolio = new PortfolioDao(tx) : portfolio;
    }

    /**
     * The monthly partitions of market.candlesticks on PostgreSQL: list, add months, drop old months (retention,
     * which also works on SQLite). Schema changes: run them as the schema's owner (docs/decisions/0016).
     */
    public CandlePartitions candlePartitions() {
        tx.dsl();
        return candlePartitions == null ? candlePartitions = new CandlePartitions(tx) : candlePartitions;
    }

    /** market.candlesticks and candlestick_metadata. */
    public CandlestickDao candlesticks() {
        tx.dsl();
        return candlesticks == null ? candlesticks = new CandlestickDao(tx) : candlesticks;
    }

    /** analytics.pattern_cache, expiring by the store's clock. */
    public PatternCacheDao patternCache() {
        tx.dsl();
        return patternCache == null ? patternCache = new PatternCacheDao(tx) : patternCache;
    }

    /** analytics.predictions and accuracy over their outcomes. */
    public PredictionDao predictions() {
        tx.dsl();
        return predictions == null ? predictions = new PredictionDao(tx) : predictions;
    }

    /** analytics.outcomes: one per prediction. */
    public OutcomeDao outcomes() {
        tx.dsl();
        return outcomes == null ? outcomes = new OutcomeDao(tx) : outcomes;
    }

    /** analytics.trade_execution_log. */
    public ExecutionLogDao executionLog() {
        tx.dsl();
        return executionLog == null ? executionLog = new ExecutionLogDao(tx) : executionLog;
    }

    /** analytics.ml_model_results. */
    public ModelResultDao modelResults() {
        tx.dsl();
        return modelResults == null ? modelResults = new ModelResultDao(tx) : modelResults;
    }

    /** analytics.analytics_metrics. */
    public MetricDao metrics() {
        tx.dsl();
        return metrics == null ? metrics = new MetricDao(tx) : metrics;
    }

    /** analytics.sentiment_scores. */
    public SentimentDao sentiment() {
        tx.dsl();
        return sentiment == null ? sentiment = new SentimentDao(tx) : sentiment;
    }

    /** The store's clock in whole microseconds: the timestamp to use for "now" in this unit. */
    public Instant now() {
        tx.dsl();
        return tx.now();
    }

    /**
     * Runs {@code callback} once, on this thread, after the outermost unit of work commits: the place to send an
     * order to the exchange, publish an event or evict a cache, never before the data is durable.
     *
     * <ul>
     *   <li>An attempt that rolls back (the function threw, or the store retries the unit because the database was
     *       busy) discards the callbacks registered in it; a retried attempt registers its own.</li>
     *   <li>In a nested unit, the callback waits for the outermost commit; if the nested unit throws (its savepoint
     *       is rolled back), its callbacks are discarded with its writes.</li>
     *   <li>Callbacks run in registration order after the connection went back to the pool, so a callback may start
     *       a new unit of work. One that throws is logged (SLF4J, logger {@code io.tradestore.Tradestore}, level
     *       ERROR, with the exception) and the next one still runs: the commit stands and {@code inTransaction}
     *       returns its result normally.</li>
     * </ul>
     *
     * @throws IllegalStateException in a read unit ({@link Tradestore#read}, also when nested in a write unit: a
     *         read commits nothing, so register the callback on the write unit), on an outer unit while a nested
     *         unit runs (register it on the nested unit), after the unit ended, or from another thread
     */
    public void afterCommit(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        tx.dsl();
        if (!tx.writable()) {
            throw new IllegalStateException("uow.afterCommit was called in a read-only unit of work (store.read),"
                    + " which commits nothing; register the callback on the write unit (store.inTransaction)");
        }
        if (nestedRunning) {
            // Registered here, the callback would outlive a rollback of the nested unit's savepoint that undoes the
            // writes it announces.
            throw new IllegalStateException("uow.afterCommit was called on an outer unit of work while a nested unit"
                    + " is running; register the callback on the nested unit's UnitOfWork (the one its function"
                    + " received), so that it is discarded if the nested unit rolls back");
        }
        afterCommit.add(callback);
    }

    void nestedUnitRunning(boolean running) {
        nestedRunning = running;
    }

    /**
     * This unit's own jOOQ context, in the same transaction as its DAOs, for <b>your own tables</b>: what you write
     * through it commits or rolls back with the unit (and with a nested unit's savepoint). It is outside
     * tradestore's validation: nothing checks decimals, timestamps or states on this path, so keep using the DAOs
     * for tradestore's tables. Like the DAOs, it throws {@link IllegalStateException} once the unit ended or on
     * another thread; in a read unit, statements other than queries (SELECT, VALUES, WITH without a data-modifying
     * part) throw too, and jOOQ's own {@code transaction(...)} API is refused (nest a unit of work instead).
     */
    public DSLContext jooq() {
        tx.dsl();
        return jooq == null ? jooq = UnitDsl.over(tx) : jooq;
    }

    /**
     * {@code query} (built with {@link #jooq()}), locking the rows it returns until this unit ends: {@code SELECT ...
     * FOR NO KEY UPDATE} on PostgreSQL, the query unchanged on SQLite (which has no row locks: its single writer
     * holds the database for the whole unit). Read through it what your own code decides a write on. PostgreSQL
     * runs write units READ COMMITTED (decision 0017), so without the lock a concurrent unit can change the row
     * between your read and your write; with it, the concurrent unit waits and then reads what yours committed, as
     * it would on SQLite. The DAOs lock their own rows this way. Write units only.
     *
     * @throws IllegalStateException in a read unit
     * @throws ValidationException   if query is null
     */
    public <R extends Record> ResultQuery<R> forUpdate(SelectForUpdateStep<R> query) {
        DSLContext db = tx.dslForWrite("uow.forUpdate (a row lock)");
        return RowLocks.forWrite(db, Check.notNull("query", query));
    }

    /**
     * Takes the lock named {@code name} until this unit ends: units that take the same name run from that call to
     * their end one at a time, whatever rows they touch. For decisions that no row lock covers, because they rest
     * on a list or on a row that is not there: "open a position in BTCUSDT unless one is open" is
     * {@code uow.lock("open-position:BTCUSDT")}, then {@code listOpen("BTCUSDT")}, then {@code open}. On PostgreSQL
     * a transaction-level advisory lock on a 64-bit hash of the name (decision 0017); on SQLite nothing, since its
     * single writer already runs write units one at a time. Waiting for it counts against the lock timeout.
     * Write units only.
     *
     * @throws IllegalStateException in a read unit
     * @throws ValidationException   if the name is null or blank
     */
    public void lock(String name) {
        if (name == null || name.isBlank()) {
            throw new ValidationException("name", "must name the lock (e.g. \"open-position:BTCUSDT\")", name);
        }
        RowLocks.named(tx.dslForWrite("uow.lock"), name);
    }

    /** True inside {@link Tradestore#read}: DAO writes throw. */
    public boolean isReadOnly() {
        return !tx.writable();
    }

    Tx tx() {
        return tx;
    }

    Connection connection() {
        return connection;
    }

    int depth() {
        return depth;
    }

    /** A nested unit that succeeded hands its callbacks to its parent, after those the parent registered so far. */
    void adoptAfterCommit(UnitOfWork nested) {
        afterCommit.addAll(nested.afterCommit);
    }

    List<Runnable> afterCommitCallbacks() {
        return List.copyOf(afterCommit);
    }
}
