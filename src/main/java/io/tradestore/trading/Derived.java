package io.tradestore.trading;

import io.tradestore.internal.Decimal18;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

/**
 * The library's only rounding (docs/schema.md: realized_pnl, return_pct, average_fill_price). Inputs are exact;
 * the result is rounded once, half-even, to the storage's 18 decimal places, normalized, and refused when it does not
 * fit the storage range: the storage itself never rounds, so a derived value must arrive rounded already.
 */
final class Derived {
    private Derived() {
    }

    /** {@code exact} rounded half-even to 18 places; a ValidationException naming {@code column} if too large. */
    static BigDecimal rounded(String column, BigDecimal exact) {
        return Decimal18.rounded(column, exact);
    }

    /**
     * {@code dividend / divisor} rounded half-even to 18 places. {@link BigDecimal#divide(BigDecimal, int, RoundingMode)}
     * rounds the exact quotient, so there is no intermediate rounding step.
     */
    static BigDecimal quotient(String column, BigDecimal dividend, BigDecimal divisor) {
        return rounded(column, dividend.divide(divisor, Decimal18.SCALE, RoundingMode.HALF_EVEN));
    }

    /**
     * The updated_at for a change: the store's clock, but never before the row's previous updated_at. A clock
     * stepped back (NTP) would otherwise break {@code updated_at >= created_at} and fail the write.
     */
    static Instant touched(Instant now, Instant previousUpdatedAt) {
        return now.isBefore(previousUpdatedAt) ? previousUpdatedAt : now;
    }
}
