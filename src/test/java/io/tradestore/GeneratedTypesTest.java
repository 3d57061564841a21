package io.tradestore;

import io.tradestore.internal.DecimalBinding;
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
 * Guards the codegen conventions: a BIGINT column is an id, a timestamp or a count, a BLOB column an exact decimal,
 * and each gets the matching Java type; nothing falls through as a bare Long or byte[] that users would mistake for
 * money. (A BIGINT named like a decimal is flagged: since release 4 decimals are not BIGINT.)
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

    /**
     * Release 4: decimals are BLOBs on SQLite, and every BLOB column is a decimal read through DecimalBinding; a
     * BLOB missing from the forcedType list would surface as byte[] and write bytes the binding never checked.
     */
    @Test
    void everyBlobColumnIsAnExactDecimalThroughTheDialectAwareBinding() {
        List<String> wrong = new ArrayList<>();
        List<String> decimals = new ArrayList<>();
        for (Table<?> table : DefaultSchema.DEFAULT_SCHEMA.getTables()) {
            for (Field<?> field : table.fields()) {
                if (field.getConverter().fromType() != byte[].class) {
                    continue;
                }
                decimals.add(table.getName() + "." + field.getName());
                if (field.getType() != BigDecimal.class || !(field.getBinding() instanceof DecimalBinding)) {
                    wrong.add(table.getName() + "." + field.getName() + " is " + field.getType().getSimpleName()
                            + " through " + field.getBinding().getClass().getSimpleName());
                }
            }
        }
        assertThat(wrong).as("BLOB columns that are not DecimalBinding decimals (see codegen/jooq-codegen.xml)").isEmpty();
        assertThat(decimals).as("the decimal columns of releases 4 to 6").hasSize(43)
                .contains("candlesticks.volume", "positions.realized_pnl", "ml_model_results.f1_score");
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
