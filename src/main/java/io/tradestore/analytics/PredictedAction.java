package io.tradestore.analytics;

/** What a model recommended. */
public enum PredictedAction {
    BUY,
    SELL,
    HOLD
}
