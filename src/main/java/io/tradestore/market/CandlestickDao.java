package io.tradestore.market;

import io.tradestore.Page;
import io.tradestore.PageRequest;
import io.tradestore.ValidationException;
import io.tradestore.internal.Check;
import io.tradestore.internal.DecimalBinding;
import io.tradestore.internal.EpochMicros;
import io.tradestore.internal.Keyset;
import io.tradestore.internal.SqlErrors;
import io.tradestore.internal.Tx;
import io.tradestore.internal.db.tables.records.CandlestickMetadataRecord;
import io.tradestore.internal.db.tables.records.CandlesticksRecord;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.InsertValuesStep8;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.tradestore.internal.db.Tables.CANDLESTICKS;
import static io.tradestore.internal.db.Tables.CANDLESTICK_METADATA;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.excluded;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.min;
import static org.jooq.impl.DSL.select;
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
     * 4,000 rows were within noise of 500.
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
     * <p>Why metadata is recomputed rather than incremented: an upsert does not report which rows were new, and
     * {@code COUNT(*)} over the primary key counts distinct keys by construction, so replacing a stored candle
     * cannot inflate the count and a series written by other means (a migration, a manual fix) is corrected on
     * the next write. The cost is one aggregate per touched series that reads that series' primary-key range
     * (a contiguous b-tree scan; MIN and MAX come from the same pass), linear in the series' length: about
     * 0.1 s for a series of 600,000 1m candles (14 months) on SQLite. That is cheap next to ingesting a file, but
     * it is paid again by every single-candle write to a long series; if live feeds write candle by candle, an
     * incremental count (look up which of the batch's keys already exist, add the rest) is the next step.
     *
     * @throws ValidationException if the list or an element is null, two candles share a key, or the store's clock
     *                             is outside 1970-9999
     */
    public int upsert(List<Candle> candles) {
        Set<SeriesKey> touched = validate(candles);
        DSLContext db = tx.dslForWrite("candlesticks().upsert");
        // Read before the first chunk: the clock can fail (outside 1970-9999), and failing after the candles were
        // written would leave them, without their metadata, in a unit whose caller catches the exception and commits.
        Instant now = tx.now();
        int written = 0;
        for (int from = 0; from < candles.size(); from += CHUNK_SIZE) {
            written += upsertChunk(db, candles.subList(from, Math.min(candles.size(), from + CHUNK_SIZE)));
        }
        for (SeriesKey series : touched) {
            refreshMetadata(db, series, now);
        }
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

    private static Set<SeriesKey> validate(List<Candle> candles) {
        Check.notNull("candles", candles);
        Map<CandleKey, Integer> firstIndex = new HashMap<>();
        Set<SeriesKey> touched = new LinkedHashSet<>();
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
            touched.add(new SeriesKey(c.symbol(), c.timeframe()));
            i++;
        }
        return touched;
    }

    private static int upsertChunk(DSLContext db, List<Candle> chunk) {
        InsertValuesStep8<CandlesticksRecord, String, Timeframe, Instant, BigDecimal, BigDecimal, BigDecimal,
                BigDecimal, BigDecimal> insert = db.insertInto(CANDLESTICKS, CANDLESTICKS.SYMBOL,
                CANDLESTICKS.TIMEFRAME, CANDLESTICKS.OPEN_TIME, CANDLESTICKS.OPEN, CANDLESTICKS.HIGH,
                CANDLESTICKS.LOW, CANDLESTICKS.CLOSE, CANDLESTICKS.VOLUME);
        for (Candle c : chunk) {
            insert = insert.values(c.symbol(), c.timeframe(), c.openTime(), c.open(), c.high(), c.low(), c.close(),
                    c.volume());
        }
        return insert.onConflict(CANDLESTICKS.SYMBOL, CANDLESTICKS.TIMEFRAME, CANDLESTICKS.OPEN_TIME)
                .doUpdate()
                .set(CANDLESTICKS.OPEN, excluded(CANDLESTICKS.OPEN))
                .set(CANDLESTICKS.HIGH, excluded(CANDLESTICKS.HIGH))
                .set(CANDLESTICKS.LOW, excluded(CANDLESTICKS.LOW))
                .set(CANDLESTICKS.CLOSE, excluded(CANDLESTICKS.CLOSE))
                .set(CANDLESTICKS.VOLUME, excluded(CANDLESTICKS.VOLUME))
                .execute();
    }

    /** One statement: aggregate the series over its primary key and upsert the result as its metadata row. */
    private static void refreshMetadata(DSLContext db, SeriesKey series, Instant now) {
        db.insertInto(CANDLESTICK_METADATA, CANDLESTICK_METADATA.SYMBOL, CANDLESTICK_METADATA.TIMEFRAME,
                        CANDLESTICK_METADATA.FIRST_OPEN_TIME, CANDLESTICK_METADATA.LAST_OPEN_TIME,
                        CANDLESTICK_METADATA.CANDLE_COUNT, CANDLESTICK_METADATA.UPDATED_AT)
                .select(select(CANDLESTICKS.SYMBOL, CANDLESTICKS.TIMEFRAME, min(CANDLESTICKS.OPEN_TIME),
                        max(CANDLESTICKS.OPEN_TIME), count().coerce(Long.class),
                        val(now, CANDLESTICK_METADATA.UPDATED_AT))
                        .from(CANDLESTICKS)
                        .where(CANDLESTICKS.SYMBOL.eq(series.symbol()), CANDLESTICKS.TIMEFRAME.eq(series.timeframe()))
                        // GROUP BY: an empty series yields no row instead of a row of NULLs.
                        .groupBy(CANDLESTICKS.SYMBOL, CANDLESTICKS.TIMEFRAME))
                .onConflict(CANDLESTICK_METADATA.SYMBOL, CANDLESTICK_METADATA.TIMEFRAME)
                .doUpdate()
                .set(CANDLESTICK_METADATA.FIRST_OPEN_TIME, excluded(CANDLESTICK_METADATA.FIRST_OPEN_TIME))
                .set(CANDLESTICK_METADATA.LAST_OPEN_TIME, excluded(CANDLESTICK_METADATA.LAST_OPEN_TIME))
                .set(CANDLESTICK_METADATA.CANDLE_COUNT, excluded(CANDLESTICK_METADATA.CANDLE_COUNT))
                .set(CANDLESTICK_METADATA.UPDATED_AT, excluded(CANDLESTICK_METADATA.UPDATED_AT))
                .execute();
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
