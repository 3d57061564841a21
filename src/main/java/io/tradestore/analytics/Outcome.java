package io.tradestore.analytics;

import java.math.BigDecimal;
import java.time.Instant;

/** A recorded outcome of prediction {@code predictionId}. Decimals are exact and normalized (decision 0009). */
public record Outcome(long id, long predictionId, Instant evaluationTimestamp, BigDecimal actualReturn,
                      Direction actualDirection, BigDecimal exitPrice, boolean correct, Instant createdAt) {
}
