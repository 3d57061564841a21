package io.tradestore.trading;

/** MARKET has no price; LIMIT requires a limit price; STOP requires a stop price. */
public enum OrderType {
    MARKET,
    LIMIT,
    STOP
}
