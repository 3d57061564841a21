package io.tradestore.analytics;

import java.math.BigDecimal;
import java.time.Instant;

/** A recorded outcome of prediction {@code predictionId}. Decimals are exact at scale 8. */
public record Outcome(long id, long predictionId, Instant evaluationTimestamp, BigDecimal actualReturn,
                      Direction actualDirection, BigDecimal exitPrice, boolean correct, Instant createdAt) {
}
