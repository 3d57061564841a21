package io.tradestore.market;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tradestore.PageRequest;
import io.tradestore.Tradestore;
import io.tradestore.ValidationException;
import io.tradestore.testing.OnEachEngine;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * CandleIngest writes a batch as one unit per slice (counted by the store's own unit timer), stores exactly what one
 * unit would (candles and series metadata), and refuses a bad batch before its first slice.
 */
@OnEachEngine
class CandleIngestTest {
    private static final Instant T0 = Instant.parse("2023-03-01T00:00:00Z");

    @Parameter
    TestEngine engine;
    @RegisterExtension
    final TempStore temp = new TempStore();

    private final MeterRegistry registry = new SimpleMeterRegistry();

    private static List<Candle> candles(String symbol, int n) {
        List<Candle> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BigDecimal low = new BigDecimal("23128.52").add(BigDecimal.valueOf(i, 2));
            out.add(new Candle(symbol, Timeframe.M1, T0.plus(Duration.ofMinutes(i)), low.add(BigDecimal.ONE),
                    low.add(BigDecimal.TEN), low, low.add(new BigDecimal("2.5")), new BigDecimal("1.000000001")));
        }
        return out;
    }

    private long writeCommits() {
        return registry.get("tradestore.unit").tags("type", "write", "outcome", "commit").timer().count();
    }

    @Test
    void eachSliceIsOneUnitAndTheResultIsWhatOneUnitStores() {
        try (Tradestore store = Tradestore.open(temp.config().withMeterRegistry(registry))) {
            List<Candle> sliced = candles("SLICED", 23);
            List<Candle> whole = candles("WHOLE", 23);
            assertThat(CandleIngest.upsert(store, sliced, 5)).isEqualTo(23);
            assertThat(writeCommits()).as("23 candles in slices of 5").isEqualTo(5);
            store.useTransaction(uow -> uow.candlesticks().upsert(whole));

            List<Candle> stored = store.read(uow -> uow.candlesticks().range("SLICED", Timeframe.M1, T0,
                    T0.plus(Duration.ofDays(1)), PageRequest.first(100)).items());
            assertThat(stored).isEqualTo(sliced);
            var slicedInfo = store.read(uow -> uow.candlesticks().series("SLICED", Timeframe.M1)).orElseThrow();
            var wholeInfo = store.read(uow -> uow.candlesticks().series("WHOLE", Timeframe.M1)).orElseThrow();
            assertThat(slicedInfo.candleCount()).isEqualTo(wholeInfo.candleCount()).isEqualTo(23);
            assertThat(slicedInfo.firstOpenTime()).isEqualTo(wholeInfo.firstOpenTime());
            assertThat(slicedInfo.lastOpenTime()).isEqualTo(wholeInfo.lastOpenTime());
        }
    }

    @Test
    void aBadBatchIsRefusedBeforeItsFirstSlice() {
        try (Tradestore store = Tradestore.open(temp.config().withMeterRegistry(registry))) {
            List<Candle> batch = new ArrayList<>(candles("BAD", 12));
            batch.add(batch.get(0));
            assertThatThrownBy(() -> CandleIngest.upsert(store, batch, 5)).isInstanceOf(ValidationException.class)
                    .hasMessageStartingWith("candles[12]: must not repeat the key");
            assertThat(writeCommits()).isZero();
            java.util.Optional<SeriesInfo> series = store.read(uow -> uow.candlesticks().series("BAD", Timeframe.M1));
            assertThat(series).isEmpty();
            assertThatThrownBy(() -> CandleIngest.upsert(store, candles("BAD", 1), 0))
                    .isInstanceOf(ValidationException.class).hasMessageStartingWith("slice: must be within [1, 100000]");
        }
    }
}
