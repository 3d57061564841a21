package io.tradestore.trading;

/**
 * What one step of a position did (trading.position_events.kind): the opening entry, a later increase (scale in) or a
 * reduction (scale out; a close is the reduction of all that is open).
 */
public enum PositionEventKind {
    ENTRY,
    INCREASE,
    REDUCE
}
