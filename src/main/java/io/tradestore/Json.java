package io.tradestore;

import org.jooq.tools.json.JSONParser;
import org.jooq.tools.json.ParseException;

/**
 * A well-formed JSON document (pattern payloads, feature vectors, market context, metric dimensions), kept as
 * the exact text given. Stored as TEXT on SQLite and PostgreSQL alike, so one set of generated classes
 * serves both.
 */
public record Json(String text) {
    /** Larger documents belong in a blob store, not in a row that every query drags along. */
    public static final int MAX_LENGTH = 1_000_000;

    public Json {
        if (text == null) {
            throw new ValidationException("json", "must not be null; use a null Json reference for no document", null);
        }
        if (text.length() > MAX_LENGTH) {
            throw new ValidationException("json", "must be at most " + MAX_LENGTH + " characters", text);
        }
        if (text.isBlank()) {
            throw new ValidationException("json", "must be a JSON document, not blank", text);
        }
        try {
            new JSONParser().parse(text);
        } catch (ParseException | RuntimeException e) {
            throw new ValidationException("json", "must be well-formed JSON (" + e.getMessage() + ")", text);
        }
    }

    public static Json of(String text) {
        return new Json(text);
    }

    @Override
    public String toString() {
        return text;
    }
}
