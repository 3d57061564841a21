package io.tradestore.legacy;

import io.tradestore.ValidationException;
import io.tradestore.testing.Props;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

/** The legacy DATETIME texts the old Python code wrote become the instants they meant (issue 12). */
class LegacyTimestampsTest {
    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final ZoneId SYDNEY = ZoneId.of("Australia/Sydney");

    private static LegacyTimestamps.Parsed parse(String text, ZoneId zone) {
        return LegacyTimestamps.parse("predictions.prediction_timestamp", text, zone);
    }

    @Test
    void everyFormTheOldCodeWroteIsRecognised() {
        Instant at = Instant.parse("2023-03-01T14:05:09Z");
        assertThat(parse("2023-03-01 14:05:09", UTC)).isEqualTo(new LegacyTimestamps.Parsed(at, true));
        assertThat(parse("2023-03-01T14:05:09", UTC)).isEqualTo(new LegacyTimestamps.Parsed(at, true));
        assertThat(parse("2023-03-01 14:05:09.123456", UTC).instant()).isEqualTo(at.plusNanos(123_456_000));
        assertThat(parse("2023-03-01T14:05:09.5", UTC).instant()).isEqualTo(at.plusMillis(500));
        assertThat(parse("2023-03-01 14:05", UTC).instant()).isEqualTo(at.minusSeconds(9));
        assertThat(parse("2023-03-01T14:05:09+00:00", UTC)).isEqualTo(new LegacyTimestamps.Parsed(at, false));
        assertThat(parse("2023-03-01T14:05:09Z", SYDNEY)).isEqualTo(new LegacyTimestamps.Parsed(at, false));
        assertThat(parse("2023-03-02T01:05:09+11:00", UTC).instant()).isEqualTo(at);
        assertThat(parse("2023-03-02 01:05:09+1100", UTC).instant()).isEqualTo(at);
        assertThat(parse("2023-03-01", UTC)).isEqualTo(new LegacyTimestamps.Parsed(
                Instant.parse("2023-03-01T00:00:00Z"), true));
        assertThat(parse("  2023-03-01 14:05:09 ", UTC).instant()).isEqualTo(at);
    }

    @Test
    void naiveTextIsReadInTheGivenZoneAndAnOffsetWins() {
        // Sydney is UTC+11 in March (daylight saving).
        assertThat(parse("2023-03-02 01:05:09", SYDNEY).instant()).isEqualTo(Instant.parse("2023-03-01T14:05:09Z"));
        assertThat(parse("2023-03-02 01:05:09+00:00", SYDNEY).instant())
                .isEqualTo(Instant.parse("2023-03-02T01:05:09Z"));
    }

    @Test
    void aNaiveTimeInADaylightSavingGapIsRefusedAndAnOverlapTakesTheEarlierOffset() {
        // 2023-10-01: Sydney's clocks jump from 02:00 to 03:00; 2023-04-02: 03:00 back to 02:00.
        assertThatThrownBy(() -> parse("2023-10-01 02:30:00", SYDNEY))
                .isInstanceOf(ValidationException.class)
                .hasMessage("predictions.prediction_timestamp: does not exist in Australia/Sydney (a daylight-saving"
                        + " gap); is --zone the zone the old code's clock ran in? (was \"2023-10-01 02:30:00\")");
        assertThat(parse("2023-04-02 02:30:00", SYDNEY).instant()).isEqualTo(Instant.parse("2023-04-01T15:30:00Z"));
    }

    @Test
    void anythingElseIsRefusedNamingTheFieldAndTheForms() {
        for (String bad : List.of("", "01/03/2023", "2023-3-1", "2023-03-01 14", "2023-03-01T", "1677679509",
                "2023-03-01 14:05:09 UTC", "2023-02-30 00:00:00", "2023-03-01 24:00:00",
                "2023-03-01 14:05:09.1234567")) {
            assertThatThrownBy(() -> parse(bad, UTC)).as(bad)
                    .isInstanceOf(ValidationException.class)
                    .hasMessageStartingWith("predictions.prediction_timestamp: ");
        }
        assertThatThrownBy(() -> parse("2023-03-01 14:05:09.1234567", UTC))
                .hasMessageContaining("must not be finer than a microsecond");
        assertThatThrownBy(() -> parse("2023-03-01", null)).isInstanceOf(ValidationException.class)
                .hasMessage("zone: must not be null (was null)");
        assertThatThrownBy(() -> parse(null, UTC)).hasMessage("predictions.prediction_timestamp: must be a timestamp"
                + " (YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][+HH:MM]) (was null)");
    }

    /** Any microsecond instant, written in any of Python's shapes, reads back as itself. */
    @Test
    void everyShapeOfAnyMicrosecondInstantReadsBack() {
        List<Function<LocalDateTime, String>> shapes = List.of(
                t -> t.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")),
                t -> t.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS")),
                t -> t.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")) + "+00:00",
                t -> t.format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS")) + "Z");
        long from = Instant.parse("1970-01-01T00:00:00Z").getEpochSecond() * 1_000_000;
        long to = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond() * 1_000_000;
        Props.check(5_000, 200, longs().between(from, to).zip(integers().between(0, shapes.size() - 1), List::of),
                pair -> {
                    long micros = (Long) pair.get(0);
                    Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000),
                            Math.floorMod(micros, 1_000_000) * 1_000L);
                    String text = shapes.get((Integer) pair.get(1)).apply(LocalDateTime.ofInstant(at, ZoneOffset.UTC));
                    assertThat(parse(text, UTC).instant()).as(text).isEqualTo(at);
                });
    }
}
