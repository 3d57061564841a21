package io.tradestore.legacy;

import io.tradestore.ValidationException;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * How a legacy REAL (a Python float, an IEEE double) becomes an exact decimal (issue 12): the <em>shortest</em>
 * decimal that reads back as the same double, so {@code 0.1} stays {@code 0.1}, and what {@code 0.1 + 0.2} stored,
 * {@code 0.30000000000000004}, is imported as written: the float history is evidence, and the shortest decimal is
 * the one the old code printed and its users saw.
 *
 * <p>Not {@code new BigDecimal(Double.toString(d))}: up to JDK 18 {@code Double.toString} is not always the
 * shortest (JDK-4511638; {@code 2.82879384806159E17} prints as {@code 2.82879384806159008E17} on JDK 17). Not
 * {@code new BigDecimal(d)} either: that is the binary value's full expansion ({@code 0.1000000000000000055511...}).
 * The search here depends on no JDK's formatting: for 1, 2, ... 17 significant digits it tries the two decimals of
 * that length next to the double's exact value (one below, one above); the first length where one reads back is
 * the shortest, since the values that read back as the double form one interval around it.
 */
public final class FloatDecimals {
    /** More significant digits than this in a shortest decimal is what arithmetic on floats leaves behind. */
    public static final int NOISE_DIGITS = 12;

    private FloatDecimals() {
    }

    /**
     * The shortest decimal that {@link Double#parseDouble} reads back as {@code value}; of two that short, the one
     * nearer to the double's exact value, and of two as near, the one ending in an even digit (as Python's repr).
     * Zero (either sign) is 0.
     *
     * @throws ValidationException if {@code value} is NaN or infinite (no decimal reads back as it)
     */
    public static BigDecimal shortest(String field, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new ValidationException(field, "must be a finite number to become a decimal", value);
        }
        if (value == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal exact = new BigDecimal(value);
        for (int digits = 1; digits <= 17; digits++) {
            BigDecimal down = exact.round(new MathContext(digits, RoundingMode.DOWN));
            BigDecimal up = exact.round(new MathContext(digits, RoundingMode.UP));
            boolean downReads = down.doubleValue() == value;
            boolean upReads = up.doubleValue() == value;
            if (downReads && upReads) {
                // Both read back: the nearer to the exact value, and of two as near the one ending in an even digit,
                // as Python's repr (what the old code printed) and JDK 19+'s Double.toString choose.
                return plain(exact.round(new MathContext(digits, RoundingMode.HALF_EVEN)));
            }
            if (downReads || upReads) {
                return plain(downReads ? down : up);
            }
        }
        // 17 significant digits always identify a double (IEEE 754); reaching here would be a JDK bug.
        throw new IllegalStateException("no decimal of up to 17 digits reads back as " + value);
    }

    /** True when a shortest decimal has more than {@link #NOISE_DIGITS} significant digits: likely float noise. */
    public static boolean looksLikeFloatNoise(BigDecimal shortest) {
        return shortest.stripTrailingZeros().precision() > NOISE_DIGITS;
    }

    private static BigDecimal plain(BigDecimal d) {
        BigDecimal stripped = d.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0, RoundingMode.UNNECESSARY) : stripped;
    }
}
