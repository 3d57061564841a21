package io.tradestore;

import io.tradestore.internal.JsonSyntax;

/**
 * A well-formed JSON document (strict RFC 8259) (pattern payloads, feature vectors, market context, metric dimensions), kept as
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
        String problem = JsonSyntax.problem(text);
        if (problem != null) {
            throw new ValidationException("json", "must be well-formed JSON (" + problem + ")", text);
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
