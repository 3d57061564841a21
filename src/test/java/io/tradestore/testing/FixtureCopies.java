package io.tradestore.testing;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;

import java.time.Clock;
import java.util.function.UnaryOperator;

/**
 * Independent databases that all start from one fixture, for tests that run a unit on one copy and compute the
 * result they expect on another. Everything engine-specific about such a test is behind this interface: the test
 * never opens a store or reads a database itself, so running its cases on another engine means adding an
 * implementation (on PostgreSQL: a database created from a template database), not editing the cases.
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

        /** Every row of every table, and the id counters, as committed now. */
        Snapshot snapshot();

        /** Closes the store and drops the copy. */
        @Override
        void close();
    }
}
