package io.tradestore.analytics;

import io.tradestore.Json;
import io.tradestore.internal.Check;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A model prediction to record. Validated on construction (before any SQL): confidence is a fraction in
 * [0, 1], magnitude a fraction of entryPrice (0.0125 = 1.25%) and not negative (direction gives the sign),
 * entryPrice positive, every decimal storable exactly. featureVector and marketContext may be null.
 */
public record NewPrediction(String symbol, Instant predictionTimestamp, PredictedAction action,
                            BigDecimal confidence, Direction direction, BigDecimal magnitude, Json featureVector,
                            String modelVersion, BigDecimal entryPrice, Json marketContext) {
    public NewPrediction {
        Check.symbol("predictions.symbol", symbol);
        Check.timestamp("predictions.prediction_timestamp", predictionTimestamp);
        Check.notNull("predictions.action", action);
        Check.unitInterval("predictions.confidence", confidence);
        Check.notNull("predictions.direction", direction);
        Check.nonNegative("predictions.magnitude", magnitude);
        Check.text("predictions.model_version", modelVersion, 64);
        Check.positive("predictions.entry_price", entryPrice);
    }
}
