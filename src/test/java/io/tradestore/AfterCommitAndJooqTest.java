package io.tradestore;

import io.tradestore.testing.Pages;
import io.tradestore.testing.StandardError;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;

import io.tradestore.testing.EngineStores;
import io.tradestore.testing.PostgresDatabases;
import io.tradestore.trading.NewPortfolioSnapshot;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.junit.jupiter.api.AfterAll;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a backend needs from a unit of work (issue 9, part 5): {@code uow.afterCommit} runs its callbacks once, after
 * the outermost commit only, and {@code uow.jooq()} writes the caller's own tables in the unit's transaction. Every
 * case runs on a SQLite file and on PostgreSQL through the same code; each test uses its own snapshot times and its
 * own table, so the two shared stores need no cleaning.
 */
class AfterCommitAndJooqTest {

    private static final EngineStores stores = new EngineStores("tradestore-uow", true,
            // The owner: these tests create tables of their own. Serializable writes: provokeBusy needs a real
            // serialization failure, which READ COMMITTED units (the default, decision 0017) never meet.
            c -> c.withPoolSize(2).withRetryAttempts(5).withSerializableWrites(true));
    private static final AtomicInteger sequence = new AtomicInteger();

    private static Tradestore store(TestEngine engine) {
        return stores.get(engine);
    }

    @AfterAll
    static void closeStores() throws Exception {
        stores.close();
    }

    // ---- afterCommit ----------------------------------------------------------------------------------------------

    @EachEngine
    void callbacksRunOnceAfterTheCommitInRegistrationOrderAndSeeTheCommittedData(TestEngine engine) {
        Tradestore store = store(engine);
        Instant at = freshTime();
        List<String> ran = new CopyOnWriteArrayList<>();
        List<Integer> seenByCallback = new CopyOnWriteArrayList<>();
        String result = store.inTransaction(uow -> {
            uow.afterCommit(() -> ran.add("first"));
            uow.portfolio().record(snapshot(at));
            uow.afterCommit(() -> {
                ran.add("second");
                // Committed: another thread's snapshot sees the row. And the unit is over: a unit the callback
                // starts is an outermost one of its own, not nested into the unit that registered the callback.
                seenByCallback.add(CompletableFuture.supplyAsync(() ->
                        store.read(r -> Pages.all(page ->
                                r.portfolio().range(at, at.plusSeconds(1), page)).size())).join());
                seenByCallback.add(store.inTransaction(UnitOfWork::depth));
            });
            uow.afterCommit(() -> ran.add("third"));
            assertThat(ran).as("nothing runs before the function returned").isEmpty();
            return "result";
        });
        assertThat(result).isEqualTo("result");
        assertThat(ran).containsExactly("first", "second", "third");
        assertThat(seenByCallback).containsExactly(1, 0);
    }

    @EachEngine
    void aUnitThatRollsBackDiscardsItsCallbacks(TestEngine engine) {
        Tradestore store = store(engine);
        Instant at = freshTime();
        List<String> ran = new CopyOnWriteArrayList<>();
        IllegalStateException boom = new IllegalStateException("boom");
        assertThatThrownBy(() -> store.useTransaction(uow -> {
            uow.portfolio().record(snapshot(at));
            uow.afterCommit(() -> ran.add("never"));
            throw boom;
        })).isSameAs(boom);
        assertThat(ran).isEmpty();
        assertThat(snapshotsAt(store, at)).isZero();
    }

    /** The store runs a unit again after a busy failure; only the attempt that committed has its callbacks run. */
    @EachEngine
    void anAttemptThatFailedBusyAndWasRetriedHasItsCallbacksDiscarded(TestEngine engine) throws Exception {
        Tradestore store = store(engine);
        Instant at = freshTime();
        String table = createProbe(store);
        AtomicInteger attempts = new AtomicInteger();
        List<String> ran = new CopyOnWriteArrayList<>();
        store.useTransaction(uow -> {
            int attempt = attempts.incrementAndGet();
            uow.afterCommit(() -> ran.add("attempt " + attempt));
            uow.portfolio().record(snapshot(at));
            if (attempt == 1) {
                provokeBusy(engine, uow, table);
            }
        });
        assertThat(attempts.get()).as("attempts").isEqualTo(2);
        assertThat(ran).containsExactly("attempt 2");
        assertThat(snapshotsAt(store, at)).isEqualTo(1);
    }

