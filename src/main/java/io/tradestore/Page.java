package io.tradestore;

import java.util.List;

/**
 * One page of a keyset-paged list (decision 0012): its items in the list's order and the request for the page
 * after it, or null when this is the last page. Walking from {@link PageRequest#first(int)} along {@code next()}
 * yields every item of the list exactly once, in order, also when several items share a timestamp:
 *
 * <pre>{@code
 * PageRequest request = PageRequest.first(500);
 * do {
 *     Page<ExecutionEvent> page = store.read(uow -> uow.executionLog().between(from, to, request));
 *     page.items().forEach(venue::reconcile);
 *     request = page.next();
 * } while (request != null);
 * }</pre>
 *
 * Each page may be read in its own unit of work: a row committed between two pages appears on a later page if it
 * sorts after the cursor, and never twice.
 */
public record Page<T>(List<T> items, PageRequest next) {
    public Page {
        items = List.copyOf(items);
    }

    public boolean hasNext() {
        return next != null;
    }
}
