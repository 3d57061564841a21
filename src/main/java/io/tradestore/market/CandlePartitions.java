package io.tradestore.market;

import io.tradestore.internal.Check;
import io.tradestore.internal.EpochMicros;
import io.tradestore.internal.Tx;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tradestore.internal.db.Tables.CANDLESTICKS;
import static io.tradestore.internal.db.Tables.CANDLESTICK_METADATA;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.min;

/**
 * The monthly partitions of market.candlesticks on PostgreSQL (release 9, docs/decisions/0016-partitioned-candles.md):
 * list them, add the months about to be written, and drop old months whole. Obtain from
 * {@link io.tradestore.UnitOfWork#candlePartitions()} in a write unit; everything a call does commits or rolls back
 * with the unit.
 *
 * <p>These are schema changes (CREATE, DROP): on PostgreSQL run them with a store opened as the role that owns the
 * schema, not the application role, which may not change tables. DROP and ATTACH take an exclusive lock on
 * market.candlesticks for the rest of the unit, so every other unit touching candles waits for it: keep such units
 * short and run them off-peak (a monthly job: {@code ensureMonths} for the coming months, {@code dropBefore} for the
 * retention horizon).
 *
 * <p>SQLite has no partitions: {@link #list} and {@link #ensureMonths} throw {@link UnsupportedOperationException};
 * {@link #dropBefore} deletes the same candles row by row, so retention code runs unchanged on both engines.
 */
public final class CandlePartitions {
    private static final Logger log = LoggerFactory.getLogger(CandlePartitions.class);
    /** pg_get_expr of a range partition's bound, e.g. {@code FOR VALUES FROM ('1672531200000000') TO ('...')}. */
    private static final Pattern RANGE = Pattern.compile("FOR VALUES FROM \\('?(\\d+)'?\\) TO \\('?(\\d+)'?\\)");
    private static final String PARENT = "market.candlesticks";
    private static final String DEFAULT_PARTITION = "candlesticks_default";

    private final Tx tx;

    public CandlePartitions(Tx tx) {
        this.tx = tx;
    }

