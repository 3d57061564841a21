package io.tradestore.analytics;

import java.math.BigDecimal;

/**
 * Price direction, predicted or observed. An observed direction is the sign of the return (decision 0011): UP above
 * zero, DOWN below, FLAT exactly zero; a predicted FLAT means "hold": no position, so following it returns zero.
 */
public enum Direction {
    UP,
    DOWN,
    FLAT;

    /** The direction a return of {@code actualReturn} observed: its sign. */
    public static Direction ofReturn(BigDecimal actualReturn) {
        return switch (actualReturn.signum()) {
            case 1 -> UP;
            case -1 -> DOWN;
            default -> FLAT;
        };
    }

    /**
     * What following a prediction of this direction returned when the price moved by {@code actualReturn}: long
     * for UP (+return), short for DOWN (-return), no position for FLAT (zero). Exact: a negation, never rounded.
     */
    BigDecimal followedReturn(BigDecimal actualReturn) {
        return switch (this) {
            case UP -> actualReturn;
            case DOWN -> actualReturn.negate();
            case FLAT -> BigDecimal.ZERO;
        };
    }
}
