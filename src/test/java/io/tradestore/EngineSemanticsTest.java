package io.tradestore;

import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.Stores;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.Position;
import io.tradestore.trading.PositionSide;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What callers see where the engines could differ (decision 0006, docs/postgresql.md): two units writing one row at
 * once, a read unit beside concurrent writers (the read-only anomaly), a pool with no free connection, and
 * PostgreSQL's lock and statement timeouts. Every case but the PostgreSQL-only timeouts runs on both engines
 * through the same code.
 */
class EngineSemanticsTest {
    private static final BigDecimal ONE = BigDecimal.ONE;

    @TempDir
    Path dir;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void close() throws Exception {
        threads.shutdownNow();
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private Tradestore open(TestEngine engine, UnaryOperator<TradestoreConfig> configure) throws Exception {
        return open(engine, false, configure);
    }

    /** {@code ownTables}: as the owner role on PostgreSQL, for a test that creates tables of its own. */
    private Tradestore open(TestEngine engine, boolean ownTables, UnaryOperator<TradestoreConfig> configure)
            throws Exception {
        TradestoreConfig config;
        if (engine == TestEngine.POSTGRES) {
            PostgresDatabases pg = PostgresDatabases.migrated();
            opened.add(pg);
            config = ownTables ? pg.ownerConfig() : pg.config();
        } else {
            config = Stores.config(dir);
        }
        Tradestore store = Tradestore.open(configure.apply(config));
        opened.add(store);
        return store;
    }

    /**
     * Both units read version v and update the stops with it while the other is inside its unit. SQLite runs them
     * one after the other (the second waits for the writer); PostgreSQL runs them at once, the second fails with a
     * serialization failure when the first commits, and its transparent retry sees version v + 1. Callers see the
     * same on both: one succeeds, the other gets OptimisticLockException.
     */
    @EachEngine
    void twoUnitsUpdatingOneRowWithTheSameExpectedVersionGiveOneSuccessAndOneOptimisticLockException(
            TestEngine engine) throws Exception {
        Tradestore store = open(engine, c -> c.withPoolSize(4));
        Position p = store.inTransaction(uow -> uow.positions().open(position()));
        long v = p.version();
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch secondStarted = new CountDownLatch(1);

        Future<Position> first = threads.submit(() -> store.inTransaction(uow -> {
            Position updated = uow.positions().updateStops(p.id(), new BigDecimal("90"), null, v);
            firstInside.countDown();
            await(secondStarted);
            sleep(300); // lets the second unit reach the row (PostgreSQL) or queue for the writer (SQLite)
            return updated;
        }));
        await(firstInside);
        Future<Position> second = threads.submit(() -> {
            secondStarted.countDown();
            return store.inTransaction(uow -> uow.positions().updateStops(p.id(), new BigDecimal("80"), null, v));
        });

        assertThat(first.get(30, TimeUnit.SECONDS).stopLoss()).isEqualByComparingTo("90");
        assertThatThrownBy(() -> second.get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(OptimisticLockException.class)
                .hasMessageContaining("is at version " + (v + 1) + ", not the expected version " + v);
        Position stored = store.read(uow -> uow.positions().find(p.id())).orElseThrow();
        assertThat(stored.version()).isEqualTo(v + 1);
        assertThat(stored.stopLoss()).isEqualByComparingTo("90");
    }

    /** Without an expected version neither update is lost: both increases apply, whatever the interleaving. */
    @EachEngine
    void twoConcurrentIncreasesOfOnePositionBothApply(TestEngine engine) throws Exception {
        Tradestore store = open(engine, c -> c.withPoolSize(4));
        Position p = store.inTransaction(uow -> uow.positions().open(position()));
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch secondStarted = new CountDownLatch(1);

        Future<?> first = threads.submit(() -> store.useTransaction(uow -> {
            uow.positions().increase(p.id(), ONE, new BigDecimal("110"), T0.plusSeconds(60));
            firstInside.countDown();
            await(secondStarted);
            sleep(300);
        }));
        await(firstInside);
        Future<?> second = threads.submit(() -> {
            secondStarted.countDown();
            store.useTransaction(uow -> uow.positions().increase(p.id(), ONE, new BigDecimal("130"),
                    T0.plusSeconds(120)));
        });
        first.get(30, TimeUnit.SECONDS);
        second.get(30, TimeUnit.SECONDS);

        Position stored = store.read(uow -> uow.positions().find(p.id())).orElseThrow();
        assertThat(stored.openQuantity()).isEqualByComparingTo("3");
        assertThat(stored.version()).isEqualTo(p.version() + 2);
        // (100 + 110 + 130) / 3, rounded once: the second increase saw the first.
        assertThat(stored.entryPrice()).isEqualByComparingTo("113.333333333333333333");
    }

    /**
     * The read-only anomaly (Fekete, O'Neil, O'Neil 2004), with the caller's own tables: a receipt unit reads the
     * current batch and later inserts a receipt into it; meanwhile a close unit moves the current batch on and
     * commits; then a report reads the current batch and the total of the previous one. If the report sees the new
     * batch, every serial order puts the receipt before the close and so before the report: the report must see
     * the receipt. REPEATABLE READ on PostgreSQL lets it miss it; SERIALIZABLE READ ONLY DEFERRABLE waits for a
     * safe snapshot instead. On SQLite the close cannot start before the receipt commits, so the report sees either
     * the old batch or everything.
     */
    @EachEngine
    void aReadUnitBesideConcurrentWritersSeesAStateSomeSerialOrderProduces(TestEngine engine) throws Exception {
        Tradestore store = open(engine, true, c -> c.withPoolSize(4).withBusyTimeout(Duration.ofSeconds(20)));
        store.useTransaction(uow -> {
            uow.jooq().execute("CREATE TABLE control (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL)");
            uow.jooq().execute("CREATE TABLE receipts (batch INTEGER NOT NULL, amount INTEGER NOT NULL)");
            uow.jooq().execute("INSERT INTO control VALUES (1, 1)");
        });
        CountDownLatch receiptRead = new CountDownLatch(1);
        CountDownLatch reportDone = new CountDownLatch(1);

        Future<?> receipt = threads.submit(() -> store.useTransaction(uow -> {
            int batch = uow.jooq().fetchOne("SELECT batch FROM control WHERE id = 1").get(0, Integer.class);
            receiptRead.countDown();
            try {
                // Waits for the report, but not for ever: a DEFERRABLE report waits for this unit to end.
                reportDone.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            uow.jooq().execute("INSERT INTO receipts VALUES (" + batch + ", 10)");
        }));
        await(receiptRead);
        Future<?> close = threads.submit(() -> store.useTransaction(uow ->
                uow.jooq().execute("UPDATE control SET batch = batch + 1 WHERE id = 1")));
        try {
            close.get(1, TimeUnit.SECONDS); // PostgreSQL: commits at once; SQLite: waits for the receipt unit
        } catch (java.util.concurrent.TimeoutException stillWaiting) {
            // SQLite's single writer: the close runs after the receipt commits.
        }
        int[] report = store.read(uow -> {
            int batch = uow.jooq().fetchOne("SELECT batch FROM control WHERE id = 1").get(0, Integer.class);
            int total = uow.jooq().fetchOne("SELECT COALESCE(SUM(amount), 0) FROM receipts WHERE batch = "
                    + (batch - 1)).get(0, Integer.class);
            return new int[] {batch, total};
        });
        reportDone.countDown();
        receipt.get(30, TimeUnit.SECONDS);
        close.get(30, TimeUnit.SECONDS);

        if (report[0] == 2) {
            assertThat(report[1]).as("the report saw batch 2 closed, so it must see batch 1's receipt").isEqualTo(10);
        }
        // The receipt landed in batch 1 (it read the batch before the close committed, and a retry would read 2).
        Integer receiptBatch = store.read(uow -> uow.jooq().fetchOne("SELECT batch FROM receipts").get(0,
                Integer.class));
        assertThat(receiptBatch).isIn(1, 2);
    }

    /** A pool with no free connection within the busy timeout is a busy database on both engines. */
    @EachEngine
    void aReadUnitThatFindsNoFreeConnectionFailsWithBusyException(TestEngine engine) throws Exception {
        Tradestore store = open(engine, c -> c.withPoolSize(1).withBusyTimeout(Duration.ofMillis(300)));
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = threads.submit(() -> store.read(uow -> {
            uow.positions().find(1);
            holding.countDown();
            await(release);
            return null;
        }));
        await(holding);
        try {
            assertThatThrownBy(() -> store.read(uow -> uow.positions().find(1)))
                    .isInstanceOf(BusyException.class)
                    .hasMessageContaining("no pooled connection became free within")
                    .hasMessageContaining("busyTimeout");
        } finally {
            release.countDown();
        }
        holder.get(30, TimeUnit.SECONDS);
        assertThat(nothingStored(store)).isTrue();
    }

    /** PostgreSQL's lock_timeout: a unit that waits longer for a row lock fails with BusyException, not retried. */
    @Test
    void aUnitWaitingLongerThanTheLockTimeoutFailsWithBusyException() throws Exception {
        Tradestore store = open(TestEngine.POSTGRES, c -> c.withPoolSize(4).withLockTimeout(Duration.ofMillis(200)));
        Position p = store.inTransaction(uow -> uow.positions().open(position()));
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = threads.submit(() -> store.useTransaction(uow -> {
            uow.positions().updateStops(p.id(), new BigDecimal("90"), null, p.version());
            locked.countDown();
            await(release);
        }));
        await(locked);
        int[] attempts = {0};
        try {
            assertThatThrownBy(() -> store.useTransaction(uow -> {
                attempts[0]++;
                uow.positions().updateStops(p.id(), new BigDecimal("80"), null, p.version());
            })).isInstanceOf(BusyException.class).hasMessageContaining("lock_timeout")
                    .extracting(e -> ((BusyException) e).sqlState()).isEqualTo("55P03");
        } finally {
            release.countDown();
        }
        holder.get(30, TimeUnit.SECONDS);
        assertThat(attempts[0]).as("a lock timeout already waited: not retried").isEqualTo(1);
    }

    /** PostgreSQL's statement_timeout cancels a runaway statement; the unit fails and writes nothing. */
    @Test
    void aStatementRunningLongerThanTheStatementTimeoutIsCancelled() throws Exception {
        Tradestore store = open(TestEngine.POSTGRES, c -> c.withStatementTimeout(Duration.ofMillis(200)));
        assertThatThrownBy(() -> store.useTransaction(uow -> {
            uow.positions().open(position());
            uow.jooq().execute("SELECT pg_sleep(5)");
        })).isInstanceOf(DatabaseException.class).hasMessageContaining("statement timeout")
                .extracting(e -> ((DatabaseException) e).sqlState()).isEqualTo("57014");
        assertThat(nothingStored(store)).isTrue();
        assertThat(store.config().toString()).contains("statementTimeout=PT0.2S", "lockTimeout=PT5S");
    }

    @Test
    void timeoutsSQLiteCannotHonourAreRefusedNamingTheSQLiteEquivalent() {
        TradestoreConfig sqlite = TradestoreConfig.sqlite(dir.resolve("x.db"));
        assertThatThrownBy(() -> sqlite.withLockTimeout(Duration.ofSeconds(1)))
                .isInstanceOf(ValidationException.class).hasMessageContaining("lockTimeout")
                .hasMessageContaining("withBusyTimeout");
        assertThatThrownBy(() -> sqlite.withStatementTimeout(Duration.ofSeconds(1)))
                .isInstanceOf(ValidationException.class).hasMessageContaining("statementTimeout");
        TradestoreConfig pg = TradestoreConfig.postgres("jdbc:postgresql://127.0.0.1:5432/x", "u", null);
        assertThat(pg.lockTimeout()).isEqualTo(pg.busyTimeout());
        assertThat(pg.withBusyTimeout(Duration.ofSeconds(9)).lockTimeout()).isEqualTo(Duration.ofSeconds(9));
        assertThat(pg.withLockTimeout(Duration.ZERO).withBusyTimeout(Duration.ofSeconds(9)).lockTimeout())
                .isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> pg.withStatementTimeout(Duration.ofMinutes(11)))
                .isInstanceOf(ValidationException.class).hasMessageContaining("statementTimeout");
    }

    private static boolean nothingStored(Tradestore store) {
        return store.read(uow -> uow.positions().find(1).isEmpty());
    }

    private static NewPosition position() {
        return NewPosition.of("BTCUSDT", PositionSide.LONG, ONE, new BigDecimal("100"), T0);
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("timed out waiting for another thread");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
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
