package io.tradestore.analytics;

import io.tradestore.testing.Pages;

import io.tradestore.ConflictException;
import io.tradestore.Json;
import io.tradestore.UnitOfWork;
import io.tradestore.ValidationException;
import io.tradestore.testing.MutableClock;
import io.tradestore.testing.OnEachEngine;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@OnEachEngine
class PredictionDaoTest {
    @Parameter
    TestEngine engine;
    static final Instant FAR = Instant.parse("2100-01-01T00:00:00Z");

    MutableClock clock = new MutableClock(T0.plus(Duration.ofDays(1)));
    @RegisterExtension
    final TempStore store = new TempStore(clock);

    @Test
    void recordedPredictionComesBackExactlyWithItsIdAndCreationTime() {
        NewPrediction p = new NewPrediction("BTCUSDT", T0.plusNanos(1_000), PredictedAction.BUY,
                new BigDecimal("0.876543210987654321"), Direction.UP, new BigDecimal("0.01250"), Json.of("[0.1, 0.2]"),
                "lstm-2.1", new BigDecimal("23140.480000000000000001"), Json.of("{\"regime\":\"trend\"}"));
        Prediction stored = store.inTransaction(uow -> uow.predictions().record(p));

        assertThat(stored.id()).isPositive();
        assertThat(stored.symbol()).isEqualTo("BTCUSDT");
        assertThat(stored.predictionTimestamp()).isEqualTo(T0.plusNanos(1_000));
        assertThat(stored.action()).isEqualTo(PredictedAction.BUY);
        assertThat(stored.confidence()).isEqualTo(new BigDecimal("0.876543210987654321"));
        assertThat(stored.direction()).isEqualTo(Direction.UP);
        assertThat(stored.magnitude()).isEqualTo(new BigDecimal("0.0125")); // 0.01250 normalized
        assertThat(stored.featureVector()).isEqualTo(Json.of("[0.1, 0.2]"));
        assertThat(stored.modelVersion()).isEqualTo("lstm-2.1");
        assertThat(stored.entryPrice()).isEqualTo(new BigDecimal("23140.480000000000000001"));
        assertThat(stored.marketContext()).isEqualTo(Json.of("{\"regime\":\"trend\"}"));
        assertThat(stored.createdAt()).isEqualTo(clock.instant());
        Optional<Prediction> found = store.read(uow -> uow.predictions().find(stored.id()));
        assertThat(found).contains(stored);
    }

    @Test
    void featureVectorAndMarketContextMayBeAbsent() {
        Prediction stored = store.inTransaction(uow -> uow.predictions().record(prediction("ETHUSDT", T0, "m1")));
        Prediction found = store.read(uow -> uow.predictions().find(stored.id())).orElseThrow();
        assertThat(found.featureVector()).isNull();
        assertThat(found.marketContext()).isNull();
    }

    @Test
    void findOfAnUnknownIdIsEmpty() {
        Optional<Prediction> found = store.read(uow -> uow.predictions().find(42));
        assertThat(found).isEmpty();
    }

    @Test
    void recordingTheSamePredictionTwiceIsAConflict() {
        Prediction first = store.inTransaction(uow -> uow.predictions().record(prediction("BTCUSDT", T0, "m1")));

        assertThatThrownBy(() -> store.useTransaction(uow -> {
            uow.predictions().record(prediction("BTCUSDT", T0.plusSeconds(1), "m1"));
            uow.predictions().record(prediction("BTCUSDT", T0, "m2"));
        })).isInstanceOf(ConflictException.class)
                .hasMessageContaining("BTCUSDT")
                .hasMessageContaining(T0.toString())
                .hasMessageContaining("prediction " + first.id())
                .satisfies(e -> assertThat(((ConflictException) e).sqlState()).isEqualTo("23505"));

        List<Prediction> kept = store.read(uow -> Pages.all(page ->
                uow.predictions().bySymbol("BTCUSDT", T0, FAR, page)));
        assertThat(kept).containsExactly(first);
    }

