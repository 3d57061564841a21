package io.tradestore.analytics;

import io.tradestore.ValidationException;
import io.tradestore.internal.Check;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * What happened after a prediction, to record against it. Validated on construction (before any SQL):
 * actualReturn is a signed fraction (exit/entry - 1; -0.02 = -2%) storable exactly, actualDirection is its sign
 * ({@link Direction#ofReturn}: UP above zero, DOWN below, FLAT exactly zero), exitPrice positive.
 *
 * <p>{@code correct} must be true exactly when the prediction's direction equals actualDirection (UP is correct iff
 * the return is above zero, DOWN iff below, FLAT iff exactly zero). {@link OutcomeDao#record} checks it against the
 * stored prediction and refuses a contradiction, so accuracy statistics never rest on a flag the caller got wrong
 * (decision 0011). That the prediction exists and was made no later than evaluationTimestamp is checked there too.
 */
public record NewOutcome(long predictionId, Instant evaluationTimestamp, BigDecimal actualReturn,
                         Direction actualDirection, BigDecimal exitPrice, boolean correct) {
    public NewOutcome {
        Check.positive("outcomes.prediction_id", predictionId);
        Check.timestamp("outcomes.evaluation_timestamp", evaluationTimestamp);
        Check.decimal("outcomes.actual_return", actualReturn);
        Check.notNull("outcomes.actual_direction", actualDirection);
        Check.positive("outcomes.exit_price", exitPrice);
        if (actualDirection != Direction.ofReturn(actualReturn)) {
            throw new ValidationException("outcomes.actual_direction", "must be the sign of actual_return (UP if > 0,"
                    + " DOWN if < 0, FLAT if = 0): actual_return " + actualReturn.toPlainString() + " is "
                    + Direction.ofReturn(actualReturn), actualDirection);
        }
    }
}
