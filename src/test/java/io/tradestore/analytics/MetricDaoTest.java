package io.tradestore.analytics;

import io.tradestore.testing.Pages;

import io.tradestore.Json;
import io.tradestore.ValidationException;
import io.tradestore.testing.OnEachEngine;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@OnEachEngine
class MetricDaoTest {
    @Parameter
    TestEngine engine;
    @RegisterExtension
    final TempStore store = new TempStore();

    @Test
    void recordedValueComesBackExactlyWithItsDimensions() {
        Json dimensions = Json.of("{\"strategy\": \"mean-reversion\", \"symbol\": \"BTCUSDT\"}");
        Metric stored = store.inTransaction(uow -> uow.metrics().record(
                new NewMetric("sharpe_ratio", new BigDecimal("-99999999999999999999.999999999999999999"), T0, dimensions)));

        assertThat(stored.id()).isPositive();
        assertThat(stored.name()).isEqualTo("sharpe_ratio");
        assertThat(stored.value()).isEqualTo(new BigDecimal("-99999999999999999999.999999999999999999"));
        assertThat(stored.computedAt()).isEqualTo(T0);
        assertThat(stored.dimensions()).isEqualTo(dimensions);
        Optional<Metric> latest = store.read(uow -> uow.metrics().latest("sharpe_ratio"));
        assertThat(latest).contains(stored);
    }

    @Test
    void aValueWithoutDimensionsIsStoredWithAnEmptyObject() {
        Metric implicit = store.inTransaction(uow -> uow.metrics().record(new NewMetric("win_rate", BigDecimal.ONE, T0)));
        Metric explicitNull = store.inTransaction(uow -> uow.metrics().record(
                new NewMetric("win_rate", BigDecimal.ONE, T0.plusSeconds(1), null)));
        assertThat(implicit.dimensions()).isEqualTo(Json.of("{}"));
        assertThat(explicitNull.dimensions()).isEqualTo(Json.of("{}"));
    }

    @Test
    void severalValuesAtOneInstantAreAllKeptInRecordingOrder() {
        store.useTransaction(uow -> {
            uow.metrics().record(new NewMetric("drawdown", new BigDecimal("0.1"), T0, Json.of("{\"s\":\"b\"}")));
            uow.metrics().record(new NewMetric("drawdown", new BigDecimal("0.2"), T0, Json.of("{\"s\":\"a\"}")));
        });
        List<Metric> series = store.read(uow -> Pages.all(page ->
                uow.metrics().series("drawdown", T0, T0.plusSeconds(1), page)));
        assertThat(series).extracting(m -> m.dimensions().text()).containsExactly("{\"s\":\"b\"}", "{\"s\":\"a\"}");
        Metric latest = store.read(uow -> uow.metrics().latest("drawdown")).orElseThrow();
        assertThat(latest.value()).isEqualByComparingTo("0.2");
    }

    @Test
    void seriesIsHalfOpenInTimeOrderAndOnlyForThatName() {
        store.useTransaction(uow -> {
            for (int i = 4; i >= 0; i--) {
                uow.metrics().record(new NewMetric("pnl", BigDecimal.valueOf(i), T0.plusSeconds(i)));
            }
            uow.metrics().record(new NewMetric("pnl_daily", BigDecimal.TEN, T0.plusSeconds(2)));
        });
        List<Metric> series = store.read(uow -> Pages.all(page ->
                uow.metrics().series("pnl", T0.plusSeconds(1), T0.plusSeconds(3), page)));
        assertThat(series).extracting(Metric::computedAt).containsExactly(T0.plusSeconds(1), T0.plusSeconds(2));
        assertThat(series).extracting(Metric::name).containsOnly("pnl");
    }

    @Test
    void latestIsTheMostRecentlyComputedValueNotTheLastRecorded() {
        store.useTransaction(uow -> {
            uow.metrics().record(new NewMetric("pnl", BigDecimal.ONE, T0.plusSeconds(60)));
            uow.metrics().record(new NewMetric("pnl", BigDecimal.valueOf(2), T0));
        });
        Metric latest = store.read(uow -> uow.metrics().latest("pnl")).orElseThrow();
        assertThat(latest.computedAt()).isEqualTo(T0.plusSeconds(60));
        Optional<Metric> unknown = store.read(uow -> uow.metrics().latest("unknown"));
        assertThat(unknown).isEmpty();
    }

    @Test
    void invalidMetricsAreRejectedBeforeAnySql() {
        assertThatThrownBy(() -> new NewMetric("", BigDecimal.ONE, T0)).isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("analytics_metrics.name: must not be blank");
        assertThatThrownBy(() -> new NewMetric("n".repeat(129), BigDecimal.ONE, T0))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("analytics_metrics.name: must be at most 128 characters");
        assertThatThrownBy(() -> new NewMetric("pnl", new BigDecimal("100000000000000000000.000000000000000000"), T0))
                .isInstanceOf(ValidationException.class)
                .hasMessage("analytics_metrics.value: must be within ±99999999999999999999.999999999999999999"
                        + " (DECIMAL(38,18): below 10^20, at most 18 decimal places)"
                        + " (was 100000000000000000000.000000000000000000)");
        assertThatThrownBy(() -> new NewMetric("pnl", new BigDecimal("0.0000000000000000001"), T0))
                .isInstanceOf(ValidationException.class)
                .hasMessage("analytics_metrics.value: has more than 18 decimal places; tradestore stores decimals"
                        + " exactly with at most 18 and never rounds: round the value yourself if that is what you"
                        + " mean (was 1E-19)");
        assertThatThrownBy(() -> new NewMetric("pnl", BigDecimal.ONE, Instant.EPOCH.minusNanos(1_000)))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("analytics_metrics.computed_at:");
        assertThatThrownBy(() -> new NewMetric("pnl", BigDecimal.ONE, T0, Json.of("[\"strategy\"]")))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("analytics_metrics.dimensions: must be a JSON object");
        assertThatThrownBy(() -> store.read(uow -> Pages.all(page -> uow.metrics().series(null, T0, T0, page))))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("name: must not be null");
        assertThatThrownBy(() -> store.read(uow -> Pages.all(page ->
                uow.metrics().series("pnl", T0.plusSeconds(1), T0, page))))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("to: must not be before from");
    }

    @Test
    void recordingInsideAReadUnitIsRefused() {
        assertThatThrownBy(() -> store.read(uow -> uow.metrics().record(new NewMetric("pnl", BigDecimal.ONE, T0))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("metrics().record")
                .hasMessageContaining("read-only unit of work");
    }
}
