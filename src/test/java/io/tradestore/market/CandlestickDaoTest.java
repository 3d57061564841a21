package io.tradestore.market;

import io.tradestore.testing.Pages;

import io.tradestore.ValidationException;
import io.tradestore.testing.MutableClock;
import io.tradestore.testing.OnEachEngine;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@OnEachEngine
class CandlestickDaoTest {
    @Parameter
    TestEngine engine;
    private static final Instant END_OF_TIME = Instant.parse("9999-12-31T00:00:00Z");

    MutableClock clock = new MutableClock(T0.plus(Duration.ofDays(30)));
    @RegisterExtension
    final TempStore store = new TempStore(clock);

    @Test
    void upsertedCandlesComeBackExactlyAndInTimeOrder() {
        Candle second = candle("BTCUSDT", Timeframe.M1, T0.plusSeconds(60), "23143.89", "23148.80", "23137.61",
                "23137.770000000000000001", "0.88137800");
        Candle first = candle("BTCUSDT", Timeframe.M1, T0, "23140.48", "23150.77", "23128.52", "23142.31",
                "2.131777");
        int written = store.inTransaction(uow -> uow.candlesticks().upsert(List.of(second, first)));

        assertThat(written).isEqualTo(2);
        List<Candle> stored = all("BTCUSDT", Timeframe.M1);
        assertThat(stored).containsExactly(first, second);
        // normalized, both as built and as read back: the smallest scale that holds the value exactly
        assertThat(stored.get(0).high()).isEqualTo(new BigDecimal("23150.77"));
        assertThat(stored.get(1).high()).isEqualTo(new BigDecimal("23148.8"));
        assertThat(stored.get(1).close()).isEqualTo(new BigDecimal("23137.770000000000000001"));
        assertThat(stored.get(1).volume()).isEqualTo(new BigDecimal("0.881378"));
    }

    @Test
    void upsertingAnExistingCandleReplacesItsValuesAndKeepsTheCount() {
        store.useTransaction(uow -> uow.candlesticks().upsert(List.of(flat(T0, "100"), flat(T0.plusSeconds(60), "101"))));
        Candle revised = candle("BTCUSDT", Timeframe.M1, T0, "100", "105", "99", "104", "7.5");

        int written = store.inTransaction(uow -> uow.candlesticks().upsert(List.of(revised)));

        assertThat(written).isEqualTo(1);
        assertThat(all("BTCUSDT", Timeframe.M1)).containsExactly(revised, flat(T0.plusSeconds(60), "101"));
        assertThat(info("BTCUSDT", Timeframe.M1).candleCount()).isEqualTo(2);
    }

    @Test
    void metadataTracksFirstLastAndCountAfterEveryBatch() {
        Instant t1 = clock.instant();
        store.useTransaction(uow -> uow.candlesticks().upsert(minutes(T0.plusSeconds(600), 5)));
        assertThat(info("BTCUSDT", Timeframe.M1)).isEqualTo(new SeriesInfo("BTCUSDT", Timeframe.M1,
                T0.plusSeconds(600), T0.plusSeconds(840), 5, t1));

        clock.advance(Duration.ofSeconds(1));
        store.useTransaction(uow -> uow.candlesticks().upsert(minutes(T0, 3))); // earlier, with a gap
        assertThat(info("BTCUSDT", Timeframe.M1)).isEqualTo(new SeriesInfo("BTCUSDT", Timeframe.M1,
                T0, T0.plusSeconds(840), 8, t1.plusSeconds(1)));

        clock.advance(Duration.ofSeconds(1));
        store.useTransaction(uow -> uow.candlesticks().upsert(minutes(T0.plusSeconds(780), 4))); // 2 old + 2 new
        assertThat(info("BTCUSDT", Timeframe.M1)).isEqualTo(new SeriesInfo("BTCUSDT", Timeframe.M1,
                T0, T0.plusSeconds(960), 10, t1.plusSeconds(2)));
        assertThat(all("BTCUSDT", Timeframe.M1)).hasSize(10);
    }

