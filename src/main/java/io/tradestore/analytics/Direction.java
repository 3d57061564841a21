package io.tradestore.analytics;

/** Price direction, predicted or observed. */
public enum Direction {
    UP,
    DOWN,
    FLAT
}
