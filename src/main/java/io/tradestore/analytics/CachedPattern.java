package io.tradestore.analytics;

import io.tradestore.Json;
import io.tradestore.market.Timeframe;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A cached pattern as stored. {@code id} stays the same when the key is put again; confidence is exact; the
 * entry is a hit until the store's clock reaches {@code expiresAt}.
 */
public record CachedPattern(long id, String cacheKey, String symbol, Timeframe timeframe, String patternType,
                            BigDecimal confidence, Json payload, Instant detectedAt, Instant expiresAt) {
}