    @EachEngine
    void aNestedUnitsCallbacksWaitForTheOuterCommitAndDieWithItsSavepoint(TestEngine engine) {
        Tradestore store = store(engine);
        Instant at = freshTime();
        List<String> ran = new CopyOnWriteArrayList<>();
        store.useTransaction(uow -> {
            uow.afterCommit(() -> ran.add("outer before"));
            assertThatThrownBy(() -> store.useTransaction(inner -> {
                inner.portfolio().record(snapshot(at));
                inner.afterCommit(() -> ran.add("rolled-back nested"));
                throw new IllegalStateException("nested fails");
            })).hasMessage("nested fails");
            store.useTransaction(inner -> {
                inner.afterCommit(() -> ran.add("nested"));
                store.useTransaction(deeper -> deeper.afterCommit(() -> ran.add("nested deeper")));
            });
            assertThat(ran).as("a nested unit that succeeded runs nothing before the outer commit").isEmpty();
            uow.afterCommit(() -> ran.add("outer after"));
        });
        assertThat(ran).containsExactly("outer before", "nested", "nested deeper", "outer after");
        assertThat(snapshotsAt(store, at)).isZero();

        ran.clear();
        assertThatThrownBy(() -> store.useTransaction(uow -> {
            store.useTransaction(inner -> inner.afterCommit(() -> ran.add("nested of a failed outer")));
            throw new IllegalStateException("outer fails after its nested unit succeeded");
        })).hasMessageContaining("outer fails");
        assertThat(ran).isEmpty();
    }

    /**
     * The outer unit's handle, captured by a nested unit's function: its callback would survive the nested unit's
     * rollback and announce writes that were undone (found by review), so it is refused and the unit rolls back.
     */
    @EachEngine
    void theOuterUnitRefusesACallbackWhileANestedUnitRuns(TestEngine engine) {
        Tradestore store = store(engine);
        Instant at = freshTime();
        List<String> ran = new CopyOnWriteArrayList<>();
        store.useTransaction(uow -> {
            assertThatThrownBy(() -> store.useTransaction(inner -> {
                inner.portfolio().record(snapshot(at));
                uow.afterCommit(() -> ran.add("announces a snapshot the nested unit rolled back"));
            })).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("uow.afterCommit was called on an outer unit of work while a nested unit"
                            + " is running; register the callback on the nested unit's UnitOfWork");
            uow.afterCommit(() -> ran.add("outer, after the nested unit ended"));
        });
        assertThat(ran).containsExactly("outer, after the nested unit ended");
        assertThat(snapshotsAt(store, at)).isZero();
    }

    @EachEngine
    void aThrowingCallbackIsLoggedWithItsExceptionAndNeitherUndoesTheCommitNorStopsTheNext(TestEngine engine) {
        Tradestore store = store(engine);
        Instant at = freshTime();
        List<String> ran = new CopyOnWriteArrayList<>();
        AtomicReference<Long> id = new AtomicReference<>();
        String log = StandardError.capture(() -> id.set(store.inTransaction(uow -> {
            uow.afterCommit(() -> {
                ran.add("throws");
                throw new IllegalStateException("exchange rejected the order: socket closed");
            });
            uow.afterCommit(() -> ran.add("next"));
            return uow.portfolio().record(snapshot(at)).id();
        })));
        assertThat(id.get()).as("inTransaction returned normally").isPositive();
        assertThat(ran).containsExactly("throws", "next");
        assertThat(snapshotsAt(store, at)).isEqualTo(1);
        assertThat(log).contains("ERROR", "afterCommit callback 1 of 2 threw", "the commit stands",
                "java.lang.IllegalStateException: exchange rejected the order: socket closed",
                "at io.tradestore.AfterCommitAndJooqTest");
    }

