package io.tradestore.analytics;

import io.tradestore.testing.Pages;

import io.tradestore.ForeignKeyViolationException;
import io.tradestore.Json;
import io.tradestore.ValidationException;
import io.tradestore.testing.OnEachEngine;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.OrderStatus;
import io.tradestore.trading.OrderType;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static io.tradestore.internal.db.Tables.ORDERS;
import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@OnEachEngine
class ExecutionLogDaoTest {
    @Parameter
    TestEngine engine;
    static final Instant FAR = Instant.parse("2100-01-01T00:00:00Z");

    @RegisterExtension
    final TempStore store = new TempStore();

    @Test
    void recordedEventComesBackWithItsOrderLatencyAndDetails() {
        long orderId = storeOrder("c-1");
        NewExecutionEvent sent = new NewExecutionEvent(orderId, "c-1", "SENT", 1_250L, T0.plusNanos(3_000),
                Json.of("{\"venue\":\"binance\"}"));
        ExecutionEvent stored = store.inTransaction(uow -> uow.executionLog().record(sent));

        assertThat(stored).isEqualTo(new ExecutionEvent(stored.id(), orderId, "c-1", "SENT", 1_250L,
                T0.plusNanos(3_000), Json.of("{\"venue\":\"binance\"}")));
        assertThat(stored.id()).isPositive();
        List<ExecutionEvent> logged = store.read(uow -> uow.executionLog().forClientOrderId("c-1"));
        assertThat(logged).containsExactly(stored);
    }

    @Test
    void eventsOfOrdersNotStoredHereAreLoggedByClientOrderIdAlone() {
        ExecutionEvent stored = store.inTransaction(uow -> uow.executionLog().record(
                new NewExecutionEvent(null, "elsewhere-7", "REJECTED_BY_RISK", 0L, T0, null)));
        ExecutionEvent noLatency = store.inTransaction(uow -> uow.executionLog().record(
                new NewExecutionEvent(null, "elsewhere-7", "DROPPED", null, T0.plusSeconds(1), null)));

        assertThat(stored.orderId()).isNull();
        assertThat(stored.latencyMicros()).isZero();
        assertThat(stored.details()).isNull();
        assertThat(noLatency.latencyMicros()).isNull();
        List<ExecutionEvent> logged = store.read(uow -> uow.executionLog().forClientOrderId("elsewhere-7"));
        assertThat(logged).containsExactly(stored, noLatency);
    }

    @Test
    void anEventForAnUnknownOrderIsAForeignKeyViolation() {
        assertThatThrownBy(() -> store.useTransaction(uow -> {
            uow.executionLog().record(event(null, "c-9", "NEW", T0));
            uow.executionLog().record(event(999L, "c-9", "SENT", T0.plusSeconds(1)));
        })).isInstanceOf(ForeignKeyViolationException.class)
                .hasMessageStartingWith("order 999 does not exist (trade_execution_log.order_id")
                .hasMessageContaining("client order c-9")
                .satisfies(e -> assertThat(((ForeignKeyViolationException) e).sqlState()).isEqualTo("23503"))
                .hasCauseInstanceOf(ForeignKeyViolationException.class);
        List<ExecutionEvent> all = store.read(uow -> Pages.all(page ->
                uow.executionLog().between(Instant.EPOCH, FAR, page)));
        assertThat(all).isEmpty();
    }

    @Test
    void forClientOrderIdListsOnlyThatOrdersEventsInTimeOrderTiesInLoggingOrder() {
        store.useTransaction(uow -> {
            uow.executionLog().record(event(null, "c-1", "FILLED", T0.plusSeconds(2)));
            uow.executionLog().record(event(null, "c-1", "SENT", T0));
            uow.executionLog().record(event(null, "c-2", "SENT", T0.plusSeconds(1)));
            uow.executionLog().record(event(null, "c-1", "ACK", T0.plusSeconds(1)));
            uow.executionLog().record(event(null, "c-1", "PARTIAL", T0.plusSeconds(1)));
        });
        List<ExecutionEvent> c1 = store.read(uow -> uow.executionLog().forClientOrderId("c-1"));
        assertThat(c1).extracting(ExecutionEvent::event).containsExactly("SENT", "ACK", "PARTIAL", "FILLED");
        List<ExecutionEvent> none = store.read(uow -> uow.executionLog().forClientOrderId("c-3"));
        assertThat(none).isEmpty();
    }