    @Test
    void theSameInstantForAnotherSymbolIsAnotherPrediction() {
        store.useTransaction(uow -> {
            uow.predictions().record(prediction("BTCUSDT", T0, "m1"));
            uow.predictions().record(prediction("ETHUSDT", T0, "m1"));
        });
        List<Prediction> eth = store.read(uow -> Pages.all(page ->
                uow.predictions().bySymbol("ETHUSDT", T0, FAR, page)));
        assertThat(eth).hasSize(1);
    }

    @Test
    void bySymbolIsHalfOpenInTimeOrderAndOnlyForThatSymbol() {
        store.useTransaction(uow -> {
            for (int i = 4; i >= 0; i--) {
                uow.predictions().record(prediction("BTCUSDT", T0.plus(Duration.ofMinutes(i)), "m1"));
            }
            uow.predictions().record(prediction("ETHUSDT", T0.plus(Duration.ofMinutes(2)), "m1"));
        });
        List<Prediction> range = store.read(uow ->
                Pages.all(page ->
                        uow.predictions().bySymbol("BTCUSDT", T0.plusSeconds(60), T0.plusSeconds(180), page)));
        assertThat(range).extracting(Prediction::predictionTimestamp)
                .containsExactly(T0.plusSeconds(60), T0.plusSeconds(120));
        assertThat(range).extracting(Prediction::symbol).containsOnly("BTCUSDT");
    }

    @Test
    void predictionsAwaitingAnOutcomeAreThoseOlderThanTheHorizonWithoutOne() {
        clock.set(T0.plus(Duration.ofHours(1)));
        Duration horizon = Duration.ofMinutes(30);
        Instant cutoff = T0.plus(Duration.ofMinutes(30));
        store.useTransaction(uow -> {
            uow.predictions().record(prediction("SOLUSDT", cutoff, "m1"));                    // due exactly now
            uow.predictions().record(prediction("BTCUSDT", T0, "m1"));                        // due, oldest
            uow.predictions().record(prediction("XRPUSDT", cutoff.plusNanos(1_000), "m1"));   // not yet due
            long evaluated = uow.predictions().record(prediction("ETHUSDT", T0, "m1")).id(); // has an outcome
            uow.outcomes().record(OutcomeDaoTest.outcome(evaluated, cutoff, "0.01", true));
        });

        List<Prediction> due = store.read(uow -> uow.predictions().awaitingOutcome(horizon, 100));
        assertThat(due).extracting(Prediction::symbol).containsExactly("BTCUSDT", "SOLUSDT");

        clock.advance(Duration.ofNanos(1_000));
        List<Prediction> later = store.read(uow -> uow.predictions().awaitingOutcome(horizon, 100));
        assertThat(later).extracting(Prediction::symbol).containsExactly("BTCUSDT", "SOLUSDT", "XRPUSDT");
    }

    @Test
    void awaitingOutcomeWithALimitReturnsTheOldestFirstTiesByInsertionOrder() {
        store.useTransaction(uow -> {
            uow.predictions().record(prediction("C", T0.plusSeconds(2), "m1"));
            uow.predictions().record(prediction("B", T0, "m1"));
            uow.predictions().record(prediction("A", T0, "m1"));
        });
        List<Prediction> due = store.read(uow -> uow.predictions().awaitingOutcome(Duration.ZERO, 2));
        assertThat(due).extracting(Prediction::symbol).containsExactly("B", "A");
    }

    @Test
    void aHorizonReachingBackBeforeTheEpochFindsNothingRatherThanFailing() {
        store.useTransaction(uow -> uow.predictions().record(prediction("BTCUSDT", T0, "m1")));
        List<Prediction> due = store.read(uow -> uow.predictions().awaitingOutcome(Duration.ofDays(365L * 1000), 100));
        assertThat(due).isEmpty();
    }

