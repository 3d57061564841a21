package io.tradestore.analytics;

import io.tradestore.testing.Pages;

import io.tradestore.ConflictException;
import io.tradestore.NotFoundException;
import io.tradestore.ValidationException;
import io.tradestore.testing.Stores;
import io.tradestore.testing.OnEachEngine;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static io.tradestore.analytics.PredictionDaoTest.prediction;
import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@OnEachEngine
class OutcomeDaoTest {
    @Parameter
    TestEngine engine;
    static final Instant NOW = T0.plus(Duration.ofDays(1));
    static final Instant FAR = Instant.parse("2100-01-01T00:00:00Z");

    @RegisterExtension
    final TempStore store = new TempStore(Stores.fixed(NOW));
    long predictionId;

    @BeforeEach
    void seed() {
        predictionId = store.inTransaction(uow -> uow.predictions().record(prediction("BTCUSDT", T0, "m1")).id());
    }

    @Test
    void recordedOutcomeComesBackExactlyAndIsFoundByItsPrediction() {
        Instant at = T0.plus(Duration.ofMinutes(30));
        Outcome stored = store.inTransaction(uow -> uow.outcomes().record(new NewOutcome(predictionId, at,
                new BigDecimal("-0.012345678901234567"), Direction.DOWN, new BigDecimal("98.765432990"), false)));

        assertThat(stored.id()).isPositive();
        assertThat(stored.predictionId()).isEqualTo(predictionId);
        assertThat(stored.evaluationTimestamp()).isEqualTo(at);
        assertThat(stored.actualReturn()).isEqualTo(new BigDecimal("-0.012345678901234567"));
        assertThat(stored.actualDirection()).isEqualTo(Direction.DOWN);
        assertThat(stored.exitPrice()).isEqualTo(new BigDecimal("98.76543299")); // normalized
        assertThat(stored.correct()).isFalse();
        assertThat(stored.createdAt()).isEqualTo(NOW);
        Optional<Outcome> found = store.read(uow -> uow.outcomes().forPrediction(predictionId));
        assertThat(found).contains(stored);
    }

    @Test
    void aPredictionWithoutAnOutcomeHasNone() {
        Optional<Outcome> found = store.read(uow -> uow.outcomes().forPrediction(predictionId));
        assertThat(found).isEmpty();
    }

