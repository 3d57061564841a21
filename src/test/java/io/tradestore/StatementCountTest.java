package io.tradestore;

import io.tradestore.analytics.NewExecutionEvent;
import io.tradestore.testing.Stores;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.PositionSide;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the hot write paths send to SQLite, statement by statement (issue 13). jOOQ's open-source edition emulates
 * {@code INSERT ... RETURNING} on SQLite by default with a second query, {@code SELECT ... WHERE _rowid_ =
 * last_insert_rowid()}; with {@code fetchTriggerValuesAfterReturning = NEVER} it sends SQLite's own RETURNING (3.35+),
 * one statement per insert. Counting the statements pins that: the emulation puts the count up by one per insert.
 */
class StatementCountTest {
    @TempDir
    Path dir;

    /** Every statement jOOQ executed while recording, lower-cased. */
    private static final class Statements implements ExecuteListener {
        final List<String> sql = Collections.synchronizedList(new ArrayList<>());
        volatile boolean recording;

        @Override
        public void executeStart(ExecuteContext ctx) {
            if (recording) {
                sql.add(ctx.sql().toLowerCase(Locale.ROOT));
            }
        }
    }

    @Test
    void insertsReturnTheirRowInTheSameStatementOnSqlite() {
        Statements seen = new Statements();
        try (Tradestore store = Tradestore.open(Stores.config(dir.resolve("store")), seen)) {
            seen.recording = true;
            store.useTransaction(uow -> {
                long position = uow.positions().open(NewPosition.of("BTCUSDT", PositionSide.LONG,
                        new BigDecimal("0.5"), new BigDecimal("23140.48"), uow.now())).id();
                long order = uow.orders().place(NewOrder.market("c-1", "BTCUSDT", OrderSide.BUY,
                        new BigDecimal("0.5"))).id();
                uow.executionLog().record(new NewExecutionEvent(order, "c-1", "NEW", 850L, uow.now(), null));
                assertThat(position).isPositive();
            });
            seen.recording = false;
        }
        assertThat(seen.sql).as("statements: %s", seen.sql).noneMatch(s -> s.contains("last_insert_rowid"));
        // open: the position (returned), its ENTRY event (not returned); place: the lookup by client order id, the
        // order (returned); record: the log entry (returned). Five statements; the emulation would send eight.
        assertThat(seen.sql.stream().filter(s -> s.contains(" returning ")).toList()).as("%s", seen.sql).hasSize(3);
        assertThat(seen.sql).hasSize(5);
    }
}
