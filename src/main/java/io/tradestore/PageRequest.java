package io.tradestore;

import io.tradestore.internal.Check;

import java.time.Instant;

/**
 * Which page of a list that grows with history to read: at most {@code limit} items, starting strictly after the
 * item at ({@code afterTime}, {@code afterId}) in the list's order, or at the start of the list when
 * {@code afterTime} is null. A keyset, not an offset (decision 0012): reading page 1,000 costs what page 1 costs,
 * and rows written between two pages shift nothing. Take the first page with {@link #first(int)} and the following
 * ones from {@link Page#next()}; a cursor kept elsewhere resumes with {@link #after(Instant, long, int)}.
 *
 * @param afterTime the time of the last item already read (the list's own timestamp: exit time, logged_at, ...),
 *                  or null for the first page
 * @param afterId   the id of that item, which orders items with equal times; lists whose time is unique per key
 *                  (candles of one series) ignore it
 * @param limit     the largest number of items on the page, within [1, {@value #MAX_LIMIT}]
 */
public record PageRequest(Instant afterTime, long afterId, int limit) {
    /** The largest page: big enough to be efficient, small enough to bound what one call holds in memory. */
    public static final int MAX_LIMIT = 10_000;

    public PageRequest {
        Check.that(limit >= 1 && limit <= MAX_LIMIT, "page.limit", "must be within [1, " + MAX_LIMIT + "]", limit);
        if (afterTime != null) {
            Check.timestamp("page.afterTime", afterTime);
        }
        Check.nonNegative("page.afterId", afterId);
    }

    /** The first page of a list, at most {@code limit} items. */
    public static PageRequest first(int limit) {
        return new PageRequest(null, 0, limit);
    }

    /** The page after the item at ({@code time}, {@code id}): how a cursor kept outside the store resumes. */
    public static PageRequest after(Instant time, long id, int limit) {
        Check.notNull("page.afterTime", time);
        return new PageRequest(time, id, limit);
    }

    public boolean isFirst() {
        return afterTime == null;
    }
}
