package io.tradestore;

import io.tradestore.testing.Ops;
import io.tradestore.testing.Ops.Ids;
import io.tradestore.testing.Ops.Op;
import io.tradestore.testing.FixtureCopies;
import io.tradestore.testing.PostgresFixtureCopies;
import io.tradestore.testing.Snapshot;
import io.tradestore.testing.SqliteFixtureCopies;
import io.tradestore.testing.Stores;
import io.tradestore.testing.Props;
import io.tradestore.testing.Props.Tally;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import org.junit.jupiter.api.AfterEach;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.generators.SourceDSL.integers;

/**
 * The module's central promise, as properties over generated programs of DAO operations across all three
 * schemas: a unit of work that throws leaves every table (and every AUTOINCREMENT counter) exactly as it was,
 * and a nested unit that throws undoes exactly its own writes. 750 programs per build on SQLite (400 flat, 350
 * nested), 90 on PostgreSQL (60 flat, 30 nested: each costs several round trips per snapshot, and a nested
 * program takes six); {@code -Dtradestore.soak=true} runs the soak factor times as many on both.
 *
 * <p>Both engines run the same properties ({@link EachEngine}), each on a copy of a fixture seeded once
 * ({@link FixtureCopies}). On PostgreSQL "exactly as it was" is every row exactly, and every sequence where it was
 * or further on: sequences are not transactional, so a rolled-back insert consumes its id (see {@link Snapshot}).
 * The nested property compares ids handed out after the nested unit with those of a run without it, so there it
 * puts the sequences back ({@link FixtureCopies.Copy#rewindSequences}) where they were before the nested unit, after
 * checking that they did not go back; on SQLite that is a no-op, the counters having rolled back with the savepoint.
 *
 * <p>A rollback property is only as good as what was rolled back: each property measures, inside the unit just
 * before it fails, how many rows the program had written, logs the distribution and requires that at least half
 * of the programs wrote something.
 */
class RollbackPropertyTest {
    private static Path dir;
    private static FixtureCopies fixture;
    private static FixtureCopies.Copy copy;
    private static Tradestore store;
    private static Ids seeded;
    private static Snapshot seededSnapshot;

    /** A thrown-on-purpose failure, distinguishable from a DAO's own exception. */
    static final class Boom extends RuntimeException {
        Boom() {
            super("failure injected by the test", null, false, false);
        }
    }

    record Program(List<Op> ops, int throwAt) {
        @Override
        public String toString() {
            return "run " + ops + ", throw before step " + throwAt;
        }
    }

    record NestedProgram(List<Op> before, List<Op> nested, int nestedThrowsAt, List<Op> after) {
        @Override
        public String toString() {
            return "run " + before + ", then a nested unit " + nested + " throwing before step " + nestedThrowsAt
                    + ", then " + after;
        }
    }

    /** A copy of the seeded fixture on {@code engine}, in {@link #store}; closed after each test. */
    static void seed(TestEngine engine) throws Exception {
        // A fixed clock: the two sides of the nested property must stamp identical created_at values.
        Clock clock = Stores.fixed(Stores.T0.plusSeconds(3_600));
        seeded = new Ids();
        Consumer<UnitOfWork> history = RollbackPropertyTest::history;
        if (engine == TestEngine.SQLITE) {
            dir = Files.createTempDirectory("tradestore-rollback");
            fixture = SqliteFixtureCopies.create(dir, clock, history);
        } else {
            fixture = PostgresFixtureCopies.create(clock, history);
        }
        copy = fixture.copy(clock);
        store = copy.store();
        seededSnapshot = copy.snapshot();
    }

    /** History that programs can touch: open and closed positions, orders, predictions, candles, patterns. */
    private static void history(UnitOfWork uow) {
        {
            for (Op op : List.<Op>of(
                    new Ops.OpenPosition("BTCUSDT", io.tradestore.trading.PositionSide.LONG, new java.math.BigDecimal("1"), new java.math.BigDecimal("100"), 1),
                    new Ops.OpenPosition("ETHUSDT", io.tradestore.trading.PositionSide.SHORT, new java.math.BigDecimal("2"), new java.math.BigDecimal("90"), 2),
                    new Ops.ClosePosition(0, new java.math.BigDecimal("110"), 3),
                    new Ops.PlaceOrder("seed-1", new java.math.BigDecimal("1"), 1),
                    new Ops.PlaceOrder("seed-2", new java.math.BigDecimal("2"), -1),
                    new Ops.FillOrder(1, new java.math.BigDecimal("0.5"), new java.math.BigDecimal("100"), 4),
                    new Ops.RecordPrediction("BTCUSDT", 5, new java.math.BigDecimal("0.6")),
                    new Ops.RecordPrediction("ETHUSDT", 6, new java.math.BigDecimal("0.4")),
                    new Ops.RecordOutcome(0, new java.math.BigDecimal("0.01")),
                    new Ops.UpsertCandles("BTCUSDT", 0, 3, new java.math.BigDecimal("100")),
                    new Ops.PutPattern("p1", 30, 0),
                    new Ops.RecordSnapshot(7, new java.math.BigDecimal("1000")))) {
                op.apply(uow, seeded);
            }
        }
    }

