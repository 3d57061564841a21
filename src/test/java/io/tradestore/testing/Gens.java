package io.tradestore.testing;

import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.math.BigDecimal;
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

    /** Decimals of exactly {@code scale} in [min, max] (both representable at that scale). */
    public static Gen<BigDecimal> decimals(String min, String max, int scale) {
        return decimals(new BigDecimal(min), new BigDecimal(max), scale);
    }

    public static Gen<BigDecimal> decimals(BigDecimal min, BigDecimal max, int scale) {
        return longs().between(min.movePointRight(scale).longValueExact(), max.movePointRight(scale).longValueExact())
                .map(unscaled -> BigDecimal.valueOf(unscaled, scale));
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
