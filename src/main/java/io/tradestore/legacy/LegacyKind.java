package io.tradestore.legacy;

import java.util.List;
import java.util.Set;

/**
 * The legacy tables a consolidation recognises, each by the columns it must have (never by file or table name: the
 * old platform kept the same tables under many names), and where each goes. A table that has the required columns
 * of exactly one kind is that kind; one that has those of several, or of none, is listed in the plan and not read.
 * Every other column, {@link #carried()} or not, is reported as not carried, with how many rows hold a value in it:
 * the import says what it leaves behind rather than dropping it silently.
 */
public enum LegacyKind {
    /** {@code predictions}: into analytics.predictions, keyed by (symbol, prediction_timestamp). */
    PREDICTIONS("analytics.predictions",
            List.of("prediction_id", "symbol", "prediction_timestamp", "predicted_action", "action_confidence"),
            List.of("predicted_direction", "predicted_magnitude", "feature_vector", "model_version", "entry_price",
                    "market_context")),
    /** {@code outcomes}: into analytics.outcomes, one per prediction, found through the legacy prediction_id. */
    OUTCOMES("analytics.outcomes",
            List.of("prediction_id", "evaluation_timestamp", "actual_return"),
            List.of("actual_direction", "exit_price")),
    /** {@code positions}: into trading.positions, opened and (with an exit) closed, P&L recomputed. */
    POSITIONS("trading.positions",
            List.of("symbol", "entry_date", "position_type", "entry_price", "position_size"),
            List.of("id", "exit_date", "exit_price", "ml_confidence", "sentiment_at_entry", "exit_reason",
                    "profit_loss")),
    /** {@code sentiment_analysis}: into analytics.sentiment_scores, keyed by (symbol, scored_at). */
    SENTIMENT("analytics.sentiment_scores",
            List.of("symbol", "timestamp", "sentiment_score"),
            List.of("id", "confidence", "news_count")),
    /**
     * {@code market_data_cache}: recognised and counted, not imported. It cached API responses until an expiry;
     * the source it cached is where that data lives, and tradestore's pattern cache holds detections, not responses.
     */
    MARKET_DATA_CACHE(null,
            List.of("cache_key", "data", "expiry_date"),
            List.of());

    private final String target;
    private final Set<String> required;
    private final Set<String> carried;

    LegacyKind(String target, List<String> required, List<String> optional) {
        this.target = target;
        this.required = Set.copyOf(required);
        java.util.Set<String> all = new java.util.HashSet<>(required);
        all.addAll(optional);
        this.carried = Set.copyOf(all);
    }

    /** The tradestore table its rows go to, or null for a kind that is recognised but not imported. */
    public String target() {
        return target;
    }

    /** The columns a table must have (compared case-insensitively) to be this kind. */
    public Set<String> required() {
        return required;
    }

    /**
     * The columns whose values reach the target or decide the import (a legacy id that names the row in the report,
     * the stored profit_loss that the recomputed P&L is compared with). created_at is not among them: tradestore
     * stamps its own, and the legacy one only breaks ties under {@code --prefer newest}.
     */
    public Set<String> carried() {
        return carried;
    }
}
