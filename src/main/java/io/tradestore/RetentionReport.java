package io.tradestore;

import io.tradestore.market.Timeframe;

import java.time.Instant;
import java.util.List;

/**
 * What a {@link RetentionJob} run did, or with {@code dryRun} would do.
 *
 * @param dryRun              nothing was written
 * @param patternCachePurged  expired pattern-cache entries deleted (with dryRun: found)
 * @param series              per series of a timeframe with a policy: its cutoff and the candles moved
 * @param droppedPartitions   month partitions dropped on PostgreSQL after the move (empty otherwise)
 * @param partitionNote       why no partition was dropped when dropping was asked for, else null
 */
public record RetentionReport(boolean dryRun, int patternCachePurged, List<SeriesMove> series,
                              List<String> droppedPartitions, String partitionNote) {
    public RetentionReport {
        series = List.copyOf(series);
        droppedPartitions = List.copyOf(droppedPartitions);
    }

    /** One series: candles with open time before {@code cutoff} are (or, in a dry run, would be) moved. */
    public record SeriesMove(String symbol, Timeframe timeframe, Instant cutoff, long moved) {
    }

    /** Candles moved in all series. */
    public long moved() {
        return series.stream().mapToLong(SeriesMove::moved).sum();
    }
}
