package io.tradestore.market;

import java.time.Instant;
import java.util.List;

/**
 * What {@link CandlePartitions#dropBefore} removed: every candle with {@code open_time < boundary}.
 *
 * @param boundary           the first instant of the cutoff's month (UTC): candles from there on are kept
 * @param droppedPartitions  the month partitions dropped whole, oldest first (PostgreSQL; empty on SQLite)
 * @param deletedRows        candles deleted row by row: from the default partition on PostgreSQL, all of them on
 *                           SQLite (the candles of dropped partitions are not counted, which would mean reading them)
 * @param recomputedSeries   series whose candlestick_metadata was recomputed (or deleted, when none of its candles
 *                           is left)
 */
public record Retention(Instant boundary, List<String> droppedPartitions, long deletedRows, int recomputedSeries) {
    public Retention {
        droppedPartitions = List.copyOf(droppedPartitions);
    }
}
