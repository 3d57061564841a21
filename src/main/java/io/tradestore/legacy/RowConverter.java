package io.tradestore.legacy;

import io.tradestore.Json;
import io.tradestore.ValidationException;
import io.tradestore.analytics.Direction;
import io.tradestore.analytics.NewOutcome;
import io.tradestore.analytics.NewPrediction;
import io.tradestore.analytics.NewSentimentScore;
import io.tradestore.analytics.PredictedAction;
import io.tradestore.internal.Check;
import io.tradestore.internal.Decimal18;
import io.tradestore.internal.JsonSyntax;
import io.tradestore.legacy.Candidate.OutcomeValue;
import io.tradestore.legacy.Candidate.PositionValue;
import io.tradestore.legacy.ConsolidationReport.FloatNoise;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.PositionSide;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Converts one legacy row into what tradestore stores, by the documented rules (docs/consolidation.md): REAL to the
 * shortest decimal, DATETIME text to a UTC instant, free-text enums through the mapping tables. Each row converts
 * completely or is rejected with the column and the rule; the conversions it needed are counted only if it converts.
 */
final class RowConverter {
    static final String UNKNOWN_MODEL = "unknown";
    static final int MAX_NOISE_EXAMPLES = 20;
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d{1,4})?");
    private static final Map<String, PredictedAction> ACTIONS = Map.of(
            "BUY", PredictedAction.BUY, "LONG", PredictedAction.BUY, "STRONG_BUY", PredictedAction.BUY,
            "SELL", PredictedAction.SELL, "SHORT", PredictedAction.SELL, "STRONG_SELL", PredictedAction.SELL,
            "HOLD", PredictedAction.HOLD, "NEUTRAL", PredictedAction.HOLD, "WAIT", PredictedAction.HOLD);
    private static final Map<String, PositionSide> SIDES = Map.of(
            "LONG", PositionSide.LONG, "BUY", PositionSide.LONG,
            "SHORT", PositionSide.SHORT, "SELL", PositionSide.SHORT);
    private static final Map<String, Direction> DIRECTIONS = Map.of(
            "1", Direction.UP, "UP", Direction.UP, "BULLISH", Direction.UP,
            "-1", Direction.DOWN, "DOWN", Direction.DOWN, "BEARISH", Direction.DOWN,
            "0", Direction.FLAT, "FLAT", Direction.FLAT, "NEUTRAL", Direction.FLAT);
    private static final BigDecimal PNL_TOLERANCE = new BigDecimal("0.01");
    private static final BigDecimal PNL_RELATIVE = new BigDecimal("1E-9");
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private final ZoneId zone;
    private final Map<String, Long> conversions = new TreeMap<>();
    private final List<FloatNoise> noise = new ArrayList<>();
    private long noiseCount;
    private final List<String> pending = new ArrayList<>();
    private final List<FloatNoise> pendingNoise = new ArrayList<>();
    private Candidate current;

    RowConverter(ZoneId zone) {
        this.zone = zone;
    }

    Map<String, Long> conversions() {
        return conversions;
    }

    List<FloatNoise> noise() {
        return noise;
    }

    /** Fills in c's value and key, or rejects it. */
    void convert(Candidate c) {
        current = c;
        pending.clear();
        pendingNoise.clear();
        try {
            switch (c.kind) {
                case PREDICTIONS -> prediction(c);
                case OUTCOMES -> outcome(c);
                case POSITIONS -> position(c);
                case SENTIMENT -> sentiment(c);
                default -> throw new IllegalArgumentException("not imported: " + c.kind);
            }
            c.createdAt = createdAt(c.row.get("created_at"));
            pending.forEach(name -> conversions.merge(name, 1L, Long::sum));
            for (FloatNoise n : pendingNoise) {
                noiseCount++;
                if (noise.size() < MAX_NOISE_EXAMPLES) {
                    noise.add(n);
                }
            }
        } catch (ValidationException e) {
            c.reject(e.field() + ": " + e.rule(), e.getMessage());
        }
    }

    long noiseCount() {
        return noiseCount;
    }

    private void prediction(Candidate c) {
        c.legacyPredictionId = id("predictions.prediction_id", c.row.get("prediction_id"));
        PredictedAction action = action(c.row.get("predicted_action"));
        Direction direction = direction("predictions.predicted_direction", c.row.get("predicted_direction"));
        if (direction == null) {
            direction = switch (action) {
                case BUY -> Direction.UP;
                case SELL -> Direction.DOWN;
                case HOLD -> Direction.FLAT;
            };
            pending.add("predicted_direction derived from predicted_action");
        }
        BigDecimal magnitude = decimal("predictions.predicted_magnitude", c.row.get("predicted_magnitude"));
        if (magnitude == null) {
            throw new ValidationException("predictions.predicted_magnitude", "must be given: tradestore keeps a"
                    + " magnitude with every prediction", null);
        }
        if (magnitude.signum() < 0) {
            if (direction != Direction.DOWN) {
                throw new ValidationException("predictions.predicted_magnitude", "must be >= 0 unless"
                        + " predicted_direction is DOWN (the sign belongs to the direction)", magnitude);
            }
            magnitude = magnitude.negate();
            pending.add("predicted_magnitude sign moved into direction DOWN");
        }
        String model = text("predictions.model_version", c.row.get("model_version"));
        if (model == null || model.isBlank()) {
            model = UNKNOWN_MODEL;
            pending.add("model_version missing, recorded as \"" + UNKNOWN_MODEL + "\"");
        }
        NewPrediction p = new NewPrediction(text("predictions.symbol", c.row.get("symbol")),
                instant("predictions.prediction_timestamp", c.row.get("prediction_timestamp")), action,
                decimal("predictions.action_confidence", c.row.get("action_confidence")), direction, magnitude,
                json("predictions.feature_vector", c.row.get("feature_vector")), model,
                decimal("predictions.entry_price", c.row.get("entry_price")),
                context(c.row.get("market_context")));
        c.value = p;
        c.key = new Candidate.PredictionKey(p.symbol(), p.predictionTimestamp());
    }

    private void outcome(Candidate c) {
        c.legacyPredictionId = id("outcomes.prediction_id", c.row.get("prediction_id"));
        Instant at = instant("outcomes.evaluation_timestamp", c.row.get("evaluation_timestamp"));
        BigDecimal actualReturn = Check.decimal("outcomes.actual_return",
                decimal("outcomes.actual_return", c.row.get("actual_return")));
        Direction sign = Direction.ofReturn(actualReturn);
        Direction stated = direction("outcomes.actual_direction", c.row.get("actual_direction"));
        if (stated == null) {
            pending.add("actual_direction derived from the sign of actual_return");
        } else if (stated != sign) {
            throw new ValidationException("outcomes.actual_direction", "must be the sign of actual_return ("
                    + actualReturn.toPlainString() + " is " + sign + ")", c.row.get("actual_direction"));
        }
        BigDecimal exit = decimal("outcomes.exit_price", c.row.get("exit_price"));
        // Validated as tradestore would, with a stand-in prediction id: the real one is known only in the target.
        new NewOutcome(1, at, actualReturn, sign, exit, false);
        c.value = new OutcomeValue(at, actualReturn, sign, exit);
    }

    private void position(Candidate c) {
        PositionSide side = side(c.row.get("position_type"));
        Instant exitTime = instant("positions.exit_date", c.row.get("exit_date"));
        BigDecimal exitPrice = decimal("positions.exit_price", c.row.get("exit_price"));
        if ((exitTime == null) != (exitPrice == null)) {
            throw new ValidationException(exitTime == null ? "positions.exit_date" : "positions.exit_price",
                    "must be given when " + (exitTime == null ? "exit_price" : "exit_date") + " is: a legacy"
                            + " position is open (both missing) or closed (both given)", null);
        }
        NewPosition open = NewPosition.of(text("positions.symbol", c.row.get("symbol")), side,
                        decimal("positions.position_size", c.row.get("position_size")),
                        decimal("positions.entry_price", c.row.get("entry_price")),
                        instant("positions.entry_date", c.row.get("entry_date")))
                .withMlConfidence(decimal("positions.ml_confidence", c.row.get("ml_confidence")))
                .withSentimentScore(decimal("positions.sentiment_at_entry", c.row.get("sentiment_at_entry")));
        String reason = text("positions.exit_reason", c.row.get("exit_reason"));
        if (reason != null && reason.isBlank()) {
            reason = null;
            pending.add("blank exit_reason recorded as none");
        }
        if (exitTime != null) {
            Check.positive("positions.exit_price", exitPrice);
            Check.timestamp("positions.exit_time", exitTime);
            Check.notBefore("positions.exit_time", exitTime, "positions.entry_time", open.entryTime());
            Check.optionalText("positions.exit_reason", reason, 256);
            Check.decimal("positions.realized_pnl", pnl(open.side(), open.entryPrice(), exitPrice, open.quantity()));
            // Closing also stores the return, computed as the DAO does (from the exact P&L): one that does not fit
            // rejects the row here, before anything is written, and the dry run says so too.
            Decimal18.rounded("positions.return_pct", exactPnl(open.side(), open.entryPrice(), exitPrice,
                    open.quantity()).multiply(HUNDRED).divide(open.entryPrice().multiply(open.quantity()),
                    Decimal18.SCALE, RoundingMode.HALF_EVEN));
        } else if (reason != null) {
            pending.add("exit_reason of an open position not carried");
            reason = null;
        }
        // Only compared, never stored: an unreadable one ('N/A') does not cost the position, it is just not compared.
        try {
            c.storedPnl = decimal("positions.profit_loss", c.row.get("profit_loss"));
        } catch (ValidationException unreadable) {
            c.storedPnl = null;
            pending.add("profit_loss unreadable, not compared");
        }
        c.value = new PositionValue(open, exitPrice, exitTime, reason);
        c.key = new Candidate.PositionKey(open.symbol(), open.entryTime(), side, open.quantity(), open.entryPrice(), 0);
    }

    private void sentiment(Candidate c) {
        BigDecimal newsCount = decimal("sentiment_analysis.news_count", c.row.get("news_count"));
        int count;
        if (newsCount == null) {
            count = 0;
            pending.add("news_count missing, recorded as 0");
        } else {
            try {
                count = newsCount.intValueExact();
            } catch (ArithmeticException e) {
                throw new ValidationException("sentiment_scores.news_count", "must be a whole number of at most"
                        + " 2147483647", newsCount);
            }
        }
        NewSentimentScore s = new NewSentimentScore(text("sentiment_analysis.symbol", c.row.get("symbol")),
                instant("sentiment_analysis.timestamp", c.row.get("timestamp")),
                decimal("sentiment_analysis.sentiment_score", c.row.get("sentiment_score")),
                decimal("sentiment_analysis.confidence", c.row.get("confidence")), count, null);
        c.value = s;
        c.key = new Candidate.SentimentKey(s.symbol(), s.scoredAt());
    }

    /** The exact P&L of a whole position closed at exitPrice, rounded once to 18 places as the store rounds it. */
    static BigDecimal pnl(PositionSide side, BigDecimal entry, BigDecimal exit, BigDecimal quantity) {
        return plain(exactPnl(side, entry, exit, quantity).setScale(18, RoundingMode.HALF_EVEN));
    }

    private static BigDecimal exactPnl(PositionSide side, BigDecimal entry, BigDecimal exit, BigDecimal quantity) {
        return (side == PositionSide.LONG ? exit.subtract(entry) : entry.subtract(exit)).multiply(quantity);
    }

    /** Whether a stored float P&L is off the exact one by more than rounding: max(0.01, 1e-9 x |exact|). */
    static boolean differs(BigDecimal stored, BigDecimal exact) {
        BigDecimal tolerance = PNL_TOLERANCE.max(exact.abs().multiply(PNL_RELATIVE));
        return stored.subtract(exact).abs().compareTo(tolerance) > 0;
    }

    // --- values ---

    private BigDecimal decimal(String field, Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Double || v instanceof Float) {
            BigDecimal d = FloatDecimals.shortest(field, ((Number) v).doubleValue());
            pending.add("REAL read as its shortest decimal");
            if (FloatDecimals.looksLikeFloatNoise(d)) {
                pending.add("REAL kept as written although it looks like float noise (> "
                        + FloatDecimals.NOISE_DIGITS + " significant digits)");
                pendingNoise.add(new FloatNoise(current.file.path(), current.table, current.label, field, d));
            }
            return d;
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short) {
            return BigDecimal.valueOf(((Number) v).longValue());
        }
        if (v instanceof String s && NUMBER.matcher(s.strip()).matches()) {
            pending.add("number stored as text read as written");
            return plain(new BigDecimal(s.strip()));
        }
        throw new ValidationException(field, "must be a number", v instanceof byte[] ? "a BLOB" : v);
    }

    private Instant instant(String field, Object v) {
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            throw new ValidationException(field, "must be a date-time text", v instanceof byte[] ? "a BLOB" : v);
        }
        LegacyTimestamps.Parsed p = LegacyTimestamps.parse(field, s, zone);
        if (p.naive()) {
            pending.add("naive timestamp read in " + zone.getId());
        }
        return p.instant();
    }

    private Instant createdAt(Object v) {
        try {
            return v instanceof String s ? LegacyTimestamps.parse("created_at", s, zone).instant() : null;
        } catch (ValidationException e) {
            // Not carried: an unreadable created_at only stops counting as "newest".
            return null;
        }
    }

    private static String text(String field, Object v) {
        if (v instanceof LegacySources.NotUtf8) {
            throw new ValidationException(field, "must be valid UTF-8 text", v);
        }
        if (v == null || v instanceof String) {
            return (String) v;
        }
        if (v instanceof Long || v instanceof Integer) {
            return v.toString();
        }
        throw new ValidationException(field, "must be text", v instanceof byte[] ? "a BLOB" : v);
    }

    private static String id(String field, Object v) {
        String id = text(field, v);
        if (id == null || id.isEmpty()) {
            throw new ValidationException(field, "must be given", v);
        }
        return id;
    }

    private PredictedAction action(Object v) {
        String raw = text("predictions.predicted_action", v);
        PredictedAction a = raw == null ? null : ACTIONS.get(raw.strip().toUpperCase(Locale.ROOT));
        if (a == null) {
            throw new ValidationException("predictions.predicted_action", "must be one of BUY, LONG, STRONG_BUY, SELL,"
                    + " SHORT, STRONG_SELL, HOLD, NEUTRAL, WAIT (any case)", v);
        }
        if (!raw.equals(a.name())) {
            pending.add("predicted_action \"" + raw + "\" mapped to " + a);
        }
        return a;
    }

    private PositionSide side(Object v) {
        String raw = text("positions.position_type", v);
        PositionSide s = raw == null ? null : SIDES.get(raw.strip().toUpperCase(Locale.ROOT));
        if (s == null) {
            throw new ValidationException("positions.position_type", "must be one of LONG, BUY, SHORT, SELL (any"
                    + " case)", v);
        }
        if (!raw.equals(s.name())) {
            pending.add("position_type \"" + raw + "\" mapped to " + s);
        }
        return s;
    }

    private static Direction direction(String field, Object v) {
        if (v == null) {
            return null;
        }
        String raw = v instanceof Double d && d == Math.rint(d) && Math.abs(d) <= 1 ? Long.toString(d.longValue())
                : v instanceof String s ? s.strip().toUpperCase(Locale.ROOT) : v.toString();
        Direction d = DIRECTIONS.get(raw);
        if (d == null) {
            throw new ValidationException(field, "must be one of 1, -1, 0, UP, DOWN, FLAT, BULLISH, BEARISH, NEUTRAL",
                    v instanceof byte[] ? "a BLOB" : v);
        }
        return d;
    }

    private static Json json(String field, Object v) {
        String text = text(field, v);
        if (text == null) {
            return null;
        }
        String problem = text.isBlank() ? "blank" : JsonSyntax.problem(text);
        if (problem != null) {
            throw new ValidationException(field, "must be well-formed JSON (" + problem + ")", text);
        }
        return json(field, text);
    }

    /** Json.of, with Json's length rule checked first so that the rejection names the legacy column. */
    private static Json json(String field, String text) {
        if (text.length() > Json.MAX_LENGTH) {
            throw new ValidationException(field, "must be at most " + Json.MAX_LENGTH + " characters", text);
        }
        return Json.of(text);
    }

    /** market_context: JSON kept as is, any other text as a JSON string (the old default was the word NEUTRAL). */
    private Json context(Object v) {
        String text = text("predictions.market_context", v);
        if (text == null) {
            return null;
        }
        if (!text.isBlank() && JsonSyntax.problem(text) == null) {
            return json("predictions.market_context", text);
        }
        Json asString = json("predictions.market_context", jsonString(text));
        pending.add("market_context text recorded as a JSON string");
        return asString;
    }

    static String jsonString(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        out.append(String.format("\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    static BigDecimal plain(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0, RoundingMode.UNNECESSARY) : s;
    }
}