    @Test
    void aNegativeHorizonOrANonPositiveLimitIsRejected() {
        assertThatThrownBy(() -> store.read(uow -> uow.predictions().awaitingOutcome(Duration.ofSeconds(-1), 100)))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("horizon: must not be negative");
        assertThatThrownBy(() -> store.read(uow -> uow.predictions().awaitingOutcome(null, 100)))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("horizon: must not be null");
        assertThatThrownBy(() -> store.read(uow -> uow.predictions().awaitingOutcome(Duration.ZERO, 0)))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("limit: must be within [1, 10000]");
        assertThatThrownBy(() -> store.read(uow -> uow.predictions().awaitingOutcome(Duration.ZERO, 10_001)))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("limit: must be within [1, 10000]");
    }

    @Test
    void accuracyIsComputedOnlyOverEvaluatedPredictions() {
        store.useTransaction(uow -> {
            evaluated(uow, prediction("BTCUSDT", T0, "m1"), "0.02", true);
            evaluated(uow, prediction("ETHUSDT", T0, "m1"), "-0.01", false);
            uow.predictions().record(prediction("SOLUSDT", T0, "m1"));              // no outcome
            evaluated(uow, prediction("BTCUSDT", T0.minusSeconds(1), "m1"), "0.5", true);  // before the window
            evaluated(uow, prediction("BTCUSDT", T0.plusSeconds(60), "m1"), "0.5", true); // at its end
            evaluated(uow, prediction("XRPUSDT", T0, "m2"), "0.5", true);              // other model
        });
        Accuracy m1 = store.read(uow -> uow.predictions().accuracyByModel("m1", T0, T0.plusSeconds(60)));
        assertThat(m1.evaluated()).isEqualTo(2);
        assertThat(m1.correct()).isEqualTo(1);
        assertThat(m1.hitRate()).isEqualTo(new BigDecimal("0.5"));
        assertThat(m1.meanReturn()).isEqualTo(new BigDecimal("0.005"));
    }

    @Test
    void hitRateAndMeanReturnAreExact() {
        // Sums a double could not hold to the last of 18 decimal places, beyond even the storage range (about
        // 3 x 10^20: summed exactly in Java, never stored); 2/3 and the mean both round up at the 18th place.
        store.useTransaction(uow -> {
            evaluated(uow, prediction("A", T0, "m1"), "99999999999999999999.999999999999999997", true);
            evaluated(uow, prediction("B", T0, "m1"), "99999999999999999999.999999999999999998", true);
            evaluated(uow, prediction("C", T0, "m1"), "99999999999999999999.999999999999999998", false);
        });
        Accuracy a = store.read(uow -> uow.predictions().accuracyByModel("m1", T0, FAR));
        assertThat(a.hitRate()).isEqualTo(new BigDecimal("0.666666666666666667"));
        // 299999999999999999999.999999999999999993 / 3 = 99999999999999999999.999999999999999997666...
        assertThat(a.meanReturn()).isEqualTo(new BigDecimal("99999999999999999999.999999999999999998"));
    }

    @Test
    void meanReturnIsRoundedHalfEvenToEighteenPlaces() {
        store.useTransaction(uow -> {
            evaluated(uow, prediction("A", T0, "up"), "0.000000000000000001", true);
            evaluated(uow, prediction("B", T0, "up"), "0.000000000000000004", true);
            evaluated(uow, prediction("C", T0, "down"), "-0.000000000000000001", false);
            evaluated(uow, prediction("D", T0, "down"), "-0.000000000000000004", false);
            evaluated(uow, prediction("E", T0, "odd"), "0.000000000000000003", true);
            evaluated(uow, prediction("F", T0, "odd"), "0.000000000000000004", true);
        });
        Accuracy up = store.read(uow -> uow.predictions().accuracyByModel("up", T0, FAR));
        Accuracy down = store.read(uow -> uow.predictions().accuracyByModel("down", T0, FAR));
        Accuracy odd = store.read(uow -> uow.predictions().accuracyByModel("odd", T0, FAR));
        assertThat(up.meanReturn()).isEqualTo(new BigDecimal("0.000000000000000002"));    // 0.0000000000000000025
        assertThat(down.meanReturn()).isEqualTo(new BigDecimal("-0.000000000000000002")); // -0.0000000000000000025
        assertThat(odd.meanReturn()).isEqualTo(new BigDecimal("0.000000000000000004"));   // 0.0000000000000000035
        assertThat(down.hitRate()).isEqualTo(new BigDecimal("0")); // normalized: scale 0
    }

