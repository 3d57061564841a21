package io.tradestore.trading;

/** A position is OPEN until it is closed exactly once; CLOSED positions are never reopened. */
public enum PositionStatus {
    OPEN,
    CLOSED
}
