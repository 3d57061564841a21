package io.tradestore.analytics;

import io.tradestore.Json;
import io.tradestore.internal.Check;

import java.time.Instant;

/**
 * An order lifecycle event to append to the execution log. orderId is the stored order's id when the order is
 * in this database and null otherwise; clientOrderId is always required, so events of orders that were never
 * stored (rejected before persisting, placed by another system) can still be logged. latencyMicros is in
 * microseconds and may be null; details may be null.
 */
public record NewExecutionEvent(Long orderId, String clientOrderId, String event, Long latencyMicros,
                                Instant loggedAt, Json details) {
    public NewExecutionEvent {
        if (orderId != null) {
            Check.positive("trade_execution_log.order_id", orderId);
        }
        Check.text("trade_execution_log.client_order_id", clientOrderId, 64);
        Check.text("trade_execution_log.event", event, 64);
        if (latencyMicros != null) {
            Check.nonNegative("trade_execution_log.latency_micros", latencyMicros);
        }
        Check.timestamp("trade_execution_log.logged_at", loggedAt);
    }
}
