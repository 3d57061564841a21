package io.tradestore.trading;

import io.tradestore.ValidationException;
import io.tradestore.internal.Fixed8;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

/**
 * The library's only rounding (docs/schema.md: realized_pnl, return_pct, average_fill_price). Inputs are exact;
 * the result is rounded once, half-even, to the storage scale, and refused when it does not fit the storage
 * range: Fixed8 itself never rounds, so a derived value must arrive at scale 8 already.
 */
final class Derived {
    private Derived() {
    }

    /** {@code exact} rounded half-even to scale 8; a {@link ValidationException} naming {@code column} if too large. */
    static BigDecimal fixed8(String column, BigDecimal exact) {
        BigDecimal rounded = exact.setScale(Fixed8.SCALE, RoundingMode.HALF_EVEN);
        if (rounded.compareTo(Fixed8.MIN) < 0 || rounded.compareTo(Fixed8.MAX) > 0) {
            throw new ValidationException(column, "is derived from the given values and must be within ["
                    + Fixed8.MIN.toPlainString() + ", " + Fixed8.MAX.toPlainString()
                    + "] (64-bit fixed point at scale " + Fixed8.SCALE + ")", rounded);
        }
        return rounded;
    }

    /**
     * {@code dividend / divisor} rounded half-even to scale 8. {@link BigDecimal#divide(BigDecimal, int, RoundingMode)}
     * rounds the exact quotient, so there is no intermediate rounding step.
     */
    static BigDecimal quotient(String column, BigDecimal dividend, BigDecimal divisor) {
        return fixed8(column, dividend.divide(divisor, Fixed8.SCALE, RoundingMode.HALF_EVEN));
    }

    /**
     * The updated_at for a change: the store's clock, but never before the row's previous updated_at. A clock
     * stepped back (NTP) would otherwise break {@code updated_at >= created_at} and fail the write.
     */
    static Instant touched(Instant now, Instant previousUpdatedAt) {
        return now.isBefore(previousUpdatedAt) ? previousUpdatedAt : now;
    }
}
