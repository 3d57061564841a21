package io.tradestore;

import io.tradestore.analytics.NewCachedPattern;
import io.tradestore.market.Candle;
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
    private PostgresDatabases pg;
    private final MutableClock clock = new MutableClock(NOW);

    @AfterEach
    void drop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    private Tradestore live(TestEngine engine) throws Exception {
        if (engine == TestEngine.SQLITE) {
            return Stores.open(dir.resolve("live"), clock);
        }
        pg = PostgresDatabases.migrated();
        return Tradestore.open(pg.config().withClock(clock));
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
        List<Candle> fixture = fixture();
        Set<Candle> expectedArchived = new HashSet<>();
        for (Candle c : fixture) {
            Duration keep = POLICY.keep().get(c.timeframe());
            if (keep != null && c.openTime().isBefore(NOW.minus(keep))) {
                expectedArchived.add(c);
            }
        }
        assertThat(expectedArchived).hasSize(2 * 1440 + 2 * 288);
        try (Tradestore live = live(engine); Tradestore archive = Stores.open(dir.resolve("archive"))) {
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
            Set<Candle> archived = all(archive);
            Set<Candle> kept = all(live);
            assertThat(archived).isEqualTo(expectedArchived);
            Set<Candle> expectedKept = new HashSet<>(fixture);
            expectedKept.removeAll(expectedArchived);
            assertThat(kept).isEqualTo(expectedKept);
            assertMetadataAgrees(live, kept);
            assertMetadataAgrees(archive, archived);
            boolean unexpiredKept = live.read(uow -> uow.patternCache().get("new").isPresent());
            assertThat(unexpiredKept).isTrue();

            RetentionReport again = RetentionJob.run(live, archive, POLICY);
            assertThat(again.moved()).isZero();
            assertThat(all(archive)).isEqualTo(expectedArchived);
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
