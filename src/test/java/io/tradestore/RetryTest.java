package io.tradestore;

import io.tradestore.testing.OnEachEngine;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import io.tradestore.trading.NewPortfolioSnapshot;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.Position;
import io.tradestore.trading.PositionSide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A unit that finds the database busy is run again whole, up to {@code retryAttempts} more times. Busy is each
 * engine's own: on SQLite another connection (another process) holds the write lock, so {@code BEGIN IMMEDIATE}
 * waits {@code busy_timeout} and fails before the unit's function runs; on PostgreSQL another session commits a
 * change to a row the unit then updates, and the unit fails with a serialization failure (40001) inside its
 * function, which has already run up to that statement (under serializable writes; at READ COMMITTED, the default,
 * a deadlock, 40P01, is the case that remains). Both surface as {@link BusyException} with SQLState 40001.
 */
@OnEachEngine
class RetryTest {
    @Parameter
    TestEngine engine;
    @RegisterExtension
    final TempStore temp = new TempStore();

    @Test
    void aUnitThatHitsABusyDatabaseIsRunAgainWholeAndSucceeds() throws Exception {
        long positionId = openPosition();
        AtomicInteger runs = new AtomicInteger();
        // SQLite: the lock is held 8x longer than busy_timeout, so without whole-unit retries this fails after 50 ms.
        try (Tradestore store = Tradestore.open(config().withBusyTimeout(Duration.ofMillis(50))
                .withRetryAttempts(20));
             Contention contention = engine == TestEngine.SQLITE ? new WriteLockHeld(400) : new RowChangedUnder(3)) {
            long start = System.nanoTime();
            Position updated = store.inTransaction(uow -> unit(uow, runs, contention, positionId));
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(updated.version()).as("the update applied once").isEqualTo(1);
            boolean written = store.read(uow -> uow.portfolio().latest().isPresent());
            assertThat(written).isTrue();
            if (engine == TestEngine.SQLITE) {
                assertThat(runs.get()).as("blocked attempts fail at BEGIN, before the function").isEqualTo(1);
                assertThat(waitedMillis).as("succeeded only after the other connection committed")
                        .isGreaterThanOrEqualTo(350);
            } else {
                assertThat(runs.get()).as("three attempts met a concurrent change, the fourth none").isEqualTo(4);
            }
        }
    }

    @Test
    void aUnitThatStaysBusyFailsWithBusyExceptionAfterTheConfiguredAttemptsAndWritesNothing() throws Exception {
        long positionId = openPosition();
        AtomicInteger runs = new AtomicInteger();
        try (Tradestore store = Tradestore.open(config().withBusyTimeout(Duration.ofMillis(20))
                .withRetryAttempts(3));
             Contention contention = engine == TestEngine.SQLITE ? new WriteLockHeld(-1)
                     : new RowChangedUnder(Integer.MAX_VALUE)) {
            assertThatThrownBy(() -> store.inTransaction(uow -> unit(uow, runs, contention, positionId)))
                    .isInstanceOf(BusyException.class)
                    .hasMessageContaining("after 4 attempt(s)")
                    .satisfies(e -> assertThat(((BusyException) e).sqlState()).isEqualTo("40001"));
        }
        assertThat(runs.get()).as(engine == TestEngine.SQLITE ? "BEGIN IMMEDIATE fails before the function runs"
                : "each attempt ran up to the update").isEqualTo(engine == TestEngine.SQLITE ? 0 : 4);
        boolean written = temp.read(uow -> uow.portfolio().latest().isPresent());
        assertThat(written).as("the snapshot each attempt wrote").isFalse();
        assertThat(temp.read(uow -> uow.positions().find(positionId)).orElseThrow().version()).isZero();
    }

