package io.tradestore.analytics;

import io.tradestore.internal.Check;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The news sentiment of a symbol at an instant, to record. Validated on construction (before any SQL): score in
 * [-1, 1] (most bearish to most bullish), confidence a fraction in [0, 1], newsCount not negative; source, the
 * provider, may be null.
 */
public record NewSentimentScore(String symbol, Instant scoredAt, BigDecimal score, BigDecimal confidence,
                                int newsCount, String source) {
    public NewSentimentScore {
        Check.symbol("sentiment_scores.symbol", symbol);
        Check.timestamp("sentiment_scores.scored_at", scoredAt);
        Check.signedUnitInterval("sentiment_scores.score", score);
        Check.unitInterval("sentiment_scores.confidence", confidence);
        Check.nonNegative("sentiment_scores.news_count", newsCount);
        Check.optionalText("sentiment_scores.source", source, 64);
    }
}
