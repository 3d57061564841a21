package io.tradestore.internal;

import io.tradestore.ValidationException;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * Validation run before any SQL. Every method names the field (as {@code table.column} where there is one),
 * states the rule, returns the value when it passes (decimals normalized) and throws {@link ValidationException} when it
 * does not. The same rules are CHECK constraints in the changelog; these give the caller a clear message
 * instead of a database error.
 */
public final class Check {
    /**
     * Exchange symbols: BTCUSDT, BTC-PERP, BTC/USDT, ES.FUT, BRK.B. No spaces, quotes or control characters. The rule
     * as a regex, the specification that {@link #isSymbol} implements (CheckTest compares them).
     */
    static final Pattern SYMBOL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,31}");
    public static final int SYMBOL_MAX = 32;
    private static final BigDecimal ONE = BigDecimal.ONE;

    private Check() {
    }

    public static <T> T notNull(String field, T value) {
        if (value == null) {
            throw new ValidationException(field, "must not be null", null);
        }
        return value;
    }

    public static String symbol(String field, String value) {
        notNull(field, value);
        if (!isSymbol(value)) {
            throw new ValidationException(field, "must be 1-" + SYMBOL_MAX + " characters of A-Z, a-z, 0-9 and . _ : / -,"
                    + " starting with a letter or digit", value);
        }
        return value;
    }

    /**
     * {@link #SYMBOL} without a regex: every candle read back is built through this check, and a matcher per row
     * cost a range read of 1,000 candles more than its decimals do (docs/benchmarks/decimal-storage.md).
     */
    static boolean isSymbol(String value) {
        int n = value.length();
        if (n < 1 || n > SYMBOL_MAX) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            boolean alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            if (!alnum && (i == 0 || (c != '.' && c != '_' && c != ':' && c != '/' && c != '-'))) {
                return false;
            }
        }
        return true;
    }

    public static final int CURRENCY_MAX = 16;

    /** An asset code as venues report fees in: USDT, BNB, BTC, 1000SATS; 1-16 upper-case letters and digits. */
    public static String currency(String field, String value) {
        notNull(field, value);
        boolean ok = !value.isEmpty() && value.length() <= CURRENCY_MAX;
        for (int i = 0; ok && i < value.length(); i++) {
            char c = value.charAt(i);
            ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        }
        if (!ok) {
            throw new ValidationException(field, "must be 1-" + CURRENCY_MAX + " characters of A-Z and 0-9", value);
        }
        return value;
    }

    /** Free text: not blank, at most {@code max} characters, no control characters. */
    public static String text(String field, String value, int max) {
        notNull(field, value);
        if (value.isBlank()) {
            throw new ValidationException(field, "must not be blank", value);
        }
        if (value.length() > max) {
            throw new ValidationException(field, "must be at most " + max + " characters", value);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw new ValidationException(field, "must not contain control characters", value);
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                // An unpaired surrogate is not text: the database would store it as '?'.
                throw new ValidationException(field, "must be valid Unicode (unpaired surrogate at index " + i + ")", value);
            }
        }
        return value;
    }

    public static String optionalText(String field, String value, int max) {
        return value == null ? null : text(field, value, max);
    }

    /**
     * Any value that fits the exact decimal storage, DECIMAL(38,18) (decision 0009). Unlike the other checks this
     * family returns the value normalized, as the store will read it back; messages still show it as given.
     */
    public static BigDecimal decimal(String field, BigDecimal value) {
        return Decimal18.check(field, value);
    }

    public static BigDecimal optionalDecimal(String field, BigDecimal value) {
        return value == null ? null : decimal(field, value);
    }

    /** Prices and quantities: strictly positive. */
    public static BigDecimal positive(String field, BigDecimal value) {
        BigDecimal v = decimal(field, value);
        if (v.signum() <= 0) {
            throw new ValidationException(field, "must be > 0", value);
        }
        return v;
    }

    public static BigDecimal optionalPositive(String field, BigDecimal value) {
        return value == null ? null : positive(field, value);
    }

    public static BigDecimal nonNegative(String field, BigDecimal value) {
        BigDecimal v = decimal(field, value);
        if (v.signum() < 0) {
            throw new ValidationException(field, "must be >= 0", value);
        }
        return v;
    }

    /** Confidences and scores: within [0, 1]. */
    public static BigDecimal unitInterval(String field, BigDecimal value) {
        BigDecimal v = decimal(field, value);
        if (v.signum() < 0 || v.compareTo(ONE) > 0) {
            throw new ValidationException(field, "must be within [0, 1]", value);
        }
        return v;
    }

    public static BigDecimal optionalUnitInterval(String field, BigDecimal value) {
        return value == null ? null : unitInterval(field, value);
    }

    /** Sentiment: within [-1, 1]. */
    public static BigDecimal signedUnitInterval(String field, BigDecimal value) {
        BigDecimal v = decimal(field, value);
        if (v.abs().compareTo(ONE) > 0) {
            throw new ValidationException(field, "must be within [-1, 1]", value);
        }
        return v;
    }

    public static BigDecimal optionalSignedUnitInterval(String field, BigDecimal value) {
        return value == null ? null : signedUnitInterval(field, value);
    }

    public static Instant timestamp(String field, Instant value) {
        EpochMicros.toMicros(field, value);
        return value;
    }

    public static Instant optionalTimestamp(String field, Instant value) {
        return value == null ? null : timestamp(field, value);
    }

    public static long nonNegative(String field, long value) {
        if (value < 0) {
            throw new ValidationException(field, "must be >= 0", value);
        }
        return value;
    }

    public static long positive(String field, long value) {
        if (value <= 0) {
            throw new ValidationException(field, "must be > 0", value);
        }
        return value;
    }

    /**
     * The rule for every half-open [from, to) query window: both ends storable and {@code to} not before
     * {@code from}. A reversed window is almost always swapped arguments; it is refused rather than silently
     * answered with nothing.
     */
    public static void window(Instant from, Instant to) {
        timestamp("from", from);
        timestamp("to", to);
        notBefore("to", to, "from", from);
    }

    /** {@code later} must not be before {@code earlier}. */
    public static void notBefore(String field, Instant later, String earlierField, Instant earlier) {
        if (later.isBefore(earlier)) {
            throw new ValidationException(field, "must not be before " + earlierField + " (" + earlier + ")", later);
        }
    }

    public static void that(boolean rule, String field, String description, Object value) {
        if (!rule) {
            throw new ValidationException(field, description, value);
        }
    }
}
