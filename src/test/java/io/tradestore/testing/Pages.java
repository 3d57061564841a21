package io.tradestore.testing;

import io.tradestore.Page;
import io.tradestore.PageRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The whole of a keyset-paged list (decision 0012), for tests that need all of it. Called inside the caller's unit
 * of work, so every page reads the same snapshot; the DAOs themselves have no unbounded lists any more.
 */
public final class Pages {
    /** Large enough that most tests read one page, small enough that a test with more rows walks several. */
    static final int LIMIT = 1000;

    private Pages() {
    }

    /** Every item of the list, in its order: the pages from the first along {@link Page#next()}. */
    public static <T> List<T> all(Function<PageRequest, Page<T>> paged) {
        List<T> out = new ArrayList<>();
        PageRequest request = PageRequest.first(LIMIT);
        while (request != null) {
            Page<T> page = paged.apply(request);
            out.addAll(page.items());
            request = page.next();
        }
        return out;
    }
}