    @Test
    void withNothingEvaluatedHitRateAndMeanReturnAreAbsentNotZero() {
        store.useTransaction(uow -> uow.predictions().record(prediction("BTCUSDT", T0, "m1")));
        Accuracy none = store.read(uow -> uow.predictions().accuracyByModel("m1", T0, FAR));
        assertThat(none).isEqualTo(new Accuracy(0, 0, null, null, null));
        assertThat(none.isEmpty()).isTrue();
        Accuracy unknown = store.read(uow -> uow.predictions().accuracyBySymbol("NOPE", T0, FAR));
        assertThat(unknown.isEmpty()).isTrue();
    }

    @Test
    void accuracyBySymbolCountsEveryModelForThatSymbolOnly() {
        store.useTransaction(uow -> {
            evaluated(uow, prediction("BTCUSDT", T0, "m1"), "0.03", true);
            evaluated(uow, prediction("BTCUSDT", T0.plusSeconds(1), "m2"), "0.01", false);
            evaluated(uow, prediction("ETHUSDT", T0, "m1"), "0.5", true);
            evaluated(uow, prediction("BTCUSDT", T0.plusSeconds(60), "m1"), "0.5", true);
        });
        Accuracy btc = store.read(uow -> uow.predictions().accuracyBySymbol("BTCUSDT", T0, T0.plusSeconds(60)));
        // Followed: long the correct UP 0.03, short the wrong DOWN 0.01 (-0.01): (0.03 - 0.01) / 2.
        assertThat(btc).isEqualTo(new Accuracy(2, 1, new BigDecimal("0.5"), new BigDecimal("0.02"),
                new BigDecimal("0.01")));
    }

    @Test
    void accuracyPerModelListsEveryModelWithEvaluatedPredictionsInTheWindow() {
        store.useTransaction(uow -> {
            evaluated(uow, prediction("A", T0, "v2"), "0.01", true);
            evaluated(uow, prediction("B", T0, "v1"), "0.03", true);
            evaluated(uow, prediction("C", T0, "v1"), "-0.01", false);
            uow.predictions().record(prediction("D", T0, "v3"));                  // never evaluated
            evaluated(uow, prediction("E", T0.plusSeconds(60), "v4"), "0.5", true); // after the window
        });
        List<ModelAccuracy> perModel = store.read(uow -> uow.predictions().accuracyPerModel(T0, T0.plusSeconds(60)));
        assertThat(perModel).containsExactly(
                new ModelAccuracy("v1", new Accuracy(2, 1, new BigDecimal("0.5"), new BigDecimal("0.01"),
                        new BigDecimal("0.01"))), // long 0.03, and long (wrongly UP) -0.01
                new ModelAccuracy("v2", new Accuracy(1, 1, new BigDecimal("1"), new BigDecimal("0.01"),
                        new BigDecimal("0.01"))));
    }

