package io.tradestore;

import io.tradestore.testing.OnEachEngine;
import io.tradestore.testing.Pages;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import io.tradestore.trading.NewPortfolioSnapshot;
import io.tradestore.trading.PortfolioSnapshot;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.tradestore.testing.Latches.await;
import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Readers and writers in one process. SQLite: WAL snapshots for readers, one serialised writer. PostgreSQL:
 * READ COMMITTED write units locking what they decide on (decision 0017; SERIALIZABLE as an option) and
 * SERIALIZABLE READ ONLY DEFERRABLE read units.
 */
@OnEachEngine
class ConcurrencyTest {
    @Parameter
    TestEngine engine;
    @RegisterExtension
    final TempStore temp = new TempStore();

    /**
     * Never half a unit, and readers never wait, on both engines: a SQLite reader reads its WAL snapshot while the
     * writer works; a PostgreSQL read unit (SERIALIZABLE READ ONLY DEFERRABLE) has no serializable writer to wait for,
     * since write units run READ COMMITTED (decision 0017), and reads the committed state.
     */
    @Test
    void readersDuringALongWriteSeeOnlyCommittedStateAndNeverWait() throws Exception {
        readDuringALongWrite(temp.get(), false);
    }

    /**
     * Under serializable writes (PostgreSQL only) the read unit waits for a safe snapshot, that is until every write
     * unit open when it started has ended, and then reads the snapshot it started with.
     */
    @Test
    void underSerializableWritesAReaderWaitsForTheWriterOnPostgres() throws Exception {
        Assumptions.assumeTrue(engine == TestEngine.POSTGRES, "serializable writes are a PostgreSQL option");
        try (Tradestore store = Tradestore.open(temp.config().withSerializableWrites(true))) {
            readDuringALongWrite(store, true);
        }
    }

    private void readDuringALongWrite(Tradestore store, boolean readersWait) throws Exception {
        CountDownLatch halfWritten = new CountDownLatch(1);
        CountDownLatch readersDone = new CountDownLatch(1);
        AtomicLong writerWentOn = new AtomicLong(Long.MAX_VALUE);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Connection observer = temp.connect()) {
            Future<?> writer = pool.submit(() -> store.useTransaction(uow -> {
                for (int i = 0; i < 5; i++) {
                    uow.portfolio().record(snapshot(i));
                }
                halfWritten.countDown();
                if (readersWait) {
                    awaitSafeSnapshotWait(observer); // the reader cannot finish before this unit does
                } else {
                    await(readersDone);
                }
                writerWentOn.set(System.nanoTime());
                for (int i = 5; i < 10; i++) {
                    uow.portfolio().record(snapshot(i));
                }
            }));
            await(halfWritten);
            List<Integer> seen = new ArrayList<>();
            seen.add(count(store));
            long firstReadReturned = System.nanoTime();
            for (int i = 1; i < 50; i++) {
                seen.add(count(store));
            }
            readersDone.countDown();
            writer.get(10, TimeUnit.SECONDS);

            assertThat(seen).as("half of the unit was never visible").isSubsetOf(0, 10).startsWith(0);
            assertThat(count(store)).isEqualTo(10);
            if (readersWait) {
                assertThat(firstReadReturned).as("the first read waited for the write unit to end")
                        .isGreaterThan(writerWentOn.get());
            } else {
                assertThat(seen).as("every read ran while the writer waited").containsOnly(0);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits until a session of this database waits for a safe snapshot (a DEFERRABLE read beside a writer). */
    private static void awaitSafeSnapshotWait(Connection observer) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (PreparedStatement st = observer.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND wait_event = 'SafeSnapshot'")) {
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(5);
            }
        } catch (SQLException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no read unit waited for a safe snapshot within 10 s");
    }

    @Test
    void twoWriterThreadsNeverSeeABusyDatabase() throws Exception {
        // No retries: a single busy failure (SQLITE_BUSY; 40001 on PostgreSQL) would surface as a BusyException.
        try (Tradestore store = Tradestore.open(temp.config().withRetryAttempts(0))) {
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

}
