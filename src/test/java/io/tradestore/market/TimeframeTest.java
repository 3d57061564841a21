package io.tradestore.market;

import io.tradestore.ValidationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The grids of the 13 timeframes: every timeframe up to a day counts from the epoch, weeks from Monday 1970-01-05,
 * because both venues open weekly bars on Monday 00:00 UTC and the epoch was a Thursday.
 */
class TimeframeTest {
    private static final Instant MONDAY = Instant.parse("2023-03-06T00:00:00Z");

    @Test
    void theVenuesIntervalsUpToAWeekInOrder() {
        assertThat(Arrays.stream(Timeframe.values()).map(Timeframe::code)).containsExactly(
                "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "1w");
        assertThat(Arrays.stream(Timeframe.values()).map(Timeframe::duration)).isSorted();
        assertThat(Timeframe.W1.duration()).isEqualTo(Duration.ofDays(7));
        for (Timeframe tf : Timeframe.values()) {
            assertThat(Timeframe.fromCode(tf.code())).isSameAs(tf);
        }
        assertThatThrownBy(() -> Timeframe.fromCode("1M"))
                .isInstanceOf(ValidationException.class)
                .hasMessage("timeframe: must be one of 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h, 1d, 1w (was \"1M\")");
    }

    @Test
    void weeksOpenOnMondayNotOnTheEpochsThursday() {
        assertThat(MONDAY.atOffset(ZoneOffset.UTC).getDayOfWeek()).isEqualTo(DayOfWeek.MONDAY);
        assertThat(Instant.EPOCH.atOffset(ZoneOffset.UTC).getDayOfWeek()).isEqualTo(DayOfWeek.THURSDAY);
        assertThat(Timeframe.W1.anchor()).isEqualTo(Instant.parse("1970-01-05T00:00:00Z"));

        assertThat(Timeframe.W1.isOnGrid(MONDAY)).isTrue();
        assertThat(Timeframe.W1.isOnGrid(Timeframe.W1.anchor())).isTrue();
        // the epoch's grid: whole weeks since Thursday 1970-01-01
        Instant thursday = Instant.parse("2023-03-09T00:00:00Z");
        assertThat(Math.floorMod(thursday.getEpochSecond(), 604_800L)).isZero();
        assertThat(Timeframe.W1.isOnGrid(thursday)).isFalse();
        assertThat(Timeframe.W1.isOnGrid(Instant.EPOCH)).isFalse();
        assertThat(Timeframe.W1.floor(thursday)).isEqualTo(MONDAY);
    }

    @Test
    void theFloorOfSundayNightIsThePreviousMonday() {
        assertThat(Timeframe.W1.floor(Instant.parse("2023-03-12T23:59:59.999999Z"))).isEqualTo(MONDAY);
        assertThat(Timeframe.W1.floor(Instant.parse("2023-03-13T00:00:00Z"))).isEqualTo(MONDAY.plus(Duration.ofDays(7)));
        assertThat(Timeframe.W1.floor(MONDAY)).isEqualTo(MONDAY);
        assertThat(Timeframe.W1.floor(MONDAY.minusNanos(1000))).isEqualTo(MONDAY.minus(Duration.ofDays(7)));
        // before the first Monday, the grid point is the Monday before the epoch (not a storable open time)
        assertThat(Timeframe.W1.floor(Instant.parse("1970-01-04T23:59:59Z"))).isEqualTo(Instant.parse("1969-12-29T00:00:00Z"));
    }

    @ParameterizedTest(name = "{0}: floor of 2023-03-08T13:47:12.5Z is {1}")
    @CsvSource({
            "1m,  2023-03-08T13:47:00Z",
            "3m,  2023-03-08T13:45:00Z",
            "5m,  2023-03-08T13:45:00Z",
            "15m, 2023-03-08T13:45:00Z",
            "30m, 2023-03-08T13:30:00Z",
            "1h,  2023-03-08T13:00:00Z",
            "2h,  2023-03-08T12:00:00Z",
            "4h,  2023-03-08T12:00:00Z",
            "6h,  2023-03-08T12:00:00Z",
            "8h,  2023-03-08T08:00:00Z",
            "12h, 2023-03-08T12:00:00Z",
            "1d,  2023-03-08T00:00:00Z",
            "1w,  2023-03-06T00:00:00Z",
    })
    void eachTimeframesGridPointAtOrBeforeAnInstant(String code, Instant floor) {
        Timeframe tf = Timeframe.fromCode(code);
        Instant t = Instant.parse("2023-03-08T13:47:12.5Z");

        assertThat(tf.floor(t)).isEqualTo(floor);
        assertThat(tf.isOnGrid(floor)).isTrue();
        assertThat(tf.isOnGrid(t)).isFalse();
        assertThat(tf.isOnGrid(floor.plusNanos(1000))).isFalse();
        assertThat(tf.isOnGrid(floor.minusNanos(1000))).isFalse();
        assertThat(tf.isOnGrid(floor.plus(tf.duration()))).isTrue();
        assertThat(tf.floor(floor.plus(tf.duration()).minusNanos(1000))).isEqualTo(floor);
    }

    @ParameterizedTest
    @EnumSource(Timeframe.class)
    void everyGridPointIsAWholeNumberOfPeriodsFromTheAnchor(Timeframe tf) {
        for (long k = -3; k <= 3; k++) {
            Instant point = tf.anchor().plus(tf.duration().multipliedBy(k));
            assertThat(tf.isOnGrid(point)).as("%s + %d periods", tf, k).isTrue();
            assertThat(tf.floor(point)).isEqualTo(point);
            assertThat(tf.floor(point.plusSeconds(1))).isEqualTo(point);
            assertThat(tf.isOnGrid(point.plusSeconds(1))).isFalse();
        }
    }

    /** The Monday rule is named where a user meets it: building a weekly candle on the epoch's Thursday grid. */
    @Test
    void aWeeklyCandleOnAThursdayIsRefusedNamingTheMondayRule() {
        Instant thursday = Instant.parse("2023-03-09T00:00:00Z");
        BigDecimal one = BigDecimal.ONE;
        assertThatThrownBy(() -> new Candle("BTCUSDT", Timeframe.W1, thursday, one, one, one, one, one))
                .isInstanceOf(ValidationException.class)
                .hasMessage("candlesticks.open_time: must lie on the 1w grid, a whole multiple of PT168H since Monday"
                        + " 1970-01-05T00:00:00Z (nearest before: 2023-03-06T00:00:00Z) (was 2023-03-09T00:00:00Z)");
        assertThat(new Candle("BTCUSDT", Timeframe.W1, MONDAY, one, one, one, one, one).openTime()).isEqualTo(MONDAY);
        assertThatThrownBy(() -> new Candle("BTCUSDT", Timeframe.H1, MONDAY.plusSeconds(60), one, one, one, one, one))
                .hasMessageStartingWith("candlesticks.open_time: must lie on the 1h grid, a whole multiple of PT1H"
                        + " since the epoch (nearest before: 2023-03-06T00:00:00Z)");
    }
}
