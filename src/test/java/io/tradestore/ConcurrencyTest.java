package io.tradestore;

import io.tradestore.testing.Pages;

import io.tradestore.testing.Stores;
import io.tradestore.trading.NewPortfolioSnapshot;
import io.tradestore.trading.PortfolioSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** Readers and writers in one process: WAL snapshots for readers, one serialised writer. */
class ConcurrencyTest {
    @TempDir
    Path dir;

    @Test
    void readersDuringALongWriteSeeOnlyCommittedStateAndAreNotBlocked() throws Exception {
        try (Tradestore store = Stores.open(dir)) {
            CountDownLatch halfWritten = new CountDownLatch(1);
            CountDownLatch readersDone = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<?> writer = pool.submit(() -> store.useTransaction(uow -> {
                    for (int i = 0; i < 5; i++) {
                        uow.portfolio().record(snapshot(i));
                    }
                    halfWritten.countDown();
                    await(readersDone);
                    for (int i = 5; i < 10; i++) {
                        uow.portfolio().record(snapshot(i));
                    }
                }));
                await(halfWritten);
                Set<Integer> seenWhileWriting = ConcurrentHashMap.newKeySet();
                for (int i = 0; i < 50; i++) {
                    seenWhileWriting.add(count(store));
                }
                readersDone.countDown();
                writer.get(10, TimeUnit.SECONDS);
                assertThat(seenWhileWriting).as("half of the unit was never visible").containsExactly(0);
                assertThat(count(store)).isEqualTo(10);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void twoWriterThreadsNeverSeeABusyDatabase() throws Exception {
        // No retries: a single SQLITE_BUSY would surface as a BusyException.
        try (Tradestore store = Tradestore.open(Stores.config(dir).withRetryAttempts(0))) {
            AtomicInteger next = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<?>> writers = List.of(
                        pool.submit(() -> writeMany(store, next, 150)),
                        pool.submit(() -> writeMany(store, next, 150)));
                for (Future<?> w : writers) {
                    w.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(count(store)).isEqualTo(300);
        }
    }

    private static void writeMany(Tradestore store, AtomicInteger next, int units) {
        for (int i = 0; i < units; i++) {
            store.useTransaction(uow -> uow.portfolio().record(snapshot(next.getAndIncrement())));
        }
    }

    private static int count(Tradestore store) {
        List<PortfolioSnapshot> all = store.read(uow -> Pages.all(page ->
                uow.portfolio().range(Instant.EPOCH, T0.plusSeconds(100_000), page)));
        return all.size();
    }

    private static NewPortfolioSnapshot snapshot(int second) {
        return new NewPortfolioSnapshot(T0.plusSeconds(second), BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ZERO,
                BigDecimal.ZERO, 0);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("timed out waiting for the other thread");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
