package io.tradestore;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tradestore.testing.OnEachEngine;
import io.tradestore.testing.StandardError;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import io.tradestore.trading.NewPortfolioSnapshot;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.PositionSide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a store records into the meter registry it was given (docs/operations.md, "Metrics"): every attempt of an
 * outermost unit by type and outcome, every statement by kind and outcome, every connection pool through HikariCP's
 * tracker; and what it logs about slow statements, with or without a registry.
 */
@OnEachEngine
class MetricsTest {
    @Parameter
    TestEngine engine;
    @RegisterExtension
    final TempStore temp = new TempStore();

    private final MeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void everyAttemptOfAUnitIsTimedByTypeAndOutcomeAndNestedUnitsAreNot() {
        try (Tradestore store = Tradestore.open(temp.config().withMeterRegistry(registry))) {
            for (int i = 0; i < 3; i++) {
                store.inTransaction(uow -> uow.positions().open(position()));
            }
            store.useTransaction(uow -> store.useTransaction(inner -> inner.positions().open(position())));
            for (int i = 0; i < 2; i++) {
                store.read(uow -> uow.positions().listOpen());
            }
            assertThatThrownBy(() -> store.useTransaction(uow -> {
                uow.positions().open(position());
                throw new IllegalStateException("the unit's own failure");
            })).hasMessage("the unit's own failure");
            assertThatThrownBy(() -> store.read(uow -> {
                throw new IllegalArgumentException("a read that fails");
            })).hasMessage("a read that fails");

            assertThat(unitCount("write", "commit")).as("3 units and one with a nested unit inside").isEqualTo(4);
            assertThat(unitCount("write", "rollback")).isEqualTo(1);
            assertThat(unitCount("read", "commit")).isEqualTo(2);
            assertThat(unitCount("read", "rollback")).isEqualTo(1);
            assertThat(unitCount("write", "retry") + unitCount("write", "busy")).isZero();
            assertThat(registry.get("tradestore.unit").tags("type", "write", "outcome", "commit").timer()
                    .totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).as("durations, not just counts").isPositive();
        }
    }

    /**
     * Busy the engine's own way, on every attempt (RetryTest provokes the same): SQLite, another connection holds the
     * write lock; PostgreSQL with serializable writes, another session changes the row the unit then updates. Each
     * attempt but the last is a retry, the last is busy, and nothing commits.
     */
    @Test
    void attemptsThatFindTheDatabaseBusyAreRetriesAndTheLastIsBusy() throws Exception {
        long positionId = temp.inTransaction(uow -> uow.positions().open(position())).id();
        TradestoreConfig config = temp.config().withMeterRegistry(registry).withRetryAttempts(2)
                .withBusyTimeout(Duration.ofMillis(50));
        try (Connection other = temp.connect();
             Tradestore store = Tradestore.open(engine == TestEngine.POSTGRES
                     ? config.withSerializableWrites(true) : config)) {
            Consumer<UnitOfWork> unit = uow -> {
                // PostgreSQL: a first write takes the snapshot the other session then outdates (a read of the position
                // would lock it, and the other session would wait for this one).
                uow.portfolio().record(new NewPortfolioSnapshot(T0, BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ZERO,
                        BigDecimal.ZERO, 0));
                if (engine == TestEngine.POSTGRES) {
                    execute(other, "UPDATE trading.positions SET version = version WHERE id = " + positionId);
                }
                uow.positions().updateStops(positionId, new BigDecimal("90"), null, 0);
            };
            if (engine == TestEngine.SQLITE) {
                execute(other, "BEGIN IMMEDIATE");
            }
            try {
                assertThatThrownBy(() -> store.useTransaction(unit)).isInstanceOf(BusyException.class)
                        .hasMessageContaining("after 3 attempt(s)");
            } finally {
                if (engine == TestEngine.SQLITE) {
                    execute(other, "ROLLBACK");
                }
            }
            assertThat(unitCount("write", "retry")).isEqualTo(2);
            assertThat(unitCount("write", "busy")).isEqualTo(1);
            assertThat(unitCount("write", "commit") + unitCount("write", "rollback")).isZero();
        }
    }

    @Test
    void statementsAreTimedByKindAndOutcomeNeverBySqlText() {
        try (Tradestore store = Tradestore.open(temp.config().withMeterRegistry(registry))) {
            store.read(uow -> {
                for (int i = 0; i < 5; i++) {
                    uow.jooq().selectOne().fetch();
                }
                return null;
            });
            assertThat(queryCount("select", "success")).isEqualTo(5);

            store.read(uow -> uow.jooq().fetch("VALUES (1)"));
            assertThat(queryCount("values", "success")).as("plain SQL, by its first keyword").isEqualTo(1);
            assertThatThrownBy(() -> store.read(uow -> uow.jooq().fetch("SELECT * FROM no_such_table")))
                    .isInstanceOf(TradestoreException.class);
            assertThat(queryCount("select", "error")).isEqualTo(1);
            assertThat(queryCount("select", "success")).as("the failed one is not a success").isEqualTo(5);

            store.inTransaction(uow -> uow.positions().open(position()));
            assertThat(queryCount("insert", "success")).as("a DAO's insert").isGreaterThanOrEqualTo(1);

            Set<String> kinds = new TreeSet<>();
            registry.find("tradestore.query").timers().forEach(t -> kinds.add(t.getId().getTag("kind")));
            assertThat(kinds).isSubsetOf("select", "insert", "update", "delete", "merge", "batch", "with", "values",
                    "create", "alter", "drop", "truncate", "pragma", "set", "lock", "analyze", "vacuum", "explain",
                    "other");
            assertThat(registry.get("tradestore.query").tags("kind", "select", "outcome", "success").timer()
                    .takeSnapshot().percentileValues()).as("p50, p95, p99").hasSize(3);
        }
    }