    @Test
    void oneBatchKeepsTheMetadataOfEverySeriesItTouches() {
        List<Candle> batch = new ArrayList<>(minutes(T0, 3));
        batch.add(flat("BTCUSD", Timeframe.M1, T0, "1"));
        batch.add(flat("BTCUSDT", Timeframe.H1, T0.plus(Duration.ofHours(5)), "1"));
        batch.add(flat("BTCUSDT", Timeframe.H1, T0.plus(Duration.ofHours(2)), "1"));

        store.useTransaction(uow -> uow.candlesticks().upsert(batch));

        assertThat(info("BTCUSDT", Timeframe.M1).candleCount()).isEqualTo(3);
        assertThat(info("BTCUSD", Timeframe.M1).candleCount()).isEqualTo(1);
        SeriesInfo hourly = info("BTCUSDT", Timeframe.H1);
        assertThat(hourly.candleCount()).isEqualTo(2);
        assertThat(hourly.firstOpenTime()).isEqualTo(T0.plus(Duration.ofHours(2)));
        assertThat(hourly.lastOpenTime()).isEqualTo(T0.plus(Duration.ofHours(5)));
    }

    @Test
    void aBatchWithADuplicateKeyWritesNothingEvenWhenTheCallerCatchesAndCommits() {
        // Larger than one INSERT chunk, duplicate at the very end: only validation before any SQL keeps the
        // first chunks out of a unit that goes on to commit.
        List<Candle> batch = new ArrayList<>(minutes(T0, CandlestickDao.CHUNK_SIZE * 2 + 10));
        batch.add(flat(T0.plusSeconds(120), "1"));

        store.useTransaction(uow -> assertThatThrownBy(() -> uow.candlesticks().upsert(batch))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("candles[" + (batch.size() - 1) + "]: must not repeat the key (symbol,"
                        + " timeframe, open_time) of candles[2]")
                .hasMessageContaining("BTCUSDT 1m 2023-03-01T00:02:00Z"));

        assertNothingStored();
    }

    @Test
    void aBatchWithOneInconsistentCandleWritesNothing() {
        // An inconsistent candle cannot be constructed, so the batch fails while it is being built: with a
        // ValidationException naming the rule, not a database CHECK error halfway through the writes.
        List<String[]> rows = List.of(
                new String[]{"100", "101", "99", "100"},
                new String[]{"100", "98", "99", "100"},
                new String[]{"100", "101", "99", "100"});

        assertThatThrownBy(() -> store.useTransaction(uow -> {
            List<Candle> batch = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                String[] r = rows.get(i);
                batch.add(candle("BTCUSDT", Timeframe.M1, T0.plusSeconds(60L * i), r[0], r[1], r[2], r[3], "1"));
            }
            uow.candlesticks().upsert(batch);
        })).isInstanceOf(ValidationException.class)
                .hasMessage("candlesticks.high: must be >= low (was high=98, low=99)");

