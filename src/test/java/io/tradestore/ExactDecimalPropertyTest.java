package io.tradestore;

import io.tradestore.internal.Fixed8;
import io.tradestore.internal.db.tables.records.AnalyticsMetricsRecord;
import io.tradestore.testing.SqliteFiles;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import static io.tradestore.internal.db.Tables.ANALYTICS_METRICS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Decimal columns are exact: every value of the documented scale and range survives a round trip through a real
 * SQLite file bit for bit, anything else is refused with the column's name, and SQL orders and sums them exactly
 * as BigDecimal does. analytics_metrics.value is used because its documented range is the full Fixed8 range;
 * every decimal column shares its storage and converter (GeneratedTypesTest).
 */
class ExactDecimalPropertyTest {
    private static final String COLUMN = "analytics_metrics.value";
    private static Path dir;
    private static Connection connection;
    private static DSLContext db;

    @BeforeContainer
    static void openDatabase() throws Exception {
        dir = Files.createTempDirectory("tradestore-decimals");
        connection = SqliteFiles.open(SqliteFiles.migrated(dir));
        try (Statement st = connection.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("PRAGMA synchronous=OFF"); // durability is not under test here; speed is welcome
        }
        db = DSL.using(connection, SQLDialect.SQLITE);
    }

    @AfterContainer
    static void closeDatabase() throws Exception {
        connection.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Property(tries = 400)
    void everyValueWithinScaleAndRangeRoundTripsExactly(@ForAll("inRange") BigDecimal value) {
        long id = insert(value);
        BigDecimal back = db.select(ANALYTICS_METRICS.VALUE).from(ANALYTICS_METRICS)
                .where(ANALYTICS_METRICS.ID.eq(id)).fetchSingle().value1();
        assertThat(back).isEqualByComparingTo(value);
        assertThat(back.scale()).isEqualTo(Fixed8.SCALE);
        assertThat(back.stripTrailingZeros()).isEqualTo(value.stripTrailingZeros());
    }

    @Property(tries = 200)
    void valuesBeyondTheScaleAreRejectedNamingTheColumnAndNothingIsWritten(@ForAll("overScale") BigDecimal value) {
        assertRejected(value, "more than 8 decimal places");
    }

    @Property(tries = 200)
    void valuesBeyondTheRangeAreRejectedNamingTheColumnAndNothingIsWritten(@ForAll("outOfRange") BigDecimal value) {
        assertRejected(value, "must be within");
    }

    @Property(tries = 100)
    void sqlOrderingAndSumsMatchBigDecimal(@ForAll("smallLists") List<BigDecimal> values) {
        db.deleteFrom(ANALYTICS_METRICS).execute();
        values.forEach(ExactDecimalPropertyTest::insert);
        List<BigDecimal> ordered = db.select(ANALYTICS_METRICS.VALUE).from(ANALYTICS_METRICS)
                .orderBy(ANALYTICS_METRICS.VALUE, ANALYTICS_METRICS.ID).fetch(ANALYTICS_METRICS.VALUE);
        List<BigDecimal> expected = values.stream().sorted().toList();
        assertThat(ordered).usingElementComparator(BigDecimal::compareTo).containsExactlyElementsOf(expected);
        // SUM over the raw scaled integers: exact, unlike SUM over REAL.
        Long sum = db.select(DSL.sum(DSL.field("value", Long.class)).cast(Long.class))
                .from(ANALYTICS_METRICS).fetchSingle().value1();
        BigDecimal javaSum = values.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(sum == null ? BigDecimal.ZERO : Fixed8.fromUnscaled(sum)).isEqualByComparingTo(javaSum);
    }

    @Provide
    Arbitrary<BigDecimal> inRange() {
        return Arbitraries.integers().between(0, Fixed8.SCALE).flatMap(scale ->
                Arbitraries.bigDecimals().between(Fixed8.MIN.setScale(scale, RoundingMode.CEILING),
                        Fixed8.MAX.setScale(scale, RoundingMode.FLOOR)).ofScale(scale));
    }

    @Provide
    Arbitrary<BigDecimal> overScale() {
        // Nine or more significant decimal places: 0.000000001, 12345.123456789012, ...
        return Arbitraries.integers().between(Fixed8.SCALE + 1, 30).flatMap(scale ->
                Arbitraries.bigDecimals().between(new BigDecimal("-1000000"), new BigDecimal("1000000"))
                        .ofScale(scale)
                        .filter(v -> v.stripTrailingZeros().scale() > Fixed8.SCALE));
    }

    @Provide
    Arbitrary<BigDecimal> outOfRange() {
        Arbitrary<BigDecimal> above = Arbitraries.bigDecimals()
                .between(Fixed8.MAX.add(new BigDecimal("0.00000001")), Fixed8.MAX.multiply(BigDecimal.TEN.pow(20)))
                .ofScale(Fixed8.SCALE);
        return Arbitraries.oneOf(above, above.map(BigDecimal::negate).map(v -> v.subtract(new BigDecimal("0.00000001"))),
                Arbitraries.of(new BigDecimal("1E+999999999"), new BigDecimal("-1E+30")));
    }

    @Provide
    Arbitrary<List<BigDecimal>> smallLists() {
        // Bounded so that no sum of up to 30 values can leave the 64-bit range.
        BigDecimal bound = new BigDecimal("1000000000");
        return Arbitraries.bigDecimals().between(bound.negate(), bound).ofScale(Fixed8.SCALE)
                .list().ofMinSize(0).ofMaxSize(30);
    }

    private static long insert(BigDecimal value) {
        AnalyticsMetricsRecord r = db.newRecord(ANALYTICS_METRICS);
        r.setName("property");
        r.setValue(value);
        r.setComputedAt(Instant.EPOCH);
        r.setDimensions(Json.of("{}"));
        r.store();
        return r.getId();
    }

    private static void assertRejected(BigDecimal value, String rule) {
        assertThatThrownBy(() -> Fixed8.toUnscaled(COLUMN, value))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith(COLUMN + ": ")
                .hasMessageContaining(rule);
        int before = db.fetchCount(ANALYTICS_METRICS);
        // The converter is the backstop: even past the DAOs, jOOQ refuses to bind the value.
        assertThatThrownBy(() -> insert(value)).isInstanceOf(ValidationException.class);
        assertThat(db.fetchCount(ANALYTICS_METRICS)).isEqualTo(before);
    }
}
