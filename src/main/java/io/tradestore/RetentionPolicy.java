package io.tradestore;

import io.tradestore.internal.Check;
import io.tradestore.market.Timeframe;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How long the live database keeps candles, per timeframe, and how {@link RetentionJob} moves older ones into the
 * archive. Timeframes without an entry are kept forever. Immutable; every {@code with...} method validates at once.
 *
 * @param keep           per timeframe, how far back from now (the live store's clock) candles stay live; older ones
 *                       (open time before now - keep) move to the archive
 * @param batchSize      candles per pair of units (one on the archive, one on the live database)
 * @param dropPartitions on PostgreSQL with partitioned candles, drop the month partitions the move emptied (needs
 *                       the schema's owner role; see docs/operations.md, "retention")
 * @param progress       called after every batch is deleted from the live database; if it throws, the run stops there
 *                       and the next run resumes
 */
public record RetentionPolicy(Map<Timeframe, Duration> keep, int batchSize, boolean dropPartitions,
                              Consumer<RetentionProgress> progress) {
    public static final int DEFAULT_BATCH_SIZE = 10_000;

    /** Where a run stands: candles moved so far of the total it found to move. */
    public record RetentionProgress(long moved, long total) {
    }

    public RetentionPolicy {
        Check.notNull("keep", keep);
        EnumMap<Timeframe, Duration> copy = new EnumMap<>(Timeframe.class);
        keep.forEach((timeframe, duration) -> {
            Check.notNull("keep timeframe", timeframe);
            Check.notNull("keep[" + timeframe + "]", duration);
            Check.that(!duration.isNegative() && !duration.isZero(), "keep[" + timeframe + "]", "must be positive",
                    duration);
            copy.put(timeframe, duration);
        });
        keep = Collections.unmodifiableMap(copy);
        Check.that(batchSize >= 1 && batchSize <= PageRequest.MAX_LIMIT, "batchSize", "must be within [1, "
                + PageRequest.MAX_LIMIT + "]", batchSize);
        Check.notNull("progress", progress);
    }

    /** Keep {@code keep}, batches of {@value #DEFAULT_BATCH_SIZE}, no partition drop, no listener. */
    public static RetentionPolicy keep(Map<Timeframe, Duration> keep) {
        return new RetentionPolicy(keep, DEFAULT_BATCH_SIZE, false, p -> { });
    }

    /**
     * {@code 1m=30d,5m=180d,1h=2y}: timeframe codes, each with a number and a unit, {@code h} hours, {@code d} days,
     * {@code w} weeks or {@code y} 365-day years.
     *
     * @throws ValidationException naming the part that is not of that form
     */
    public static RetentionPolicy parse(String spec) {
        Check.notNull("keep", spec);
        Map<Timeframe, Duration> keep = new EnumMap<>(Timeframe.class);
        for (String part : spec.split(",")) {
            String[] kv = part.strip().split("=", -1);
            if (kv.length != 2 || !kv[1].matches("[1-9][0-9]{0,5}[hdwy]")) {
                throw new ValidationException("keep", "must be a list like 1m=30d,5m=180d,1h=2y (units h, d, w, y)",
                        part);
            }
            Timeframe timeframe = Timeframe.fromCode(kv[0]);
            long n = Long.parseLong(kv[1].substring(0, kv[1].length() - 1));
            Duration d = switch (kv[1].charAt(kv[1].length() - 1)) {
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                case 'w' -> Duration.ofDays(7 * n);
                default -> Duration.ofDays(365 * n);
            };
            if (keep.put(timeframe, d) != null) {
                throw new ValidationException("keep", "must name each timeframe once", spec);
            }
        }
        return keep(keep);
    }

    public RetentionPolicy withBatchSize(int batchSize) {
        return new RetentionPolicy(keep, batchSize, dropPartitions, progress);
    }

    public RetentionPolicy withDropPartitions(boolean dropPartitions) {
        return new RetentionPolicy(keep, batchSize, dropPartitions, progress);
    }

    public RetentionPolicy withProgress(Consumer<RetentionProgress> progress) {
        return new RetentionPolicy(keep, batchSize, dropPartitions, progress);
    }
}
