package io.tradestore.analytics;

import io.tradestore.internal.Tx;

/** Obtain from {@link io.tradestore.UnitOfWork}; bound to that unit's transaction. */
public final class ExecutionLogDao {
    private final Tx tx;

    public ExecutionLogDao(Tx tx) {
        this.tx = tx;
    }
}
