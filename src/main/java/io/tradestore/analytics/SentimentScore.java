package io.tradestore.analytics;

import java.math.BigDecimal;
import java.time.Instant;

/** A recorded sentiment score; score and confidence are exact, source is null when not recorded. */
public record SentimentScore(long id, String symbol, Instant scoredAt, BigDecimal score, BigDecimal confidence,
                             int newsCount, String source) {
}
