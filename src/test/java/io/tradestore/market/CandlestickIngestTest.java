package io.tradestore.market;

import io.tradestore.testing.Pages;

import io.tradestore.Tradestore;
import io.tradestore.testing.SampleData;
import io.tradestore.testing.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The hot path on real data: one 21-day file of 1-minute candles in one unit of work. */
class CandlestickIngestTest {
    private static final Logger log = LoggerFactory.getLogger(CandlestickIngestTest.class);
    private static final String EXPORT = "binance-us_BTCUSDT_1m_2023-03-01_2023-03-21";

    @TempDir
    Path dir;
    Tradestore store;
    Path file;
    List<Candle> candles;

    @BeforeEach
    void open() {
        file = SampleData.candleFile(EXPORT);
        candles = SampleCandles.read(file, "BTCUSDT", Timeframe.M1);
        store = Stores.open(dir);
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void aWholeExportIsStoredExactlyWithItsSeriesMetadata() {
        long start = System.nanoTime();
        int written = store.inTransaction(uow -> uow.candlesticks().upsert(candles));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        log.info("upserted {} candles from {} in {} ms", written, file.getFileName(), took.toMillis());

        assertThat(written).isEqualTo(30_240);
        SeriesInfo info = store.read(uow -> uow.candlesticks().series("BTCUSDT", Timeframe.M1)).orElseThrow();
        assertThat(info.candleCount()).isEqualTo(30_240);
        assertThat(info.firstOpenTime()).isEqualTo(Instant.parse("2023-03-01T00:00:00Z"));
        assertThat(info.lastOpenTime()).isEqualTo(Instant.parse("2023-03-21T23:59:00Z"));

        List<Candle> stored = store.read(uow -> Pages.all(page -> uow.candlesticks()
                .range("BTCUSDT", Timeframe.M1, info.firstOpenTime(), info.lastOpenTime().plusSeconds(60), page)));
        assertThat(stored).isEqualTo(candles);
        // First and last rows of the file, digit for digit.
        assertThat(stored.get(0)).isEqualTo(new Candle("BTCUSDT", Timeframe.M1, Instant.parse("2023-03-01T00:00:00Z"),
                new BigDecimal("23140.48"), new BigDecimal("23150.77"), new BigDecimal("23128.52"),
                new BigDecimal("23142.31"), new BigDecimal("2.131777")));
        assertThat(stored.get(30_239).close()).isEqualTo(new BigDecimal("28110.26"));
        assertThat(stored.get(30_239).volume()).isEqualTo(new BigDecimal("0.82091"));
        BigDecimal totalVolume = stored.stream().map(Candle::volume).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(totalVolume).isEqualTo(candles.stream().map(Candle::volume).reduce(BigDecimal.ZERO, BigDecimal::add));
    }

    @Test
    void ingestingTheSameExportAgainReplacesInsteadOfDuplicating() {
        store.useTransaction(uow -> uow.candlesticks().upsert(candles));
        int again = store.inTransaction(uow -> uow.candlesticks().upsert(candles));

        assertThat(again).isEqualTo(30_240);
        SeriesInfo info = store.read(uow -> uow.candlesticks().series("BTCUSDT", Timeframe.M1)).orElseThrow();
        assertThat(info.candleCount()).isEqualTo(30_240);
        List<Candle> oneDay = store.read(uow -> Pages.all(page -> uow.candlesticks().range("BTCUSDT", Timeframe.M1,
                Instant.parse("2023-03-10T00:00:00Z"), Instant.parse("2023-03-11T00:00:00Z"), page)));
        assertThat(oneDay).hasSize(1_440);
        List<Candle> lastHour = store.read(uow -> uow.candlesticks().latest("BTCUSDT", Timeframe.M1, 60));
        assertThat(lastHour).isEqualTo(candles.subList(30_180, 30_240));
    }
}
