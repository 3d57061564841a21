package io.tradestore.trading;

import io.tradestore.internal.Tx;

/** Obtain from {@link io.tradestore.UnitOfWork}; bound to that unit's transaction. */
public final class PositionDao {
    private final Tx tx;

    public PositionDao(Tx tx) {
        this.tx = tx;
    }
}
