package io.tradestore;

import io.tradestore.testing.Ops;
import io.tradestore.testing.Ops.Ids;
import io.tradestore.testing.Ops.Op;
import io.tradestore.testing.Snapshot;
import io.tradestore.testing.Stores;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import io.tradestore.testing.SoakOnly;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The module's central promise, as properties over generated programs of DAO operations across all three
 * schemas: a unit of work that throws leaves every table (and every AUTOINCREMENT counter) exactly as it was,
 * and a nested unit that throws undoes exactly its own writes. 1,100 programs per build; with
 * {@code -Dtradestore.soak=true} another 11,000.
 */
class RollbackPropertyTest {
    private static Path dir;
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
    }

    @BeforeContainer
    static void seed() throws Exception {
        dir = Files.createTempDirectory("tradestore-rollback");
        // A fixed clock: the two sides of the nested property must stamp identical created_at values.
        store = Tradestore.open(Stores.config(dir).withClock(Stores.fixed(Stores.T0.plusSeconds(3_600))));
        seeded = new Ids();
        // History that programs can touch: open and closed positions, orders, predictions, candles, patterns.
        store.useTransaction(uow -> {
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
                    new Ops.PutPattern("p1", 30),
                    new Ops.RecordSnapshot(7, new java.math.BigDecimal("1000")))) {
                op.apply(uow, seeded);
            }
        });
        seededSnapshot = Snapshot.of(Stores.config(dir).file());
    }

    @AfterContainer
    static void close() throws Exception {
        store.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Property(tries = 600)
    void aUnitThatThrowsAtAnyStepLeavesEveryTableExactlyAsItWas(@ForAll("programs") Program program) {
        throwingUnitLeavesNoTrace(program);
    }

    @Property(tries = 6_000)
    @AddLifecycleHook(SoakOnly.class)
    void soakAUnitThatThrowsAtAnyStepLeavesEveryTableExactlyAsItWas(@ForAll("programs") Program program) {
        throwingUnitLeavesNoTrace(program);
    }

    @Property(tries = 500)
    void aNestedUnitThatThrowsUndoesExactlyItsOwnWrites(@ForAll("nestedPrograms") NestedProgram p) {
        nestedUnitUndoesItsOwnWrites(p);
    }

    @Property(tries = 5_000)
    @AddLifecycleHook(SoakOnly.class)
    void soakANestedUnitThatThrowsUndoesExactlyItsOwnWrites(@ForAll("nestedPrograms") NestedProgram p) {
        nestedUnitUndoesItsOwnWrites(p);
    }

    private static void throwingUnitLeavesNoTrace(Program program) {
        Ids ids = seeded.copy();
        int[] succeeded = {0};
        Throwable thrown = catchThrowable(() -> store.useTransaction(uow -> {
            for (int i = 0; i < program.ops().size(); i++) {
                if (i == program.throwAt()) {
                    throw new Boom();
                }
                program.ops().get(i).apply(uow, ids);
                succeeded[0]++;
            }
            throw new Boom();
        }));
        assertThat(thrown).isNotNull();
        Statistics.label("writes before the failure").collect(Math.min(succeeded[0], 5) + (succeeded[0] >= 5 ? "+" : ""));
        Statistics.label("failure").collect(thrown instanceof Boom ? "injected" : thrown.getClass().getSimpleName());
        Snapshot after = Snapshot.of(Stores.config(dir).file());
        assertThat(after.differencesFrom(seededSnapshot)).as("tables changed by %s", program).isEmpty();
    }

    private static void nestedUnitUndoesItsOwnWrites(NestedProgram p) {
        // Side A: before, a failing nested unit (caught), after. Side B: before, after. Both are read inside their
        // transaction and then rolled back, so every try starts from the seed.
        Snapshot withNested = insideRolledBackUnit(uow -> {
            Ids ids = seeded.copy();
            runLenient(p.before(), uow, ids);
            Ids beforeNested = ids.copy();
            assertThatThrownBy(() -> store.useTransaction(inner -> {
                for (int i = 0; i < p.nested().size(); i++) {
                    if (i == p.nestedThrowsAt()) {
                        throw new Boom();
                    }
                    p.nested().get(i).apply(inner, ids);
                }
                throw new Boom();
            })).isNotNull();
            runLenient(p.after(), uow, beforeNested);
            return null;
        });
        Snapshot withoutNested = insideRolledBackUnit(uow -> {
            Ids ids = seeded.copy();
            runLenient(p.before(), uow, ids);
            runLenient(p.after(), uow, ids);
            return null;
        });
        assertThat(withNested.differencesFrom(withoutNested)).as("%s", p).isEmpty();
        assertThat(Snapshot.of(Stores.config(dir).file())).isEqualTo(seededSnapshot);
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
                Statistics.label("lenient step failures").collect(expected.getClass().getSimpleName());
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

    @Provide
    Arbitrary<Program> programs() {
        // Mostly fail after the last step, so that most programs have written a lot before failing.
        return Ops.programs(8).flatMap(ops -> Arbitraries.frequencyOf(
                        Tuple.of(1, Arbitraries.integers().between(0, ops.size())),
                        Tuple.of(2, Arbitraries.just(ops.size())))
                .map(at -> new Program(ops, at)));
    }

    @Provide
    Arbitrary<NestedProgram> nestedPrograms() {
        Arbitrary<List<Op>> nested = Ops.programs(5);
        return Combinators.combine(Ops.programs(4), nested, Arbitraries.integers().between(0, 5), Ops.programs(4))
                .as(NestedProgram::new);
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
