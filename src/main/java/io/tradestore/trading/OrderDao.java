package io.tradestore.trading;

import io.tradestore.internal.Tx;

/** Obtain from {@link io.tradestore.UnitOfWork}; bound to that unit's transaction. */
public final class OrderDao {
    private final Tx tx;

    public OrderDao(Tx tx) {
        this.tx = tx;
    }
}