    @Test
    void anOutcomeForAnUnknownPredictionIsNotFound() {
        long unknown = predictionId + 41;
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.outcomes().record(outcome(unknown, T0, "0.01", true))))
                .isInstanceOf(NotFoundException.class)
                .hasMessageStartingWith("prediction " + unknown + " does not exist");
        assertThat(allOutcomes()).isEmpty();
    }

    @Test
    void aSecondOutcomeForTheSamePredictionIsAConflict() {
        Outcome first = store.inTransaction(uow -> uow.outcomes().record(outcome(predictionId, T0, "0.01", true)));

        assertThatThrownBy(() -> store.useTransaction(uow ->
                uow.outcomes().record(outcome(predictionId, T0.plusSeconds(1), "-0.02", false))))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("prediction " + predictionId + " already has an outcome (outcome " + first.id() + ")")
                .satisfies(e -> assertThat(((ConflictException) e).sqlState()).isEqualTo("23505"));
        assertThat(allOutcomes()).containsExactly(first);
    }

    @Test
    void anOutcomeEvaluatedBeforeItsPredictionWasMadeIsInvalid() {
        assertThatThrownBy(() -> store.useTransaction(uow ->
                uow.outcomes().record(outcome(predictionId, T0.minusNanos(1_000), "0.01", true))))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("outcomes.evaluation_timestamp: must not be before the prediction_timestamp"
                        + " of prediction " + predictionId + " (" + T0 + ")");
        assertThat(allOutcomes()).isEmpty();

        Outcome sameInstant = store.inTransaction(uow -> uow.outcomes().record(outcome(predictionId, T0, "0", false)));
        assertThat(sameInstant.evaluationTimestamp()).isEqualTo(T0);
    }

    @Test
    void evaluatedBetweenIsHalfOpenAndInEvaluationOrder() {
        store.useTransaction(uow -> {
            for (int i = 4; i >= 0; i--) {
                long id = uow.predictions().record(prediction("S" + i, T0, "m1")).id();
                uow.outcomes().record(outcome(id, T0.plus(Duration.ofMinutes(i)), "0.0" + i, i > 0)); // 0.00: FLAT
            }
        });
        List<Outcome> window = store.read(uow -> Pages.all(page ->
                uow.outcomes().evaluatedBetween(T0.plusSeconds(60), T0.plusSeconds(180), page)));
        assertThat(window).extracting(Outcome::evaluationTimestamp)
                .containsExactly(T0.plusSeconds(60), T0.plusSeconds(120));
    }

    /** correct is checked against the prediction's direction: each direction, right and wrong, both ways. */
    @Test
    void correctMustAgreeWithThePredictedAndTheActualDirection() {
        Direction[] directions = Direction.values();
        String[] returns = {"0.000000000000000001", "-0.000000000000000001", "0"}; // UP, DOWN, FLAT
        store.useTransaction(uow -> {
            for (int p = 0; p < directions.length; p++) {
                for (int r = 0; r < returns.length; r++) {
                    long id = uow.predictions().record(new NewPrediction("D" + p + r, T0, PredictedAction.HOLD,
                            BigDecimal.ONE, directions[p], BigDecimal.ONE, null, "m1", BigDecimal.ONE, null)).id();
                    boolean right = p == r;
                    NewOutcome contradiction = outcome(id, T0, returns[r], !right);
                    assertThatThrownBy(() -> uow.outcomes().record(contradiction))
                            .isInstanceOf(ValidationException.class)
                            .hasMessage("outcomes.correct: must be true exactly when the prediction's direction equals"
                                    + " actual_direction: prediction " + id + " predicted " + directions[p]
                                    + " and actual_return " + returns[r] + " is " + directions[r]
                                    + ", so correct must be " + right + " (was " + !right + ")");
                    assertThat(uow.outcomes().record(outcome(id, T0, returns[r], right)).correct()).isEqualTo(right);
                }
            }
        });
        assertThat(allOutcomes()).hasSize(9);
    }

    @Test
    void theActualDirectionMustBeTheSignOfTheActualReturn() {
        BigDecimal one = BigDecimal.ONE;
        assertThatThrownBy(() -> new NewOutcome(1, T0, new BigDecimal("-0.01"), Direction.UP, one, false))
                .isInstanceOf(ValidationException.class)
                .hasMessage("outcomes.actual_direction: must be the sign of actual_return (UP if > 0, DOWN if < 0,"
                        + " FLAT if = 0): actual_return -0.01 is DOWN (was UP)");
        assertThatThrownBy(() -> new NewOutcome(1, T0, new BigDecimal("0.000"), Direction.DOWN, one, false))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("outcomes.actual_direction: must be the sign of actual_return");
        assertThatThrownBy(() -> new NewOutcome(1, T0, new BigDecimal("1E-18"), Direction.FLAT, one, false))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("outcomes.actual_direction: must be the sign of actual_return");
    }

    @Test
    void recordingAnOutcomeTakesThePredictionOffTheQueueAndARollbackPutsItBack() {
        assertThat(awaiting()).containsExactly(predictionId);
        assertThatThrownBy(() -> store.useTransaction(uow -> {
            uow.outcomes().record(outcome(predictionId, T0, "0.01", true));
            assertThat(uow.predictions().awaitingOutcome(Duration.ZERO, 10)).isEmpty();
            throw new IllegalStateException("rolled back");
        })).hasMessage("rolled back");
        assertThat(awaiting()).containsExactly(predictionId);

        store.useTransaction(uow -> uow.outcomes().record(outcome(predictionId, T0, "0.01", true)));
        assertThat(awaiting()).isEmpty();
    }

    private List<Long> awaiting() {
        return store.read(uow -> uow.predictions().awaitingOutcome(Duration.ZERO, 10)).stream().map(Prediction::id)
                .toList();
    }

    @Test
    void invalidOutcomesAreRejectedBeforeAnySql() {
        BigDecimal one = BigDecimal.ONE;
        assertThatThrownBy(() -> new NewOutcome(0, T0, one, Direction.UP, one, true))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("outcomes.prediction_id: must be > 0");
        assertThatThrownBy(() -> new NewOutcome(1, null, one, Direction.UP, one, true))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("outcomes.evaluation_timestamp: must not be null");
        assertThatThrownBy(() -> new NewOutcome(1, T0, new BigDecimal("0.0000000000000000001"), Direction.UP, one, true))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("outcomes.actual_return: has more than 18 decimal places");
        assertThatThrownBy(() -> new NewOutcome(1, T0, one, null, one, true))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("outcomes.actual_direction: must not be null");
        assertThatThrownBy(() -> new NewOutcome(1, T0, one, Direction.UP, new BigDecimal("-1"), true))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("outcomes.exit_price: must be > 0");
        assertThatThrownBy(() -> store.read(uow -> Pages.all(page -> uow.outcomes().evaluatedBetween(FAR, T0, page))))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("to: must not be before from");
    }

    @Test
    void recordingInsideAReadUnitIsRefused() {
        assertThatThrownBy(() -> store.read(uow -> uow.outcomes().record(outcome(predictionId, T0, "0", true))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("outcomes().record")
                .hasMessageContaining("read-only unit of work");
    }

    private List<Outcome> allOutcomes() {
        return store.read(uow -> Pages.all(page -> uow.outcomes().evaluatedBetween(Instant.EPOCH, FAR, page)));
    }

    /** An outcome at {@code at} with the given return; direction and exit price are consistent with it. */
    static NewOutcome outcome(long predictionId, Instant at, String actualReturn, boolean correct) {
        BigDecimal r = new BigDecimal(actualReturn);
        return new NewOutcome(predictionId, at, r, r.signum() > 0 ? Direction.UP : r.signum() < 0 ? Direction.DOWN
                : Direction.FLAT, new BigDecimal("100"), correct);
    }
}
