package io.tradestore.market;

import io.tradestore.Page;
import io.tradestore.PageRequest;
import io.tradestore.ValidationException;
import io.tradestore.internal.Check;
import io.tradestore.internal.DecimalBinding;
import io.tradestore.internal.EpochMicros;
import io.tradestore.internal.Keyset;
import io.tradestore.internal.RenderedStatement;
import io.tradestore.internal.SqlErrors;
import io.tradestore.internal.Tx;
import io.tradestore.internal.db.tables.records.CandlestickMetadataRecord;
import io.tradestore.internal.db.tables.records.CandlesticksRecord;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.InsertValuesStep8;
import org.jooq.Param;
import org.jooq.ResultQuery;
import org.jooq.SQLDialect;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.tradestore.internal.db.Tables.CANDLESTICKS;
import static io.tradestore.internal.db.Tables.CANDLESTICK_METADATA;
import static org.jooq.impl.DSL.excluded;
import static org.jooq.impl.DSL.greatest;
import static org.jooq.impl.DSL.least;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.min;
import static org.jooq.impl.DSL.val;

/**
 * market.candlesticks and candlestick_metadata. Obtain from {@link io.tradestore.UnitOfWork#candlesticks()}.
 *
 * <p>Only this DAO writes candlestick_metadata, always in the same statement sequence and unit of work as the
 * candles it describes, so a committed series and its metadata never disagree.
 */
public final class CandlestickDao {
    /** Upper bound of {@link #latest}: enough for any indicator window, small enough to stay a bounded read. */
    public static final int MAX_LATEST = 100_000;
    /** The columns {@link #candles} maps, in its order. */
    private static final List<Field<?>> CANDLE_VALUES = List.of(CANDLESTICKS.OPEN_TIME, CANDLESTICKS.OPEN,
            CANDLESTICKS.HIGH, CANDLESTICKS.LOW, CANDLESTICKS.CLOSE, CANDLESTICKS.VOLUME);
    /**
     * Candles per INSERT statement. 8 parameters each makes 4,000 per statement: well below SQLite's 32,766 and
     * PostgreSQL's 65,535, while already amortising the per-statement cost (parse, plan, round trip): on a
     * 30,240-row sample file (SQLite, one unit) one row per statement took 1.5 s, 500 rows ~0.2 s, and 1,000 to
     * 4,000 rows were within noise of 500. The values stay bind parameters because the store lifts jOOQ's SQLite
     * inline threshold (999, SQLite's limit before 3.32) to 32,766; below it, jOOQ rendered every value into the SQL
     * text, 56 KB per chunk to render and compile (issue 13).
     */
    static final int CHUNK_SIZE = 500;

    private final Tx tx;

    public CandlestickDao(Tx tx) {
        this.tx = tx;
    }

