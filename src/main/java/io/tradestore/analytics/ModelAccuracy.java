package io.tradestore.analytics;

/** The {@link Accuracy} of one model version, for comparing versions over the same window. */
public record ModelAccuracy(String modelVersion, Accuracy accuracy) {
}