    @Test
    void everyConnectionPoolReportsThroughHikarisTracker() {
        try (Tradestore store = Tradestore.open(temp.config().withMeterRegistry(registry))) {
            store.read(uow -> uow.positions().listOpen());
            List<String> pools = engine == TestEngine.SQLITE
                    ? List.of("tradestore-writer", "tradestore-readers") : List.of("tradestore-postgres");
            for (String pool : pools) {
                assertThat(registry.find("hikaricp.connections").tag("pool", pool).gauge()).as(pool).isNotNull();
            }
            int configured = store.config().poolSize();
            assertThat(registry.get("hikaricp.connections.max").tag("pool", pools.get(pools.size() - 1)).gauge()
                    .value()).as("the store's own pool, not some other").isEqualTo(configured);
            assertThat(registry.get("hikaricp.connections.acquire").tag("pool", pools.get(pools.size() - 1))
                    .timer().count()).isPositive();
        }
    }

    @Test
    void withoutARegistryNothingIsRegisteredAnywhere() {
        try (Tradestore store = Tradestore.open(temp.config())) {
            store.inTransaction(uow -> uow.positions().open(position()));
        }
        assertThat(registry.getMeters()).isEmpty();
        assertThat(io.micrometer.core.instrument.Metrics.globalRegistry.getMeters().stream().map(Meter::getId)
                .map(Meter.Id::getName)).noneMatch(name -> name.startsWith("tradestore.") || name.startsWith("hikaricp"));
    }

    @Test
    void aStatementSlowerThanTheThresholdIsLoggedAtWarnWithItsSqlAndTimeWithoutARegistry() {
        String slow = engine == TestEngine.SQLITE
                ? "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT count(*) FROM c"
                : "SELECT pg_sleep(0.05)";
        String logged = StandardError.capture(() -> {
            try (Tradestore store = Tradestore.open(temp.config().withSlowQueryThreshold(Duration.ofMillis(10)))) {
                store.read(uow -> uow.jooq().fetch(slow));
            }
        });
        assertThat(logged).containsPattern("WARN io\\.tradestore\\.SlowQuery - slow query: \\d+ ms \\(threshold 10 ms\\): "
                + java.util.regex.Pattern.quote(slow));

        for (Duration quiet : List.of(Duration.ofHours(1), Duration.ZERO)) {
            String none = StandardError.capture(() -> {
                try (Tradestore store = Tradestore.open(temp.config().withSlowQueryThreshold(quiet))) {
                    store.read(uow -> uow.jooq().fetch(slow));
                }
            });
            assertThat(none).as("threshold %s", quiet).doesNotContain("slow query");
        }
    }

    @Test
    void aRegistryOrThresholdThatIsNotOneIsRefusedAtOnceNamingTheOption() {
        TradestoreConfig config = temp.config();
        assertThatThrownBy(() -> config.withMeterRegistry("prometheus")).isInstanceOf(ValidationException.class)
                .hasMessage("meterRegistry: must be a io.micrometer.core.instrument.MeterRegistry, not a"
                        + " java.lang.String (was \"prometheus\")");
        assertThatThrownBy(() -> config.withMeterRegistry(null)).isInstanceOf(ValidationException.class)
                .hasMessage("meterRegistry: must not be null (leave it unset to record no metrics) (was null)");
        assertThatThrownBy(() -> config.withSlowQueryThreshold(Duration.ofMillis(-1)))
                .isInstanceOf(ValidationException.class)
                .hasMessage("slowQueryThreshold: must be between 0 (off) and PT1H (was PT-0.001S)");
        assertThatThrownBy(() -> config.withSlowQueryThreshold(Duration.ofMinutes(61)))
                .hasMessageStartingWith("slowQueryThreshold: must be between 0 (off) and PT1H");
        assertThat(config.withMeterRegistry(registry).meterRegistry()).isSameAs(registry);
        assertThat(config.slowQueryThreshold()).isEqualTo(Duration.ofSeconds(1));
    }

    private double unitCount(String type, String outcome) {
        return registry.get("tradestore.unit").tags("type", type, "outcome", outcome).timer().count();
    }

    private double queryCount(String kind, String outcome) {
        var timer = registry.find("tradestore.query").tags("kind", kind, "outcome", outcome).timer();
        return timer == null ? 0 : timer.count();
    }

    private static NewPosition position() {
        return NewPosition.of("BTCUSDT", PositionSide.LONG, BigDecimal.ONE, new BigDecimal("100"), T0);
    }

    private static void execute(Connection c, String sql) {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
