package io.tradestore;

import io.tradestore.internal.Check;
import io.tradestore.market.Candle;
import io.tradestore.market.Retention;
import io.tradestore.market.SeriesInfo;
import io.tradestore.market.Timeframe;
import org.jooq.SQLDialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static io.tradestore.internal.db.Tables.CANDLESTICKS;
import static io.tradestore.internal.db.Tables.PATTERN_CACHE;

/**
 * Data lifecycle of a live database (docs/operations.md, "retention"): purges expired pattern-cache entries, and moves
 * the candles a {@link RetentionPolicy} no longer keeps live into an archive database (another migrated tradestore,
 * SQLite or PostgreSQL), oldest first, a batch at a time.
 *
 * <p>Each batch is two units of work: first the batch is upserted into the archive, then deleted from the live
 * database. A run stopped between them (killed, a lost connection) leaves the batch in both; the next run reads the
 * same oldest candles again, upserts them again (same keys, same values: nothing is added twice, the archive's
 * metadata does not grow) and deletes them. A run stopped anywhere else leaves each candle in exactly one database. So
 * a stopped run loses nothing and duplicates nothing, and re-running it finishes the job. Both sides keep their
 * candlestick_metadata in step in the same units ({@code upsert} on the archive, {@code delete} on the live side).
 *
 * <p>The live unit deletes exactly the batch's open-time range and checks that it deleted as many candles as it
 * archived; if a writer added a candle to that old range in between, the unit rolls back and the batch is read
 * again. A writer <em>changing</em> a candle older than the policy in between would have its change deleted with the
 * old value archived: retention assumes, as markets do, that candles this old are final.
 */