    @AfterEach
    void close() throws Exception {
        try {
            if (copy != null) {
                copy.close();
            }
        } finally {
            copy = null;
            if (fixture != null) {
                fixture.close();
                fixture = null;
            }
            if (dir != null) {
                try (var files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
                dir = null;
            }
        }
    }

    static int programs(TestEngine engine, int sqlite, int postgres) {
        return engine == TestEngine.SQLITE ? sqlite : postgres;
    }

    @EachEngine
    void aUnitThatThrowsAtAnyStepLeavesEveryTableExactlyAsItWas(TestEngine engine) throws Exception {
        seed(engine);
        int tries = programs(engine, 400, 60);
        Coverage coverage = new Coverage(engine + " flat programs");
        Props.qt(tries, 300).forAll(programs()).checkAssert(program -> throwingUnitLeavesNoTrace(program, coverage));
        Props.assertRan("flat programs", coverage.programs, tries);
        coverage.assertMostProgramsWroteBeforeFailing();
    }

    @EachEngine
    void aNestedUnitThatThrowsUndoesExactlyItsOwnWrites(TestEngine engine) throws Exception {
        seed(engine);
        int tries = programs(engine, 350, 30);
        Coverage coverage = new Coverage(engine + " nested units");
        Props.qt(tries, 300).forAll(nestedPrograms()).checkAssert(p -> nestedUnitUndoesItsOwnWrites(p, coverage));
        Props.assertRan("nested programs", coverage.programs, tries);
        coverage.assertMostProgramsWroteBeforeFailing();
        LENIENT_FAILURES.report();
    }

    /** Steps around the nested unit that failed on purpose, each in its own savepoint. */
    static final Tally LENIENT_FAILURES = new Tally("nested programs: steps outside the nested unit that failed");

    /** How many rows each program had written when its unit failed, and how it failed. */
    static final class Coverage {
        final Tally written;
        final Tally failures;
        int programs;
        int wroteSomething;

        Coverage(String name) {
            written = new Tally(name + ": rows written inside the unit before it failed");
            failures = new Tally(name + ": what ended the unit");
        }

        void record(int rows, Throwable failure) {
            programs++;
            if (rows > 0) {
                wroteSomething++;
            }
            written.add(rows == 0 ? "0" : rows < 5 ? "1-4" : rows < 20 ? "5-19" : "20+");
            failures.add(failure instanceof Boom ? "injected Boom" : failure.getClass().getSimpleName());
        }

        void assertMostProgramsWroteBeforeFailing() {
            written.report();
            failures.report();
            assertThat(wroteSomething * 2).as("programs that wrote at least one row before failing: %d of %d",
                    wroteSomething, programs).isGreaterThanOrEqualTo(programs);
        }
    }

    private static void throwingUnitLeavesNoTrace(Program program, Coverage coverage) {
        Ids ids = seeded.copy();
        Attempt attempt = new Attempt();
        Throwable thrown = catchThrowable(() -> store.useTransaction(uow ->
                runThenFail(uow, program.ops(), program.throwAt(), ids, seededSnapshot, attempt)));
        // The unit rethrows what ended it, unwrapped: our Boom after exactly the steps before throwAt, or the
        // documented exception of the step that failed before it.
        if (thrown instanceof Boom) {
            assertThat(attempt.ran).as("steps run before the injected failure in %s", program)
                    .isEqualTo(Math.min(program.throwAt(), program.ops().size()));
        } else {
            assertThat(thrown).as("failure of step %d of %s", attempt.ran, program).isInstanceOf(TradestoreException.class);
            assertThat(attempt.ran).as("a step failed before the injected failure").isLessThan(program.throwAt());
        }
        assertThat(attempt.rowsWritten).as("the unit's body ran (and measured its writes)").isGreaterThanOrEqualTo(0);
        coverage.record(attempt.rowsWritten, thrown);
        Snapshot after = copy.snapshot();
        assertThat(after.differencesFrom(seededSnapshot)).as("tables changed by %s", program).isEmpty();
    }

    /** What a failing unit did before it failed. */
    static final class Attempt {
        int ran;
        int rowsWritten = -1;
    }

    /**
     * Applies {@code ops} in {@code uow} until step {@code throwAt} and then throws a {@link Boom} (after the last
     * step too); whatever ends it, first records in {@code attempt} how many rows the unit changed since
     * {@code before}, so the coverage measure sees the writes that the rollback then has to undo.
     */
    private static void runThenFail(UnitOfWork uow, List<Op> ops, int throwAt, Ids ids, Snapshot before,
                                    Attempt attempt) {
        try {
            for (int i = 0; i < ops.size(); i++) {
                if (i == throwAt) {
                    throw new Boom();
                }
                ops.get(i).apply(uow, ids);
                attempt.ran++;
            }
            throw new Boom();
        } catch (RuntimeException failure) {
            attempt.rowsWritten = snapshot(uow).rowsChangedFrom(before);
            throw failure;
        }
    }

    private static void nestedUnitUndoesItsOwnWrites(NestedProgram p, Coverage coverage) {
        // Side A: before, a failing nested unit (caught), after. Side B: before, after. Both are read inside their
        // transaction and then rolled back, so every try starts from the seed.
        Snapshot withNested = insideRolledBackUnit(uow -> {
            copy.rewindSequences(seededSnapshot);
            Ids ids = seeded.copy();
            runLenient(p.before(), uow, ids);
            Ids beforeNested = ids.copy();
            Snapshot beforeNestedState = snapshot(uow);
            Attempt attempt = new Attempt();
            Throwable thrown = catchThrowable(() -> store.useTransaction(inner ->
                    runThenFail(inner, p.nested(), p.nestedThrowsAt(), ids, beforeNestedState, attempt)));
            if (thrown instanceof Boom) {
                assertThat(attempt.ran).as("nested steps run before the injected failure in %s", p)
                        .isEqualTo(Math.min(p.nestedThrowsAt(), p.nested().size()));
            } else {
                assertThat(thrown).as("failure of nested step %d of %s", attempt.ran, p)
                        .isInstanceOf(TradestoreException.class);
            }
            coverage.record(attempt.rowsWritten, thrown);
            assertThat(snapshot(uow).differencesFrom(beforeNestedState))
                    .as("the outer unit right after the nested one failed, in %s", p).isEmpty();
            copy.rewindSequences(beforeNestedState);
            runLenient(p.after(), uow, beforeNested);
            return null;
        });
        Snapshot withoutNested = insideRolledBackUnit(uow -> {
            copy.rewindSequences(seededSnapshot);
            Ids ids = seeded.copy();
            runLenient(p.before(), uow, ids);
            runLenient(p.after(), uow, ids);
            return null;
        });
        assertThat(withNested.differencesFrom(withoutNested)).as("%s", p).isEmpty();
        assertThat(copy.snapshot()).isEqualTo(seededSnapshot);
    }

    private static Snapshot snapshot(UnitOfWork uow) {
        try {
            return Snapshot.of(uow.connection());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs each operation in its own savepoint, so an operation that fails on purpose (closing a closed position)
     * does not end the outer unit: what the sides are compared on is the nested unit, not these failures.
     */
    private static void runLenient(List<Op> ops, UnitOfWork uow, Ids ids) {
        for (Op op : ops) {
            try {
                store.useTransaction(step -> op.apply(step, ids));
            } catch (TradestoreException expected) {
                // closing a closed position and the like: the comparison is about the nested unit
                LENIENT_FAILURES.add(expected.getClass().getSimpleName());
            }
        }
    }

    private static Snapshot insideRolledBackUnit(Function<UnitOfWork, Void> work) {
        Snapshot[] seen = new Snapshot[1];
        assertThatThrownBy(() -> store.useTransaction(uow -> {
            work.apply(uow);
            try {
                seen[0] = Snapshot.of(uow.connection());
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            throw new Boom();
        })).isInstanceOf(Boom.class);
        return seen[0];
    }

    /** Mostly fail after the last step, so that most programs have written a lot before failing. */
    static Gen<Program> programs() {
        return Ops.programs(8).flatMap(ops -> Generate.frequency(
                        Pair.of(2, Generate.constant(ops.size())),
                        Pair.of(1, integers().between(0, ops.size())))
                .map(at -> new Program(ops, at)));
    }

    static Gen<NestedProgram> nestedPrograms() {
        return Ops.programs(4).zip(Ops.programs(5), integers().between(0, 5), Ops.programs(4), NestedProgram::new);
    }

    private static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }
}
