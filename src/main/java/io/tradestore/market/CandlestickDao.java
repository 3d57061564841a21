package io.tradestore.market;

import io.tradestore.internal.Tx;

/** Obtain from {@link io.tradestore.UnitOfWork}; bound to that unit's transaction. */
public final class CandlestickDao {
    private final Tx tx;

    public CandlestickDao(Tx tx) {
        this.tx = tx;
    }
}
