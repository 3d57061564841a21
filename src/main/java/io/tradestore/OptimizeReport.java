package io.tradestore;

import java.util.List;

/**
 * What {@link Tradestore#optimize} did and what it changed.
 *
 * @param steps  each statement run (or skipped, and why), in order, with its result
 * @param before sizes before the first step
 * @param after  sizes after the last
 * @param millis wall time
 */
public record OptimizeReport(List<String> steps, Sizes before, Sizes after, long millis) {
    public OptimizeReport {
        steps = List.copyOf(steps);
    }

    /**
     * @param databaseBytes SQLite: the database file; PostgreSQL: {@code pg_database_size}
     * @param walBytes      SQLite: the -wal file (0 when absent); PostgreSQL: 0
     * @param freePages     SQLite: {@code PRAGMA freelist_count}; PostgreSQL: 0
     * @param deadTuples    PostgreSQL: dead tuples in tradestore's tables ({@code pg_stat_user_tables}); SQLite: 0
     */
    public record Sizes(long databaseBytes, long walBytes, long freePages, long deadTuples) {
    }
}
