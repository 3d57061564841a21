package io.tradestore.internal;

import io.tradestore.Page;
import io.tradestore.PageRequest;
import org.jooq.Condition;
import org.jooq.Field;
import org.jooq.impl.DSL;

import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/** Keyset paging over (time, id), shared by every paged DAO list (decision 0012). Not API. */
public final class Keyset {
    private Keyset() {
    }

    /**
     * The rows of the page: {@code time >= from} (null: no lower bound) and strictly after the request's cursor.
     * The cursor's time is folded into the lower bound rather than left to the OR, so the index range starts at
     * the cursor and a late page costs what the first one does.
     */
    public static Condition from(Field<Instant> time, Field<Long> id, Instant from, PageRequest page) {
        Check.notNull("page", page);
        if (page.isFirst()) {
            return from == null ? DSL.noCondition() : time.ge(from);
        }
        Instant after = page.afterTime();
        Instant lower = from == null || after.isAfter(from) ? after : from;
        Condition strictlyAfter = id == null ? time.gt(after) : time.gt(after).or(id.gt(page.afterId()));
        return time.ge(lower).and(strictlyAfter);
    }

    /** Rows to fetch for a page: one more than it holds, to know whether another page follows without reading it. */
    public static int fetchSize(PageRequest page) {
        return page.limit() + 1;
    }

    /** The page made of {@code fetched} (up to {@link #fetchSize} rows in the list's order). */
    public static <T> Page<T> page(List<T> fetched, PageRequest page, Function<T, Instant> time, ToLongFunction<T> id) {
        if (fetched.size() <= page.limit()) {
            return new Page<>(fetched, null);
        }
        List<T> items = fetched.subList(0, page.limit());
        T last = items.get(items.size() - 1);
        return new Page<>(items, PageRequest.after(time.apply(last), id.applyAsLong(last), page.limit()));
    }
}
