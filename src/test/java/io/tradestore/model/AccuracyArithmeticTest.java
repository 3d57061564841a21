package io.tradestore.model;

import io.tradestore.Tradestore;
import io.tradestore.analytics.Accuracy;
import io.tradestore.analytics.Direction;
import io.tradestore.analytics.ModelAccuracy;
import io.tradestore.analytics.NewOutcome;
import io.tradestore.analytics.NewPrediction;
import io.tradestore.analytics.PredictedAction;
import io.tradestore.testing.DecimalGens;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import io.tradestore.testing.EngineStores;
import io.tradestore.testing.Props;
import org.junit.jupiter.api.AfterAll;
import org.quicktheories.core.Gen;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.tradestore.testing.Gens.decimals;
import static io.tradestore.testing.Gens.pick;
import static io.tradestore.testing.Gens.pickDecimals;
import static io.tradestore.testing.Gens.w;
import static io.tradestore.testing.Gens.weighted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Accuracy statistics on SQLite and PostgreSQL (decision 0011): the worked example of docs/analytics.md, computed by
 * hand, and a property against an oracle in exact rational arithmetic ({@link Rational}) that decides independently
 * of the DAO whether each prediction was right (its direction against the sign of the return, not through
 * {@link Direction#ofReturn}), what following it returned, and how the three quotients round: half-even, once, to 18
 * places. Every outcome is recorded with the oracle's correct flag, so the DAO's check of that flag must agree with
 * the oracle too.
 */
class AccuracyArithmeticTest {
    /** Examples per build: each one records up to 10 predictions and outcomes and reads three statistics. */
    private static int tries(TestEngine engine) {
        return engine == TestEngine.SQLITE ? 60 : 25;
    }

    private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");
    private static final EngineStores stores = new EngineStores("tradestore-accuracy", false, c -> c.withPoolSize(2));

    private static Tradestore store(TestEngine engine) {
        return stores.get(engine);
    }

    @AfterAll
    static void closeStores() throws Exception {
        stores.close();
    }

    /** One evaluated prediction: what the model said and what the price did. */
    record Call(Direction predicted, BigDecimal actualReturn) {
        @Override
        public String toString() {
            return predicted + " " + actualReturn.toPlainString();
        }
    }

    /** docs/analytics.md, "Worked example": the numbers there, computed by hand. */
    @EachEngine
    void theWorkedExampleOfTheDocsComesOutAsComputedByHand(TestEngine engine) {
        List<Call> calls = List.of(
                new Call(Direction.UP, new BigDecimal("0.03")),     // right: long earns 0.03
                new Call(Direction.UP, new BigDecimal("-0.01")),    // wrong: long loses 0.01
                new Call(Direction.DOWN, new BigDecimal("-0.02")),  // right: short earns 0.02
                new Call(Direction.DOWN, new BigDecimal("0.005")),  // wrong: short loses 0.005
                new Call(Direction.FLAT, new BigDecimal("0.04")),   // wrong: no position, 0
                new Call(Direction.FLAT, new BigDecimal("0")));     // right: no position, 0
        boolean[] correct = {true, false, true, false, false, true};

        Accuracy a = record(store(engine), 0, "worked-example", calls, correct);

        // hit rate 3/6; mean return (0.03 - 0.01 - 0.02 + 0.005 + 0.04 + 0) / 6 = 0.045 / 6 = 0.0075;
        // followed (0.03 - 0.01 + 0.02 - 0.005 + 0 + 0) / 6 = 0.035 / 6 = 0.0058333..., 18 places, the 19th a 3: down.
        assertThat(a).isEqualTo(new Accuracy(6, 3, new BigDecimal("0.5"), new BigDecimal("0.0075"),
                new BigDecimal("0.005833333333333333")));
    }

    @EachEngine
    void accuracyIsTheExactQuotientsOfTheOracleRoundedOnce(TestEngine engine) {
        Tradestore store = store(engine);
        // Returns at every scale up to 18 places, zero (FLAT) often, and the whole storable range now and then.
        Gen<BigDecimal> actualReturn = weighted(
                w(4, decimals("-1", "1", 18)),
                w(2, decimals("-0.1", "0.1", 4)),
                w(2, pickDecimals("0", "0.000000000000000001", "-0.000000000000000001", "0.000000000000000005",
                        "-0.5", "0.0000000000000000015E+1")),
                w(1, DecimalGens.inRange()));
        Gen<Call> call = pick(Direction.values()).zip(actualReturn, Call::new);
        int[] run = {0};
        Props.check(tries(engine), 20, lists().of(call).ofSizeBetween(1, 10), calls -> {
            int slot = ++run[0];
            String model = "oracle-" + slot;
            boolean[] correct = new boolean[calls.size()];
            Rational hits = Rational.ZERO;
            Rational returns = Rational.ZERO;
            Rational followed = Rational.ZERO;
            for (int i = 0; i < calls.size(); i++) {
                Rational r = Rational.of(calls.get(i).actualReturn());
                int sign = r.numerator().signum();
                Direction p = calls.get(i).predicted();
                correct[i] = p == Direction.UP ? sign > 0 : p == Direction.DOWN ? sign < 0 : sign == 0;
                hits = hits.plus(Rational.of(correct[i] ? 1 : 0));
                returns = returns.plus(r);
                followed = followed.plus(p == Direction.UP ? r : p == Direction.DOWN ? r.negate() : Rational.ZERO);
            }
            Rational n = Rational.of(calls.size());
            Accuracy expected = new Accuracy(calls.size(), hits.numerator().longValueExact(),
                    hits.dividedBy(n).derived(), returns.dividedBy(n).derived(), followed.dividedBy(n).derived());

            assertThat(record(store, slot, model, calls, correct)).as("%s: %s", model, calls).isEqualTo(expected);
        });
    }

    /**
     * Records {@code calls} as predictions of {@code model} (on the slot's own symbol, a second apart, in its own hour)
     * and their outcomes with the given correct flags; returns the model's accuracy and checks that the symbol's and
     * the per-model list agree with it.
     */
    private static Accuracy record(Tradestore store, int slot, String model, List<Call> calls, boolean[] correct) {
        Instant from = T0.plus(Duration.ofHours(slot));
        Instant to = from.plusSeconds(calls.size());
        String symbol = "ACC" + slot;
        store.useTransaction(uow -> {
            for (int i = 0; i < calls.size(); i++) {
                Call c = calls.get(i);
                long id = uow.predictions().record(new NewPrediction(symbol, from.plusSeconds(i), PredictedAction.HOLD,
                        new BigDecimal("0.5"), c.predicted(), BigDecimal.ONE, null, model, BigDecimal.ONE, null)).id();
                Direction actual = c.actualReturn().signum() > 0 ? Direction.UP
                        : c.actualReturn().signum() < 0 ? Direction.DOWN : Direction.FLAT;
                uow.outcomes().record(new NewOutcome(id, to, c.actualReturn(), actual, BigDecimal.ONE, correct[i]));
            }
        });
        Accuracy byModel = store.read(uow -> uow.predictions().accuracyByModel(model, from, to));
        Accuracy bySymbol = store.read(uow -> uow.predictions().accuracyBySymbol(symbol, from, to));
        List<ModelAccuracy> perModel = store.read(uow -> uow.predictions().accuracyPerModel(from, to));
        assertThat(bySymbol).isEqualTo(byModel);
        assertThat(perModel).containsExactly(new ModelAccuracy(model, byModel));
        return byModel;
    }
}
