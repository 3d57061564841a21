package io.tradestore.trading;

import java.util.EnumSet;
import java.util.Set;

/**
 * Order lifecycle, following the venue's messages in the order they arrive (docs/order-lifecycle.md).
 * NEW, PARTIALLY_FILLED and PENDING_CANCEL are open. FILLED and REJECTED are final. CANCELLED is final for every
 * request of ours, but a fill the venue executed before it saw the cancel may still arrive after it: it is recorded,
 * and completes the order (FILLED) if it fills the rest.
 */
public enum OrderStatus {
    NEW,
    PARTIALLY_FILLED,
    /** A cancel was requested and the venue has not confirmed it; fills may still arrive. */
    PENDING_CANCEL,
    FILLED,
    CANCELLED,
    REJECTED;

    /** The statuses this one may move to. A partial fill keeps PARTIALLY_FILLED, PENDING_CANCEL or CANCELLED. */
    public Set<OrderStatus> next() {
        return switch (this) {
            case NEW -> EnumSet.of(PARTIALLY_FILLED, FILLED, PENDING_CANCEL, CANCELLED, REJECTED);
            case PARTIALLY_FILLED -> EnumSet.of(PARTIALLY_FILLED, FILLED, PENDING_CANCEL, CANCELLED);
            // back to NEW or PARTIALLY_FILLED when the venue refuses the cancel; REJECTED only while unfilled
            case PENDING_CANCEL -> EnumSet.of(PENDING_CANCEL, FILLED, CANCELLED, REJECTED, NEW, PARTIALLY_FILLED);
            case CANCELLED -> EnumSet.of(CANCELLED, FILLED);
            case FILLED, REJECTED -> EnumSet.noneOf(OrderStatus.class);
        };
    }

    public boolean canMoveTo(OrderStatus target) {
        return next().contains(target);
    }

    /** Still working at the venue: NEW, PARTIALLY_FILLED or PENDING_CANCEL. */
    public boolean isOpen() {
        return this == NEW || this == PARTIALLY_FILLED || this == PENDING_CANCEL;
    }

    /** May still receive fills: the open statuses and CANCELLED (late fills, executed before the cancel). */
    public boolean acceptsFills() {
        return isOpen() || this == CANCELLED;
    }
}