        assertNothingStored();
    }

    @Test
    void aBatchWithANullCandleWritesNothingEvenWhenTheCallerCatchesAndCommits() {
        List<Candle> batch = new ArrayList<>(minutes(T0, CandlestickDao.CHUNK_SIZE + 1));
        batch.add(null);

        store.useTransaction(uow -> assertThatThrownBy(() -> uow.candlesticks().upsert(batch))
                .isInstanceOf(ValidationException.class)
                .hasMessage("candles[" + (batch.size() - 1) + "]: must not be null (was null)"));
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.candlesticks().upsert(null)))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("candles: must not be null");

        assertNothingStored();
    }

    @Test
    void aFailingUnitOfWorkKeepsNeitherTheCandlesNorTheirMetadata() {
        assertThatThrownBy(() -> store.useTransaction(uow -> {
            uow.candlesticks().upsert(minutes(T0, 3));
            throw new IllegalStateException("caller failed after the upsert");
        })).isInstanceOf(IllegalStateException.class);

        assertNothingStored();
    }

    @Test
    void anEmptyBatchWritesNothing() {
        int written = store.inTransaction(uow -> uow.candlesticks().upsert(List.of()));

        assertThat(written).isZero();
        assertNothingStored();
    }

    @ParameterizedTest(name = "{0} {1} rejected, {2} accepted")
    @CsvSource({
            "1m, 2023-03-01T00:00:30Z,    2023-03-01T00:01:00Z",
            "1m, 2023-03-01T00:01:00.000001Z, 2023-03-01T00:02:00Z",
            "5m, 2023-03-01T00:07:00Z,    2023-03-01T00:05:00Z",
            "15m, 2023-03-01T00:05:00Z,   2023-03-01T00:45:00Z",
            "1h, 2023-03-01T00:30:00Z,    2023-03-01T23:00:00Z",
            "4h, 2023-03-01T02:00:00Z,    2023-03-01T04:00:00Z",
            "1d, 2023-03-01T01:00:00Z,    2023-03-02T00:00:00Z",
            "3m, 2023-03-01T00:04:00Z,    2023-03-01T00:06:00Z",
            "12h, 2023-03-01T06:00:00Z,   2023-03-01T12:00:00Z",
            "1w, 2023-03-02T00:00:00Z,    2023-03-06T00:00:00Z",
    })
    void openTimeOffTheTimeframeGridIsRejected(String code, Instant offGrid, Instant onGrid) {
        Timeframe tf = Timeframe.fromCode(code);

        assertThatThrownBy(() -> flat("BTCUSDT", tf, offGrid, "1"))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("candlesticks.open_time: must lie on the " + code + " grid")
                .hasMessageContaining("nearest before: " + tf.floor(offGrid))
                .hasMessageEndingWith("(was " + offGrid + ")");
        store.useTransaction(uow -> uow.candlesticks().upsert(List.of(flat("BTCUSDT", tf, onGrid, "1"))));
        assertThat(info("BTCUSDT", tf).firstOpenTime()).isEqualTo(onGrid);
    }

    @Test
    void openTimeMustBeAStorableTimestamp() {
        assertThatThrownBy(() -> flat("BTCUSDT", Timeframe.D1, Instant.parse("1969-12-31T00:00:00Z"), "1"))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("candlesticks.open_time: must be within [1970-01-01T00:00:00Z,");
        assertThatThrownBy(() -> flat("BTCUSDT", Timeframe.M1, null, "1"))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("candlesticks.open_time: must not be null");
    }

    @ParameterizedTest(name = "O={0} H={1} L={2} C={3}: {4}")
    @CsvSource(delimiter = '|', value = {
            "10 | 9  | 10 | 10 | candlesticks.high: must be >= low (was high=9, low=10)",
            "11 | 10 | 9  | 10 | candlesticks.high: must be >= open (was high=10, open=11)",
            "10 | 10 | 9  | 11 | candlesticks.high: must be >= close (was high=10, close=11)",
            "9  | 11 | 10 | 10 | candlesticks.low: must be <= open (was low=10, open=9)",
            "10 | 11 | 10 | 9  | candlesticks.low: must be <= close (was low=10, close=9)",
            "10.0 | 10.000000000000000000 | 10.000000000000000001 | 10 | candlesticks.high: must be >= low"
                    + " (was high=10, low=10.000000000000000001)",
    })
    void inconsistentOhlcIsRejectedNamingTheRuleAndBothValues(String o, String h, String l, String c,
                                                              String message) {
        assertThatThrownBy(() -> candle("BTCUSDT", Timeframe.M1, T0, o, h, l, c, "1"))
                .isInstanceOf(ValidationException.class)
                .hasMessage(message);
    }

    @Test
    void pricesMustBePositiveAndVolumeNotNegative() {
        assertThatThrownBy(() -> candle("BTCUSDT", Timeframe.M1, T0, "0", "1", "1", "1", "1"))
                .isInstanceOf(ValidationException.class).hasMessage("candlesticks.open: must be > 0 (was 0)");
        assertThatThrownBy(() -> candle("BTCUSDT", Timeframe.M1, T0, "1", "1", "-1", "1", "1"))
                .isInstanceOf(ValidationException.class).hasMessage("candlesticks.low: must be > 0 (was -1)");
        assertThatThrownBy(() -> candle("BTCUSDT", Timeframe.M1, T0, "1", "1", "1", "1", "-0.1"))
                .isInstanceOf(ValidationException.class).hasMessage("candlesticks.volume: must be >= 0 (was -0.1)");
        assertThatThrownBy(() -> candle("BTCUSDT", Timeframe.M1, T0, "1", null, "1", "1", "1"))
                .isInstanceOf(ValidationException.class).hasMessage("candlesticks.high: must not be null (was null)");

        store.useTransaction(uow -> uow.candlesticks().upsert(List.of(
                candle("BTCUSDT", Timeframe.M1, T0, "1", "1", "1", "1", "0"))));
        assertThat(all("BTCUSDT", Timeframe.M1).get(0).volume()).isZero();
    }

    @Test
    void valuesThatDoNotFitTheExactStorageAreRejectedNotRounded() {
        assertThatThrownBy(() -> candle("BTCUSDT", Timeframe.M1, T0, "1", "1", "1", "1", "0.1234567890123456789"))
                .isInstanceOf(ValidationException.class)
                .hasMessage("candlesticks.volume: has more than 18 decimal places; tradestore stores decimals exactly"
                        + " with at most 18 and never rounds: round the value yourself if that is what you mean"
                        + " (was 0.1234567890123456789)");
        assertThatThrownBy(() -> flat(T0, "100000000000000000000"))
                .isInstanceOf(ValidationException.class)
                .hasMessage("candlesticks.open: must be within ±99999999999999999999.999999999999999999"
                        + " (DECIMAL(38,18): below 10^20, at most 18 decimal places) (was 100000000000000000000)");
        Candle widest = flat(T0, "99999999999999999999.999999999999999999");
        store.useTransaction(uow -> uow.candlesticks().upsert(List.of(widest)));
        assertThat(all("BTCUSDT", Timeframe.M1)).containsExactly(widest);
    }

    @Test
    void symbolAndTimeframeAreRequired() {
        assertThatThrownBy(() -> flat("BTC USDT", Timeframe.M1, T0, "1"))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("candlesticks.symbol: must be 1-32");
        assertThatThrownBy(() -> flat("BTCUSDT", null, T0, "1"))
                .isInstanceOf(ValidationException.class)
                .hasMessage("candlesticks.timeframe: must not be null (was null)");
    }

    @Test
    void rangeIsHalfOpenOrderedAndConfinedToOneSeries() {
        store.useTransaction(uow -> {
            uow.candlesticks().upsert(minutes(T0, 10));
            uow.candlesticks().upsert(List.of(flat("BTCUSD", Timeframe.M1, T0.plusSeconds(120), "1"),
                    flat("BTCUSDT", Timeframe.M5, T0.plusSeconds(300), "1")));
        });

        List<Candle> range = store.read(uow -> Pages.all(page -> uow.candlesticks()
                .range("BTCUSDT", Timeframe.M1, T0.plusSeconds(90), T0.plusSeconds(300), page)));

        assertThat(range).extracting(Candle::openTime)
                .containsExactly(T0.plusSeconds(120), T0.plusSeconds(180), T0.plusSeconds(240));
        List<Candle> empty = store.read(uow -> Pages.all(page -> uow.candlesticks()
                .range("BTCUSDT", Timeframe.M1, T0.plusSeconds(60), T0.plusSeconds(60), page)));
        assertThat(empty).isEmpty();
    }

    @Test
    void rangeRejectsAnInvertedOrMissingInterval() {
        assertThatThrownBy(() -> store.read(uow -> Pages.all(page -> uow.candlesticks()
                .range("BTCUSDT", Timeframe.M1, T0.plusSeconds(60), T0, page))))
                .isInstanceOf(ValidationException.class)
                .hasMessage("to: must not be before from (2023-03-01T00:01:00Z) (was 2023-03-01T00:00:00Z)");
        assertThatThrownBy(() -> store.read(uow -> Pages.all(page ->
                uow.candlesticks().range("BTCUSDT", Timeframe.M1, null, T0, page))))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("from: must not be null");
        assertThatThrownBy(() -> store.read(uow -> Pages.all(page ->
                uow.candlesticks().range("BTCUSDT", null, T0, T0, page))))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("timeframe: must not be null");
    }

    @Test
    void latestReturnsTheMostRecentCandlesInAscendingOrder() {
        store.useTransaction(uow -> uow.candlesticks().upsert(minutes(T0, 10)));

        List<Candle> latest = store.read(uow -> uow.candlesticks().latest("BTCUSDT", Timeframe.M1, 3));

        assertThat(latest).extracting(Candle::openTime)
                .containsExactly(T0.plusSeconds(420), T0.plusSeconds(480), T0.plusSeconds(540));
    }

    @Test
    void latestOfAShortSeriesReturnsAllOfItAndOfAnUnknownSeriesNothing() {
        store.useTransaction(uow -> uow.candlesticks().upsert(minutes(T0, 2)));

        List<Candle> all = store.read(uow -> uow.candlesticks().latest("BTCUSDT", Timeframe.M1, 100_000));
        List<Candle> none = store.read(uow -> uow.candlesticks().latest("ETHUSDT", Timeframe.M1, 1));

        assertThat(all).extracting(Candle::openTime).containsExactly(T0, T0.plusSeconds(60));
        assertThat(none).isEmpty();
    }

    @Test
    void latestRefusesACountOutsideOneToAHundredThousand() {
        for (int n : new int[]{0, -1, 100_001}) {
            assertThatThrownBy(() -> store.read(uow -> uow.candlesticks().latest("BTCUSDT", Timeframe.M1, n)))
                    .isInstanceOf(ValidationException.class)
                    .hasMessage("n: must be within [1, 100000] (was " + n + ")");
        }
    }

    @Test
    void seriesListsEveryPairBySymbolThenTimeframeDuration() {
        Instant day = T0;
        store.useTransaction(uow -> uow.candlesticks().upsert(List.of(
                flat("ETHUSDT", Timeframe.M1, day, "1"),
                flat("BTCUSDT", Timeframe.D1, day, "1"),
                flat("BTCUSDT", Timeframe.H4, day, "1"),
                flat("BTCUSDT", Timeframe.M1, day, "1"),
                flat("BTCUSDT", Timeframe.M15, day, "1"),
                flat("BTCUSDT", Timeframe.H1, day, "1"),
                flat("BTCUSDT", Timeframe.M5, day, "1"))));

        List<SeriesInfo> series = store.read(uow -> uow.candlesticks().series());

        assertThat(series).extracting(s -> s.symbol() + " " + s.timeframe())
                .containsExactly("BTCUSDT 1m", "BTCUSDT 5m", "BTCUSDT 15m", "BTCUSDT 1h", "BTCUSDT 4h",
                        "BTCUSDT 1d", "ETHUSDT 1m");
    }

    @Test
    void seriesOfAPairWithoutCandlesIsEmpty() {
        store.useTransaction(uow -> uow.candlesticks().upsert(minutes(T0, 1)));

        Optional<SeriesInfo> otherTimeframe = store.read(uow -> uow.candlesticks().series("BTCUSDT", Timeframe.M5));

        assertThat(otherTimeframe).isEmpty();
    }

    @Test
    void upsertInsideAReadUnitIsRefused() {
        assertThatThrownBy(() -> store.read(uow -> uow.candlesticks().upsert(minutes(T0, 1))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("candlesticks().upsert writes, but this is a read-only unit of work");
        assertNothingStored();
    }

    @Test
    void timeframeFloorIsTheGridPointAtOrBeforeAnInstant() {
        Instant t = Instant.parse("2023-03-01T13:47:12.5Z");

        assertThat(Timeframe.H4.floor(t)).isEqualTo(Instant.parse("2023-03-01T12:00:00Z"));
        assertThat(Timeframe.D1.floor(t)).isEqualTo(Instant.parse("2023-03-01T00:00:00Z"));
        assertThat(Timeframe.M15.floor(t)).isEqualTo(Instant.parse("2023-03-01T13:45:00Z"));
        assertThat(Arrays.stream(Timeframe.values()).filter(tf -> tf.isOnGrid(tf.floor(t)))).hasSize(Timeframe.values().length);
        assertThat(Arrays.stream(Timeframe.values()).filter(tf -> tf.isOnGrid(t))).isEmpty();
        assertThat(Timeframe.D1.isOnGrid(END_OF_TIME)).isTrue();
    }

    private void assertNothingStored() {
        List<SeriesInfo> series = store.read(uow -> uow.candlesticks().series());
        List<Candle> candles = all("BTCUSDT", Timeframe.M1);
        assertThat(series).isEmpty();
        assertThat(candles).isEmpty();
    }

    private List<Candle> all(String symbol, Timeframe tf) {
        return store.read(uow -> Pages.all(page ->
                uow.candlesticks().range(symbol, tf, Instant.EPOCH, END_OF_TIME, page)));
    }

    private SeriesInfo info(String symbol, Timeframe tf) {
        return store.read(uow -> uow.candlesticks().series(symbol, tf)).orElseThrow();
    }

    /** {@code n} consecutive 1m BTCUSDT candles from {@code start}, priced 100, 101, ... */
    static List<Candle> minutes(Instant start, int n) {
        List<Candle> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(flat(start.plusSeconds(60L * i), Integer.toString(100 + i)));
        }
        return out;
    }

    static Candle flat(Instant openTime, String price) {
        return flat("BTCUSDT", Timeframe.M1, openTime, price);
    }

    static Candle flat(String symbol, Timeframe tf, Instant openTime, String price) {
        return candle(symbol, tf, openTime, price, price, price, price, "1");
    }

    static Candle candle(String symbol, Timeframe tf, Instant openTime, String open, String high, String low,
                         String close, String volume) {
        return new Candle(symbol, tf, openTime, decimal(open), decimal(high), decimal(low), decimal(close),
                decimal(volume));
    }

    private static BigDecimal decimal(String s) {
        return s == null ? null : new BigDecimal(s);
    }
}