    /**
     * Inserts each candle or, if its (symbol, timeframe, open_time) is already stored, replaces its values (the
     * batch wins), then brings candlestick_metadata in step for every series the batch touched. Returns the
     * number of candles written, inserted or replaced: {@code candles.size()}.
     *
     * <p>The whole batch is validated, and the store's clock read, before any SQL (no nulls; no key twice, since
     * which copy wins would depend on chunking, and PostgreSQL refuses an ON CONFLICT DO UPDATE that touches a row
     * twice), so a bad batch writes nothing even if the caller catches the exception and commits the unit.
     *
     * <p>Why multi-row {@code INSERT ... ON CONFLICT DO UPDATE} in chunks: one statement per
     * {@value #CHUNK_SIZE} candles instead of one per candle (see {@link #CHUNK_SIZE} for measurements), the
     * same typed jOOQ statement, converters included, runs on SQLite and PostgreSQL, and no select-then-insert-
     * or-update doubles the round trips. A JDBC batch of one prepared statement was not measured; it would need
     * untyped bind values in place of the typed DSL.
     *
     * <p>Why each chunk is first written with {@code ON CONFLICT DO NOTHING}: its row count is exactly the number of
     * candles the series did not have, so candlestick_metadata grows by that count and widens to the batch's first
     * and last open times in one upsert of its row, with no read of the series. Only a chunk with stored keys is then
     * written again as {@code ON CONFLICT DO UPDATE} (its new rows get the same values twice); fresh candles, the
     * live-feed case, cost one statement as before. Recounting the series with COUNT(*) after every batch, as
     * release 1 to 8 did, cost time linear in the series (about 0.1 s for 600,000 candles on SQLite, paid again by
     * every single-candle write), and on PostgreSQL its scan predicate-locked whole pages and, past 32 pages, the
     * whole index and table, so concurrent writers of other symbols aborted (docs/postgresql.md ("Serialization failures under load")). Counting
     * the batch's stored keys beforehand with a query did the same on a smaller scale: the heap pages it locked are
     * shared with other symbols' new rows. The price of incremental metadata: it is as right as it was before the
     * write. Only this DAO writes candles and metadata, in one unit, so that holds; candles written past the DAO
     * (raw SQL) are no longer corrected by the next upsert.
     *
     * @throws ValidationException if the list or an element is null, two candles share a key, or the store's clock
     *                             is outside 1970-9999
     */
    public int upsert(List<Candle> candles) {
        validate(candles);
        DSLContext db = tx.dslForWrite("candlesticks().upsert");
        // Read before the first chunk: the clock can fail (outside 1970-9999), and failing after the candles were
        // written would leave them, without their metadata, in a unit whose caller catches the exception and commits.
        Instant now = tx.now();
        Map<SeriesKey, Growth> growth = new LinkedHashMap<>();
        int written = 0;
        for (int from = 0; from < candles.size(); from += CHUNK_SIZE) {
            List<Candle> chunk = candles.subList(from, Math.min(candles.size(), from + CHUNK_SIZE));
            Map<SeriesKey, List<Candle>> bySeries = new LinkedHashMap<>();
            for (Candle c : chunk) {
                bySeries.computeIfAbsent(new SeriesKey(c.symbol(), c.timeframe()), k -> new ArrayList<>()).add(c);
            }
            // Each key is in the batch once, so a row DO NOTHING inserted is a candle the series did not have.
            boolean allNew = true;
            for (Map.Entry<SeriesKey, List<Candle>> part : bySeries.entrySet()) {
                int inserted = insertNew(db, part.getValue());
                growth.computeIfAbsent(part.getKey(), k -> new Growth()).add(part.getValue(), inserted);
                allNew &= inserted == part.getValue().size();
            }
            // Some keys were stored: write the batch's values over them (the new rows get their own values again).
            if (!allNew) {
                replace(db, chunk);
            }
            written += chunk.size();
        }
        growth.forEach((series, g) -> growMetadata(db, series, g, now));
        return written;
    }

    /**
     * One page of the candles of one series with {@code from <= open_time < to}, oldest first. A series has one
     * candle per open time, so the cursor is the open time alone (its id is 0). Decision 0012.
     */
    public Page<Candle> range(String symbol, Timeframe timeframe, Instant from, Instant to, PageRequest page) {
        Check.symbol("symbol", symbol);
        Check.notNull("timeframe", timeframe);
        Check.window(from, to);
        Check.notNull("page", page);
        DSLContext db = tx.dsl();
        List<Candle> rows = candles(db, symbol, timeframe, db.select(CANDLE_VALUES).from(CANDLESTICKS)
                .where(CANDLESTICKS.SYMBOL.eq(symbol), CANDLESTICKS.TIMEFRAME.eq(timeframe),
                        Keyset.from(CANDLESTICKS.OPEN_TIME, null, from, page), CANDLESTICKS.OPEN_TIME.lt(to))
                .orderBy(CANDLESTICKS.OPEN_TIME)
                .limit(Keyset.fetchSize(page)));
        return Keyset.page(rows, page, Candle::openTime, c -> 0L);
    }

