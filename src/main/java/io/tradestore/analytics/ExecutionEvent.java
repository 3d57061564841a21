package io.tradestore.analytics;

import io.tradestore.Json;

import java.time.Instant;

/** A logged order lifecycle event; orderId, latencyMicros and details are null when not recorded. */
public record ExecutionEvent(long id, Long orderId, String clientOrderId, String event, Long latencyMicros,
                             Instant loggedAt, Json details) {
}
