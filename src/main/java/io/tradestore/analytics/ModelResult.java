package io.tradestore.analytics;

import io.tradestore.Json;

import java.math.BigDecimal;
import java.time.Instant;

/** A recorded model evaluation. Scores are exact fractions, null when the model did not report them. */
public record ModelResult(long id, String modelName, String modelVersion, Instant evaluatedAt, Instant windowStart,
                          Instant windowEnd, long sampleCount, BigDecimal accuracy, BigDecimal precision,
                          BigDecimal recall, BigDecimal f1, Json parameters) {
}
