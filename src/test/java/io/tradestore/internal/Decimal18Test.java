package io.tradestore.internal;

import io.tradestore.testing.DecimalGens;
import io.tradestore.testing.Props;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.yaml.snakeyaml.Yaml;

import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * The SQLite encoding of DECIMAL(38,18) (decision 0009): byte order is numeric order, every value has one encoding
 * that decodes to the value normalized, damaged bytes are refused, and the SQL twins in the changelog that migrate
 * release 3's BIGINTs to it and back compute exactly what the Java codec computes.
 */
class Decimal18Test {
    private static Connection sqlite;
    private static String dec8to18;
    private static String dec18to8;

    @BeforeAll
    static void openSqliteAndReadTheChangelogProperties() throws Exception {
        sqlite = DriverManager.getConnection("jdbc:sqlite::memory:");
        try (InputStream in = Files.newInputStream(Path.of("db-changelog", "changelog-master.yaml"))) {
            Map<String, Object> changelog = new Yaml().load(in);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> entries = (List<Map<String, Object>>) changelog.get("databaseChangeLog");
            for (Map<String, Object> entry : entries) {
                @SuppressWarnings("unchecked")
                Map<String, Object> property = (Map<String, Object>) entry.get("property");
                if (property != null && "dec8to18".equals(property.get("name"))) {
                    dec8to18 = (String) property.get("value");
                } else if (property != null && "dec18to8".equals(property.get("name"))) {
                    dec18to8 = (String) property.get("value");
                }
            }
        }
        assertThat(dec8to18).as("property dec8to18 in changelog-master.yaml").isNotNull();
        assertThat(dec18to8).as("property dec18to8 in changelog-master.yaml").isNotNull();
    }

    @AfterAll
    static void close() throws Exception {
        sqlite.close();
    }

    @Test
    void byteOrderIsNumericOrder() {
        Props.check(2_000, 1_000, DecimalGens.inRange().zip(DecimalGens.inRange(), List::of),
                Decimal18Test::assertBytesOrderLikeNumbers);
    }

    /** Neighbours share a first byte and leading digits, where a wrong pad or terminator shows (-1 vs -1.01). */
    @Test
    void byteOrderIsNumericOrderBetweenNeighbours() {
        Props.check(2_000, 1_000, DecimalGens.neighbours(), Decimal18Test::assertBytesOrderLikeNumbers);
    }

    private static void assertBytesOrderLikeNumbers(List<BigDecimal> pair) {
        BigDecimal a = pair.get(0);
        BigDecimal b = pair.get(1);
        int bytes = Integer.signum(Arrays.compareUnsigned(Decimal18.encode(a), Decimal18.encode(b)));
        assertThat(bytes).as("memcmp(%s, %s)", a.toPlainString(), b.toPlainString())
                .isEqualTo(Integer.signum(a.compareTo(b)));
    }

    @Test
    void everyValueDecodesToItselfNormalized() {
        Props.check(2_000, 1_000, DecimalGens.inRange(), v -> {
            BigDecimal back = Decimal18.decode(Decimal18.encode(v));
            assertThat(back).isEqualTo(DecimalGens.normalized(v));
            // One encoding per number, whatever its scale: equality in SQL is equality of numbers.
            assertThat(Decimal18.encode(v.setScale(Decimal18.SCALE))).isEqualTo(Decimal18.encode(v));
        });
    }

    @Test
    void theEncodingShowsItsDigitsInHex() {
        assertThat(hex("23140.48")).isEqualTo("8523140480");
        assertThat(hex("0")).isEqualTo("80");
        assertThat(hex("1")).isEqualTo("8110");
        assertThat(hex("-1")).isEqualTo("7E89FF");
        assertThat(hex("0.0000003412")).isEqualTo("800000003412");
        assertThat(hex("100")).isEqualTo("831000");
    }

    @Test
    void damagedBytesAreRefusedNotMisread() {
        for (String bad : List.of("", "8000", "81", "8100", "8A", "7E89", "7E8900", "810A", "820510", "8105", "7E8F9FF")) {
            byte[] bytes = bad.length() % 2 == 0 ? java.util.HexFormat.of().parseHex(bad) : java.util.HexFormat.of().parseHex(bad + "F");
            assertThatThrownBy(() -> Decimal18.decode(bytes)).as(bad)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not a tradestore decimal");
        }
    }

    /** Release 3 stored value x 10^8 in a BIGINT: every such value, the ends of the 64-bit range included. */
    @Test
    void theMigrationsSqlEncodesEveryReleaseThreeValueAsTheCodecDoes() {
        Gen<Long> any = longs().all().mix(Generate.pick(List.of(Long.MIN_VALUE, Long.MAX_VALUE, 0L, 1L, -1L,
                100_000_000L, -100_000_000L, 10L, -10L, 123_456_789_012L, -99_999_999L)), 5);
        Props.check(3_000, 1_000, any, x -> {
            BigDecimal value = BigDecimal.valueOf(x, 8);
            byte[] sql = encodeInSql(x);
            assertThat(sql).as("dec8to18(%s) for %s", x, value.toPlainString()).isEqualTo(Decimal18.encode(value));
            assertThat(decodeInSql(sql)).as("dec18to8 of %s", value.toPlainString()).isEqualTo(x);
        });
    }

    /** Going back, a value release 3 cannot hold is NULL (the rollback's guard refuses it), never a rounded one. */
    @Test
    void theRollbacksSqlGivesBackExactlyTheValuesReleaseThreeCanHold() {
        BigDecimal min = BigDecimal.valueOf(Long.MIN_VALUE, 8);
        BigDecimal max = BigDecimal.valueOf(Long.MAX_VALUE, 8);
        Props.check(3_000, 1_000, DecimalGens.inRange(), v -> {
            boolean fits = v.stripTrailingZeros().scale() <= 8 && v.compareTo(min) >= 0 && v.compareTo(max) <= 0;
            Long back = decodeInSql(Decimal18.encode(v));
            if (fits) {
                assertThat(back).as(v.toPlainString()).isEqualTo(v.movePointRight(8).longValueExact());
            } else {
                assertThat(back).as(v.toPlainString()).isNull();
            }
        });
    }

    private static String hex(String value) {
        return java.util.HexFormat.of().withUpperCase().formatHex(Decimal18.encode(new BigDecimal(value)));
    }

    private static byte[] encodeInSql(long x) {
        try (PreparedStatement ps = sqlite.prepareStatement("SELECT (SELECT " + dec8to18 + " FROM (SELECT ? AS x))")) {
            ps.setLong(1, x);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBytes(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Long decodeInSql(byte[] b) {
        try (PreparedStatement ps = sqlite.prepareStatement("SELECT (SELECT " + dec18to8 + " FROM (SELECT ? AS b))")) {
            ps.setBytes(1, b);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long v = rs.getLong(1);
                return rs.wasNull() ? null : v;
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
