package io.tradestore.trading;

public enum OrderSide {
    BUY,
    SELL
}
