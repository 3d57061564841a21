package io.tradestore.internal;

import io.tradestore.ValidationException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Arrays;

/**
 * The one exact decimal rule (decision 0009): any value with at most {@value #SCALE} decimal places and magnitude
 * below 10^20, DECIMAL(38,18). Values that do not fit are rejected, never rounded.
 *
 * <p>Values come back <em>normalized</em>: the smallest scale, at least 0, that holds the value exactly
 * ({@code 1.50} reads back as {@code 1.5}, {@code 100} as {@code 100}, never {@code 1E+2}). Equal numbers
 * therefore read back {@code equals}, on SQLite and PostgreSQL alike.
 *
 * <p>PostgreSQL stores {@code NUMERIC(38,18)}. SQLite has no exact decimal, so it stores a BLOB in an
 * order-preserving decimal encoding whose byte order (memcmp, SQLite's BLOB comparison) is numeric order, so
 * CHECKs, indexes, {@code ORDER BY}, {@code MIN} and {@code MAX} compare correctly in SQL:
 * <ul>
 *   <li>zero is the single byte {@code 0x80};</li>
 *   <li>a positive value is {@code 0x80 + n}, n its number of integer digits (0 to 20), then its digits packed
 *   two to a byte (integer digits, then fraction digits without trailing zeros), padded with a 0 nibble to a
 *   whole byte;</li>
 *   <li>a negative value is {@code 0x7F - n}, then the nines' complement of its digits, padded with a 9 nibble,
 *   then a terminating {@code 0xFF} (so that a longer magnitude sorts first).</li>
 * </ul>
 * {@code hex(price)} in the sqlite3 shell shows the digits: 23140.48 is {@code 8523140480}. Every value has
 * exactly one encoding, so equality in SQL is equality of numbers. The migration from release 3 computes the same
 * bytes in SQL ({@code db-changelog/changelog-master.yaml}, properties {@code dec8to18} and {@code dec18to8}).
 */
public final class Decimal18 {
    public static final int SCALE = 18;
    /** Digits before the decimal point: magnitude below 10^20. */
    public static final int INTEGER_DIGITS = 20;
    public static final BigDecimal MAX = new BigDecimal(BigInteger.TEN.pow(INTEGER_DIGITS + SCALE).subtract(BigInteger.ONE), SCALE);
    public static final BigDecimal MIN = MAX.negate();
    static final String RANGE = "within ±99999999999999999999.999999999999999999 (DECIMAL(38,18): below 10^20, at most "
            + SCALE + " decimal places)";

    private static final byte ZERO_BYTE = (byte) 0x80;
    private static final byte[] ZERO_ENCODED = {ZERO_BYTE};

    /** The two digits a byte holds (0x23 is 23), or -1 if either nibble is not a digit; and their complement. */
    private static final int[] PAIRS = new int[256];
    private static final int[] NEGATIVE_PAIRS = new int[256];

    static {
        for (int b = 0; b < 256; b++) {
            int hi = b >>> 4;
            int lo = b & 0x0F;
            boolean digits = hi <= 9 && lo <= 9;
            PAIRS[b] = digits ? hi * 10 + lo : -1;
            NEGATIVE_PAIRS[b] = digits ? 99 - (hi * 10 + lo) : -1;
        }
    }

    private Decimal18() {
    }

    /**
     * {@code value} normalized, or a {@link ValidationException} naming {@code column} if it does not fit.
     * Cheap bounds come first, so hostile values like 1E+999999999 or 1E-999999999 cost no big arithmetic, and a
     * long run of trailing zeros is cut by one division to 18 places before stripping, which is quadratic in them
     * (1 followed by 100,000 zero decimals took 3 s to strip, 25 s for 300,000).
     */
    public static BigDecimal check(String column, BigDecimal value) {
        if (value == null) {
            throw new ValidationException(column, "must not be null", null);
        }
        if (value.signum() == 0) {
            return BigDecimal.ZERO;
        }
        if ((long) value.precision() - value.scale() > INTEGER_DIGITS) {
            throw new ValidationException(column, "must be " + RANGE, value);
        }
        BigDecimal atMost18 = value;
        if (value.scale() > SCALE) {
            try {
                atMost18 = value.setScale(SCALE, RoundingMode.UNNECESSARY);
            } catch (ArithmeticException moreThan18Places) {
                throw tooManyPlaces(column, value);
            }
        }
        return normalize(atMost18);
    }

    private static ValidationException tooManyPlaces(String column, BigDecimal value) {
        return new ValidationException(column, "has more than " + SCALE + " decimal places; tradestore stores"
                + " decimals exactly with at most " + SCALE + " and never rounds: round the value yourself if that"
                + " is what you mean", value);
    }

    /**
     * {@code exact} rounded half-even to {@value #SCALE} places and normalized: the only rounding the library does,
     * for values it derives (a weighted mean, a product, a quotient). Out of range is a ValidationException.
     */
    public static BigDecimal rounded(String column, BigDecimal exact) {
        BigDecimal r = exact.setScale(SCALE, RoundingMode.HALF_EVEN);
        if (r.precision() - r.scale() > INTEGER_DIGITS) {
            throw new ValidationException(column, "is derived from the given values and must be " + RANGE, r);
        }
        return check(column, r);
    }

    /**
     * {@code stored} at the smallest scale, at least 0, that holds it exactly: how every decimal is returned (a
     * PostgreSQL NUMERIC(38,18) as read, a sum or a difference the library computes). No range check: sums are
     * reported, never stored.
     */
    public static BigDecimal normalize(BigDecimal stored) {
        if (stored == null) {
            return null;
        }
        if (stored.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal s = stored.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0, RoundingMode.UNNECESSARY) : s;
    }

