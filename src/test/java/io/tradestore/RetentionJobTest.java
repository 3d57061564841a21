package io.tradestore;

import io.tradestore.analytics.NewCachedPattern;
import io.tradestore.market.Candle;
import io.tradestore.market.CandlePartition;
import io.tradestore.market.SeriesInfo;
import io.tradestore.market.Timeframe;
import io.tradestore.testing.MutableClock;
import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.Stores;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RetentionJob}: candles older than the policy move to the archive and nothing is lost or duplicated, also when
 * a run stops between a batch's archive unit and its live unit and is run again; both sides' metadata agree with their
 * candles; expired pattern-cache entries go. The live database on both engines, the archive a SQLite file.
 */
class RetentionJobTest {
    private static final Instant NOW = Instant.parse("2023-04-01T00:00:00Z");

    @TempDir
    Path dir;
    private final List<PostgresDatabases> pgs = new ArrayList<>();
    private final MutableClock clock = new MutableClock(NOW);

    @AfterEach
    void drop() throws Exception {
        for (PostgresDatabases pg : pgs) {
            pg.close();
        }
    }

    private PostgresDatabases postgres() throws Exception {
        PostgresDatabases pg = PostgresDatabases.migrated();
        pgs.add(pg);
        return pg;
    }

    private Tradestore live(TestEngine engine) throws Exception {
        if (engine == TestEngine.SQLITE) {
            return Stores.open(dir.resolve("live"), clock);
        }
        return Tradestore.open(postgres().config().withClock(clock));
    }

    /** 1m BTCUSDT over 3 days, 5m ETHUSDT over 4 days, 1h BTCUSDT over 40 days (no policy: kept). */
    private static List<Candle> fixture() {
        List<Candle> all = new ArrayList<>();
        all.addAll(series("BTCUSDT", Timeframe.M1, Instant.parse("2023-02-28T00:00:00Z"), 3 * 1440));
        all.addAll(series("ETHUSDT", Timeframe.M5, Instant.parse("2023-02-27T00:00:00Z"), 4 * 288));
        all.addAll(series("BTCUSDT", Timeframe.H1, Instant.parse("2023-02-20T00:00:00Z"), 40 * 24));
        return all;
    }

