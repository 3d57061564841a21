package io.tradestore.trading;

import java.util.EnumSet;
import java.util.Set;

/**
 * Order lifecycle. NEW and PARTIALLY_FILLED are open; FILLED, CANCELLED and REJECTED are terminal and accept no
 * further transition.
 */
public enum OrderStatus {
    NEW,
    PARTIALLY_FILLED,
    FILLED,
    CANCELLED,
    REJECTED;

    /** The statuses this one may move to. A partial fill may follow a partial fill. */
    public Set<OrderStatus> next() {
        return switch (this) {
            case NEW -> EnumSet.of(PARTIALLY_FILLED, FILLED, CANCELLED, REJECTED);
            case PARTIALLY_FILLED -> EnumSet.of(PARTIALLY_FILLED, FILLED, CANCELLED);
            case FILLED, CANCELLED, REJECTED -> EnumSet.noneOf(OrderStatus.class);
        };
    }

    public boolean canMoveTo(OrderStatus target) {
        return next().contains(target);
    }

    public boolean isOpen() {
        return this == NEW || this == PARTIALLY_FILLED;
    }
}
