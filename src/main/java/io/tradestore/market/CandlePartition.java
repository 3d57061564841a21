package io.tradestore.market;

import java.time.Instant;

/**
 * One partition of market.candlesticks on PostgreSQL: a calendar month (UTC) {@code [from, to)}, or the default
 * partition, which holds every candle whose month has no partition of its own ({@code from} and {@code to} null).
 *
 * @param estimatedRows the planner's estimate (pg_class.reltuples), 0 until the partition was first analysed or
 *                      vacuumed; an estimate, not a count, so that listing never scans a partition
 */
public record CandlePartition(String name, Instant from, Instant to, long estimatedRows) {
    public boolean isDefault() {
        return from == null;
    }
}
