package io.tradestore.analytics;

import io.tradestore.Json;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A recorded prediction. Decimals are exact; featureVector and marketContext are null when none was
 * recorded; createdAt is the store's clock when the row was inserted.
 */
public record Prediction(long id, String symbol, Instant predictionTimestamp, PredictedAction action,
                         BigDecimal confidence, Direction direction, BigDecimal magnitude, Json featureVector,
                         String modelVersion, BigDecimal entryPrice, Json marketContext, Instant createdAt) {
}
