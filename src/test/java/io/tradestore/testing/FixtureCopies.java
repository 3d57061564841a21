package io.tradestore.testing;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;

import java.time.Clock;
import java.util.function.UnaryOperator;

/**
 * Independent databases that all start from one fixture, for tests that run a unit on one copy and compute the
 * result they expect on another. Everything engine-specific about the cases that use it is behind this interface:
 * they open stores and read databases only through it, so running them on another engine means adding an
 * implementation (on PostgreSQL: a database created from a template database), not editing the cases. The same
 * test class may still open its own store for other tests.
 */
public interface FixtureCopies extends AutoCloseable {

    /** A new database whose committed state equals the fixture's, opened with {@code clock}. */
    Copy copy(Clock clock);

    /** As {@link #copy(Clock)}, with the store's configuration adjusted by {@code configure} (pools, timeouts). */
    Copy copy(Clock clock, UnaryOperator<TradestoreConfig> configure);

    @Override
    void close();

    /** One copy: its store and what a user could observe of its committed state. */
    interface Copy extends AutoCloseable {
        Tradestore store();

        /** Every row of every table, and the id counters, as committed now (see {@link Snapshot} per engine). */
        Snapshot snapshot();

        /**
         * Puts the id counters back where {@code to} saw them, now, even inside a unit still running on this copy.
         * A no-op on SQLite, whose counters roll back with the unit; on PostgreSQL a failed or rolled-back insert
         * consumes its id for good, so a test comparing ids handed out after a failure with those of a run without
         * it rewinds first (see {@link Snapshot}). Fails if a counter is behind {@code to}.
         */
        void rewindSequences(Snapshot to);

        /** A plain JDBC connection to the copy, outside its store (the caller closes it). */
        java.sql.Connection connect() throws java.sql.SQLException;

        /** Closes the store and drops the copy. */
        @Override
        void close();
    }
}
