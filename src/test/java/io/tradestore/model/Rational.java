package io.tradestore.model;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Exact rational numbers, the model's arithmetic. The DAOs compute P&L, returns and average prices with
 * BigDecimal's {@code setScale} and {@code divide}; an oracle written with the same calls would share any mistake
 * in them (a wrong rounding mode, rounding an intermediate). Here every value is a fraction of BigIntegers and the
 * one rounding, half-even to a scale (18 places for derived values), is spelled out with integer division.
 */
record Rational(BigInteger numerator, BigInteger denominator) {
    static final Rational ZERO = new Rational(BigInteger.ZERO, BigInteger.ONE);

    Rational {
        if (denominator.signum() == 0) {
            throw new ArithmeticException("division by zero");
        }
        if (denominator.signum() < 0) {
            numerator = numerator.negate();
            denominator = denominator.negate();
        }
        BigInteger gcd = numerator.gcd(denominator);
        if (gcd.signum() != 0 && !gcd.equals(BigInteger.ONE)) {
            numerator = numerator.divide(gcd);
            denominator = denominator.divide(gcd);
        }
    }

    /** unscaled × 10^-scale, taken apart by hand (BigDecimal only as the carrier of the digits). */
    static Rational of(BigDecimal d) {
        int scale = d.scale();
        return scale >= 0
                ? new Rational(d.unscaledValue(), BigInteger.TEN.pow(scale))
                : new Rational(d.unscaledValue().multiply(BigInteger.TEN.pow(-scale)), BigInteger.ONE);
    }

    static Rational of(long n) {
        return new Rational(BigInteger.valueOf(n), BigInteger.ONE);
    }

    Rational plus(Rational o) {
        return new Rational(numerator.multiply(o.denominator).add(o.numerator.multiply(denominator)),
                denominator.multiply(o.denominator));
    }

    Rational minus(Rational o) {
        return plus(o.negate());
    }

    Rational negate() {
        return new Rational(numerator.negate(), denominator);
    }

    Rational times(Rational o) {
        return new Rational(numerator.multiply(o.numerator), denominator.multiply(o.denominator));
    }

    Rational dividedBy(Rational o) {
        return new Rational(numerator.multiply(o.denominator), denominator.multiply(o.numerator));
    }

    /**
     * Rounded once, half-even, to the 18 decimal places a column holds, and normalized as every value reads back:
     * how the store derives P&L, return and average prices (issue 8).
     */
    BigDecimal derived() {
        return Decimals.normalized(roundHalfEven(Decimals.SCALE));
    }

    /**
     * The nearest multiple of 10^-scale; exactly half-way, the one whose last digit is even. Truncate towards zero,
     * then compare twice the remainder with the denominator: more than half rounds away from zero, exactly half
     * rounds away only when the truncated digit is odd.
     */
    BigDecimal roundHalfEven(int scale) {
        BigInteger[] qr = numerator.multiply(BigInteger.TEN.pow(scale)).divideAndRemainder(denominator);
        BigInteger q = qr[0];
        int half = qr[1].abs().shiftLeft(1).compareTo(denominator);
        if (half > 0 || (half == 0 && q.testBit(0))) {
            q = q.add(BigInteger.valueOf(numerator.signum()));
        }
        return new BigDecimal(q, scale);
    }

    @Override
    public String toString() {
        return numerator + "/" + denominator;
    }
}
