package io.tradestore.internal;

import io.tradestore.Json;
import org.jooq.impl.AbstractConverter;

public final class JsonConverter extends AbstractConverter<String, Json> {
    private static final long serialVersionUID = 1L;

    public JsonConverter() {
        super(String.class, Json.class);
    }

    @Override
    public Json from(String stored) {
        return stored == null ? null : new Json(stored);
    }

    @Override
    public String to(Json value) {
        return value == null ? null : value.text();
    }
}