    /**
     * At READ COMMITTED (PostgreSQL's default here, decision 0017) the busy case that remains is a deadlock: two
     * units lock two positions in opposite orders, PostgreSQL aborts one with 40P01, and the store runs it again,
     * so both units apply (each position increased twice) and exactly one unit ran twice. On SQLite the second unit
     * waits for the writer and nothing is re-run.
     */
    @Test
    void aUnitChosenAsADeadlockVictimIsRunAgainWholeAndBothApply() throws Exception {
        long a = openPosition();
        long b = openPosition();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch aLocked = new CountDownLatch(1);
        CountDownLatch bLocked = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (Tradestore store = Tradestore.open(temp.config().withPoolSize(4).withBusyTimeout(Duration.ofSeconds(10)))) {
            Future<?> first = threads.submit(() -> store.useTransaction(uow -> {
                runs.incrementAndGet();
                increase(uow, a);
                aLocked.countDown();
                awaitBriefly(bLocked); // SQLite: the other unit waits for the writer, so this only times out
                increase(uow, b);
            }));
            Future<?> second = threads.submit(() -> store.useTransaction(uow -> {
                runs.incrementAndGet();
                increase(uow, b);
                bLocked.countDown();
                awaitBriefly(aLocked);
                increase(uow, a);
            }));
            first.get(30, TimeUnit.SECONDS);
            second.get(30, TimeUnit.SECONDS);
            for (long id : new long[] {a, b}) {
                Position p = store.read(uow -> uow.positions().find(id)).orElseThrow();
                assertThat(p.openQuantity()).as("position %s increased by both units", id).isEqualByComparingTo("3");
                assertThat(p.version()).isEqualTo(2);
            }
            assertThat(runs.get()).as(engine == TestEngine.SQLITE ? "nothing re-run: the writer is a queue"
                    : "the deadlock victim ran twice").isEqualTo(engine == TestEngine.SQLITE ? 2 : 3);
        } finally {
            threads.shutdownNow();
        }
    }

    private static void increase(UnitOfWork uow, long positionId) {
        uow.positions().increase(positionId, BigDecimal.ONE, new BigDecimal("100"), T0.plusSeconds(60));
    }

    private static void awaitBriefly(CountDownLatch latch) {
        try {
            latch.await(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void backoffIsJitteredAndCapped() {
        for (int attempt = 1; attempt <= 30; attempt++) {
            long pause = Tradestore.backoffMillis(attempt);
            assertThat(pause).isBetween(0L, 1000L);
        }
    }

    /** Writes a snapshot, then updates the position: a unit with a write before the statement that meets contention. */
    private static Position unit(UnitOfWork uow, AtomicInteger runs, Contention contention, long positionId) {
        runs.incrementAndGet();
        uow.portfolio().record(new NewPortfolioSnapshot(T0, BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ZERO,
                BigDecimal.ZERO, 0));
        contention.beforeUpdate(positionId);
        Position p = uow.positions().find(positionId).orElseThrow();
        return uow.positions().updateStops(positionId, new BigDecimal("90"), null, p.version());
    }

    /** PostgreSQL with serializable writes: the busy case these tests provoke is a serialization failure. */
    private TradestoreConfig config() {
        return engine == TestEngine.POSTGRES ? temp.config().withSerializableWrites(true) : temp.config();
    }

    private long openPosition() {
        return temp.inTransaction(uow -> uow.positions().open(NewPosition.of("BTCUSDT", PositionSide.LONG,
                BigDecimal.ONE, new BigDecimal("100"), T0))).id();
    }

    /** Another session getting in the unit's way, the engine's own way. */
    private interface Contention extends AutoCloseable {
        /** Runs inside the unit after its first write, before it reads and updates the position. */
        void beforeUpdate(long positionId);

        @Override
        void close() throws SQLException;
    }

    /** SQLite: another connection holds the write lock, for {@code millis} or (negative) until closed. */
    private final class WriteLockHeld implements Contention {
        private final Connection other;
        private final CompletableFuture<Void> release;

        WriteLockHeld(long millis) throws SQLException {
            other = temp.connect();
            execute(other, "BEGIN IMMEDIATE");
            release = millis < 0 ? null : CompletableFuture.runAsync(() -> {
                sleep(millis);
                execute(other, "COMMIT");
            });
        }

        @Override
        public void beforeUpdate(long positionId) {
        }

        @Override
        public void close() throws SQLException {
            if (release != null) {
                release.join();
            } else {
                execute(other, "ROLLBACK");
            }
            other.close();
        }
    }

    /**
     * PostgreSQL: another session changes the position and commits after the unit's snapshot was taken (by its
     * first write), in the first {@code attempts} attempts; the unit's update of that row then fails with 40001.
     */
    private final class RowChangedUnder implements Contention {
        private final Connection other;
        private int left;

        RowChangedUnder(int attempts) throws SQLException {
            other = temp.connect();
            left = attempts;
        }

        @Override
        public void beforeUpdate(long positionId) {
            if (left-- > 0) {
                try (PreparedStatement st = other.prepareStatement(
                        "UPDATE trading.positions SET version = version WHERE id = ?")) {
                    st.setLong(1, positionId);
                    assertThat(st.executeUpdate()).isEqualTo(1);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        @Override
        public void close() throws SQLException {
            other.close();
        }
    }

    private static void execute(Connection c, String sql) {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
