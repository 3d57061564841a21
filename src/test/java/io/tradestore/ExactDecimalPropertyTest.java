package io.tradestore;

import io.tradestore.internal.Fixed8;
import io.tradestore.internal.db.tables.records.AnalyticsMetricsRecord;
import io.tradestore.testing.SqliteFiles;
import io.tradestore.testing.Props;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

import java.math.BigDecimal;
import java.math.BigInteger;
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
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

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

    @BeforeAll
    static void openDatabase() throws Exception {
        dir = Files.createTempDirectory("tradestore-decimals");
        connection = SqliteFiles.open(SqliteFiles.migrated(dir));
        try (Statement st = connection.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("PRAGMA synchronous=OFF"); // durability is not under test here; speed is welcome
        }
        db = DSL.using(connection, SQLDialect.SQLITE);
    }

    @AfterAll
    static void closeDatabase() throws Exception {
        connection.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void everyValueWithinScaleAndRangeRoundTripsExactly() {
        Props.check(400, 1_000, inRange(), value -> {
            long id = insert(value);
            BigDecimal back = db.select(ANALYTICS_METRICS.VALUE).from(ANALYTICS_METRICS)
                    .where(ANALYTICS_METRICS.ID.eq(id)).fetchSingle().value1();
            assertThat(back).isEqualByComparingTo(value);
            assertThat(back.scale()).isEqualTo(Fixed8.SCALE);
            assertThat(back.stripTrailingZeros()).isEqualTo(value.stripTrailingZeros());
        });
    }

    @Test
    void valuesBeyondTheScaleAreRejectedNamingTheColumnAndNothingIsWritten() {
        Props.check(200, 1_000, overScale(), value -> assertRejected(value, "more than 8 decimal places"));
    }

    @Test
    void valuesBeyondTheRangeAreRejectedNamingTheColumnAndNothingIsWritten() {
        Props.check(200, 1_000, outOfRange(), value -> assertRejected(value, "must be within"));
    }

    @Test
    void sqlOrderingAndSumsMatchBigDecimal() {
        Props.check(100, 1_000, smallLists(), values -> {
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
        });
    }

    /**
     * Scale 0..8, then any unscaled value whose magnitude stays within Fixed8's range at that scale; about one
     * in thirty is an edge of the range (MIN, MAX, one unit inside either, zero), which uniform draws would almost
     * never hit.
     */
    static Gen<BigDecimal> inRange() {
        BigDecimal tick = new BigDecimal("0.00000001");
        Gen<BigDecimal> any = integers().between(0, Fixed8.SCALE).flatMap(scale -> {
            long lo = Fixed8.MIN.movePointRight(scale).setScale(0, RoundingMode.CEILING).longValueExact();
            long hi = Fixed8.MAX.movePointRight(scale).setScale(0, RoundingMode.FLOOR).longValueExact();
            return longs().between(lo, hi).map(unscaled -> BigDecimal.valueOf(unscaled, scale));
        });
        return any.mix(Generate.pick(List.of(Fixed8.MIN, Fixed8.MAX, Fixed8.MIN.add(tick), Fixed8.MAX.subtract(tick),
                BigDecimal.ZERO, tick, tick.negate())), 3);
    }

    /** Nine to thirty decimal places, more than eight of them significant, within a million: 0.000000001, ... */
    static Gen<BigDecimal> overScale() {
        return integers().between(Fixed8.SCALE + 1, 30).flatMap(scale -> longs().between(-1_000_000, 1_000_000)
                .zip(longs().between(1, BigInteger.TEN.pow(Math.min(scale, 18)).longValueExact() - 1),
                        (whole, digits) -> BigDecimal.valueOf(whole).add(BigDecimal.valueOf(digits, scale)))
                .assuming(v -> v.stripTrailingZeros().scale() > Fixed8.SCALE));
    }

    /** Beyond either end by any amount; one in twenty just one unit of the 8th decimal beyond, or absurdly far. */
    static Gen<BigDecimal> outOfRange() {
        BigDecimal tick = new BigDecimal("0.00000001");
        Gen<BigDecimal> above = longs().between(1, Long.MAX_VALUE).zip(integers().between(0, 20),
                (units, power) -> Fixed8.MAX.add(tick.multiply(BigDecimal.valueOf(units)).movePointRight(power)));
        Gen<BigDecimal> edges = Generate.pick(List.of(Fixed8.MAX.add(tick), Fixed8.MIN.subtract(tick),
                new BigDecimal("1E+999999999"), new BigDecimal("-1E+30")));
        return above.mix(above.map(v -> v.negate().subtract(tick)), 40).mix(edges, 5);
    }

    /** Bounded so that no sum of up to 30 values can leave the 64-bit range. */
    static Gen<List<BigDecimal>> smallLists() {
        long bound = 1_000_000_000L * 100_000_000L;
        return lists().of(longs().between(-bound, bound).map(u -> BigDecimal.valueOf(u, Fixed8.SCALE)))
                .ofSizeBetween(0, 30);
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