    @Test
    void invalidPredictionsAreRejectedBeforeAnySql() {
        BigDecimal one = BigDecimal.ONE;
        assertInvalid(() -> new NewPrediction("BTC USDT", T0, PredictedAction.BUY, one, Direction.UP, one, null,
                "m1", one, null), "predictions.symbol:");
        assertInvalid(() -> new NewPrediction("BTCUSDT", T0.plusNanos(1), PredictedAction.BUY, one, Direction.UP,
                one, null, "m1", one, null), "predictions.prediction_timestamp: has sub-microsecond precision");
        assertInvalid(() -> new NewPrediction("BTCUSDT", T0, null, one, Direction.UP, one, null, "m1", one, null),
                "predictions.action: must not be null");
        assertInvalid(() -> new NewPrediction("BTCUSDT", T0, PredictedAction.BUY, new BigDecimal("1.000000000000000001"),
                Direction.UP, one, null, "m1", one, null), "predictions.confidence: must be within [0, 1]");
        assertInvalid(() -> new NewPrediction("BTCUSDT", T0, PredictedAction.BUY, one, null, one, null, "m1", one,
                null), "predictions.direction: must not be null");
        assertInvalid(() -> new NewPrediction("BTCUSDT", T0, PredictedAction.BUY, one, Direction.UP,
                new BigDecimal("-0.01"), null, "m1", one, null), "predictions.magnitude: must be >= 0");
        assertInvalid(() -> new NewPrediction("BTCUSDT", T0, PredictedAction.BUY, one, Direction.UP, one, null,
                "m".repeat(65), one, null), "predictions.model_version: must be at most 64 characters");
        assertInvalid(() -> new NewPrediction("BTCUSDT", T0, PredictedAction.BUY, one, Direction.UP, one, null,
                "m1", BigDecimal.ZERO, null), "predictions.entry_price: must be > 0");
        assertInvalid(() -> new NewPrediction("BTCUSDT", T0, PredictedAction.BUY, one, Direction.UP, one, null,
                "m1", new BigDecimal("1.0000000000000000001"), null),
                "predictions.entry_price: has more than 18 decimal places");
    }

    @Test
    void queriesRejectInvalidArgumentsAndReversedWindows() {
        assertThatThrownBy(() -> store.read(uow -> Pages.all(page ->
                uow.predictions().bySymbol("BTCUSDT", T0.plusSeconds(1), T0, page))))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("to: must not be before from");
        assertThatThrownBy(() -> store.read(uow -> Pages.all(page -> uow.predictions().bySymbol(null, T0, FAR, page))))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("symbol: must not be null");
        assertThatThrownBy(() -> store.read(uow -> uow.predictions().accuracyByModel("", T0, FAR)))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("modelVersion: must not be blank");
        assertThatThrownBy(() -> store.read(uow -> uow.predictions().accuracyPerModel(T0, null)))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("to: must not be null");
    }

    @Test
    void recordingInsideAReadUnitIsRefused() {
        assertThatThrownBy(() -> store.read(uow -> uow.predictions().record(prediction("BTCUSDT", T0, "m1"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("predictions().record")
                .hasMessageContaining("read-only unit of work");
    }

    static NewPrediction prediction(String symbol, Instant at, String modelVersion) {
        return new NewPrediction(symbol, at, PredictedAction.BUY, new BigDecimal("0.8"), Direction.UP,
                new BigDecimal("0.01"), null, modelVersion, new BigDecimal("100"), null);
    }

    /**
     * Records {@code p} and its outcome, evaluated at the prediction's own timestamp. The prediction's direction is
     * chosen to make {@code correct} true (the return's own direction) or false (UP for a return at or below zero,
     * DOWN above it), as OutcomeDao requires.
     */
    private static void evaluated(UnitOfWork uow, NewPrediction p, String actualReturn, boolean correct) {
        Direction actual = Direction.ofReturn(new BigDecimal(actualReturn));
        Direction predicted = correct ? actual : actual == Direction.UP ? Direction.DOWN : Direction.UP;
        long id = uow.predictions().record(new NewPrediction(p.symbol(), p.predictionTimestamp(), p.action(),
                p.confidence(), predicted, p.magnitude(), p.featureVector(), p.modelVersion(), p.entryPrice(),
                p.marketContext())).id();
        uow.outcomes().record(OutcomeDaoTest.outcome(id, p.predictionTimestamp(), actualReturn, correct));
    }

    private static void assertInvalid(ThrowingCallable construction,
                                      String messageStart) {
        assertThatThrownBy(construction).isInstanceOf(ValidationException.class).hasMessageStartingWith(messageStart);
    }
}