    /**
     * The {@code n} most recent candles of one series (fewer if it has fewer), oldest first: the order
     * indicator code consumes them in, though the database finds them newest first.
     */
    public List<Candle> latest(String symbol, Timeframe timeframe, int n) {
        Check.symbol("symbol", symbol);
        Check.notNull("timeframe", timeframe);
        Check.that(n >= 1 && n <= MAX_LATEST, "n", "must be within [1, " + MAX_LATEST + "]", n);
        DSLContext db = tx.dsl();
        List<Candle> newestFirst = candles(db, symbol, timeframe, db.select(CANDLE_VALUES).from(CANDLESTICKS)
                .where(CANDLESTICKS.SYMBOL.eq(symbol), CANDLESTICKS.TIMEFRAME.eq(timeframe))
                .orderBy(CANDLESTICKS.OPEN_TIME.desc())
                .limit(n));
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    /** The number of candles of one series with {@code from <= open_time < to}: an index range count. */
    public long count(String symbol, Timeframe timeframe, Instant from, Instant to) {
        Check.symbol("symbol", symbol);
        Check.notNull("timeframe", timeframe);
        Check.window(from, to);
        return tx.dsl().fetchCount(CANDLESTICKS, CANDLESTICKS.SYMBOL.eq(symbol), CANDLESTICKS.TIMEFRAME.eq(timeframe),
                CANDLESTICKS.OPEN_TIME.ge(from), CANDLESTICKS.OPEN_TIME.lt(to));
    }

    /**
     * Deletes the candles of one series with {@code from <= open_time < to} and returns how many there were; in the
     * same unit candlestick_metadata loses them: its count drops by that number and its first and last open times
     * become those of the candles left (two index seeks, not a count of the series), or its row goes when none is
     * left. For retention, which archives candles before it deletes them (docs/operations.md, "retention").
     *
     * @throws ValidationException if an argument is null or the window is not within 1970-9999 with from <= to
     */
    public int delete(String symbol, Timeframe timeframe, Instant from, Instant to) {
        Check.symbol("symbol", symbol);
        Check.notNull("timeframe", timeframe);
        Check.window(from, to);
        DSLContext db = tx.dslForWrite("candlesticks().delete");
        Instant now = tx.now();
        var series = CANDLESTICKS.SYMBOL.eq(symbol).and(CANDLESTICKS.TIMEFRAME.eq(timeframe));
        int deleted = db.deleteFrom(CANDLESTICKS)
                .where(series, CANDLESTICKS.OPEN_TIME.ge(from), CANDLESTICKS.OPEN_TIME.lt(to))
                .execute();
        if (deleted == 0) {
            return 0;
        }
        var metadata = CANDLESTICK_METADATA.SYMBOL.eq(symbol).and(CANDLESTICK_METADATA.TIMEFRAME.eq(timeframe));
        if (!db.fetchExists(CANDLESTICKS, series)) {
            db.deleteFrom(CANDLESTICK_METADATA).where(metadata).execute();
            return deleted;
        }
        // Relative count, as upsert grows it: a unit adding candles to the series meanwhile keeps its own +n.
        db.update(CANDLESTICK_METADATA)
                .set(CANDLESTICK_METADATA.CANDLE_COUNT, CANDLESTICK_METADATA.CANDLE_COUNT.minus((long) deleted))
                .set(CANDLESTICK_METADATA.FIRST_OPEN_TIME, db.select(min(CANDLESTICKS.OPEN_TIME)).from(CANDLESTICKS)
                        .where(series))
                .set(CANDLESTICK_METADATA.LAST_OPEN_TIME, db.select(max(CANDLESTICKS.OPEN_TIME)).from(CANDLESTICKS)
                        .where(series))
                .set(CANDLESTICK_METADATA.UPDATED_AT, now)
                .where(metadata)
                .execute();
        return deleted;
    }

    /** What is stored of one series; empty if it has no candles. */
    public Optional<SeriesInfo> series(String symbol, Timeframe timeframe) {
        Check.symbol("symbol", symbol);
        Check.notNull("timeframe", timeframe);
        return tx.dsl().selectFrom(CANDLESTICK_METADATA)
                .where(CANDLESTICK_METADATA.SYMBOL.eq(symbol), CANDLESTICK_METADATA.TIMEFRAME.eq(timeframe))
                .fetchOptional(CandlestickDao::map);
    }

    /**
     * Every series that has candles, by symbol and then by timeframe duration (1m before 1h before 1d). Sorted
     * here because the stored codes sort as text ("15m" &lt; "1d" &lt; "1h" &lt; "1m"), and there is one row per
     * series, not per candle.
     */
    public List<SeriesInfo> series() {
        List<SeriesInfo> all = new ArrayList<>(tx.dsl().selectFrom(CANDLESTICK_METADATA)
                .fetch(CandlestickDao::map));
        all.sort(Comparator.comparing(SeriesInfo::symbol)
                .thenComparing(s -> s.timeframe().duration()));
        return all;
    }

    static void validate(List<Candle> candles) {
        Check.notNull("candles", candles);
        Map<CandleKey, Integer> firstIndex = new HashMap<>();
        int i = 0;
        for (Candle c : candles) {
            if (c == null) {
                throw new ValidationException("candles[" + i + "]", "must not be null", null);
            }
            CandleKey key = new CandleKey(c.symbol(), c.timeframe(), c.openTime());
            Integer earlier = firstIndex.putIfAbsent(key, i);
            if (earlier != null) {
                throw new ValidationException("candles[" + i + "]", "must not repeat the key (symbol, timeframe,"
                        + " open_time) of candles[" + earlier + "]: a batch writes each candle once", key);
            }
            i++;
        }
    }

    /** Inserts the candles whose key is not stored and returns how many that was; stored keys are left as they are. */
    private static int insertNew(DSLContext db, List<Candle> candles) {
        Param<?>[] binds = binds(candles);
        // Rendered once per row count (a live feed writes one candle a unit: issue 13, case g).
        return INSERT_NEW.execute(db, "rows:" + candles.size(), () -> insertOf(db, binds)
                .onConflict(CANDLESTICKS.SYMBOL, CANDLESTICKS.TIMEFRAME, CANDLESTICKS.OPEN_TIME)
                .doNothing(), binds);
    }

    private static final RenderedStatement INSERT_NEW = new RenderedStatement();
    private static final RenderedStatement GROW_METADATA = new RenderedStatement();

    /** Eight bind parameters per candle, in column order, each bound through its column's binding. */
    private static Param<?>[] binds(List<Candle> candles) {
        Param<?>[] binds = new Param<?>[candles.size() * 8];
        int i = 0;
        for (Candle c : candles) {
            binds[i++] = val(c.symbol(), CANDLESTICKS.SYMBOL);
            binds[i++] = val(c.timeframe(), CANDLESTICKS.TIMEFRAME);
            binds[i++] = val(c.openTime(), CANDLESTICKS.OPEN_TIME);
            binds[i++] = val(c.open(), CANDLESTICKS.OPEN);
            binds[i++] = val(c.high(), CANDLESTICKS.HIGH);
            binds[i++] = val(c.low(), CANDLESTICKS.LOW);
            binds[i++] = val(c.close(), CANDLESTICKS.CLOSE);
            binds[i++] = val(c.volume(), CANDLESTICKS.VOLUME);
        }
        return binds;
    }

    /** The multi-row INSERT of the candles whose {@link #binds} these are. */
    @SuppressWarnings("unchecked")
    private static InsertValuesStep8<CandlesticksRecord, String, Timeframe, Instant, BigDecimal, BigDecimal,
            BigDecimal, BigDecimal, BigDecimal> insertOf(DSLContext db, Param<?>[] binds) {
        var insert = db.insertInto(CANDLESTICKS, CANDLESTICKS.SYMBOL, CANDLESTICKS.TIMEFRAME, CANDLESTICKS.OPEN_TIME,
                CANDLESTICKS.OPEN, CANDLESTICKS.HIGH, CANDLESTICKS.LOW, CANDLESTICKS.CLOSE, CANDLESTICKS.VOLUME);
        for (int i = 0; i < binds.length; i += 8) {
            insert = insert.values((Field<String>) binds[i], (Field<Timeframe>) binds[i + 1],
                    (Field<Instant>) binds[i + 2], (Field<BigDecimal>) binds[i + 3], (Field<BigDecimal>) binds[i + 4],
                    (Field<BigDecimal>) binds[i + 5], (Field<BigDecimal>) binds[i + 6], (Field<BigDecimal>) binds[i + 7]);
        }
        return insert;
    }

    /** Inserts each candle or replaces the values stored under its key. */
    private static void replace(DSLContext db, List<Candle> candles) {
        insert(db, candles).onConflict(CANDLESTICKS.SYMBOL, CANDLESTICKS.TIMEFRAME, CANDLESTICKS.OPEN_TIME)
                .doUpdate()
                .set(CANDLESTICKS.OPEN, excluded(CANDLESTICKS.OPEN))
                .set(CANDLESTICKS.HIGH, excluded(CANDLESTICKS.HIGH))
                .set(CANDLESTICKS.LOW, excluded(CANDLESTICKS.LOW))
                .set(CANDLESTICKS.CLOSE, excluded(CANDLESTICKS.CLOSE))
                .set(CANDLESTICKS.VOLUME, excluded(CANDLESTICKS.VOLUME))
                .execute();
    }

    private static InsertValuesStep8<CandlesticksRecord, String, Timeframe, Instant, BigDecimal, BigDecimal,
            BigDecimal, BigDecimal, BigDecimal> insert(DSLContext db, List<Candle> candles) {
        return insertOf(db, binds(candles));
    }

    /**
     * One statement: the series' metadata row gains the new candles and widens to the batch's first and last open
     * times; a series' first batch inserts it. A batch of stored keys only adds nothing: an UPDATE, because the
     * databases check the row an upsert proposes (candle_count 0 breaks its CHECK) before they find the conflict.
     */
    private static void growMetadata(DSLContext db, SeriesKey series, Growth g, Instant now) {
        if (g.added == 0) {
            db.update(CANDLESTICK_METADATA)
                    .set(CANDLESTICK_METADATA.FIRST_OPEN_TIME, least(CANDLESTICK_METADATA.FIRST_OPEN_TIME,
                            val(g.first, CANDLESTICK_METADATA.FIRST_OPEN_TIME)))
                    .set(CANDLESTICK_METADATA.LAST_OPEN_TIME, greatest(CANDLESTICK_METADATA.LAST_OPEN_TIME,
                            val(g.last, CANDLESTICK_METADATA.LAST_OPEN_TIME)))
                    .set(CANDLESTICK_METADATA.UPDATED_AT, now)
                    .where(CANDLESTICK_METADATA.SYMBOL.eq(series.symbol()),
                            CANDLESTICK_METADATA.TIMEFRAME.eq(series.timeframe()))
                    .execute();
            return;
        }
        var symbol = val(series.symbol(), CANDLESTICK_METADATA.SYMBOL);
        var timeframe = val(series.timeframe(), CANDLESTICK_METADATA.TIMEFRAME);
        var first = val(g.first, CANDLESTICK_METADATA.FIRST_OPEN_TIME);
        var last = val(g.last, CANDLESTICK_METADATA.LAST_OPEN_TIME);
        var added = val(g.added, CANDLESTICK_METADATA.CANDLE_COUNT);
        var updated = val(now, CANDLESTICK_METADATA.UPDATED_AT);
        GROW_METADATA.execute(db, "grow", () -> db.insertInto(CANDLESTICK_METADATA, CANDLESTICK_METADATA.SYMBOL,
                        CANDLESTICK_METADATA.TIMEFRAME, CANDLESTICK_METADATA.FIRST_OPEN_TIME,
                        CANDLESTICK_METADATA.LAST_OPEN_TIME, CANDLESTICK_METADATA.CANDLE_COUNT,
                        CANDLESTICK_METADATA.UPDATED_AT)
                .values(symbol, timeframe, first, last, added, updated)
                .onConflict(CANDLESTICK_METADATA.SYMBOL, CANDLESTICK_METADATA.TIMEFRAME)
                .doUpdate()
                .set(CANDLESTICK_METADATA.FIRST_OPEN_TIME, least(CANDLESTICK_METADATA.FIRST_OPEN_TIME,
                        excluded(CANDLESTICK_METADATA.FIRST_OPEN_TIME)))
                .set(CANDLESTICK_METADATA.LAST_OPEN_TIME, greatest(CANDLESTICK_METADATA.LAST_OPEN_TIME,
                        excluded(CANDLESTICK_METADATA.LAST_OPEN_TIME)))
                .set(CANDLESTICK_METADATA.CANDLE_COUNT, CANDLESTICK_METADATA.CANDLE_COUNT
                        .plus(excluded(CANDLESTICK_METADATA.CANDLE_COUNT)))
                .set(CANDLESTICK_METADATA.UPDATED_AT, excluded(CANDLESTICK_METADATA.UPDATED_AT)),
                symbol, timeframe, first, last, added, updated);
    }

    /** What one batch adds to one series: the candles not stored before, and its first and last open times. */
    private static final class Growth {
        long added;
        Instant first;
        Instant last;

        void add(List<Candle> part, int inserted) {
            added += inserted;
            for (Candle c : part) {
                if (first == null || c.openTime().isBefore(first)) {
                    first = c.openTime();
                }
                if (last == null || c.openTime().isAfter(last)) {
                    last = c.openTime();
                }
            }
        }
    }

    /**
     * Maps the JDBC rows of a candle query straight to candles, without a jOOQ record per row: the series' reads
     * return thousands of rows, and building and converting records cost most of a 1,000-candle range read
     * (docs/benchmarks/decimal-storage.md). The query is still jOOQ's, so its SQL, bind values and error
     * translation are those of every other read; only the row mapping is by hand. Symbol and timeframe are the
     * query's own (its WHERE compares them with {@code =}), so they are not read back per row.
     */
    private static List<Candle> candles(DSLContext db, String symbol, Timeframe timeframe, ResultQuery<?> query) {
        SQLDialect dialect = db.dialect();
        List<Candle> out = new ArrayList<>();
        try (ResultSet rs = query.fetchResultSet()) {
            while (rs.next()) {
                out.add(new Candle(symbol, timeframe, EpochMicros.fromMicros(rs.getLong(1)),
                        DecimalBinding.read(rs, 2, dialect), DecimalBinding.read(rs, 3, dialect),
                        DecimalBinding.read(rs, 4, dialect), DecimalBinding.read(rs, 5, dialect),
                        DecimalBinding.read(rs, 6, dialect)));
            }
        } catch (SQLException e) {
            throw SqlErrors.translate(e);
        }
        return out;
    }

    private static SeriesInfo map(CandlestickMetadataRecord r) {
        return new SeriesInfo(r.getSymbol(), r.getTimeframe(), r.getFirstOpenTime(), r.getLastOpenTime(),
                r.getCandleCount(), r.getUpdatedAt());
    }

    private record SeriesKey(String symbol, Timeframe timeframe) {
    }

    private record CandleKey(String symbol, Timeframe timeframe, Instant openTime) {
        @Override
        public String toString() {
            return symbol + " " + timeframe + " " + openTime;
        }
    }
}
