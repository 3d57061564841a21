package io.tradestore;

import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.Stores;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import io.tradestore.analytics.Direction;
import io.tradestore.analytics.NewPrediction;
import io.tradestore.analytics.PredictedAction;
import io.tradestore.analytics.Prediction;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.Order;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.Position;
import io.tradestore.trading.PositionSide;
import org.jooq.impl.DSL;
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
import java.util.function.Function;
import java.util.function.UnaryOperator;

import static io.tradestore.testing.Latches.await;
import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What callers see where the engines could differ (decisions 0006 and 0017, docs/postgresql.md): two units writing
 * one row or placing one order at once, a read unit beside concurrent writers (the read-only anomaly), a pool with no free connection, and
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
     * Both units update the stops with version v while the other is inside its unit. SQLite runs them one after the
     * other (the second waits for the writer); on PostgreSQL the second waits for the first's row lock and then
     * reads version v + 1 (decision 0017). Callers see the same on both: one succeeds, the other gets
     * OptimisticLockException.
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
     * The same placement sent by two units at once (a client retrying while its first request is still in flight):
     * both get the one order, as SQLite's serial order gives, with retries off. On PostgreSQL the second unit's
     * {@code place} waits on the lock on the client order id until the first commits, then finds its order.
     */
    @EachEngine
    void twoUnitsPlacingTheSameOrderAtOnceBothGetTheOneOrder(TestEngine engine) throws Exception {
        Tradestore store = open(engine, c -> c.withPoolSize(4).withRetryAttempts(0));
        NewOrder order = order("2");
        List<Future<Order>> both = placeWhileTheFirstIsOpen(store, order, order);
        Order first = both.get(0).get(30, TimeUnit.SECONDS);
        Order second = both.get(1).get(30, TimeUnit.SECONDS);
        assertThat(second.id()).isEqualTo(first.id());
        assertThat(second.version()).isEqualTo(first.version());
        Order stored = store.read(uow -> uow.orders().findByClientOrderId("dup-1")).orElseThrow();
        assertThat(stored.id()).isEqualTo(first.id());
    }

    /** ... and the same client order id with other parameters is the conflict naming them, on both engines. */
    @EachEngine
    void twoUnitsPlacingTheSameClientOrderIdWithOtherParametersAtOnceGiveTheConflictNamingThem(TestEngine engine)
            throws Exception {
        Tradestore store = open(engine, c -> c.withPoolSize(4).withRetryAttempts(0));
        List<Future<Order>> both = placeWhileTheFirstIsOpen(store, order("2"), order("3"));
        Order first = both.get(0).get(30, TimeUnit.SECONDS);
        assertThatThrownBy(() -> both.get(1).get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ConflictException.class)
                .cause().hasMessage("client order id \"dup-1\" is already used by order " + first.id()
                        + " with different parameters: quantity 2 (stored) vs 3 (requested); a client order id names"
                        + " exactly one order");
    }

    /**
     * A caller's own "look the client order id up, place it if absent": a unit that looks the id up while another
     * unit has placed it and is still open sees that order once the other commits, on both engines. On PostgreSQL
     * an absent row has no row lock; findByClientOrderId and place share a lock on the id instead (decision 0017).
     * LinearizabilityTest found the gap: both units answered "placed".
     */
    @EachEngine
    void aLookupOfAClientOrderIdBeingPlacedWaitsAndSeesTheOrder(TestEngine engine) throws Exception {
        Tradestore store = open(engine, c -> c.withPoolSize(4).withRetryAttempts(0));
        NewOrder order = order("2");
        List<Future<Object>> both = secondWhileTheFirstIsOpen(store,
                uow -> uow.orders().findByClientOrderId("dup-1").isPresent() ? "found"
                        : (Object) uow.orders().place(order).id(),
                uow -> uow.orders().findByClientOrderId("dup-1").map(o -> (Object) o.id()).orElse("nothing"));
        Object placed = both.get(0).get(30, TimeUnit.SECONDS);
        assertThat(both.get(1).get(30, TimeUnit.SECONDS)).as("the second unit's lookup").isEqualTo(placed);
    }

    private static NewOrder order(String quantity) {
        return NewOrder.limit("dup-1", "BTCUSDT", OrderSide.BUY, new BigDecimal(quantity), new BigDecimal("100"));
    }

    private List<Future<Order>> placeWhileTheFirstIsOpen(Tradestore store, NewOrder a, NewOrder b) {
        return secondWhileTheFirstIsOpen(store, uow -> uow.orders().place(a), uow -> uow.orders().place(b));
    }

    /**
     * Runs {@code first} in a unit that stays open 300 ms after it, and {@code second} in another unit started
     * meanwhile: on PostgreSQL the second reaches its statements while the first is open, on SQLite it queues
     * for the writer.
     */
    private <T> List<Future<T>> secondWhileTheFirstIsOpen(Tradestore store, Function<UnitOfWork, T> first,
                                                          Function<UnitOfWork, T> second) {
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch secondStarted = new CountDownLatch(1);
        Future<T> one = threads.submit(() -> store.inTransaction(uow -> {
            T result = first.apply(uow);
            firstInside.countDown();
            await(secondStarted);
            sleep(300);
            return result;
        }));
        await(firstInside);
        Future<T> two = threads.submit(() -> {
            secondStarted.countDown();
            return store.inTransaction(second::apply);
        });
        return List.of(one, two);
    }

    /**
     * Two units recording the same prediction at once: the second is refused on both engines, and the message names
     * the prediction that won, as SQLite's serial order would (PostgreSQL reads it after the unique index refused
     * the insert: at READ COMMITTED the winner's row is visible by then).
     */
    @EachEngine
    void twoUnitsRecordingTheSamePredictionAtOnceGiveAConflictNamingTheStoredOne(TestEngine engine) throws Exception {
        Tradestore store = open(engine, c -> c.withPoolSize(4).withRetryAttempts(0));
        NewPrediction p = new NewPrediction("BTCUSDT", T0, PredictedAction.BUY, new BigDecimal("0.7"), Direction.UP,
                new BigDecimal("0.01"), null, "lstm-v3", new BigDecimal("100"), null);
        List<Future<Prediction>> both = secondWhileTheFirstIsOpen(store, uow -> uow.predictions().record(p),
                uow -> uow.predictions().record(p));
        Future<Prediction> first = both.get(0);
        Future<Prediction> second = both.get(1);
        long id = first.get(30, TimeUnit.SECONDS).id();
        assertThatThrownBy(() -> second.get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ConflictException.class)
                .cause().hasMessageContaining("already exists (prediction " + id + ")");
    }

    /** uow.lock and uow.forUpdate: write units only, a name and a query are required; the same on both engines. */
    @EachEngine
    void aNamedLockNeedsAWriteUnitAndAName(TestEngine engine) throws Exception {
        Tradestore store = open(engine, UnaryOperator.identity());
        store.useTransaction(uow -> {
            uow.lock("open-position:BTCUSDT");
            uow.lock("open-position:BTCUSDT"); // taken again by the same unit: no wait
        });
        assertThatThrownBy(() -> store.read(uow -> {
            uow.lock("x");
            return null;
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("uow.lock writes, but this is a read-only"
                + " unit of work");
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.forUpdate(null)))
                .isInstanceOf(ValidationException.class).hasMessage("query: must not be null (was null)");
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.lock(" ")))
                .isInstanceOf(ValidationException.class)
                .hasMessage("name: must name the lock (e.g. \"open-position:BTCUSDT\") (was \" \")");
    }

    /** The isolation write units run at on PostgreSQL: READ COMMITTED by default, SERIALIZABLE on request. */
    @Test
    void writeUnitsRunReadCommittedUnlessSerializableWritesAreAskedFor() throws Exception {
        PostgresDatabases.assumeAvailable();
        Tradestore byDefault = open(TestEngine.POSTGRES, UnaryOperator.identity());
        Tradestore serializable = open(TestEngine.POSTGRES, c -> c.withSerializableWrites(true));
        assertThat(isolation(byDefault)).isEqualTo("read committed");
        assertThat(isolation(serializable)).isEqualTo("serializable");
        // Read units: one snapshot; DEFERRABLE only beside serializable writers (it waits for every serializable
        // transaction of the server, which READ COMMITTED writers give it no reason to).
        assertThat(readCharacteristics(byDefault)).isEqualTo("repeatable read off");
        assertThat(readCharacteristics(serializable)).isEqualTo("serializable on");
        assertThatThrownBy(() -> byDefault.read(uow -> uow.forUpdate(uow.jooq().selectOne())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("uow.forUpdate (a row lock) writes, but this is a read-only unit of work");
    }

    private static String readCharacteristics(Tradestore store) {
        return store.read(uow -> uow.jooq().fetchOne("SELECT current_setting('transaction_isolation') || ' '"
                + " || current_setting('transaction_deferrable')").get(0, String.class));
    }

    private static Object isolation(Tradestore store) {
        return store.inTransaction(uow -> uow.jooq().fetchValue("SELECT current_setting('transaction_isolation')"));
    }

    /**
     * The read-only anomaly (Fekete, O'Neil, O'Neil 2004), with the caller's own tables: a receipt unit reads the
     * current batch and later inserts a receipt into it; meanwhile a close unit moves the current batch on; then a
     * report reads the current batch and the total of the previous one. If the report sees the new batch, every
     * serial order puts the receipt before the close and so before the report: the report must see the receipt.
     * Here the receipt unit reads the batch through {@link UnitOfWork#forUpdate}, as decision 0017 asks of code that
     * writes on what it read: on PostgreSQL (READ COMMITTED writers) the close waits for the receipt, on SQLite the
     * single writer orders them anyway. {@link #withoutTheLockReadCommittedWritersLetTheReportMissTheReceipt} shows
     * the same units without the lock going wrong.
     */
    @EachEngine
    void aReadUnitBesideWritersThatLockWhatTheyReadSeesAStateSomeSerialOrderProduces(TestEngine engine)
            throws Exception {
        Tradestore store = open(engine, true, c -> c.withPoolSize(4).withBusyTimeout(Duration.ofSeconds(20)));
        int[] report = receiptCloseAndReport(store, true);
        assertReportConsistent(store, report);
    }

    /**
     * The same units, the receipt's read unlocked, under serializable writes ({@code withSerializableWrites} on
     * PostgreSQL): SERIALIZABLE READ ONLY DEFERRABLE waits for a safe snapshot (REPEATABLE READ would let the report
     * miss the receipt). On SQLite the close cannot start before the receipt commits.
     */
    @EachEngine
    void underSerializableWritesAReadUnitSeesAStateSomeSerialOrderProducesWithoutLocks(TestEngine engine)
            throws Exception {
        Tradestore store = open(engine, true, c -> {
            TradestoreConfig config = c.withPoolSize(4).withBusyTimeout(Duration.ofSeconds(20));
            return engine == TestEngine.POSTGRES ? config.withSerializableWrites(true) : config;
        });
        int[] report = receiptCloseAndReport(store, false);
        assertReportConsistent(store, report);
    }

    /**
     * What decision 0017 trades for the abort rate, shown so the docs' warning stays true: at READ COMMITTED, code
     * that reads a row without {@link UnitOfWork#forUpdate} and writes on what it read is not serialised. The close
     * commits while the receipt unit is still open, and the report sees batch 2 without batch 1's receipt.
     */
    @Test
    void withoutTheLockReadCommittedWritersLetTheReportMissTheReceipt() throws Exception {
        PostgresDatabases.assumeAvailable();
        Tradestore store = open(TestEngine.POSTGRES, true, c -> c.withPoolSize(4)
                .withBusyTimeout(Duration.ofSeconds(20)));
        int[] report = receiptCloseAndReport(store, false);
        assertThat(report).as("batch seen, receipts of the batch before").containsExactly(2, 0);
    }

    private int[] receiptCloseAndReport(Tradestore store, boolean lockTheBatch) throws Exception {
        store.useTransaction(uow -> {
            uow.jooq().execute("CREATE TABLE control (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL)");
            uow.jooq().execute("CREATE TABLE receipts (batch INTEGER NOT NULL, amount INTEGER NOT NULL)");
            uow.jooq().execute("INSERT INTO control VALUES (1, 1)");
        });
        CountDownLatch receiptRead = new CountDownLatch(1);
        CountDownLatch reportDone = new CountDownLatch(1);

        Future<?> receipt = threads.submit(() -> store.useTransaction(uow -> {
            var read = uow.jooq().select(DSL.field("batch", Integer.class)).from(DSL.table("control"))
                    .where(DSL.field("id").eq(1));
            int batch = (lockTheBatch ? uow.forUpdate(read) : read).fetchOne().value1();
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
            close.get(1, TimeUnit.SECONDS); // commits at once unless the batch row is locked or SQLite's writer is busy
        } catch (java.util.concurrent.TimeoutException stillWaiting) {
            // The close runs after the receipt commits.
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
        return report;
    }

    private static void assertReportConsistent(Tradestore store, int[] report) {
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
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = holdTheRowOf(store, p, release);
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

    /**
     * The DAO's locking read runs in its own savepoint like a writing statement, so a unit that catches its lock
     * timeout and carries on commits what else it wrote (without the savepoint PostgreSQL would have aborted the
     * transaction, and the commit would have rolled everything back).
     */
    @Test
    void aUnitThatCatchesALockTimeoutOnALockingReadCarriesOn() throws Exception {
        Tradestore store = open(TestEngine.POSTGRES, c -> c.withPoolSize(4).withLockTimeout(Duration.ofMillis(200)));
        Position p = store.inTransaction(uow -> uow.positions().open(position()));
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder = holdTheRowOf(store, p, release);
        Position other;
        try {
            other = store.inTransaction(uow -> {
                assertThatThrownBy(() -> uow.positions().increase(p.id(), ONE, new BigDecimal("120"),
                        T0.plusSeconds(60))).isInstanceOf(BusyException.class);
                return uow.positions().open(position());
            });
        } finally {
            release.countDown();
        }
        holder.get(30, TimeUnit.SECONDS);
        Position stored = store.read(uow -> uow.positions().find(other.id())).orElseThrow();
        assertThat(stored.openQuantity()).isEqualByComparingTo(other.openQuantity());
        Position first = store.read(uow -> uow.positions().find(p.id())).orElseThrow();
        assertThat(first.openQuantity()).as("the timed-out increase wrote nothing").isEqualByComparingTo(
                p.openQuantity());
    }

    /** A unit that has changed the position (so holds its row lock) and stays open until {@code release}. */
    private Future<?> holdTheRowOf(Tradestore store, Position p, CountDownLatch release) {
        CountDownLatch locked = new CountDownLatch(1);
        Future<?> holder = threads.submit(() -> store.useTransaction(uow -> {
            uow.positions().updateStops(p.id(), new BigDecimal("90"), null, p.version());
            locked.countDown();
            await(release);
        }));
        await(locked);
        return holder;
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
        assertThatThrownBy(() -> sqlite.withSerializableWrites(true))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("serializableWrites: is PostgreSQL's isolation level for write units; SQLite's"
                        + " single writer runs them one at a time already");
        assertThat(pg.toString()).contains("writeIsolation=READ COMMITTED");
        assertThat(pg.withSerializableWrites(true).toString()).contains("writeIsolation=SERIALIZABLE");
        assertThat(pg.withSerializableWrites(true).withPoolSize(3).serializableWrites()).isTrue();
    }

    private static boolean nothingStored(Tradestore store) {
        return store.read(uow -> uow.positions().find(1).isEmpty());
    }

    private static NewPosition position() {
        return NewPosition.of("BTCUSDT", PositionSide.LONG, ONE, new BigDecimal("100"), T0);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
