package io.tradestore.internal;

import io.tradestore.ValidationException;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The one exact decimal representation: a value v is stored as the 64-bit integer v x 10^8. Range
 * [-92233720368.54775808, 92233720368.54775807], at most 8 decimal places. Values that do not fit are
 * rejected, never rounded (decision 0002).
 */
public final class Fixed8 {
    public static final int SCALE = 8;
    public static final BigDecimal MIN = BigDecimal.valueOf(Long.MIN_VALUE, SCALE);
    public static final BigDecimal MAX = BigDecimal.valueOf(Long.MAX_VALUE, SCALE);
    /** Digits left of the decimal point in MAX; anything with more is out of range without arithmetic. */
    private static final int MAX_INTEGER_DIGITS = MAX.precision() - SCALE;

    private Fixed8() {
    }

    /** The stored integer for {@code value}, or a {@link ValidationException} naming {@code column}. */
    public static long toUnscaled(String column, BigDecimal value) {
        if (value == null) {
            throw new ValidationException(column, "must not be null", null);
        }
        if (value.signum() == 0) {
            return 0L;
        }
        // Cheap bounds first, so hostile values like 1E+999999999 or 1E-999999999 cost no big arithmetic.
        if (value.precision() - value.scale() > MAX_INTEGER_DIGITS) {
            throw outOfRange(column, value);
        }
        if (value.scale() > SCALE && value.stripTrailingZeros().scale() > SCALE) {
            throw new ValidationException(column,
                    "has more than " + SCALE + " decimal places; tradestore stores decimals exactly at scale "
                            + SCALE + " and never rounds: round the value yourself if that is what you mean",
                    value);
        }
        BigDecimal scaled = value.setScale(SCALE, RoundingMode.UNNECESSARY);
        if (scaled.compareTo(MIN) < 0 || scaled.compareTo(MAX) > 0) {
            throw outOfRange(column, value);
        }
        return scaled.unscaledValue().longValueExact();
    }

    public static BigDecimal fromUnscaled(long unscaled) {
        return BigDecimal.valueOf(unscaled, SCALE);
    }

    private static ValidationException outOfRange(String column, BigDecimal value) {
        return new ValidationException(column, "must be within [" + MIN.toPlainString() + ", "
                + MAX.toPlainString() + "] (64-bit fixed point at scale " + SCALE + ")", value);
    }
}
