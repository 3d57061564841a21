package io.tradestore.legacy;

import io.tradestore.ValidationException;
import io.tradestore.testing.Props;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The REAL → decimal rule of the consolidation (issue 12), checked by its definition on whatever JDK runs the
 * build (CI: 17; also built on 25, where Double.toString became shortest): the decimal reads back as the same
 * double, and no decimal with fewer significant digits does.
 */
class FloatDecimalsTest {
    /** Any finite double: every bit pattern, so subnormals, huge exponents and both signs come up. */
    private static Gen<Double> anyFiniteDouble() {
        return longs().all().map(Double::longBitsToDouble).assuming(d -> !Double.isNaN(d) && !Double.isInfinite(d));
    }

    /** Values as prices and sizes look: a few decimals, and the sums and products float arithmetic makes of them. */
    static Gen<Double> priceLike() {
        Gen<Double> cents = longs().between(1, 10_000_000).map(c -> c / 100.0);
        return cents.zip(cents, Double::sum).mix(cents.zip(doubles().between(0.001, 3), (a, b) -> a * b), 50);
    }

    @Test
    void theDecimalReadsBackAsTheDoubleAndNoShorterOneDoes() {
        Props.check(20_000, 1_000, anyFiniteDouble(), FloatDecimalsTest::assertShortest);
    }

    @Test
    void pricesAndTheirFloatSumsReadBackAndNoShorterDecimalDoes() {
        Props.check(20_000, 1_000, priceLike(), FloatDecimalsTest::assertShortest);
    }

    private static void assertShortest(double d) {
        BigDecimal shortest = FloatDecimals.shortest("x", d);
        assertThat(Double.parseDouble(shortest.toString())).as("%s read back (%s)", shortest, d)
                .isEqualTo(d == 0 ? 0.0 : d);
        int digits = shortest.stripTrailingZeros().precision(); // significant digits: 200000 has one
        if (digits > 1) {
            BigDecimal exact = new BigDecimal(d);
            MathContext fewer = new MathContext(digits - 1, RoundingMode.DOWN);
            MathContext fewerUp = new MathContext(digits - 1, RoundingMode.UP);
            // The values that read back as d form one interval around it: if no decimal next to it of fewer
            // digits reads back, none of that length does.
            assertThat(exact.round(fewer).doubleValue()).as("%d digits below %s", digits - 1, shortest).isNotEqualTo(d);
            assertThat(exact.round(fewerUp).doubleValue()).as("%d digits above %s", digits - 1, shortest)
                    .isNotEqualTo(d);
        }
        assertThat(shortest.scale()).as("no trailing zeros, no exponent: %s", shortest).isGreaterThanOrEqualTo(0);
        if (shortest.scale() > 0) {
            assertThat(shortest.unscaledValue().mod(java.math.BigInteger.TEN).signum()).isNotZero();
        }
    }

    /**
     * On JDK 19+ Double.toString is specified as shortest, nearest, ties to the even digit (JDK-4511638), with at least
     * two digits: an independent oracle for every value whose shortest decimal has two digits or more. Runs on the
     * build's second JDK (Temurin 25); JDK 17's Double.toString is not shortest, so there the test is skipped.
     */
    @Test
    void onJdk19AndLaterTheRuleAgreesWithDoubleToString() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() >= 19,
                "Double.toString is shortest from JDK 19 on");
        Props.check(20_000, 1_000, anyFiniteDouble().mix(priceLike(), 50), d -> {
            BigDecimal ours = FloatDecimals.shortest("x", d);
            if (ours.stripTrailingZeros().precision() >= 2) {
                assertThat(ours).as("%s", d).isEqualByComparingTo(new BigDecimal(Double.toString(d)));
            }
        });
    }

    @Test
    void knownValuesAreWrittenAsTheOldCodePrintedThem() {
        assertThat(FloatDecimals.shortest("x", 0.1)).isEqualTo(new BigDecimal("0.1"));
        assertThat(FloatDecimals.shortest("x", 0.1 + 0.2)).isEqualTo(new BigDecimal("0.30000000000000004"));
        assertThat(FloatDecimals.shortest("x", 22350.0)).isEqualTo(new BigDecimal("22350"));
        assertThat(FloatDecimals.shortest("x", -0.0)).isEqualTo(BigDecimal.ZERO);
        assertThat(FloatDecimals.shortest("x", 1e-7)).isEqualTo(new BigDecimal("0.0000001"));
        // JDK-4511638: JDK 17's Double.toString prints 2.82879384806159008E17, not the shortest.
        assertThat(FloatDecimals.shortest("x", 2.82879384806159E17)).isEqualTo(new BigDecimal("282879384806159000"));
        // Exactly halfway between the two 16-digit decimals that read back (…35.875): the even one, as Python's repr
        // printed it; taking the lower one gave …35.87.
        assertThat(FloatDecimals.shortest("x", 8.765953823743588E13)).isEqualTo(new BigDecimal("87659538237435.88"));
        // Java prints 4.9E-324, but one digit reads back already.
        assertThat(FloatDecimals.shortest("x", Double.MIN_VALUE)).isEqualTo(new BigDecimal("5E-324"));
        assertThat(FloatDecimals.shortest("x", Double.MAX_VALUE)).isEqualTo(new BigDecimal("1.7976931348623157E308")
                .setScale(0));
    }

    @Test
    void floatNoiseIsMoreThanTwelveSignificantDigits() {
        assertThat(FloatDecimals.looksLikeFloatNoise(FloatDecimals.shortest("x", 0.1 + 0.2))).isTrue();
        assertThat(FloatDecimals.looksLikeFloatNoise(new BigDecimal("23142.31"))).isFalse();
        assertThat(FloatDecimals.looksLikeFloatNoise(new BigDecimal("0.123456789012"))).isFalse();
        assertThat(FloatDecimals.looksLikeFloatNoise(new BigDecimal("0.1234567890123"))).isTrue();
    }

    @Test
    void nanAndInfinityHaveNoDecimalAndTheErrorNamesTheField() {
        assertThatThrownBy(() -> FloatDecimals.shortest("positions.entry_price", Double.NaN))
                .isInstanceOf(ValidationException.class)
                .hasMessage("positions.entry_price: must be a finite number to become a decimal (was NaN)");
        assertThatThrownBy(() -> FloatDecimals.shortest("positions.entry_price", Double.POSITIVE_INFINITY))
                .isInstanceOf(ValidationException.class).hasMessageContaining("Infinity");
    }
}