    /** The SQLite encoding of a value that passed {@link #check} (the caller's column name is in its errors). */
    public static byte[] encode(BigDecimal value) {
        BigDecimal v = check("decimal column", value);
        int signum = v.signum();
        if (signum == 0) {
            return ZERO_ENCODED.clone();
        }
        int scale = v.scale();
        BigInteger unscaled = v.unscaledValue().abs();
        // Digits of |unscaled|, right-aligned in a buffer wide enough for 38 digits.
        byte[] digits = new byte[INTEGER_DIGITS + SCALE];
        int len;
        if (unscaled.bitLength() < 63) {
            long u = unscaled.longValue();
            len = 0;
            while (u != 0) {
                digits[digits.length - 1 - len++] = (byte) (u % 10);
                u /= 10;
            }
        } else {
            String s = unscaled.toString();
            len = s.length();
            for (int i = 0; i < len; i++) {
                digits[digits.length - len + i] = (byte) (s.charAt(i) - '0');
            }
        }
        int integerDigits = Math.max(0, len - scale);
        int nibbles = integerDigits + scale;
        int from = digits.length - nibbles;
        boolean negative = signum < 0;
        int bodyBytes = (nibbles + 1) / 2;
        byte[] out = new byte[1 + bodyBytes + (negative ? 1 : 0)];
        out[0] = (byte) (negative ? 0x7F - integerDigits : 0x80 + integerDigits);
        for (int i = 0; i < bodyBytes * 2; i++) {
            int d = i < nibbles ? digits[from + i] : 0; // pad nibble: 0, complemented to 9 below
            if (negative) {
                d = 9 - d;
            }
            if ((i & 1) == 0) {
                out[1 + i / 2] = (byte) (d << 4);
            } else {
                out[1 + i / 2] |= (byte) d;
            }
        }
        if (negative) {
            out[out.length - 1] = (byte) 0xFF;
        }
        return out;
    }

    /** The value of an encoding made by {@link #encode} or by the migration; anything else is corruption. */
    public static BigDecimal decode(byte[] encoded) {
        if (encoded == null) {
            return null;
        }
        if (encoded.length == 0) {
            throw corrupt(encoded);
        }
        int header = encoded[0] & 0xFF;
        if (header == 0x80 && encoded.length == 1) {
            return BigDecimal.ZERO;
        }
        boolean negative = header < 0x80;
        int integerDigits = negative ? 0x7F - header : header - 0x80;
        int bodyEnd = negative ? encoded.length - 1 : encoded.length;
        if (integerDigits > INTEGER_DIGITS || bodyEnd < 2 || (negative && (encoded[bodyEnd] & 0xFF) != 0xFF)) {
            throw corrupt(encoded);
        }
        int nibbles = (bodyEnd - 1) * 2;
        int pad = negative ? 9 : 0;
        if (nibbles > integerDigits && nibble(encoded, nibbles - 1) == pad) {
            nibbles--; // the pad; the last fraction digit of a normalized value is never 0
        }
        int scale = nibbles - integerDigits;
        if (scale < 0 || scale > SCALE || (scale > 0 && nibble(encoded, nibbles - 1) == pad)) {
            throw corrupt(encoded);
        }
        BigDecimal v;
        if (nibbles <= 18) {
            // Up to 18 digits fit a long, which covers nearly every real price and quantity without a BigInteger;
            // two digits per byte through a table, as a range read decodes five values a row.
            int[] pairs = negative ? NEGATIVE_PAIRS : PAIRS;
            long small = 0;
            int whole = nibbles >> 1;
            for (int i = 1; i <= whole; i++) {
                int pair = pairs[encoded[i] & 0xFF];
                if (pair < 0) {
                    throw corrupt(encoded);
                }
                small = small * 100 + pair;
            }
            if ((nibbles & 1) == 1) {
                int d = nibble(encoded, nibbles - 1);
                if (d > 9) {
                    throw corrupt(encoded);
                }
                small = small * 10 + (negative ? 9 - d : d);
            }
            v = BigDecimal.valueOf(negative ? -small : small, scale);
        } else {
            char[] chars = new char[nibbles];
            for (int i = 0; i < nibbles; i++) {
                int d = nibble(encoded, i);
                if (d > 9) {
                    throw corrupt(encoded);
                }
                chars[i] = (char) ('0' + (negative ? 9 - d : d));
            }
            BigInteger u = new BigInteger(new String(chars));
            v = new BigDecimal(negative ? u.negate() : u, scale);
        }
        if (v.signum() == 0 || (integerDigits > 0 && nibble(encoded, 0) == (negative ? 9 : 0))) {
            throw corrupt(encoded); // zero has its own encoding; integer digits never start with 0
        }
        return v;
    }

    private static int nibble(byte[] encoded, int i) {
        int b = encoded[1 + i / 2] & 0xFF;
        return (i & 1) == 0 ? b >>> 4 : b & 0x0F;
    }

    private static IllegalStateException corrupt(byte[] encoded) {
        StringBuilder hex = new StringBuilder();
        for (byte b : Arrays.copyOf(encoded, Math.min(encoded.length, 32))) {
            hex.append(String.format("%02X", b & 0xFF));
        }
        return new IllegalStateException("not a tradestore decimal: X'" + hex + "' (" + encoded.length
                + " bytes); the row was not written by tradestore or the file is damaged");
    }
}
