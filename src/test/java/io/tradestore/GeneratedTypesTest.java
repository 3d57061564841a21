package io.tradestore;

import io.tradestore.internal.db.DefaultSchema;
import org.jooq.Field;
import org.jooq.Table;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Guards the codegen conventions: a new BIGINT column is an id, a timestamp, a count or an exact decimal, and
 * gets the matching Java type; nothing falls through as a bare Long that users would mistake for money.
 */
class GeneratedTypesTest {
    @Test
    void everyBigintColumnHasTheJavaTypeItsNameImplies() {
        List<String> wrong = new ArrayList<>();
        for (Table<?> table : DefaultSchema.DEFAULT_SCHEMA.getTables()) {
            for (Field<?> field : table.fields()) {
                if (field.getConverter().fromType() != Long.class) {
                    continue;
                }
                Class<?> expected = expectedType(field.getName());
                if (field.getType() != expected) {
                    wrong.add(table.getName() + "." + field.getName() + " is " + field.getType().getSimpleName()
                            + ", expected " + expected.getSimpleName());
                }
            }
        }
        assertThat(wrong).as("BIGINT columns with the wrong Java type (see codegen/jooq-codegen.xml)").isEmpty();
    }

    @Test
    void jsonAndEnumColumnsAreTyped() {
        assertThat(io.tradestore.internal.db.Tables.PATTERN_CACHE.PAYLOAD.getType()).isEqualTo(Json.class);
        assertThat(io.tradestore.internal.db.Tables.ORDERS.STATUS.getType()).isEqualTo(io.tradestore.trading.OrderStatus.class);
        assertThat(io.tradestore.internal.db.Tables.CANDLESTICKS.TIMEFRAME.getType()).isEqualTo(io.tradestore.market.Timeframe.class);
    }

    private static Class<?> expectedType(String column) {
        if (column.equals("id") || column.endsWith("_id") || column.endsWith("_count") || column.equals("version")
                || column.endsWith("_micros")) {
            return Long.class;
        }
        if (column.endsWith("_at") || column.endsWith("_time") || column.endsWith("_timestamp")) {
            return Instant.class;
        }
        return BigDecimal.class;
    }
}
