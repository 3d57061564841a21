package io.tradestore.analytics;

import io.tradestore.Json;
import io.tradestore.internal.Check;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One value of a named metric series (Sharpe ratio, drawdown, win rate, ...) to record; the value's unit is the
 * metric's own. dimensions qualify the value (e.g. {@code {"strategy":"mean-reversion"}}) and must be a JSON
 * object; null means none and is stored as {@code {}}.
 */
public record NewMetric(String name, BigDecimal value, Instant computedAt, Json dimensions) {
    static final Json NO_DIMENSIONS = Json.of("{}");

    public NewMetric {
        Check.text("analytics_metrics.name", name, 128);
        Check.decimal("analytics_metrics.value", value);
        Check.timestamp("analytics_metrics.computed_at", computedAt);
        if (dimensions == null) {
            dimensions = NO_DIMENSIONS;
        }
        Check.that(dimensions.text().strip().startsWith("{"), "analytics_metrics.dimensions",
                "must be a JSON object", dimensions.text());
    }

    /** A value without dimensions. */
    public NewMetric(String name, BigDecimal value, Instant computedAt) {
        this(name, value, computedAt, null);
    }
}
