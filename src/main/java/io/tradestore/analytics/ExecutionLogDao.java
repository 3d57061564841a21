package io.tradestore.analytics;

import io.tradestore.ForeignKeyViolationException;
import io.tradestore.Page;
import io.tradestore.PageRequest;
import io.tradestore.internal.Check;
import io.tradestore.internal.Keyset;
import io.tradestore.internal.RenderedQuery;
import io.tradestore.internal.Tx;
import io.tradestore.internal.db.tables.records.TradeExecutionLogRecord;

import java.time.Instant;
import java.util.List;

import static io.tradestore.internal.db.Tables.TRADE_EXECUTION_LOG;
import static org.jooq.impl.DSL.val;

/**
 * analytics.trade_execution_log: an append-only log, so there is no update or delete. Obtain from
 * {@link io.tradestore.UnitOfWork#executionLog()}.
 */
public final class ExecutionLogDao {
    private final Tx tx;

    public ExecutionLogDao(Tx tx) {
        this.tx = tx;
    }

    /**
     * Appends an event and returns it as stored.
     *
     * @throws ForeignKeyViolationException if orderId is given but no such order is stored
     */
    public ExecutionEvent record(NewExecutionEvent e) {
        Check.notNull("event", e);
        var db = tx.dslForWrite("executionLog().record");
        var orderId = val(e.orderId(), TRADE_EXECUTION_LOG.ORDER_ID);
        var clientOrderId = val(e.clientOrderId(), TRADE_EXECUTION_LOG.CLIENT_ORDER_ID);
        var event = val(e.event(), TRADE_EXECUTION_LOG.EVENT);
        var latency = val(e.latencyMicros(), TRADE_EXECUTION_LOG.LATENCY_MICROS);
        var loggedAt = val(e.loggedAt(), TRADE_EXECUTION_LOG.LOGGED_AT);
        var details = val(e.details(), TRADE_EXECUTION_LOG.DETAILS);
        try {
            return map(RECORD.fetchOptional(db, "insert", () -> db.insertInto(TRADE_EXECUTION_LOG)
                    .set(TRADE_EXECUTION_LOG.ORDER_ID, orderId)
                    .set(TRADE_EXECUTION_LOG.CLIENT_ORDER_ID, clientOrderId)
                    .set(TRADE_EXECUTION_LOG.EVENT, event)
                    .set(TRADE_EXECUTION_LOG.LATENCY_MICROS, latency)
                    .set(TRADE_EXECUTION_LOG.LOGGED_AT, loggedAt)
                    .set(TRADE_EXECUTION_LOG.DETAILS, details)
                    .returning(), orderId, clientOrderId, event, latency, loggedAt, details).orElseThrow());
        } catch (ForeignKeyViolationException fk) {
            throw new ForeignKeyViolationException("order " + e.orderId() + " does not exist"
                    + " (trade_execution_log.order_id, event " + e.event() + " of client order " + e.clientOrderId()
                    + "); log events of orders not stored in this database with a null orderId", fk.sqlState(), fk);
        }
    }

    /** The log's hot write, rendered once (RenderedQuery: an INSERT ... RETURNING is a result query). */
    private static final RenderedQuery<TradeExecutionLogRecord> RECORD = new RenderedQuery<>(TRADE_EXECUTION_LOG);

    /** Every event of one client order id, in the order they were logged (ties by id). */
    public List<ExecutionEvent> forClientOrderId(String clientOrderId) {
        Check.text("clientOrderId", clientOrderId, 64);
        return tx.dsl().selectFrom(TRADE_EXECUTION_LOG)
                .where(TRADE_EXECUTION_LOG.CLIENT_ORDER_ID.eq(clientOrderId))
                .orderBy(TRADE_EXECUTION_LOG.LOGGED_AT, TRADE_EXECUTION_LOG.ID)
                .fetch(ExecutionLogDao::map);
    }

    /**
     * One page of the events with {@code from <= logged_at < to}, in the order they were logged (ties by id).
     * Walking the pages from {@link PageRequest#first(int)} yields each event once (decision 0012).
     */
    public Page<ExecutionEvent> between(Instant from, Instant to, PageRequest page) {
        Check.window(from, to);
        Check.notNull("page", page);
        List<ExecutionEvent> rows = tx.dsl().selectFrom(TRADE_EXECUTION_LOG)
                .where(Keyset.from(TRADE_EXECUTION_LOG.LOGGED_AT, TRADE_EXECUTION_LOG.ID, from, page),
                        TRADE_EXECUTION_LOG.LOGGED_AT.lt(to))
                .orderBy(TRADE_EXECUTION_LOG.LOGGED_AT, TRADE_EXECUTION_LOG.ID)
                .limit(Keyset.fetchSize(page))
                .fetch(ExecutionLogDao::map);
        return Keyset.page(rows, page, ExecutionEvent::loggedAt, ExecutionEvent::id);
    }

    static ExecutionEvent map(TradeExecutionLogRecord r) {
        return new ExecutionEvent(r.getId(), r.getOrderId(), r.getClientOrderId(), r.getEvent(),
                r.getLatencyMicros(), r.getLoggedAt(), r.getDetails());
    }
}
