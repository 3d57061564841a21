package io.tradestore.model;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The storage rule of every decimal column as the models state it (decision 0009, issue 8): any value with at most
 * 18 decimal places and magnitude below 10^20, DECIMAL(38,18), read back <em>normalized</em>. Written from that
 * rule, not with the library's Decimal18: normalizing is integer division by ten, the SQLite encoding is spelled
 * out from its documented layout, so a mistake in the codec is not repeated here.
 */
final class Decimals {
    /** Decimal places a column holds. */
    static final int SCALE = 18;
    /** The largest storable value: twenty nines, a point, eighteen nines. */
    static final BigDecimal MAX = new BigDecimal("99999999999999999999.999999999999999999");
    static final BigDecimal MIN = MAX.negate();
    /** One unit of the 18th decimal place, the smallest step between storable values. */
    static final BigDecimal ULP = new BigDecimal("0.000000000000000001");

    /** The refusal of a value with more than 18 decimal places, after "column: ". */
    static final String TOO_MANY_PLACES = "has more than 18 decimal places; tradestore stores decimals exactly with at"
            + " most 18 and never rounds: round the value yourself if that is what you mean";
    /** The refusal of a value of magnitude 10^20 or more, after "column: ". */
    static final String OUT_OF_RANGE = "must be within ±99999999999999999999.999999999999999999 (DECIMAL(38,18): below"
            + " 10^20, at most 18 decimal places)";
    /** The refusal of a derived value (P&L, return) that does not fit, after "column: ". */
    static final String DERIVED_OUT_OF_RANGE = "is derived from the given values and " + OUT_OF_RANGE;

    private static final BigInteger TEN = BigInteger.TEN;

    private Decimals() {
    }

    /**
     * {@code v} as it reads back: the smallest scale, at least 0, that holds it exactly (1.50 is 1.5, 1E+2 is 100 at
     * scale 0, any zero is 0). Trailing zero digits are divided off one by one.
     */
    static BigDecimal normalized(BigDecimal v) {
        if (v == null) {
            return null;
        }
        BigInteger unscaled = v.unscaledValue();
        int scale = v.scale();
        if (unscaled.signum() == 0) {
            return BigDecimal.ZERO;
        }
        while (scale > 0) {
            BigInteger[] qr = unscaled.divideAndRemainder(TEN);
            if (qr[1].signum() != 0) {
                break;
            }
            unscaled = qr[0];
            scale--;
        }
        if (scale < 0) {
            unscaled = unscaled.multiply(TEN.pow(-scale));
            scale = 0;
        }
        return new BigDecimal(unscaled, scale);
    }

    /** Whether {@code v} fits a decimal column: at most 18 places once normalized, and within [MIN, MAX]. */
    static boolean storable(BigDecimal v) {
        return normalized(v).scale() <= SCALE && v.compareTo(MIN) >= 0 && v.compareTo(MAX) <= 0;
    }

    /** {@code v} as a column holds it and reads it back; a value the model should never hold fails the test. */
    static BigDecimal stored(BigDecimal v) {
        if (v != null && !storable(v)) {
            throw new IllegalStateException("the model holds an unstorable value " + v + ": a test bug");
        }
        return normalized(v);
    }

    /** Why a column refuses {@code v} (the text after "column: "), or null if it is storable. */
    static String refusal(BigDecimal v) {
        if (storable(v)) {
            return null;
        }
        return normalized(v).precision() - normalized(v).scale() > 20 ? OUT_OF_RANGE : TOO_MANY_PLACES;
    }

    /**
     * {@code v} as a ValidationException's "(was ...)" shows it: BigDecimal's toString (1E+20 stays 1E+20), cut
     * after 64 characters with the length appended.
     */
    static String shown(BigDecimal v) {
        String text = v.toString();
        return text.length() <= 64 ? text : text.substring(0, 64) + "... (" + text.length() + " chars)";
    }

    /**
     * The bytes SQLite stores for {@code v}, in hex as sqlite3's {@code hex()} shows them, from the documented layout
     * (Decimal18's javadoc): zero is {@code 80}; a positive value is {@code 80 + n} (n integer digits, 0 to 20),
     * then its digits two to a byte, integer digits then fraction digits without trailing zeros, padded with a 0
     * nibble; a negative value is {@code 7F - n}, the nines' complement of those digits padded with a 9 nibble,
     * then {@code FF}. 23140.48 is {@code 8523140480}.
     */
    static String sqliteHex(BigDecimal v) {
        BigDecimal n = stored(v);
        if (n.signum() == 0) {
            return "80";
        }
        String digits = n.unscaledValue().abs().toString();
        int integerDigits = Math.max(0, digits.length() - n.scale());
        if (integerDigits == 0) {
            digits = "0".repeat(n.scale() - digits.length()) + digits; // 0.05: fraction digits "05"
        }
        boolean negative = n.signum() < 0;
        StringBuilder nibbles = new StringBuilder();
        for (char c : digits.toCharArray()) {
            nibbles.append(negative ? (char) ('9' - c + '0') : c);
        }
        if (nibbles.length() % 2 != 0) {
            nibbles.append(negative ? '9' : '0');
        }
        String header = String.format("%02X", negative ? 0x7F - integerDigits : 0x80 + integerDigits);
        return header + nibbles + (negative ? "FF" : "");
    }
}
