package io.tradestore.testing;

import io.tradestore.internal.Decimal18;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.List;

import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/** Generators over DECIMAL(38,18) (decision 0009): values it holds, and the ways a value can fail to fit. */
public final class DecimalGens {
    private static final BigInteger TEN_18 = BigInteger.TEN.pow(18);

    private DecimalGens() {
    }

    /**
     * Any scale 0..18 and any number of digits that keeps the magnitude below 10^20, either sign; about one in
     * sixteen is an edge: the range's ends, one unit of the 18th place, zero, release 3's old limits, and the values
     * the issue names (a PEPE daily volume, a SATS price, one wei).
     */
    public static Gen<BigDecimal> inRange() {
        Gen<BigInteger> digits38 = longs().between(0, 99).zip(longs().between(0, TEN_18.longValue() - 1),
                longs().between(0, TEN_18.longValue() - 1),
                (a, b, c) -> BigInteger.valueOf(a).multiply(TEN_18).add(BigInteger.valueOf(b)).multiply(TEN_18).add(BigInteger.valueOf(c)));
        Gen<BigDecimal> any = integers().between(0, Decimal18.SCALE).flatMap(scale ->
                integers().between(1, Decimal18.INTEGER_DIGITS + scale).zip(digits38, booleans().all(),
                        (width, u, negative) -> {
                            BigInteger unscaled = u.mod(BigInteger.TEN.pow(width));
                            return new BigDecimal(negative ? unscaled.negate() : unscaled, scale);
                        }));
        Gen<BigDecimal> edges = Generate.pick(List.of(Decimal18.MAX, Decimal18.MIN, new BigDecimal("1E-18"),
                new BigDecimal("-1E-18"), BigDecimal.ZERO, new BigDecimal("4235198765432.12"),
                new BigDecimal("0.0000003412"), new BigDecimal("-12345.123456789012345678"),
                new BigDecimal("92233720368.54775807"), new BigDecimal("-92233720368.54775808"),
                new BigDecimal("100"), new BigDecimal("1E+19"), new BigDecimal("23140.48000000")));
        return any.mix(edges, 6);
    }

    /** 19 to 40 decimal places, more than 18 of them significant, small or large integer part. */
    public static Gen<BigDecimal> overScale() {
        return integers().between(Decimal18.SCALE + 1, 40).flatMap(scale -> longs().between(-1_000_000, 1_000_000)
                .zip(longs().between(1, Long.MAX_VALUE),
                        (whole, digits) -> BigDecimal.valueOf(whole).add(BigDecimal.valueOf(digits, scale)))
                .assuming(v -> v.stripTrailingZeros().scale() > Decimal18.SCALE))
                .mix(Generate.pick(List.of(new BigDecimal("0.0000000000000000001"), new BigDecimal("1E-999999999"))), 10);
    }

    /** At or beyond ±10^20 by any amount; some just one unit of the 18th place beyond, or absurdly far. */
    public static Gen<BigDecimal> outOfRange() {
        BigDecimal tick = new BigDecimal("1E-18");
        Gen<BigDecimal> above = longs().between(1, Long.MAX_VALUE).zip(integers().between(0, 30),
                (units, power) -> Decimal18.MAX.add(tick.multiply(BigDecimal.valueOf(units)).movePointRight(power)));
        Gen<BigDecimal> edges = Generate.pick(List.of(Decimal18.MAX.add(tick), Decimal18.MIN.subtract(tick),
                new BigDecimal("1E+20"), new BigDecimal("-1E+20"), new BigDecimal("1E+999999999"),
                new BigDecimal("-1E+30")));
        return above.mix(above.map(v -> v.negate()), 40).mix(edges, 10);
    }

    /**
     * A value and a close neighbour of it: one unit of the 18th place either side, the value cut to fewer places, a
     * digit appended, scaled by ten either way, negated. Random pairs almost never share a first byte and leading
     * digits; these do, which is where an order-preserving encoding goes wrong (-1 against -1.01, 0.5 against 0.50001).
     */
    public static Gen<List<BigDecimal>> neighbours() {
        BigDecimal ulp = new BigDecimal("1E-18");
        return inRange().zip(integers().between(0, 7), integers().between(0, 18), integers().between(1, 9),
                (v, kind, places, digit) -> {
                    BigDecimal n = switch (kind) {
                        case 0 -> v.add(ulp);
                        case 1 -> v.subtract(ulp);
                        case 2 -> v.setScale(Math.min(places, Math.max(0, v.scale())), RoundingMode.DOWN);
                        case 3 -> new BigDecimal(v.unscaledValue().multiply(BigInteger.TEN)
                                .add(BigInteger.valueOf(v.signum() < 0 ? -digit : digit)), v.scale() + 1);
                        case 4 -> v.movePointRight(1);
                        case 5 -> v.movePointLeft(1);
                        case 6 -> v.negate();
                        default -> v.add(BigDecimal.valueOf(digit, places));
                    };
                    return List.of(v, n);
                }).assuming(pair -> fits(pair.get(1)));
    }

    private static boolean fits(BigDecimal v) {
        return v.stripTrailingZeros().scale() <= Decimal18.SCALE && v.abs().compareTo(Decimal18.MAX) <= 0;
    }

    /** What the store reads back for {@code v}: the smallest scale >= 0 that holds it exactly. */
    public static BigDecimal normalized(BigDecimal v) {
        BigDecimal s = v.stripTrailingZeros();
        return v.signum() == 0 ? BigDecimal.ZERO : s.scale() < 0 ? s.setScale(0) : s;
    }

}
