package io.tradestore.testing;

import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;

import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Short names for the QuickTheories generators the suites combine most. Each is a composition of QuickTheories'
 * own generators, so it shrinks as they do (towards the first value, the first weighted choice, the lower bound).
 */
public final class Gens {
    private Gens() {
    }

    /** One of {@code values}, shrinking towards the first; nulls allowed. */
    @SafeVarargs
    public static <T> Gen<T> pick(T... values) {
        List<T> list = Arrays.asList(values.clone());
        return Generate.pick(list);
    }

    /** One of the decimals written in {@code values}, as written (scale included), shrinking towards the first. */
    public static Gen<BigDecimal> pickDecimals(String... values) {
        return Generate.pick(Arrays.stream(values).map(BigDecimal::new).toList());
    }

    /**
     * Decimals of exactly {@code scale} in [min, max] (both representable at that scale). Any range: one that does
     * not fit a long at that scale (DECIMAL(38,18) goes up to 10^38 units of 10^-18) is drawn in base-10^18 digits.
     */
    public static Gen<BigDecimal> decimals(String min, String max, int scale) {
        return decimals(new BigDecimal(min), new BigDecimal(max), scale);
    }

    public static Gen<BigDecimal> decimals(BigDecimal min, BigDecimal max, int scale) {
        BigInteger lo = min.movePointRight(scale).toBigIntegerExact();
        BigInteger hi = max.movePointRight(scale).toBigIntegerExact();
        if (lo.compareTo(hi) > 0) {
            throw new IllegalArgumentException("empty range [" + min + ", " + max + "]");
        }
        if (lo.bitLength() < 64 && hi.bitLength() < 64) {
            return longs().between(lo.longValueExact(), hi.longValueExact())
                    .map(unscaled -> BigDecimal.valueOf(unscaled, scale));
        }
        return offsets(hi.subtract(lo)).map(offset -> new BigDecimal(lo.add(offset), scale));
    }

    private static final BigInteger DIGIT = BigInteger.TEN.pow(18);

    /**
     * An offset in [0, span]: base-10^18 digits, the most significant bounded by span's, the others free, so
     * about uniform; the few draws above span become span (the upper bound comes up a little more often).
     * Every digit shrinks towards 0, so the offset shrinks towards 0 (the range's lower bound).
     */
    private static Gen<BigInteger> offsets(BigInteger span) {
        int digits = 1;
        while (DIGIT.pow(digits).compareTo(span) <= 0) {
            digits++;
        }
        long top = span.divide(DIGIT.pow(digits - 1)).longValueExact();
        Gen<BigInteger> offset = longs().between(0, top).map(BigInteger::valueOf);
        for (int i = 1; i < digits; i++) {
            offset = offset.zip(longs().between(0, DIGIT.longValueExact() - 1),
                    (high, low) -> high.multiply(DIGIT).add(BigInteger.valueOf(low)));
        }
        return offset.map(o -> o.min(span));
    }

    /** {@code gen}'s value, or null {@code percentNull} % of the time (shrinking towards null). */
    public static <T> Gen<T> orNull(Gen<T> gen, int percentNull) {
        return gen.toOptionals(percentNull).map(o -> o.orElse(null));
    }

    /** A weighted choice between generators, shrinking towards the first. */
    @SafeVarargs
    public static <T> Gen<T> weighted(Pair<Integer, Gen<? extends T>>... choices) {
        return Generate.frequency(Arrays.stream(choices)
                .map(c -> Pair.of(c._1, c._2.<T>map(t -> t)))
                .toList());
    }

    public static <T> Pair<Integer, Gen<? extends T>> w(int weight, Gen<? extends T> gen) {
        return Pair.of(weight, gen);
    }
}