    /** Every partition, months oldest first, then the default partition. PostgreSQL only. */
    public List<CandlePartition> list() {
        DSLContext db = postgresOnly("list");
        List<CandlePartition> out = new ArrayList<>();
        for (Record r : db.resultQuery("SELECT c.relname, pg_get_expr(c.relpartbound, c.oid),"
                + " CAST(greatest(c.reltuples, 0) AS BIGINT) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                + " WHERE i.inhparent = CAST({0} AS regclass)", PARENT).fetch()) {
            String name = r.get(0, String.class);
            long rows = r.get(2, Long.class); // reltuples is -1 until analysed: 0 here
            Matcher m = RANGE.matcher(r.get(1, String.class));
            out.add(m.matches()
                    ? new CandlePartition(name, EpochMicros.fromMicros(Long.parseLong(m.group(1))),
                            EpochMicros.fromMicros(Long.parseLong(m.group(2))), rows)
                    : new CandlePartition(name, null, null, rows));
        }
        out.sort(Comparator.comparing(CandlePartition::isDefault)
                .thenComparing(p -> p.from() == null ? Instant.MIN : p.from()));
        return out;
    }

    /**
     * Creates the partition of every month from {@code first} to {@code last} (inclusive) that has none, moving that
     * month's candles out of the default partition into it. Returns the names created, oldest first; months that
     * already have a partition are left as they are, so calling it again is harmless. PostgreSQL only.
     *
     * @throws io.tradestore.ValidationException if a bound is null, {@code last} is before {@code first}, or either
     *                                           is outside 1970-01 to 9999-12
     */
    public List<String> ensureMonths(YearMonth first, YearMonth last) {
        Check.notNull("first", first);
        Check.notNull("last", last);
        Check.that(first.getYear() >= 1970 && first.getYear() <= 9999, "first", "must be within [1970-01, 9999-12]", first);
        Check.that(last.getYear() >= 1970 && last.getYear() <= 9999, "last", "must be within [1970-01, 9999-12]", last);
        Check.that(!last.isBefore(first), "last", "must not be before first (" + first + ")", last);
        DSLContext db = postgresOnly("ensureMonths");
        tx.dslForWrite("candlePartitions().ensureMonths");
        List<String> existing = list().stream().map(CandlePartition::name).toList();
        List<String> created = new ArrayList<>();
        boolean staging = false;
        for (YearMonth m = first; !m.isAfter(last); m = m.plusMonths(1)) {
            String name = name(m);
            if (existing.contains(name)) {
                continue;
            }
            long from = micros(m);
            long to = m.getYear() == 9999 && m.getMonthValue() == 12 ? EpochMicros.toMicros("last",
                    EpochMicros.MAX) + 1 : micros(m.plusMonths(1));
            if (!staging) {
                // A month's candles may already sit in the default partition, which would refuse the new bound;
                // they wait here while the partition is created, then go into it.
                db.execute("CREATE TEMP TABLE IF NOT EXISTS tradestore_moving_candles (LIKE " + PARENT
                        + ") ON COMMIT DROP");
                staging = true;
            }
            int moved = db.execute("WITH moved AS (DELETE FROM market." + DEFAULT_PARTITION + " WHERE open_time >= "
                    + from + " AND open_time < " + to + " RETURNING *) INSERT INTO tradestore_moving_candles"
                    + " SELECT * FROM moved");
            db.execute("CREATE TABLE market." + name + " PARTITION OF " + PARENT + " FOR VALUES FROM (" + from
                    + ") TO (" + to + ")");
            if (moved > 0) {
                db.execute("INSERT INTO " + PARENT + " SELECT * FROM tradestore_moving_candles");
                db.execute("TRUNCATE tradestore_moving_candles");
            }
            log.info("created candle partition {} for {} ({} candles moved from the default partition)", name, m, moved);
            created.add(name);
        }
        return created;
    }

    /**
     * Removes every candle that opened before the first instant of {@code cutoff}'s month (UTC): on PostgreSQL the
     * month partitions wholly before it are dropped, the default partition's older candles deleted; on SQLite the
     * candles are deleted. In the same unit, candlestick_metadata is recomputed from what is left for every series
     * that had a candle before the boundary (its row deleted when none is left), so the two never disagree. On
     * PostgreSQL it first locks market.candlesticks against writers (SHARE ROW EXCLUSIVE, until the unit ends): it
     * waits for units writing candles and makes new ones wait; reads go on.
     *
     * @throws io.tradestore.ValidationException if {@code cutoff} is null or outside 1970-9999
     */
    public Retention dropBefore(Instant cutoff) {
        Check.timestamp("cutoff", cutoff);
        DSLContext db = tx.dslForWrite("candlePartitions().dropBefore");
        Instant now = tx.now();
        LocalDate day = cutoff.atZone(ZoneOffset.UTC).toLocalDate();
        Instant boundary = day.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        long b = EpochMicros.toMicros("cutoff", boundary);
        if (db.dialect().family() == SQLDialect.POSTGRES) {
            // Write units run READ COMMITTED (decision 0017): without this, an upsert committing while we run adds
            // candles our recount does not see (its metadata +n is then overwritten by our absolute count), or a
            // series our list below misses (its old candles deleted, its metadata left). SHARE ROW EXCLUSIVE waits
            // for every unit writing candles to end and keeps new ones out until this unit ends; reads go on.
            db.execute("LOCK TABLE " + PARENT + " IN SHARE ROW EXCLUSIVE MODE");
        }
        // The series to recompute, found before anything is removed: every series whose first candle is older.
        List<Record2<String, Timeframe>> series = db.select(CANDLESTICK_METADATA.SYMBOL, CANDLESTICK_METADATA.TIMEFRAME)
                .from(CANDLESTICK_METADATA)
                .where(CANDLESTICK_METADATA.FIRST_OPEN_TIME.lt(boundary))
                .orderBy(CANDLESTICK_METADATA.SYMBOL, CANDLESTICK_METADATA.TIMEFRAME)
                .fetch();
        List<String> dropped = new ArrayList<>();
        long deleted;
        if (db.dialect().family() == SQLDialect.POSTGRES) {
            for (CandlePartition p : list()) {
                if (!p.isDefault() && !p.to().isAfter(boundary)) {
                    // DETACH first so the drop never cascades through the parent's dependants; same lock either way
                    db.execute("ALTER TABLE " + PARENT + " DETACH PARTITION market." + p.name());
                    db.execute("DROP TABLE market." + p.name());
                    dropped.add(p.name());
                }
            }
            deleted = db.execute("DELETE FROM market." + DEFAULT_PARTITION + " WHERE open_time < " + b);
        } else {
            deleted = db.deleteFrom(CANDLESTICKS).where(CANDLESTICKS.OPEN_TIME.lt(boundary)).execute();
        }
        for (Record2<String, Timeframe> s : series) {
            recompute(db, s.value1(), s.value2(), now);
        }
        log.info("candle retention before {}: dropped partitions {}, deleted {} candles, recomputed {} series",
                boundary, dropped, deleted, series.size());
        return new Retention(boundary, dropped, deleted, series.size());
    }

    /** The series' metadata from its candles, as CandlestickDao.upsert leaves it, or no row if it has none. */
    private static void recompute(DSLContext db, String symbol, Timeframe timeframe, Instant now) {
        var agg = db.select(min(CANDLESTICKS.OPEN_TIME), max(CANDLESTICKS.OPEN_TIME), count().coerce(Long.class))
                .from(CANDLESTICKS)
                .where(CANDLESTICKS.SYMBOL.eq(symbol), CANDLESTICKS.TIMEFRAME.eq(timeframe))
                .fetchOne();
        var where = CANDLESTICK_METADATA.SYMBOL.eq(symbol).and(CANDLESTICK_METADATA.TIMEFRAME.eq(timeframe));
        if (agg == null || agg.value3() == 0) {
            db.deleteFrom(CANDLESTICK_METADATA).where(where).execute();
        } else {
            db.update(CANDLESTICK_METADATA)
                    .set(CANDLESTICK_METADATA.FIRST_OPEN_TIME, agg.value1())
                    .set(CANDLESTICK_METADATA.LAST_OPEN_TIME, agg.value2())
                    .set(CANDLESTICK_METADATA.CANDLE_COUNT, agg.value3())
                    .set(CANDLESTICK_METADATA.UPDATED_AT, now)
                    .where(where)
                    .execute();
        }
    }

    private DSLContext postgresOnly(String method) {
        DSLContext db = tx.dsl();
        if (db.dialect().family() != SQLDialect.POSTGRES) {
            throw new UnsupportedOperationException("candlePartitions()." + method + " is PostgreSQL-only: SQLite"
                    + " stores candles in one table without partitions; dropBefore works on both engines");
        }
        return db;
    }

    /** The partition's name for a month: candlesticks_y2023m03, as release 9 names them. */
    static String name(YearMonth m) {
        return String.format("candlesticks_y%04dm%02d", m.getYear(), m.getMonthValue());
    }

    private static long micros(YearMonth m) {
        return EpochMicros.toMicros("month", m.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    }
}
