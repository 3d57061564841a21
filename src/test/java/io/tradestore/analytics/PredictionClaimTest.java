package io.tradestore.analytics;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.Stores;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PredictionDao#claimAwaitingOutcome}: several workers share the queue of predictions awaiting an outcome,
 * each looping claim, evaluate, record, commit in one write unit, on SQLite and PostgreSQL through one path. Every
 * prediction gets exactly one outcome, recorded by exactly one committed unit, and no prediction is ever held by two
 * running units at once: each unit registers what it claimed in a shared map while it evaluates (a few
 * milliseconds, so overlaps would show) and removes it when it ends. Without {@code FOR UPDATE} the PostgreSQL case
 * fails on the overlap check; on SQLite the single writer runs the units one after another.
 */
class PredictionClaimTest {
    private static final Logger log = LoggerFactory.getLogger(PredictionClaimTest.class);
    private static final int WORKERS = 4;
    private static final int PREDICTIONS = 60;
    private static final int BATCH = 3;
    private static final Instant NOW = T0.plus(Duration.ofDays(1));

    @TempDir
    Path dir;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private Tradestore open(TestEngine engine) throws Exception {
        TradestoreConfig config;
        if (engine == TestEngine.POSTGRES) {
            PostgresDatabases pg = PostgresDatabases.migrated();
            opened.add(pg);
            config = pg.config();
        } else {
            config = Stores.config(dir);
        }
        Tradestore store = Tradestore.open(config.withClock(Stores.fixed(NOW)).withPoolSize(WORKERS + 2)
                .withRetryAttempts(TradestoreConfig.MAX_RETRY_ATTEMPTS));
        opened.add(store);
        return store;
    }

    @EachEngine
    void workersSharingTheQueueEvaluateEachPredictionOnceAndNeverTogether(TestEngine engine) throws Exception {
        Tradestore store = open(engine);
        List<Long> ids = store.inTransaction(uow -> {
            List<Long> recorded = new ArrayList<>();
            for (int i = 0; i < PREDICTIONS; i++) {
                recorded.add(uow.predictions().record(new NewPrediction("CLAIM" + (i % 3), T0.plusSeconds(i),
                        PredictedAction.BUY, new BigDecimal("0.5"), Direction.UP, new BigDecimal("0.01"), null, "m1",
                        new BigDecimal("100"), null)).id());
            }
            return recorded;
        });

        Map<Long, Integer> held = new ConcurrentHashMap<>();
        Map<Long, Integer> committedEvaluations = new ConcurrentHashMap<>();
        List<String> overlaps = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicLong attempts = new AtomicLong();
        AtomicLong units = new AtomicLong();
        CyclicBarrier start = new CyclicBarrier(WORKERS);
        ExecutorService threads = Executors.newFixedThreadPool(WORKERS);
        try {
            List<Future<Integer>> workers = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                int worker = w;
                workers.add(threads.submit(() -> {
                    start.await();
                    int evaluated = 0;
                    while (true) {
                        int claimed = store.inTransaction(uow -> {
                            attempts.incrementAndGet();
                            List<Prediction> batch = uow.predictions().claimAwaitingOutcome(Duration.ZERO, BATCH);
                            List<Long> mine = new ArrayList<>();
                            try {
                                for (Prediction p : batch) {
                                    Integer other = held.putIfAbsent(p.id(), worker);
                                    if (other != null) {
                                        overlaps.add("prediction " + p.id() + " claimed by worker " + worker
                                                + " while worker " + other + " held it");
                                    } else {
                                        mine.add(p.id());
                                    }
                                }
                                sleep(5); // evaluating: long enough for a second claim of the same rows to show
                                for (Prediction p : batch) {
                                    uow.outcomes().record(new NewOutcome(p.id(), NOW, new BigDecimal("0.01"),
                                            Direction.UP, new BigDecimal("101"), true));
                                }
                            } finally {
                                mine.forEach(held::remove);
                            }
                            uow.afterCommit(() -> batch.forEach(p -> committedEvaluations.merge(p.id(), 1,
                                    Integer::sum)));
                            return batch.size();
                        });
                        if (claimed == 0) {
                            return evaluated;
                        }
                        units.incrementAndGet();
                        evaluated += claimed;
                    }
                }));
            }
            List<Integer> perWorker = new ArrayList<>();
            Throwable failure = null;
            for (Future<Integer> f : workers) {
                try {
                    perWorker.add(f.get(5, TimeUnit.MINUTES));
                } catch (java.util.concurrent.ExecutionException e) {
                    failure = e.getCause();
                }
            }
            log.info("{}: {} workers evaluated {} predictions in {} committed units ({} attempts: {} retried after a"
                            + " serialization failure), per worker {}; overlaps {}", engine, WORKERS, PREDICTIONS,
                    units.get(), attempts.get(), attempts.get() - units.get() - WORKERS, perWorker, overlaps.size());
            assertThat(overlaps).as("predictions held by two running units at once").isEmpty();
            assertThat(failure).as("a worker failed").isNull();
            assertThat(committedEvaluations).as("committed evaluations per prediction")
                    .hasSize(PREDICTIONS).allSatisfy((id, n) -> assertThat(n).as("prediction %d", id).isEqualTo(1));
            assertThat(perWorker.stream().mapToInt(Integer::intValue).sum()).isEqualTo(PREDICTIONS);
        } finally {
            threads.shutdownNow();
        }
        store.read(uow -> {
            assertThat(uow.predictions().awaitingOutcome(Duration.ZERO, 100)).isEmpty();
            for (long id : ids) {
                assertThat(uow.outcomes().forPrediction(id)).as("outcome of %d", id).isPresent();
            }
            return null;
        });
    }

    /** Same validation and answers as awaitingOutcome; a read unit cannot claim. */
    @EachEngine
    void claimingValidatesAsAwaitingOutcomeAndNeedsAWriteUnit(TestEngine engine) throws Exception {
        Tradestore store = open(engine);
        Prediction old = store.inTransaction(uow -> uow.predictions().record(new NewPrediction("CLAIM", T0,
                PredictedAction.SELL, new BigDecimal("0.5"), Direction.DOWN, BigDecimal.ONE, null, "m1",
                new BigDecimal("100"), null)));
        store.inTransaction(uow -> uow.predictions().record(new NewPrediction("CLAIM", NOW.minusSeconds(60),
                PredictedAction.SELL, new BigDecimal("0.5"), Direction.DOWN, BigDecimal.ONE, null, "m1",
                new BigDecimal("100"), null)));
        store.useTransaction(uow -> {
            assertThat(uow.predictions().claimAwaitingOutcome(Duration.ofHours(1), 10))
                    .isEqualTo(uow.predictions().awaitingOutcome(Duration.ofHours(1), 10))
                    .containsExactly(old);
            assertThat(uow.predictions().claimAwaitingOutcome(Duration.ZERO, 1)).containsExactly(old);
            assertThatThrownBy(() -> uow.predictions().claimAwaitingOutcome(Duration.ofSeconds(-1), 1))
                    .hasMessageContaining("horizon").hasMessageContaining("must not be negative");
            assertThatThrownBy(() -> uow.predictions().claimAwaitingOutcome(Duration.ZERO, 0))
                    .hasMessageContaining("limit");
            assertThatThrownBy(() -> uow.predictions().claimAwaitingOutcome(null, 1))
                    .hasMessageContaining("horizon");
        });
        assertThatThrownBy(() -> store.read(uow -> uow.predictions().claimAwaitingOutcome(Duration.ZERO, 1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("predictions().claimAwaitingOutcome writes, but this is a read-only unit");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
