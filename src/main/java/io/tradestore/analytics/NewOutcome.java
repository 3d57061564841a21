package io.tradestore.analytics;

import io.tradestore.internal.Check;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * What happened after a prediction, to record against it. Validated on construction (before any SQL):
 * actualReturn is a signed fraction (exit/entry - 1; -0.02 = -2%) storable exactly, exitPrice positive.
 * That the prediction exists and was made no later than evaluationTimestamp is checked by
 * {@link OutcomeDao#record}.
 */
public record NewOutcome(long predictionId, Instant evaluationTimestamp, BigDecimal actualReturn,
                         Direction actualDirection, BigDecimal exitPrice, boolean correct) {
    public NewOutcome {
        Check.positive("outcomes.prediction_id", predictionId);
        Check.timestamp("outcomes.evaluation_timestamp", evaluationTimestamp);
        Check.decimal("outcomes.actual_return", actualReturn);
        Check.notNull("outcomes.actual_direction", actualDirection);
        Check.positive("outcomes.exit_price", exitPrice);
    }
}
