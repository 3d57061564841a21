package io.tradestore;

import io.tradestore.analytics.Accuracy;
import io.tradestore.analytics.Direction;
import io.tradestore.analytics.NewOutcome;
import io.tradestore.analytics.NewPrediction;
import io.tradestore.analytics.PredictedAction;
import io.tradestore.internal.Decimal18;
import io.tradestore.internal.PostgresEngine;
import io.tradestore.internal.SqlErrors;
import io.tradestore.internal.db.tables.records.AnalyticsMetricsRecord;
import io.tradestore.testing.DecimalGens;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.Props;
import io.tradestore.testing.SqliteFiles;
import io.tradestore.testing.Stores;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static io.tradestore.internal.db.Tables.ANALYTICS_METRICS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Decimal columns are exact, DECIMAL(38,18) (decision 0009), on a real SQLite file and on PostgreSQL through the
 * same generated classes: every value with at most 18 decimal places and magnitude below 10^20 comes back
 * normalized and equal, anything else is refused with the column's name and writes nothing, and SQL compares,
 * orders, finds by equality, MIN and MAX them as BigDecimal does (on SQLite that is the BLOB encoding's byte order;
 * on PostgreSQL NUMERIC's), and the sums the DAOs report are exact. analytics_metrics.value is used because its documented range is the whole range;
 * every decimal column shares its storage and binding (GeneratedTypesTest).
 */
class ExactDecimalPropertyTest {
    private static final String COLUMN = "analytics_metrics.value";

    /** Tries per build: each PostgreSQL example costs round trips to the server. */
    private static int tries(TestEngine engine) {
        return engine == TestEngine.SQLITE ? 400 : 80;
    }

    private static Path dir;
    private static PostgresDatabases pg;
    private static final Map<TestEngine, Tradestore> stores = new EnumMap<>(TestEngine.class);
    private static final Map<TestEngine, Connection> connections = new EnumMap<>(TestEngine.class);
    private static final Map<TestEngine, DSLContext> dbs = new EnumMap<>(TestEngine.class);

    @BeforeAll
    static void createDirectory() throws Exception {
        dir = Files.createTempDirectory("tradestore-decimals");
    }

    /** Opened on first use, so that without a PostgreSQL server the SQLite cases still run. */
    private static synchronized void open(TestEngine engine) {
        if (dbs.containsKey(engine)) {
            return;
        }
        try {
            if (engine == TestEngine.SQLITE) {
                Connection sqlite = SqliteFiles.open(SqliteFiles.migrated(dir));
                try (Statement st = sqlite.createStatement()) {
                    st.execute("PRAGMA journal_mode=WAL");
                    st.execute("PRAGMA synchronous=OFF"); // durability is not under test here; speed is welcome
                }
                connections.put(engine, sqlite);
                stores.put(engine, Stores.open(dir.resolve("store")));
                dbs.put(engine, withErrorTranslation(DSL.using(sqlite, SQLDialect.SQLITE)));
            } else {
                pg = PostgresDatabases.migrated();
                Connection postgres = DriverManager.getConnection(pg.url() + "?currentSchema="
                        + PostgresEngine.SEARCH_PATH, PostgresDatabases.USER, PostgresDatabases.PASSWORD);
                try (Statement st = postgres.createStatement()) {
                    st.execute("SET synchronous_commit = off");
                }
                connections.put(engine, postgres);
                stores.put(engine, Tradestore.open(pg.config().withPoolSize(2)));
                dbs.put(engine, withErrorTranslation(DSL.using(postgres, SQLDialect.POSTGRES)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the " + engine + " databases", e);
        }
    }

    private static DSLContext db(TestEngine engine) {
        open(engine);
        return dbs.get(engine);
    }

    private static Tradestore store(TestEngine engine) {
        open(engine);
        return stores.get(engine);
    }

    /** The listener every store attaches: it turns a value the binding refused back into its ValidationException. */
    private static DSLContext withErrorTranslation(DSLContext db) {
        return db.configuration().derive(new DefaultExecuteListenerProvider(SqlErrors.INSTANCE)).dsl();
    }

    @AfterAll
    static void closeDatabases() throws Exception {
        for (Tradestore store : stores.values()) {
            store.close();
        }
        for (Connection c : connections.values()) {
            c.close();
        }
        if (pg != null) {
            pg.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @EachEngine
    void everyValueWithinScaleAndRangeRoundTripsExactlyAndNormalized(TestEngine engine) {
        DSLContext db = db(engine);
        Props.check(tries(engine), 1_000, DecimalGens.inRange(), value -> {
            long id = insert(db, value);
            BigDecimal back = db.select(ANALYTICS_METRICS.VALUE).from(ANALYTICS_METRICS)
                    .where(ANALYTICS_METRICS.ID.eq(id)).fetchSingle().value1();
            // Not compareTo: the representation is the API. The smallest scale >= 0 that holds the value.
            assertThat(back).isEqualTo(DecimalGens.normalized(value));
            assertThat(back.scale()).isBetween(0, Decimal18.SCALE);
            assertThat(back.scale() == 0 || back.unscaledValue().mod(BigInteger.TEN).signum() != 0).isTrue();
            // Equality in SQL is equality of numbers: any spelling of the value finds the row.
            assertThat(db.fetchCount(ANALYTICS_METRICS, ANALYTICS_METRICS.ID.eq(id)
                    .and(ANALYTICS_METRICS.VALUE.eq(value.setScale(Decimal18.SCALE))))).isEqualTo(1);
        });
    }

    @EachEngine
    void valuesBeyondTheScaleAreRejectedNamingTheColumnAndNothingIsWritten(TestEngine engine) {
        Props.check(tries(engine) / 2, 1_000, DecimalGens.overScale(),
                value -> assertRejected(db(engine), value, "more than 18 decimal places"));
    }

    @EachEngine
    void valuesBeyondTheRangeAreRejectedNamingTheColumnAndNothingIsWritten(TestEngine engine) {
        Props.check(tries(engine) / 2, 1_000, DecimalGens.outOfRange(), value -> assertRejected(db(engine), value, "must be within"));
    }

    /** ORDER BY, a range predicate, MIN and MAX in SQL agree with BigDecimal over the whole range. */
    @EachEngine
    void sqlComparesOrdersAndAggregatesLikeBigDecimal(TestEngine engine) {
        DSLContext db = db(engine);
        Props.check(tries(engine) / 4, 1_000, lists().of(DecimalGens.inRange()).ofSizeBetween(1, 30).zip(DecimalGens.inRange(), Pair::new), p -> {
            db.deleteFrom(ANALYTICS_METRICS).execute();
            p.values.forEach(v -> insert(db, v));
            List<BigDecimal> ordered = db.select(ANALYTICS_METRICS.VALUE).from(ANALYTICS_METRICS)
                    .orderBy(ANALYTICS_METRICS.VALUE, ANALYTICS_METRICS.ID).fetch(ANALYTICS_METRICS.VALUE);
            assertThat(ordered).containsExactlyElementsOf(p.values.stream().sorted().map(DecimalGens::normalized).toList());
            assertThat(db.fetchCount(ANALYTICS_METRICS, ANALYTICS_METRICS.VALUE.gt(p.pivot)))
                    .isEqualTo((int) p.values.stream().filter(v -> v.compareTo(p.pivot) > 0).count());
            assertThat(db.fetchCount(ANALYTICS_METRICS, ANALYTICS_METRICS.VALUE.le(p.pivot)))
                    .isEqualTo((int) p.values.stream().filter(v -> v.compareTo(p.pivot) <= 0).count());
            var minMax = db.select(DSL.min(ANALYTICS_METRICS.VALUE), DSL.max(ANALYTICS_METRICS.VALUE))
                    .from(ANALYTICS_METRICS).fetchSingle();
            assertThat(minMax.value1()).isEqualTo(DecimalGens.normalized(p.values.stream().min(Comparator.naturalOrder()).orElseThrow()));
            assertThat(minMax.value2()).isEqualTo(DecimalGens.normalized(p.values.stream().max(Comparator.naturalOrder()).orElseThrow()));
        });
    }

    /**
     * The sums the DAOs report are exact on both engines (decision 0009: summed in the DAO, SQLite cannot add the
     * BLOBs): a model's mean return over outcomes anywhere in the range is the exact sum divided by their count,
     * rounded once, half-even, to 18 places, and normalized (the daily realized P&L sum is OrderLifecycleModelTest's).
     */
    @EachEngine
    void theSumsTheDaosReportAreExactOverTheWholeRange(TestEngine engine) {
        Tradestore store = store(engine);
        Instant t0 = Instant.parse("2024-01-01T00:00:00Z");
        int[] run = {0};
        Props.check(tries(engine) / 8, 200, lists().of(DecimalGens.inRange()).ofSizeBetween(1, 12), returns -> {
            String model = "m" + run[0]++;
            store.useTransaction(uow -> {
                for (int i = 0; i < returns.size(); i++) {
                    // Every other prediction is right: its direction is the return's own, or else the other way.
                    Direction actual = Direction.ofReturn(returns.get(i));
                    Direction predicted = i % 2 == 0 ? actual : actual == Direction.UP ? Direction.DOWN : Direction.UP;
                    long id = uow.predictions().record(new NewPrediction("SUM" + i, t0.plusSeconds(run[0] * 100L + i),
                            PredictedAction.BUY, BigDecimal.ONE, predicted, BigDecimal.ONE, null, model,
                            BigDecimal.ONE, null)).id();
                    uow.outcomes().record(new NewOutcome(id, t0.plusSeconds(20_000_000), returns.get(i), actual,
                            BigDecimal.ONE, i % 2 == 0));
                }
            });
            Accuracy a = store.read(uow -> uow.predictions().accuracyByModel(model, t0, t0.plusSeconds(10_000_000)));
            BigDecimal exactSum = returns.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
            BigDecimal n = BigDecimal.valueOf(returns.size());
            assertThat(a.evaluated()).isEqualTo(returns.size());
            assertThat(a.meanReturn()).isEqualTo(DecimalGens.normalized(exactSum.divide(n, 18, RoundingMode.HALF_EVEN)));
            assertThat(a.hitRate()).isEqualTo(DecimalGens.normalized(
                    BigDecimal.valueOf((returns.size() + 1) / 2).divide(n, 18, RoundingMode.HALF_EVEN)));
        });
    }

    record Pair(List<BigDecimal> values, BigDecimal pivot) {
        @Override
        public String toString() {
            return values.stream().map(BigDecimal::toPlainString).toList() + " around " + pivot.toPlainString();
        }
    }

    private static long insert(DSLContext db, BigDecimal value) {
        AnalyticsMetricsRecord r = db.newRecord(ANALYTICS_METRICS);
        r.setName("property");
        r.setValue(value);
        r.setComputedAt(Instant.EPOCH);
        r.setDimensions(Json.of("{}"));
        r.store();
        return r.getId();
    }

    private static void assertRejected(DSLContext db, BigDecimal value, String rule) {
        assertThatThrownBy(() -> Decimal18.check(COLUMN, value))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith(COLUMN + ": ")
                .hasMessageContaining(rule);
        int before = db.fetchCount(ANALYTICS_METRICS);
        // The binding is the backstop: even past the DAOs, jOOQ refuses to bind the value.
        assertThatThrownBy(() -> insert(db, value)).isInstanceOf(ValidationException.class);
        assertThat(db.fetchCount(ANALYTICS_METRICS)).isEqualTo(before);
    }
}