    private static List<Candle> series(String symbol, Timeframe tf, Instant first, int n) {
        List<Candle> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // distinct values per candle, so a candle archived with another's values would show
            BigDecimal close = new BigDecimal("100.000001").add(BigDecimal.valueOf(i, 6));
            out.add(new Candle(symbol, tf, first.plus(tf.duration().multipliedBy(i)), close, close.add(BigDecimal.ONE),
                    close.subtract(BigDecimal.ONE), close, BigDecimal.valueOf(i, 3)));
        }
        return out;
    }

    private static void write(Tradestore store, List<Candle> candles) {
        for (int from = 0; from < candles.size(); from += 2_000) {
            List<Candle> chunk = candles.subList(from, Math.min(candles.size(), from + 2_000));
            store.useTransaction(uow -> uow.candlesticks().upsert(chunk));
        }
    }

    private static Set<Candle> all(Tradestore store) {
        Set<Candle> out = new HashSet<>();
        for (SeriesInfo s : store.read(uow -> uow.candlesticks().series())) {
            for (PageRequest page = PageRequest.first(PageRequest.MAX_LIMIT); page != null; ) {
                PageRequest request = page;
                Page<Candle> read = store.read(uow -> uow.candlesticks().range(s.symbol(), s.timeframe(),
                        Instant.EPOCH, Instant.parse("9999-01-01T00:00:00Z"), request));
                out.addAll(read.items());
                page = read.next();
            }
        }
        return out;
    }

    /** Every series' metadata says what its candles say: count, first and last open time. */
    private static void assertMetadataAgrees(Tradestore store, Set<Candle> candles) {
        List<String> expected = new ArrayList<>();
        candles.stream().map(c -> c.symbol() + " " + c.timeframe()).distinct().sorted().forEach(key -> {
            List<Instant> times = candles.stream().filter(c -> (c.symbol() + " " + c.timeframe()).equals(key))
                    .map(Candle::openTime).sorted().toList();
            expected.add(key + " " + times.get(0) + " " + times.get(times.size() - 1) + " " + times.size());
        });
        List<String> actual = store.read(uow -> uow.candlesticks().series()).stream()
                .map(s -> s.symbol() + " " + s.timeframe() + " " + s.firstOpenTime() + " " + s.lastOpenTime() + " "
                        + s.candleCount()).sorted().toList();
        assertThat(actual).isEqualTo(expected);
    }

    private static final RetentionPolicy POLICY = RetentionPolicy.parse("1m=30d,5m=31d").withBatchSize(500);

    @EachEngine
    void aRunStoppedBetweenArchiveAndDeleteResumesWithNothingLostOrDuplicated(TestEngine engine) throws Exception {
        try (Tradestore live = live(engine); Tradestore archive = Stores.open(dir.resolve("archive"))) {
            stopAndResume(live, archive);
        }
    }

    /** The same with the archive a PostgreSQL database (as the application role), the live one on either engine. */
    @EachEngine
    void aRunStoppedMidwayResumesIntoAPostgresArchive(TestEngine engine) throws Exception {
        try (Tradestore live = live(engine); Tradestore archive = Tradestore.open(postgres().config())) {
            stopAndResume(live, archive);
        }
    }

    private void stopAndResume(Tradestore live, Tradestore archive) {
        List<Candle> fixture = fixture();
        Set<Candle> expectedArchived = older(fixture, POLICY, NOW);
        assertThat(expectedArchived).hasSize(2 * 1440 + 2 * 288);
        write(live, fixture);
        clock.set(NOW.minusSeconds(7200));
        live.useTransaction(uow -> uow.patternCache().put(new NewCachedPattern("old", "BTCUSDT", Timeframe.M1,
                "double_top", new BigDecimal("0.8"), Json.of("{}"), NOW.minusSeconds(7200)), Duration.ofHours(1)));
        clock.set(NOW);
        live.useTransaction(uow -> {
            uow.patternCache().put(new NewCachedPattern("new", "BTCUSDT", Timeframe.M1, "double_top",
                    new BigDecimal("0.8"), Json.of("{}"), NOW), Duration.ofHours(1));
        });

        RetentionReport plan = RetentionJob.dryRun(live, POLICY);
        assertThat(plan.moved()).isEqualTo(expectedArchived.size());
        assertThat(plan.patternCachePurged()).isEqualTo(1);
        assertThat(all(live)).hasSize(fixture.size());

        AtomicInteger batches = new AtomicInteger();
        RetentionJob stopping = new RetentionJob(live, archive, POLICY, () -> {
            if (batches.incrementAndGet() == 3) {
                throw new IllegalStateException("killed");
            }
        });
        assertThatThrownBy(() -> stopping.apply(false)).hasMessage("killed");
        Set<Candle> liveNow = all(live);
        Set<Candle> archivedNow = all(archive);
        Set<Candle> both = new HashSet<>(liveNow);
        both.retainAll(archivedNow);
        assertThat(both).as("the third batch, archived but not yet deleted").hasSize(500);
        Set<Candle> union = new HashSet<>(liveNow);
        union.addAll(archivedNow);
        assertThat(union).isEqualTo(new HashSet<>(fixture));
        assertMetadataAgrees(live, liveNow);
        assertMetadataAgrees(archive, archivedNow);

        List<RetentionPolicy.RetentionProgress> progress = new ArrayList<>();
        RetentionReport report = RetentionJob.run(live, archive, POLICY.withProgress(progress::add));

        assertThat(report.moved()).isEqualTo(expectedArchived.size() - 1000);
        assertThat(report.patternCachePurged()).as("purged by the stopped run").isZero();
        assertThat(progress.get(progress.size() - 1)).isEqualTo(new RetentionPolicy.RetentionProgress(
                expectedArchived.size() - 1000, expectedArchived.size() - 1000));
        assertMoved(live, archive, fixture, expectedArchived);
        boolean unexpiredKept = live.read(uow -> uow.patternCache().get("new").isPresent());
        assertThat(unexpiredKept).isTrue();

        RetentionReport again = RetentionJob.run(live, archive, POLICY);
        assertThat(again.moved()).isZero();
        assertThat(all(archive)).isEqualTo(expectedArchived);
    }

    /** The candles of {@code fixture} that {@code policy} no longer keeps live at {@code now}. */
    private static Set<Candle> older(List<Candle> fixture, RetentionPolicy policy, Instant now) {
        Set<Candle> out = new HashSet<>();
        for (Candle c : fixture) {
            Duration keep = policy.keep().get(c.timeframe());
            if (keep != null && c.openTime().isBefore(now.minus(keep))) {
                out.add(c);
            }
        }
        return out;
    }

    private static final Instant APRIL_20 = Instant.parse("2023-04-20T00:00:00Z");
    private static final String JANUARY = "candlesticks_y2023m01";
    private static final String FEBRUARY = "candlesticks_y2023m02";
    private static final String MARCH = "candlesticks_y2023m03";
    private static final String APRIL = "candlesticks_y2023m04";
    private static final String DEFAULT = "candlesticks_default";

    /**
     * A PostgreSQL live database opened as the schema's owner, with month partitions January to April 2023 and
     * candles up to April 20: BTCUSDT 1h from January 1, ETHUSDT 1d from January 10, BTCUSDT 4h from February 1.
     */
    private Tradestore partitionedLive(PostgresDatabases pg, List<Candle> candles) {
        Tradestore live = Tradestore.open(pg.ownerConfig().withClock(clock));
        List<String> created = live.inTransaction(uow -> uow.candlePartitions().ensureMonths(YearMonth.of(2023, 1),
                YearMonth.of(2023, 4)));
        assertThat(created).containsExactly(JANUARY, FEBRUARY, MARCH, APRIL);
        write(live, candles);
        return live;
    }

    private static List<Candle> months() {
        List<Candle> all = new ArrayList<>();
        all.addAll(series("BTCUSDT", Timeframe.H1, Instant.parse("2023-01-01T00:00:00Z"), 109 * 24));
        all.addAll(series("ETHUSDT", Timeframe.D1, Instant.parse("2023-01-10T00:00:00Z"), 100));
        all.addAll(series("BTCUSDT", Timeframe.H4, Instant.parse("2023-02-01T00:00:00Z"), 78 * 6));
        return all;
    }

    private static List<String> partitions(Tradestore store) {
        return store.read(uow -> uow.candlePartitions().list()).stream().map(CandlePartition::name).toList();
    }

    /** Archive and live database hold exactly the expected candles, and each side's metadata says so. */
    private static void assertMoved(Tradestore live, Tradestore archive, List<Candle> fixture, Set<Candle> expected) {
        Set<Candle> archived = all(archive);
        Set<Candle> kept = all(live);
        assertThat(archived).isEqualTo(expected);
        Set<Candle> expectedKept = new HashSet<>(fixture);
        expectedKept.removeAll(expected);
        assertThat(kept).isEqualTo(expectedKept);
        assertMetadataAgrees(live, kept);
        assertMetadataAgrees(archive, archived);
    }

    /**
     * dropPartitions on PostgreSQL, as the owner: the oldest cutoff (1d, March 6) makes January and February wholly
     * old; the move empties them, they are dropped and named in the report; March, April and the default partition
     * stay; the archive holds exactly the old candles and the live database the rest, metadata agreeing on both sides.
     */
    @Test
    void dropPartitionsDropsTheMonthsWhollyOlderThanThePolicy() throws Exception {
        clock.set(APRIL_20);
        RetentionPolicy policy = RetentionPolicy.parse("1h=40d,1d=45d,4h=30d").withBatchSize(1_000)
                .withDropPartitions(true);
        List<Candle> fixture = months();
        Set<Candle> expected = older(fixture, policy, APRIL_20);
        try (Tradestore live = partitionedLive(postgres(), fixture);
             Tradestore archive = Stores.open(dir.resolve("archive"))) {
            RetentionReport report = RetentionJob.run(live, archive, policy);

            assertThat(report.droppedPartitions()).containsExactly(JANUARY, FEBRUARY);
            assertThat(report.partitionNote()).isNull();
            assertThat(report.moved()).isEqualTo(expected.size());
            assertThat(partitions(live)).containsExactly(MARCH, APRIL, DEFAULT);
            assertMoved(live, archive, fixture, expected);
        }
    }

    /**
     * No partition is dropped: as the application role, which may not drop tables (refused before anything moves);
     * when the oldest cutoff (1d kept 100 days: January 10) leaves no month wholly old; when a timeframe without a
     * policy (4h, kept forever) still has candles in February. Each time the report says why; the candles moved
     * anyway are exactly the old ones, and metadata agrees on both sides.
     */
    @Test
    void noPartitionIsDroppedWhileAnOlderMonthHoldsCandlesToKeepNorByTheApplicationRole() throws Exception {
        clock.set(APRIL_20);
        PostgresDatabases pg = postgres();
        List<Candle> fixture = months();
        List<String> every = List.of(JANUARY, FEBRUARY, MARCH, APRIL, DEFAULT);
        try (Tradestore live = partitionedLive(pg, fixture);
             Tradestore app = Tradestore.open(pg.config().withClock(clock));
             Tradestore archive = Stores.open(dir.resolve("archive"))) {
            RetentionPolicy all = RetentionPolicy.parse("1h=40d,1d=45d,4h=30d").withDropPartitions(true);
            assertThatThrownBy(() -> RetentionJob.run(app, archive, all))
                    .isInstanceOf(PermissionDeniedException.class)
                    .hasMessage("dropPartitions: must run as the owner of market.candlesticks ("
                            + PostgresDatabases.OWNER_ROLE + "); nothing was moved (was \"" + PostgresDatabases.APP_ROLE
                            + "\")");
            assertMoved(live, archive, fixture, Set.of());

            RetentionPolicy notOldYet = RetentionPolicy.parse("1h=40d,1d=100d").withDropPartitions(true);
            RetentionReport young = RetentionJob.run(live, archive, notOldYet);
            assertThat(young.droppedPartitions()).isEmpty();
            assertThat(young.partitionNote()).isEqualTo("nothing dropped: no month partition ends by"
                    + " 2023-01-01T00:00:00Z, the start of the month of the oldest cutoff (2023-01-10T00:00:00Z)");
            assertThat(partitions(live)).isEqualTo(every);
            assertMoved(live, archive, fixture, older(fixture, notOldYet, APRIL_20));

            RetentionPolicy forever = RetentionPolicy.parse("1h=40d,1d=45d").withDropPartitions(true);
            RetentionReport kept = RetentionJob.run(live, archive, forever);
            assertThat(kept.droppedPartitions()).isEmpty();
            assertThat(kept.partitionNote()).isEqualTo("nothing dropped: BTCUSDT 4h has a candle at"
                    + " 2023-02-01T00:00:00Z, before 2023-03-01T00:00:00Z, the start of the month of the oldest cutoff"
                    + " (2023-03-06T00:00:00Z); its timeframe has no policy (kept forever) or it was written during"
                    + " the run");
            assertThat(partitions(live)).isEqualTo(every);
            assertMoved(live, archive, fixture, older(fixture, forever, APRIL_20));
        }
    }

    @Test
    void theArchiveMustBeAnotherDatabase() {
        try (Tradestore live = Stores.open(dir.resolve("live"))) {
            assertThatThrownBy(() -> RetentionJob.run(live, live, POLICY))
                    .isInstanceOf(ValidationException.class)
                    .hasMessage("archive: must be another database than the live one (was \""
                            + dir.resolve("live").resolve("tradestore.db").toAbsolutePath() + "\")");
        }
    }

    @Test
    void aPolicyNamesTimeframesAndDurations() {
        assertThat(RetentionPolicy.parse("1m=30d,5m=26w,1h=2y").keep()).isEqualTo(Map.of(Timeframe.M1,
                Duration.ofDays(30), Timeframe.M5, Duration.ofDays(182), Timeframe.H1, Duration.ofDays(730)));
        assertThatThrownBy(() -> RetentionPolicy.parse("1m=30"))
                .hasMessage("keep: must be a list like 1m=30d,5m=180d,1h=2y (units h, d, w, y) (was \"1m=30\")");
    }
}
