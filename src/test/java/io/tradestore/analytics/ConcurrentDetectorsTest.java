package io.tradestore.analytics;

import io.tradestore.Json;
import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.market.Timeframe;
import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import io.tradestore.testing.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pattern detectors racing on the same keys, on one store, on SQLite and PostgreSQL (where writers really run
 * concurrently, SERIALIZABLE): each thread puts the same few keys with random detection times, many of them equal.
 * Afterwards every key holds a detection with the greatest detected_at put under it, and every put's answer was
 * true: an applied put returned its own write; a stale put returned another put's entry, detected strictly later,
 * that was itself applied; the single newest detection of a key was never reported stale.
 */
class ConcurrentDetectorsTest {
    private static final Logger log = LoggerFactory.getLogger(ConcurrentDetectorsTest.class);
    private static final Instant NOW = T0.plus(Duration.ofHours(1));
    private static final List<String> KEYS = List.of("BTCUSDT:1h:flag", "BTCUSDT:1h:wedge", "ETHUSDT:1h:flag");
    private static final int THREADS = 4;
    private static final int PUTS_PER_THREAD = 40;


    @TempDir
    Path dir;
    private PostgresDatabases pg;

    @AfterEach
    void dropPostgresDatabase() throws SQLException {
        if (pg != null) {
            pg.close();
        }
    }

    /** One put: which thread and step made it (its payload), the detection time, and what the store answered. */
    record Put(String key, String id, Instant detectedAt, CachePut answer) {
    }

    @EachEngine
    void theNewestDetectionWinsAndEveryPutSaysTruthfullyWhetherItApplied(TestEngine engine) throws Exception {
        long seed = Long.getLong("tradestore.seed", System.nanoTime());
        try (Tradestore store = open(engine)) {
            List<Put> puts = race(store, seed);

            Map<String, CachedPattern> stored = store.read(uow -> KEYS.stream().collect(Collectors.toMap(k -> k,
                    k -> uow.patternCache().get(k).orElseThrow())));
            Map<String, Put> byId = puts.stream().collect(Collectors.toMap(Put::id, p -> p));
            for (String key : KEYS) {
                List<Put> ofKey = puts.stream().filter(p -> p.key().equals(key)).toList();
                Instant newest = ofKey.stream().map(Put::detectedAt).max(Comparator.naturalOrder()).orElseThrow();
                assertThat(stored.get(key).detectedAt()).as("seed %d: %s holds the newest detection", seed, key)
                        .isEqualTo(newest);
                Put winner = byId.get(idOf(stored.get(key)));
                assertThat(winner.answer().applied()).as("seed %d: the stored put %s was applied", seed, winner.id())
                        .isTrue();
                if (ofKey.stream().filter(p -> p.detectedAt().equals(newest)).count() == 1) {
                    assertThat(winner.detectedAt()).isEqualTo(newest);
                }
            }
            int stale = 0;
            for (Put p : puts) {
                CachedPattern answer = p.answer().entry();
                if (p.answer().applied()) {
                    assertThat(idOf(answer)).as("seed %d: applied put %s returns its own write", seed, p.id())
                            .isEqualTo(p.id());
                    assertThat(answer.detectedAt()).isEqualTo(p.detectedAt());
                } else {
                    stale++;
                    Put newer = byId.get(idOf(answer));
                    assertThat(newer).as("seed %d: stale put %s returns an entry some put wrote", seed, p.id())
                            .isNotNull();
                    assertThat(newer.key()).isEqualTo(p.key());
                    assertThat(answer.detectedAt()).as("seed %d: stale put %s was older than what it kept", seed, p.id())
                            .isAfter(p.detectedAt()).isEqualTo(newer.detectedAt());
                    assertThat(newer.answer().applied()).as("seed %d: the entry kept by %s was applied", seed, p.id())
                            .isTrue();
                }
            }
            assertThat(stale).as("seed %d: the race produced stale puts", seed).isPositive();
            assertThat(puts.size() - stale).as("seed %d: and applied ones beyond the first per key", seed)
                    .isGreaterThan(KEYS.size());
            log.info("concurrent detectors on {}: {} puts, {} stale, seed {}", engine, puts.size(), stale, seed);
        }
    }

    private List<Put> race(Tradestore store, long seed) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Put>>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    Random random = new Random(seed + thread);
                    List<Put> mine = new ArrayList<>();
                    start.await();
                    for (int i = 0; i < PUTS_PER_THREAD; i++) {
                        String key = KEYS.get(random.nextInt(KEYS.size()));
                        String id = thread + "-" + i;
                        // 20 distinct seconds for 160 puts: many ties, many older and newer detections.
                        Instant detectedAt = T0.plusSeconds(random.nextInt(20));
                        NewCachedPattern p = new NewCachedPattern(key, key.substring(0, 7), Timeframe.H1, "flag",
                                new BigDecimal("0.5"), Json.of("{\"put\":\"" + id + "\"}"), detectedAt);
                        CachePut answer = store.inTransaction(uow -> uow.patternCache().put(p, Duration.ofHours(1)));
                        mine.add(new Put(key, id, detectedAt, answer));
                    }
                    return mine;
                }));
            }
            start.countDown();
            List<Put> all = new ArrayList<>();
            for (Future<List<Put>> f : results) {
                all.addAll(f.get(120, TimeUnit.SECONDS));
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String idOf(CachedPattern p) {
        String text = p.payload().text();
        return text.substring("{\"put\":\"".length(), text.length() - 2);
    }

    private Tradestore open(TestEngine engine) throws SQLException {
        if (engine == TestEngine.SQLITE) {
            return Tradestore.open(Stores.config(dir).withClock(Stores.fixed(NOW)));
        }
        pg = PostgresDatabases.migrated();
        // Racing upserts of the same keys fail SERIALIZABLE often; the store retries them (decision 0006).
        return Tradestore.open(pg.config()
                .withPoolSize(THREADS).withRetryAttempts(TradestoreConfig.MAX_RETRY_ATTEMPTS).withClock(Stores.fixed(NOW)));
    }
}
