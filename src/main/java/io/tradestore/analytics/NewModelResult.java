package io.tradestore.analytics;

import io.tradestore.Json;
import io.tradestore.internal.Check;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One evaluation of one model version over the data window [windowStart, windowEnd], to record. Validated on
 * construction (before any SQL): the window is not reversed, sampleCount is not negative, and each score
 * present is a fraction in [0, 1] (0.9 means 90%). Scores a model does not report, and parameters, may be null.
 */
public record NewModelResult(String modelName, String modelVersion, Instant evaluatedAt, Instant windowStart,
                             Instant windowEnd, long sampleCount, BigDecimal accuracy, BigDecimal precision,
                             BigDecimal recall, BigDecimal f1, Json parameters) {
    public NewModelResult {
        Check.text("ml_model_results.model_name", modelName, 64);
        Check.text("ml_model_results.model_version", modelVersion, 64);
        Check.timestamp("ml_model_results.evaluated_at", evaluatedAt);
        Check.timestamp("ml_model_results.window_start_time", windowStart);
        Check.timestamp("ml_model_results.window_end_time", windowEnd);
        Check.notBefore("ml_model_results.window_end_time", windowEnd, "ml_model_results.window_start_time",
                windowStart);
        Check.nonNegative("ml_model_results.sample_count", sampleCount);
        Check.optionalUnitInterval("ml_model_results.accuracy", accuracy);
        Check.optionalUnitInterval("ml_model_results.precision_score", precision);
        Check.optionalUnitInterval("ml_model_results.recall_score", recall);
        Check.optionalUnitInterval("ml_model_results.f1_score", f1);
    }
}
