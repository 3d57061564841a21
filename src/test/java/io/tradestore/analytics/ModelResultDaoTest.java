package io.tradestore.analytics;

import io.tradestore.testing.Pages;

import io.tradestore.ConflictException;
import io.tradestore.Json;
import io.tradestore.ValidationException;
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
class ModelResultDaoTest {
    @Parameter
    TestEngine engine;
    static final Instant WINDOW_START = T0.minus(Duration.ofDays(30));

    @RegisterExtension
    final TempStore store = new TempStore();

    @Test
    void recordedResultComesBackExactlyWithItsId() {
        NewModelResult m = new NewModelResult("direction-lstm", "2.1.0", T0, WINDOW_START, T0.minusNanos(1_000),
                12_345, new BigDecimal("0.612345678901234567"), new BigDecimal("0.600"), new BigDecimal("0.55"),
                new BigDecimal("0.573913043478260870"), Json.of("{\"layers\":3}"));
        ModelResult stored = store.inTransaction(uow -> uow.modelResults().record(m));

        assertThat(stored.id()).isPositive();
        // exact and normalized: 0.600 comes back as 0.6, 0.573913043478260870 as 0.57391304347826087
        assertThat(stored).isEqualTo(new ModelResult(stored.id(), "direction-lstm", "2.1.0", T0, WINDOW_START,
                T0.minusNanos(1_000), 12_345, new BigDecimal("0.612345678901234567"), new BigDecimal("0.6"),
                new BigDecimal("0.55"), new BigDecimal("0.57391304347826087"), Json.of("{\"layers\":3}")));
        Optional<ModelResult> latest = store.read(uow -> uow.modelResults().latest("direction-lstm"));
        assertThat(latest).contains(stored);
    }

    @Test
    void scoresAndParametersMayBeAbsent() {
        ModelResult stored = store.inTransaction(uow -> uow.modelResults().record(new NewModelResult("m", "1", T0,
                WINDOW_START, T0, 0, null, null, null, null, null)));
        assertThat(stored.accuracy()).isNull();
        assertThat(stored.precision()).isNull();
        assertThat(stored.recall()).isNull();
        assertThat(stored.f1()).isNull();
        assertThat(stored.parameters()).isNull();
    }

    @Test
    void aSecondResultForTheSameVersionAndEvaluationTimeIsAConflict() {
        ModelResult first = store.inTransaction(uow -> uow.modelResults().record(result("m", "1", T0)));

        assertThatThrownBy(() -> store.useTransaction(uow -> {
            uow.modelResults().record(result("m", "1", T0.plusSeconds(1)));
            uow.modelResults().record(result("m", "1", T0));
        })).isInstanceOf(ConflictException.class)
                .hasMessageStartingWith("a result for model m version 1 evaluated at " + T0 + " already exists")
                .satisfies(e -> assertThat(((ConflictException) e).sqlState()).isEqualTo("23505"))
                .hasCauseInstanceOf(ConflictException.class);

        List<ModelResult> kept = store.read(uow -> Pages.all(page -> uow.modelResults().history("m", page)));
        assertThat(kept).containsExactly(first);
    }

    @Test
    void anotherVersionOrModelMayBeEvaluatedAtTheSameInstant() {
        store.useTransaction(uow -> {
            uow.modelResults().record(result("m", "1", T0));
            uow.modelResults().record(result("m", "2", T0));
            uow.modelResults().record(result("other", "1", T0));
        });
        List<ModelResult> m = store.read(uow -> Pages.all(page -> uow.modelResults().history("m", page)));
        assertThat(m).extracting(ModelResult::modelVersion).containsExactly("1", "2");
    }

