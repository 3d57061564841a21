package io.tradestore;

import io.tradestore.analytics.ExecutionLogDao;
import io.tradestore.analytics.MetricDao;
import io.tradestore.analytics.ModelResultDao;
import io.tradestore.analytics.OutcomeDao;
import io.tradestore.analytics.PatternCacheDao;
import io.tradestore.analytics.PredictionDao;
import io.tradestore.analytics.SentimentDao;
import io.tradestore.internal.Tx;
import io.tradestore.market.CandlestickDao;
import io.tradestore.trading.OrderDao;
import io.tradestore.trading.PortfolioDao;
import io.tradestore.trading.PositionDao;

import java.sql.Connection;
import java.time.Instant;

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
    private PatternCacheDao patternCache;
    private PredictionDao predictions;
    private OutcomeDao outcomes;
    private ExecutionLogDao executionLog;
    private ModelResultDao modelResults;
    private MetricDao metrics;
    private SentimentDao sentiment;

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
}
