package io.tradestore.analytics;

import io.tradestore.internal.Tx;

/** Obtain from {@link io.tradestore.UnitOfWork}; bound to that unit's transaction. */
public final class ModelResultDao {
    private final Tx tx;

    public ModelResultDao(Tx tx) {
        this.tx = tx;
    }
}
