package io.tradestore.bench;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Candidate {@code blob16}: a DECIMAL(38,18) value as a 16-byte BLOB, the big-endian two's complement of
 * {@code value x 10^18} (a 128-bit integer) with its sign bit flipped, so that memcmp order (SQLite's BLOB
 * comparison) is numeric order. Values read back normalized (smallest scale >= 0), like {@code Decimal18}.
 *
 * <p>Both directions have a {@code long} fast path, as a production codec would: encoding multiplies the unscaled
 * value by 10^(18 - scale) into 128 bits with {@link Math#multiplyHigh}; decoding splits the 128-bit integer into
 * integer part and fraction by a long division by 10^18 (as 2^18 x 5^18, in 16-bit steps) and strips the
 * fraction's trailing zeros with a few long divisions. Magnitudes of 9.2 x 10^18 and more (integer part or
 * unscaled value beyond a long) take the {@link BigInteger} path.
 */
public final class Blob16 {
    static final int SCALE = 18;
    static final int INTEGER_DIGITS = 20;
    static final int LENGTH = 16;
    private static final long FIVE_POW_18 = 3_814_697_265_625L;
    private static final long LOW18_MASK = (1L << 18) - 1;
    private static final long[] POW10 = new long[19];

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10;
        }
    }

    private Blob16() {
    }

    public static byte[] encode(BigDecimal value) {
        BigDecimal v = value;
        int scale = v.scale();
        if (scale > SCALE || scale < 0) {
            v = v.stripTrailingZeros();
            if (v.scale() > SCALE) {
                throw new IllegalArgumentException("more than 18 decimal places: " + value);
            }
            if (v.scale() < 0) {
                v = v.setScale(0, RoundingMode.UNNECESSARY);
            }
            scale = v.scale();
        }
        if (v.signum() != 0 && v.precision() - scale > INTEGER_DIGITS) {
            throw new IllegalArgumentException("out of DECIMAL(38,18) range: " + value);
        }
        BigInteger unscaled = v.unscaledValue();
        long hi;
        long lo;
        if (unscaled.bitLength() < 64) {
            long u = unscaled.longValue();
            long p = POW10[SCALE - scale];
            lo = u * p;
            hi = Math.multiplyHigh(u, p);
        } else {
            BigInteger w = unscaled.multiply(BigInteger.TEN.pow(SCALE - scale));
            lo = w.longValue();
            hi = w.shiftRight(64).longValue();
        }
        byte[] out = new byte[LENGTH];
        putLong(out, 0, hi ^ Long.MIN_VALUE);
        putLong(out, 8, lo);
        return out;
    }

    public static BigDecimal decode(byte[] b) {
        if (b == null) {
            return null;
        }
        if (b.length != LENGTH) {
            throw new IllegalStateException("not a blob16 decimal: " + b.length + " bytes");
        }
        long hi = getLong(b, 0) ^ Long.MIN_VALUE;
        long lo = getLong(b, 8);
        boolean negative = hi < 0;
        long mh = hi;
        long ml = lo;
        if (negative) { // magnitude = -x, as 128 bits: ~x + 1
            ml = ~lo + 1;
            mh = ~hi + (ml == 0 ? 1 : 0);
            if (mh < 0) {
                return slow(b); // -2^127: not a valid DECIMAL(38,18), let the slow path say what it is
            }
        }
        // M = mh:ml (unsigned). M / 10^18 = (M >> 18) / 5^18, remainder re-assembled below.
        long n1 = mh >>> 18;
        long n0 = (mh << 46) | (ml >>> 18);
        if (n1 >= FIVE_POW_18) {
            return slow(b); // quotient needs more than 64 bits
        }
        long rem = n1;
        long q = 0;
        for (int shift = 48; shift >= 0; shift -= 16) {
            long cur = (rem << 16) | ((n0 >>> shift) & 0xFFFF);
            q = (q << 16) | (cur / FIVE_POW_18);
            rem = cur % FIVE_POW_18;
        }
        if (q < 0) {
            return slow(b); // integer part >= 2^63
        }
        long fraction = (rem << 18) | (ml & LOW18_MASK);
        int scale = 0;
        if (fraction != 0) {
            scale = SCALE;
            if (fraction % POW10[16] == 0) {
                fraction /= POW10[16];
                scale -= 16;
            }
            if (fraction % POW10[8] == 0) {
                fraction /= POW10[8];
                scale -= 8;
            }
            if (fraction % POW10[4] == 0) {
                fraction /= POW10[4];
                scale -= 4;
            }
            if (fraction % 100 == 0) {
                fraction /= 100;
                scale -= 2;
            }
            if (fraction % 10 == 0) {
                fraction /= 10;
                scale -= 1;
            }
        }
        if (q > (Long.MAX_VALUE - fraction) / POW10[scale]) {
            return slow(b);
        }
        long unscaled = q * POW10[scale] + fraction;
        if (unscaled == 0) {
            return BigDecimal.ZERO;
        }
        return BigDecimal.valueOf(negative ? -unscaled : unscaled, scale);
    }

    /** The reference decoding: BigInteger, then stripTrailingZeros. */
    static BigDecimal slow(byte[] b) {
        byte[] c = b.clone();
        c[0] ^= (byte) 0x80;
        return normalize(new BigDecimal(new BigInteger(c), SCALE));
    }

    static BigDecimal normalize(BigDecimal v) {
        if (v.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal s = v.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0, RoundingMode.UNNECESSARY) : s;
    }

    private static void putLong(byte[] out, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            out[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    /**
     * Checks the fast paths against the reference on random values over the whole range and every scale, and that
     * memcmp order is numeric order; throws on the first difference. Run by the benchmark's setup and the size
     * report, so a wrong codec never gets measured.
     */
    static void selfCheck(long seed, int count) {
        SplittableRandom rnd = new SplittableRandom(seed);
        BigDecimal[] values = new BigDecimal[count];
        byte[][] encoded = new byte[count][];
        for (int i = 0; i < count; i++) {
            int scale = rnd.nextInt(SCALE + 1);
            int digits = 1 + rnd.nextInt(INTEGER_DIGITS + scale);
            BigInteger u = new BigInteger(digits * 4, new Random(rnd.nextLong())).mod(BigInteger.TEN.pow(digits));
            if (rnd.nextBoolean()) {
                u = u.negate();
            }
            BigDecimal v = new BigDecimal(u, scale);
            values[i] = v;
            encoded[i] = encode(v);
            BigDecimal back = decode(encoded[i]);
            if (!back.equals(normalize(v)) || !back.equals(slow(encoded[i]))) {
                throw new AssertionError("blob16 round trip: " + v + " -> " + back);
            }
        }
        for (String s : new String[]{"0", "1E+5", "0.000000000000000001", "-0.000000000000000001",
                "99999999999999999999.999999999999999999", "-99999999999999999999.999999999999999999",
                "9223372036854775807", "-9223372036854775808", "23140.48", "2.13177700", "0.881378"}) {
            BigDecimal v = new BigDecimal(s);
            if (!decode(encode(v)).equals(normalize(v))) {
                throw new AssertionError("blob16 round trip: " + v + " -> " + decode(encode(v)));
            }
        }
        for (int i = 1; i < count; i++) {
            int numeric = Integer.signum(values[i - 1].compareTo(values[i]));
            int bytes = Integer.signum(Arrays.compareUnsigned(encoded[i - 1], encoded[i]));
            if (numeric != bytes) {
                throw new AssertionError("blob16 order: " + values[i - 1] + " vs " + values[i]);
            }
        }
    }
}
