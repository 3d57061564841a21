package io.tradestore.analytics;

import io.tradestore.Json;

import java.math.BigDecimal;
import java.time.Instant;

/** A recorded metric value, exact; dimensions is {@code {}} when none were given. */
public record Metric(long id, String name, BigDecimal value, Instant computedAt, Json dimensions) {
}
