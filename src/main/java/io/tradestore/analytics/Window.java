package io.tradestore.analytics;

import io.tradestore.internal.Check;

import java.time.Instant;

/**
 * The one rule for the half-open [from, to) windows of every analytics query: both ends storable, and
 * {@code to} not before {@code from}. A reversed window is almost always swapped arguments; it is refused
 * rather than silently answered with nothing.
 */
final class Window {
    private Window() {
    }

    static void check(Instant from, Instant to) {
        Check.timestamp("from", from);
        Check.timestamp("to", to);
        Check.notBefore("to", to, "from", from);
    }
}