    @Test
    void latestIsTheMostRecentEvaluationNotTheLastRecorded() {
        store.useTransaction(uow -> {
            uow.modelResults().record(result("m", "2", T0.plusSeconds(60)));
            uow.modelResults().record(result("m", "1", T0.plusSeconds(120)));
            uow.modelResults().record(result("m", "2", T0));
            uow.modelResults().record(result("other", "9", T0.plusSeconds(600)));
        });
        ModelResult anyVersion = store.read(uow -> uow.modelResults().latest("m")).orElseThrow();
        assertThat(anyVersion.modelVersion()).isEqualTo("1");
        assertThat(anyVersion.evaluatedAt()).isEqualTo(T0.plusSeconds(120));
        ModelResult version2 = store.read(uow -> uow.modelResults().latest("m", "2")).orElseThrow();
        assertThat(version2.evaluatedAt()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void latestOfAModelNeverEvaluatedIsEmpty() {
        store.useTransaction(uow -> uow.modelResults().record(result("m", "1", T0)));
        Optional<ModelResult> unknownModel = store.read(uow -> uow.modelResults().latest("unknown"));
        Optional<ModelResult> unknownVersion = store.read(uow -> uow.modelResults().latest("m", "2"));
        assertThat(unknownModel).isEmpty();
        assertThat(unknownVersion).isEmpty();
    }

    @Test
    void historyIsOldestFirstAndCanBeNarrowedToOneVersion() {
        store.useTransaction(uow -> {
            uow.modelResults().record(result("m", "2", T0.plusSeconds(60)));
            uow.modelResults().record(result("m", "1", T0.plusSeconds(120)));
            uow.modelResults().record(result("m", "1", T0));
            uow.modelResults().record(result("other", "1", T0.plusSeconds(30)));
        });
        List<ModelResult> all = store.read(uow -> Pages.all(page -> uow.modelResults().history("m", page)));
        assertThat(all).extracting(ModelResult::evaluatedAt)
                .containsExactly(T0, T0.plusSeconds(60), T0.plusSeconds(120));
        List<ModelResult> v1 = store.read(uow -> Pages.all(page -> uow.modelResults().history("m", "1", page)));
        assertThat(v1).extracting(ModelResult::evaluatedAt).containsExactly(T0, T0.plusSeconds(120));
    }

    @Test
    void aReversedDataWindowIsInvalidAnEmptyOneIsNot() {
        assertThatThrownBy(() -> new NewModelResult("m", "1", T0, T0, T0.minusNanos(1_000), 0, null, null, null,
                null, null)).isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("ml_model_results.window_end_time: must not be before"
                        + " ml_model_results.window_start_time");
        ModelResult instant = store.inTransaction(uow -> uow.modelResults().record(
                new NewModelResult("m", "1", T0, T0, T0, 0, null, null, null, null, null)));
        assertThat(instant.windowStart()).isEqualTo(instant.windowEnd());
    }

    @Test
    void invalidResultsAreRejectedBeforeAnySql() {
        BigDecimal over = new BigDecimal("1.000000000000000001");
        BigDecimal negative = new BigDecimal("-0.000000000000000001");
        assertInvalid("ml_model_results.model_name: must not be blank",
                () -> new NewModelResult(" ", "1", T0, T0, T0, 0, null, null, null, null, null));
        assertInvalid("ml_model_results.model_version: must be at most 64 characters",
                () -> new NewModelResult("m", "1".repeat(65), T0, T0, T0, 0, null, null, null, null, null));
        assertInvalid("ml_model_results.evaluated_at: must not be null",
                () -> new NewModelResult("m", "1", null, T0, T0, 0, null, null, null, null, null));
        assertInvalid("ml_model_results.sample_count: must be >= 0",
                () -> new NewModelResult("m", "1", T0, T0, T0, -1, null, null, null, null, null));
        assertInvalid("ml_model_results.accuracy: must be within [0, 1]",
                () -> new NewModelResult("m", "1", T0, T0, T0, 0, over, null, null, null, null));
        assertInvalid("ml_model_results.precision_score: must be within [0, 1]",
                () -> new NewModelResult("m", "1", T0, T0, T0, 0, null, negative, null, null, null));
        assertInvalid("ml_model_results.recall_score: must be within [0, 1]",
                () -> new NewModelResult("m", "1", T0, T0, T0, 0, null, null, over, null, null));
        assertInvalid("ml_model_results.f1_score: must be within [0, 1]",
                () -> new NewModelResult("m", "1", T0, T0, T0, 0, null, null, null, negative, null));
        assertThatThrownBy(() -> store.read(uow -> uow.modelResults().latest(null)))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("modelName: must not be null");
        assertThatThrownBy(() -> store.read(uow -> Pages.all(page -> uow.modelResults().history("m", "", page))))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("modelVersion: must not be blank");
    }

    @Test
    void recordingInsideAReadUnitIsRefused() {
        assertThatThrownBy(() -> store.read(uow -> uow.modelResults().record(result("m", "1", T0))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("modelResults().record")
                .hasMessageContaining("read-only unit of work");
    }

    static NewModelResult result(String name, String version, Instant evaluatedAt) {
        return new NewModelResult(name, version, evaluatedAt, WINDOW_START, evaluatedAt, 100,
                new BigDecimal("0.5"), null, null, null, null);
    }

    private static void assertInvalid(String messageStart,
                                      ThrowingCallable construction) {
        assertThatThrownBy(construction).isInstanceOf(ValidationException.class).hasMessageStartingWith(messageStart);
    }
}
