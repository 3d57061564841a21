package io.tradestore.market;

import java.time.Instant;

/**
 * What is stored of one (symbol, timeframe) series, from candlestick_metadata: the first and last open times,
 * the exact number of candles (gaps make it smaller than the span divided by the timeframe) and when a write
 * last touched the series, by the store's clock.
 */
public record SeriesInfo(String symbol, Timeframe timeframe, Instant firstOpenTime, Instant lastOpenTime,
                         long candleCount, Instant updatedAt) {
}