    @Test
    void betweenIsHalfOpenAndInTimeOrder() {
        store.useTransaction(uow -> {
            for (int i = 4; i >= 0; i--) {
                uow.executionLog().record(event(null, "c-" + i, "SENT", T0.plusSeconds(i)));
            }
        });
        List<ExecutionEvent> window = store.read(uow -> Pages.all(page ->
                uow.executionLog().between(T0.plusSeconds(1), T0.plusSeconds(3), page)));
        assertThat(window).extracting(ExecutionEvent::clientOrderId).containsExactly("c-1", "c-2");
    }

    @Test
    void invalidEventsAreRejectedBeforeAnySql() {
        assertThatThrownBy(() -> event(0L, "c-1", "SENT", T0)).isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("trade_execution_log.order_id: must be > 0");
        assertThatThrownBy(() -> event(null, "", "SENT", T0)).isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("trade_execution_log.client_order_id: must not be blank");
        assertThatThrownBy(() -> event(null, "c".repeat(65), "SENT", T0)).isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("trade_execution_log.client_order_id: must be at most 64 characters");
        assertThatThrownBy(() -> event(null, "c-1", null, T0)).isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("trade_execution_log.event: must not be null");
        assertThatThrownBy(() -> event(null, "c-1", "e".repeat(65), T0)).isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("trade_execution_log.event: must be at most 64 characters");
        assertThatThrownBy(() -> new NewExecutionEvent(null, "c-1", "SENT", -1L, T0, null))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("trade_execution_log.latency_micros: must be >= 0");
        assertThatThrownBy(() -> event(null, "c-1", "SENT", null)).isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("trade_execution_log.logged_at: must not be null");
        assertThatThrownBy(() -> store.read(uow -> uow.executionLog().forClientOrderId(" ")))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("clientOrderId: must not be blank");
        assertThatThrownBy(() -> store.read(uow -> Pages.all(page ->
                uow.executionLog().between(T0, T0.minusNanos(1_000), page))))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("to: must not be before from");
    }

    @Test
    void recordingInsideAReadUnitIsRefused() {
        assertThatThrownBy(() -> store.read(uow -> uow.executionLog().record(event(null, "c-1", "SENT", T0))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("executionLog().record")
                .hasMessageContaining("read-only unit of work");
    }

    static NewExecutionEvent event(Long orderId, String clientOrderId, String event, Instant at) {
        return new NewExecutionEvent(orderId, clientOrderId, event, 100L, at, null);
    }

    /**
     * A minimal NEW market order written through {@code uow.jooq()}: the order DAO is not this test's subject, and
     * the execution log only needs a row its foreign key can reference.
     */
    private long storeOrder(String clientOrderId) {
        return store.inTransaction(uow -> uow.jooq().insertInto(ORDERS)
                .set(ORDERS.CLIENT_ORDER_ID, clientOrderId).set(ORDERS.SYMBOL, "BTCUSDT")
                .set(ORDERS.SIDE, OrderSide.BUY).set(ORDERS.ORDER_TYPE, OrderType.MARKET)
                .set(ORDERS.STATUS, OrderStatus.NEW).set(ORDERS.QUANTITY, new BigDecimal("1.5"))
                .set(ORDERS.CREATED_AT, T0).set(ORDERS.UPDATED_AT, T0)
                .returning(ORDERS.ID).fetchSingle().getId());
    }
}
