package io.tradestore.analytics;

import io.tradestore.Json;
import io.tradestore.internal.Check;
import io.tradestore.market.Timeframe;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A pattern-detection result to cache under {@code cacheKey}, a key the caller derives from the detection's
 * inputs (e.g. {@code "BTCUSDT:1h:head-and-shoulders:2023-03-01T12:00Z"}). Validated on construction, before any
 * SQL: texts within their column limits, confidence a fraction in [0, 1] at most 8 decimal places, detectedAt a
 * storable timestamp. The expiry is not part of the pattern: it is set when the entry is put, from the store's
 * clock.
 */
public record NewCachedPattern(String cacheKey, String symbol, Timeframe timeframe, String patternType,
                               BigDecimal confidence, Json payload, Instant detectedAt) {
    public static final int CACHE_KEY_MAX = 256;
    public static final int PATTERN_TYPE_MAX = 64;

    public NewCachedPattern {
        Check.text("pattern_cache.cache_key", cacheKey, CACHE_KEY_MAX);
        Check.symbol("pattern_cache.symbol", symbol);
        Check.notNull("pattern_cache.timeframe", timeframe);
        Check.text("pattern_cache.pattern_type", patternType, PATTERN_TYPE_MAX);
        Check.unitInterval("pattern_cache.confidence", confidence);
        Check.notNull("pattern_cache.payload", payload);
        Check.timestamp("pattern_cache.detected_at", detectedAt);
    }
}
