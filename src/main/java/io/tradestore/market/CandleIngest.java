package io.tradestore.market;

import io.tradestore.Tradestore;
import io.tradestore.ValidationException;
import io.tradestore.internal.Check;

import java.util.List;

/**
 * A large candle batch written in slices, each its own unit of work, so that other writers get their turn between
 * slices (issue 13, docs/performance.md "Contention"). SQLite has one writer for all three schemas: an order placement
 * that arrives while a 10,000-candle unit runs waits for all of it, which put the placement's p99 at 30× its p99
 * alone; the engine's fair lock hands the writer to the waiting unit as soon as a slice commits, so a slice of
 * {@value #DEFAULT_SLICE} bounds that wait to a few milliseconds.
 *
 * <p>The price is atomicity: a failure stops the ingest with the slices before it committed. The whole list is
 * validated before the first slice (nulls, a key twice), and an upsert writes the same result again, so an ingest
 * that failed is completed by running it again. Call it outside a unit of work: inside one, the slices would be
 * nested units of that unit and hold the writer as long as it. A batch that must be all or nothing is
 * {@code uow.candlesticks().upsert(list)} in one unit.
 */
public final class CandleIngest {
    /** Candles per unit: about 3 ms of writer time each on the 2-core benchmark machine. */
    public static final int DEFAULT_SLICE = 500;

    private CandleIngest() {
    }

    /** {@link #upsert(Tradestore, List, int)} in slices of {@value #DEFAULT_SLICE}. */
    public static int upsert(Tradestore store, List<Candle> candles) {
        return upsert(store, candles, DEFAULT_SLICE);
    }

    /**
     * Upserts {@code candles} in units of {@code slice} candles each, in list order, and returns how many were
     * written; each unit also keeps the series metadata, as {@link CandlestickDao#upsert} does.
     *
     * @throws ValidationException if the store, the list or an element is null, two candles share a key, or slice
     *                             is not within [1, 100000]: before anything is written
     */
    public static int upsert(Tradestore store, List<Candle> candles, int slice) {
        Check.notNull("store", store);
        Check.that(slice >= 1 && slice <= 100_000, "slice", "must be within [1, 100000]", slice);
        CandlestickDao.validate(candles);
        int written = 0;
        for (int from = 0; from < candles.size(); from += slice) {
            List<Candle> part = candles.subList(from, Math.min(candles.size(), from + slice));
            written += store.inTransaction(uow -> uow.candlesticks().upsert(part));
        }
        return written;
    }
}