public final class RetentionJob {
    private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);
    private static final int MAX_ATTEMPTS = 5;

    private final Tradestore live;
    private final Tradestore archive;
    private final RetentionPolicy policy;
    /** Runs between a batch's archive unit and its live unit; tests throw from it to stop a run at the worst point. */
    private final Runnable betweenUnits;

    RetentionJob(Tradestore live, Tradestore archive, RetentionPolicy policy, Runnable betweenUnits) {
        this.live = Check.notNull("live", live);
        this.archive = archive;
        this.policy = Check.notNull("policy", policy);
        this.betweenUnits = betweenUnits;
    }

    /**
     * Purges the live database's expired pattern-cache entries and moves every candle older than the policy into
     * {@code archive}; with {@code policy.dropPartitions()}, then drops the PostgreSQL month partitions the move left
     * empty. Safe to re-run at any time, and after a run that stopped.
     *
     * @throws ValidationException if archive is null or is the live database itself
     */
    public static RetentionReport run(Tradestore live, Tradestore archive, RetentionPolicy policy) {
        Check.notNull("archive", archive);
        Check.that(!sameDatabase(live, archive), "archive", "must be another database than the live one",
                describe(archive));
        return new RetentionJob(live, archive, policy, () -> { }).apply(false);
    }

    /** What {@link #run} would do now, without writing anything: the expired entries and the candles to move. */
    public static RetentionReport dryRun(Tradestore live, RetentionPolicy policy) {
        return new RetentionJob(live, null, policy, () -> { }).apply(true);
    }

    RetentionReport apply(boolean dryRun) {
        Instant now = live.read(UnitOfWork::now); // the store's clock in whole microseconds, as stored
        int purged = dryRun ? live.read(uow -> uow.jooq().fetchCount(PATTERN_CACHE, PATTERN_CACHE.EXPIRES_AT.le(now)))
                : live.inTransaction(uow -> uow.patternCache().purgeExpired());
        List<RetentionReport.SeriesMove> plan = new ArrayList<>();
        long total = 0;
        for (SeriesInfo s : live.read(uow -> uow.candlesticks().series())) {
            Duration keep = policy.keep().get(s.timeframe());
            if (keep == null) {
                continue;
            }
            Instant cutoff = now.minus(keep);
            long older = s.firstOpenTime().isBefore(cutoff) ? live.read(uow -> uow.candlesticks()
                    .count(s.symbol(), s.timeframe(), Instant.EPOCH, cutoff)) : 0;
            plan.add(new RetentionReport.SeriesMove(s.symbol(), s.timeframe(), cutoff, older));
            total += older;
        }
        if (dryRun) {
            return new RetentionReport(true, purged, plan, List.of(), null);
        }
        if (policy.dropPartitions()) {
            live.read(RetentionJob::checkMayDropPartitions);
        }
        List<RetentionReport.SeriesMove> done = new ArrayList<>();
        long[] moved = {0};
        for (RetentionReport.SeriesMove s : plan) {
            long n = s.moved() == 0 ? 0 : move(s.symbol(), s.timeframe(), s.cutoff(), moved, total);
            done.add(new RetentionReport.SeriesMove(s.symbol(), s.timeframe(), s.cutoff(), n));
        }
        List<String> dropped = List.of();
        String note = null;
        if (policy.dropPartitions()) {
            Instant oldestCutoff = plan.stream().map(RetentionReport.SeriesMove::cutoff).min(Instant::compareTo)
                    .orElse(null);
            if (live.read(uow -> uow.jooq().dialect().family()) != SQLDialect.POSTGRES) {
                note = "SQLite has no partitions: the moved candles were deleted row by row";
            } else if (oldestCutoff == null) {
                note = "no series of a timeframe with a policy";
            } else {
                Dropped d = live.inTransaction(uow -> dropEmptyMonths(uow, oldestCutoff));
                dropped = d.partitions();
                note = d.note();
            }
        }
        log.info("retention: purged {} pattern-cache entries, moved {} candles to the archive, dropped partitions {}",
                purged, moved[0], dropped);
        return new RetentionReport(false, purged, done, dropped, note);
    }

    /** Moves the series' candles older than {@code cutoff}, a batch at a time, and returns how many it moved. */
    private long move(String symbol, Timeframe timeframe, Instant cutoff, long[] moved, long total) {
        long n = 0;
        int attempts = 0;
        while (true) {
            List<Candle> batch = live.read(uow -> uow.candlesticks().range(symbol, timeframe, Instant.EPOCH, cutoff,
                    PageRequest.first(policy.batchSize())).items());
            if (batch.isEmpty()) {
                return n;
            }
            // The archive first: a stop after this unit leaves the batch in both databases, which the next run's
            // upsert (idempotent) and delete finish; the reverse order could lose it.
            archive.useTransaction(uow -> uow.candlesticks().upsert(batch));
            betweenUnits.run();
            Instant from = batch.get(0).openTime();
            Instant to = batch.get(batch.size() - 1).openTime().plus(timeframe.duration());
            int deleted;
            try {
                deleted = live.inTransaction(uow -> {
                    int d = uow.candlesticks().delete(symbol, timeframe, from, to);
                    if (d != batch.size()) {
                        throw new ChangedMeanwhile(); // rolls the delete back: the range holds a candle not archived
                    }
                    return d;
                });
            } catch (ChangedMeanwhile e) {
                Check.that(++attempts < MAX_ATTEMPTS, "retention", "could not move a batch of " + symbol + " "
                        + timeframe + " from " + from + ": writers kept adding candles to it (" + MAX_ATTEMPTS
                        + " attempts)", batch.size());
                continue;
            }
            n += deleted;
            moved[0] += deleted;
            policy.progress().accept(new RetentionPolicy.RetentionProgress(moved[0], total));
        }
    }

    /**
     * On PostgreSQL, refuses a role that may not drop the partitions before anything moves: otherwise the run would
     * move every old candle and only then fail at the first DETACH, with the driver's "must be owner".
     */
    private static Void checkMayDropPartitions(UnitOfWork uow) {
        if (uow.jooq().dialect().family() != SQLDialect.POSTGRES) {
            return null;
        }
        var r = uow.jooq().resultQuery("SELECT CAST(current_user AS text), pg_get_userbyid(c.relowner),"
                + " pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c"
                + " WHERE c.oid = CAST('market.candlesticks' AS regclass)").fetchOne();
        if (!r.get(2, Boolean.class)) {
            throw new PermissionDeniedException("dropPartitions: must run as the owner of market.candlesticks ("
                    + r.get(1, String.class) + "); nothing was moved (was \"" + r.get(0, String.class) + "\")",
                    "42501", null);
        }
        return null;
    }

    /**
     * On PostgreSQL, drops the month partitions wholly before {@code cutoff}'s month if no candle of any series is
     * left before that month (the move emptied them); if one is left, drops nothing and says which. The table lock is
     * taken first, so no writer adds an old candle between the check and the drop.
     */
    private static Dropped dropEmptyMonths(UnitOfWork uow, Instant cutoff) {
        uow.jooq().execute("LOCK TABLE market.candlesticks IN SHARE ROW EXCLUSIVE MODE");
        Instant month = cutoff.atZone(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant();
        var left = uow.jooq().select(CANDLESTICKS.SYMBOL, CANDLESTICKS.TIMEFRAME, CANDLESTICKS.OPEN_TIME)
                .from(CANDLESTICKS).where(CANDLESTICKS.OPEN_TIME.lt(month))
                .orderBy(CANDLESTICKS.OPEN_TIME).limit(1).fetchOne();
        String of = month + ", the start of the month of the oldest cutoff (" + cutoff + ")";
        if (left != null) {
            return new Dropped(List.of(), "nothing dropped: " + left.value1() + " " + left.value2() + " has a candle at "
                    + left.value3() + ", before " + of + "; its timeframe has no policy (kept forever) or it was"
                    + " written during the run");
        }
        Retention r = uow.candlePartitions().dropBefore(cutoff);
        if (r.deletedRows() != 0) {
            throw new IllegalStateException("dropBefore deleted " + r.deletedRows() + " candles after the check found"
                    + " none: rolled back");
        }
        return new Dropped(r.droppedPartitions(), r.droppedPartitions().isEmpty()
                ? "nothing dropped: no month partition ends by " + of : null);
    }

    /** What {@link #dropEmptyMonths} did: the partitions dropped, or why none. */
    private record Dropped(List<String> partitions, String note) {
    }

    private static boolean sameDatabase(Tradestore a, Tradestore b) {
        return a == b || describe(a).equals(describe(b));
    }

    private static String describe(Tradestore store) {
        TradestoreConfig c = store.config();
        return c.engine() == TradestoreConfig.Engine.SQLITE ? c.file().toAbsolutePath().normalize().toString()
                : c.jdbcUrl();
    }

    /** A batch's range changed between the read and the delete. */
    private static final class ChangedMeanwhile extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ChangedMeanwhile() {
            super(null, null, false, false);
        }
    }
}
