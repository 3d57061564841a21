package io.tradestore.trading;

/** Direction of a position: LONG profits when the price rises, SHORT when it falls. */
public enum PositionSide {
    LONG,
    SHORT
}
