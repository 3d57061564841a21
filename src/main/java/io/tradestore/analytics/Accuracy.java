package io.tradestore.analytics;

import java.math.BigDecimal;

/**
 * How a set of evaluated predictions (those with an outcome) turned out.
 *
 * <p>{@code hitRate} is correct / evaluated and {@code meanReturn} the mean of the outcomes' actual_return
 * (a fraction: 0.0125 = 1.25%). {@code meanFollowedReturn} is the mean return of <em>following</em> each prediction:
 * long for UP (+actual_return), short for DOWN (-actual_return), no position for FLAT (0), so a model that is right
 * about big moves and wrong about small ones scores above zero even with a hit rate below one half (worked example:
 * docs/analytics.md). All three are computed exactly from the stored values and rounded once, half-even,
 * to 18 decimal places and normalized like every decimal (decision 0009), so the same rows always give the same
 * digits on every database. With nothing evaluated all three are
 * null: "no data" is not a hit rate of 0.
 */
public record Accuracy(long evaluated, long correct, BigDecimal hitRate, BigDecimal meanReturn,
                       BigDecimal meanFollowedReturn) {
    public Accuracy {
        if (evaluated < 0 || correct < 0 || correct > evaluated) {
            throw new IllegalArgumentException("need 0 <= correct <= evaluated, got " + correct + " of " + evaluated);
        }
        if ((evaluated == 0) != (hitRate == null) || (evaluated == 0) != (meanReturn == null)
                || (evaluated == 0) != (meanFollowedReturn == null)) {
            throw new IllegalArgumentException("hitRate, meanReturn and meanFollowedReturn are null exactly when nothing"
                    + " was evaluated");
        }
    }

    /** True when no prediction in the window had an outcome. */
    public boolean isEmpty() {
        return evaluated == 0;
    }
}