    @EachEngine
    void aReadUnitRefusesCallbacksEvenInsideAWriteUnit(TestEngine engine) {
        Tradestore store = store(engine);
        assertThatThrownBy(() -> store.read(uow -> {
            uow.afterCommit(() -> { });
            return null;
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only unit of work");
        List<String> ran = new CopyOnWriteArrayList<>();
        store.useTransaction(uow -> assertThatThrownBy(() -> store.read(r -> {
            r.afterCommit(() -> ran.add("read"));
            return null;
        })).isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only unit of work"));
        assertThat(ran).isEmpty();
    }

    @EachEngine
    void callbacksRegisteredAfterTheUnitEndedOrFromAnotherThreadAreRefused(TestEngine engine) throws Exception {
        Tradestore store = store(engine);
        UnitOfWork escaped = store.inTransaction(uow -> uow);
        assertThatThrownBy(() -> escaped.afterCommit(() -> { })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already ended");

        // A callback registering another on its own, committed unit is refused too; the refusal is logged.
        List<String> ran = new CopyOnWriteArrayList<>();
        String log = StandardError.capture(() -> store.useTransaction(uow ->
                uow.afterCommit(() -> uow.afterCommit(() -> ran.add("late")))));
        assertThat(ran).isEmpty();
        assertThat(log).contains("afterCommit callback 1 of 1 threw", "already ended");

        AtomicReference<Throwable> failure = new AtomicReference<>();
        store.useTransaction(uow -> {
            try {
                CompletableFuture.runAsync(() -> uow.afterCommit(() -> ran.add("other thread"))).get();
            } catch (ExecutionException e) {
                failure.set(e.getCause());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(failure.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("confined");
        assertThat(ran).isEmpty();
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.afterCommit(null)))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("callback");
    }

    // ---- jooq() ---------------------------------------------------------------------------------------------------

    @EachEngine
    void aUserTableCommitsAndRollsBackTogetherWithTheDaos(TestEngine engine) {
        Tradestore store = store(engine);
        String table = "user_orders_" + sequence.incrementAndGet();
        Instant committed = freshTime();
        Instant undone = freshTime();

        store.useTransaction(uow -> {
            uow.jooq().execute("CREATE TABLE " + table + " (k INTEGER PRIMARY KEY, note TEXT NOT NULL)");
            uow.jooq().execute("INSERT INTO " + table + " VALUES (1, 'sent')");
            uow.portfolio().record(snapshot(committed));
        });
        assertThat(rows(store, table)).containsExactly("1 sent");
        assertThat(snapshotsAt(store, committed)).isEqualTo(1);

        assertThatThrownBy(() -> store.useTransaction(uow -> {
            uow.jooq().execute("INSERT INTO " + table + " VALUES (2, 'lost')");
            uow.portfolio().record(snapshot(undone));
            throw new IllegalStateException("the unit fails");
        })).hasMessage("the unit fails");
        assertThat(rows(store, table)).containsExactly("1 sent");
        assertThat(snapshotsAt(store, undone)).isZero();

        // A nested unit's savepoint takes the user's rows with it, and keeps the outer unit's.
        store.useTransaction(uow -> {
            uow.jooq().execute("INSERT INTO " + table + " VALUES (3, 'outer')");
            assertThatThrownBy(() -> store.useTransaction(inner -> {
                inner.jooq().execute("INSERT INTO " + table + " VALUES (4, 'nested')");
                inner.portfolio().record(snapshot(undone));
                throw new IllegalStateException("nested fails");
            })).hasMessage("nested fails");
        });
        assertThat(rows(store, table)).containsExactly("1 sent", "3 outer");
        assertThat(snapshotsAt(store, undone)).isZero();

        // A table created in a unit that rolls back does not exist afterwards (transactional DDL on both engines).
        String never = "user_never_" + sequence.incrementAndGet();
        assertThatThrownBy(() -> store.useTransaction(uow -> {
            uow.jooq().execute("CREATE TABLE " + never + " (k INTEGER PRIMARY KEY)");
            uow.portfolio().record(snapshot(undone));
            throw new IllegalStateException("the unit fails");
        })).hasMessage("the unit fails");
        assertThatThrownBy(() -> rows(store, never)).isInstanceOf(DatabaseException.class);
    }

    @EachEngine
    void theUnitsJooqFailsLoudlyAfterTheUnitOrOnAnotherThread(TestEngine engine) throws Exception {
        Tradestore store = store(engine);
        String table = createProbe(store);
        DSLContext escaped = store.inTransaction(UnitOfWork::jooq);
        assertThatThrownBy(() -> escaped.fetch("SELECT k FROM " + table)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already ended");
        assertThatThrownBy(() -> escaped.execute("DELETE FROM " + table)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already ended");
        assertThatThrownBy(() -> escaped.connectionResult(c -> c.getAutoCommit()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already ended");
        UnitOfWork ended = store.inTransaction(uow -> uow);
        assertThatThrownBy(ended::jooq).isInstanceOf(IllegalStateException.class).hasMessageContaining("already ended");

        AtomicReference<Throwable> failure = new AtomicReference<>();
        store.useTransaction(uow -> {
            DSLContext mine = uow.jooq();
            try {
                CompletableFuture.runAsync(() -> mine.execute("DELETE FROM " + table)).get();
            } catch (ExecutionException e) {
                failure.set(e.getCause());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(failure.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("confined");
        assertThat(rows(store, table)).containsExactly("1 0");

        assertThatThrownBy(() -> store.useTransaction(uow -> uow.jooq().transaction(c -> { })))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("nest a unit");
    }

    @EachEngine
    void writingThroughJooqInAReadUnitFailsButQueriesRun(TestEngine engine) throws Exception {
        Tradestore store = store(engine);
        String table = createProbe(store);
        for (String write : List.of("INSERT INTO " + table + " VALUES (2, 0)", "UPDATE " + table + " SET n = 5",
                "DELETE FROM " + table, "DROP TABLE " + table,
                "WITH gone AS (DELETE FROM " + table + " RETURNING k) SELECT k FROM gone",
                // PostgreSQL's SELECT ... INTO creates and fills a table (found by review)
                "SELECT k INTO " + table + "_copy FROM " + table,
                "WITH x AS (SELECT k FROM " + table + ") SELECT k INTO " + table + "_copy FROM x")) {
            assertThatThrownBy(() -> store.read(uow -> uow.jooq().fetch(write)))
                    .as(write).isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only unit");
            // Nested in a write unit, the read unit shares the writer's transaction: only the guard stops it.
            store.useTransaction(uow -> assertThatThrownBy(() -> store.read(r -> r.jooq().execute(write)))
                    .as("nested: " + write).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("read-only unit"));
        }
        var typed = org.jooq.impl.DSL.table(org.jooq.impl.DSL.name(table));
        var n = org.jooq.impl.DSL.field(org.jooq.impl.DSL.name("n"), Integer.class);
        var k = org.jooq.impl.DSL.field(org.jooq.impl.DSL.name("k"), Integer.class);
        store.useTransaction(uow -> assertThatThrownBy(() -> store.read(r ->
                r.jooq().insertInto(typed, k, n).values(7, 7).returning().fetch()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only unit"));
        store.useTransaction(uow -> assertThatThrownBy(() -> store.read(r -> r.jooq().update(typed).set(n, 9).execute()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only unit"));
        for (List<String> batch : List.of(List.of("SELECT 1", "UPDATE " + table + " SET n = 2"),
                List.of("UPDATE " + table + " SET n = 2", "SELECT 1"))) {
            store.useTransaction(uow -> assertThatThrownBy(() -> store.read(r -> r.jooq()
                    .batch(batch.toArray(String[]::new)).execute()))
                    .as("batch %s", batch).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("read-only unit"));
        }
        assertThat(rows(store, table)).containsExactly("1 0");
        List<Integer> viaWith = store.read(uow -> uow.jooq()
                .fetch("WITH x AS (SELECT k FROM " + table + ") SELECT k FROM x").getValues(0, Integer.class));
        assertThat(viaWith).containsExactly(1);
        List<String> quoted = store.read(uow -> uow.jooq().fetch("SELECT 'select into' AS \"into\" FROM " + table)
                .getValues(0, String.class));
        assertThat(quoted).as("INTO inside quotes is text, not a keyword").containsExactly("select into");
        Integer count = store.read(uow -> uow.jooq().selectCount().from(typed).fetchOne(0, Integer.class));
        assertThat(count).isEqualTo(1);
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /**
     * Makes the running attempt fail the way the store retries: on PostgreSQL a real serialization failure (another
     * connection commits an update of a row this SERIALIZABLE unit already read, then the unit updates it); on
     * SQLite, whose single writer holds the write lock from BEGIN IMMEDIATE, SQLITE_LOCKED from the unit's own
     * connection (dropping a table a statement is still reading).
     */
    private static void provokeBusy(TestEngine engine, UnitOfWork uow, String table) {
        if (engine == TestEngine.POSTGRES) {
            uow.jooq().fetch("SELECT n FROM " + table + " WHERE k = 1");
            try (Connection other = DriverManager.getConnection(stores.postgres().url() + "?currentSchema="
                    + io.tradestore.internal.PostgresEngine.SEARCH_PATH, PostgresDatabases.USER, PostgresDatabases.PASSWORD);
                 Statement st = other.createStatement()) {
                st.execute("UPDATE " + table + " SET n = n + 1 WHERE k = 1");
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            uow.jooq().execute("UPDATE " + table + " SET n = n + 10 WHERE k = 1");
        } else {
            try (Cursor<Record> reading = uow.jooq().fetchLazy("SELECT k FROM " + table)) {
                reading.fetchNext();
                uow.jooq().execute("DROP TABLE " + table);
            }
        }
        throw new AssertionError("the database did not report busy");
    }

    /** A committed user table {@code (k, n)} holding the row (1, 0). */
    private static String createProbe(Tradestore store) {
        String table = "probe_" + sequence.incrementAndGet();
        store.useTransaction(uow -> {
            uow.jooq().execute("CREATE TABLE " + table + " (k INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
            uow.jooq().execute("INSERT INTO " + table + " VALUES (1, 0)");
        });
        return table;
    }

    private static List<String> rows(Tradestore store, String table) {
        return store.read(uow -> uow.jooq().fetch("SELECT * FROM " + table + " ORDER BY 1")
                .map(r -> r.get(0) + " " + r.get(1)));
    }

    private static int snapshotsAt(Tradestore store, Instant at) {
        return store.read(uow -> Pages.all(page -> uow.portfolio().range(at, at.plusSeconds(1), page)).size());
    }

    /** A time no other test uses, so the shared stores need no cleaning between tests. */
    private static Instant freshTime() {
        return T0.plusSeconds(3_600L * sequence.incrementAndGet());
    }

    private static NewPortfolioSnapshot snapshot(Instant at) {
        return new NewPortfolioSnapshot(at, BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO, 0);
    }

}
