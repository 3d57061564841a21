package io.tradestore.trading;

import io.tradestore.testing.Pages;

import io.tradestore.testing.Fills;

import io.tradestore.ConflictException;
import io.tradestore.ForeignKeyViolationException;
import io.tradestore.InvalidStateTransitionException;
import io.tradestore.NotFoundException;
import io.tradestore.ValidationException;
import io.tradestore.testing.MutableClock;
import io.tradestore.testing.OnEachEngine;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@OnEachEngine
class OrderDaoTest {
    @Parameter
    TestEngine engine;
    private static final String SYMBOL = "BTCUSDT";

    MutableClock clock = new MutableClock(T0);
    @RegisterExtension
    final TempStore store = new TempStore(clock);

    // --- placing -------------------------------------------------------------------------------------------------

    @Test
    void aPlacedMarketOrderIsNewUnfilledAtVersionZeroAndCanBeFoundByBothIds() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("0.12345678")));

        assertThat(placed.id()).isPositive();
        assertThat(placed.clientOrderId()).isEqualTo("c-1");
        assertThat(placed.positionId()).isNull();
        assertThat(placed.symbol()).isEqualTo(SYMBOL);
        assertThat(placed.side()).isEqualTo(OrderSide.BUY);
        assertThat(placed.type()).isEqualTo(OrderType.MARKET);
        assertThat(placed.status()).isEqualTo(OrderStatus.NEW);
        assertThat(placed.quantity()).isEqualByComparingTo("0.12345678");
        assertThat(placed.limitPrice()).isNull();
        assertThat(placed.stopPrice()).isNull();
        assertThat(placed.filledQuantity()).isEqualByComparingTo("0");
        assertThat(placed.remainingQuantity()).isEqualByComparingTo("0.12345678");
        assertThat(placed.averageFillPrice()).isNull();
        assertThat(placed.rejectReason()).isNull();
        assertThat(placed.createdAt()).isEqualTo(T0);
        assertThat(placed.updatedAt()).isEqualTo(T0);
        assertThat(placed.lastFillAt()).isNull();
        assertThat(placed.version()).isZero();
        assertThat(find(placed.id())).isEqualTo(placed);
        Optional<Order> byClientId = store.read(uow -> uow.orders().findByClientOrderId("c-1"));
        assertThat(byClientId).contains(placed);
    }

    @Test
    void limitAndStopOrdersKeepTheirPriceExactly() {
        Order limit = place(NewOrder.limit("c-1", SYMBOL, OrderSide.SELL, dec("2"), dec("12345.12345678")));
        Order stop = place(NewOrder.stop("c-2", SYMBOL, OrderSide.SELL, dec("2"), dec("0.00000001")));
        assertThat(find(limit.id()).limitPrice()).isEqualByComparingTo("12345.12345678");
        assertThat(find(limit.id()).stopPrice()).isNull();
        assertThat(find(stop.id()).stopPrice()).isEqualByComparingTo("0.00000001");
        assertThat(find(stop.id()).limitPrice()).isNull();
    }

    @Test
    void findingUnknownOrdersIsEmpty() {
        Optional<Order> byId = store.read(uow -> uow.orders().find(42));
        Optional<Order> byClientId = store.read(uow -> uow.orders().findByClientOrderId("nope"));
        assertThat(byId).isEmpty();
        assertThat(byClientId).isEmpty();
    }

    @Test
    void placingTheSameClientOrderIdTwiceReturnsTheExistingOrder() {
        Position position = openPosition();
        Order first = place(NewOrder.limit("c-42", SYMBOL, OrderSide.BUY, dec("1.5"), dec("100"))
                .forPosition(position.id()));
        clock.advance(Duration.ofSeconds(5));
        // the same order, with decimals written at another scale
        Order again = place(NewOrder.limit("c-42", SYMBOL, OrderSide.BUY, dec("1.5000"), dec("100.0"))
                .forPosition(position.id()));

        assertThat(again).isEqualTo(first);
        List<Order> all = store.read(uow -> Pages.all(page -> uow.orders().byStatus(OrderStatus.NEW, page)));
        assertThat(all).containsExactly(first);
    }

    @Test
    void placingTheSameClientOrderIdAgainReturnsTheOrderAsItIsNowEvenWhenFilled() {
        Order placed = place(NewOrder.market("c-42", SYMBOL, OrderSide.BUY, dec("1")));
        Order filled = fill(placed.id(), "1", "100", T0.plusSeconds(1));
        Order again = place(NewOrder.market("c-42", SYMBOL, OrderSide.BUY, dec("1")));
        assertThat(again).isEqualTo(filled);
        assertThat(again.status()).isEqualTo(OrderStatus.FILLED);
    }

    @Test
    void placingADifferentOrderUnderAnExistingClientOrderIdIsAConflict() {
        Order placed = place(NewOrder.market("c-42", SYMBOL, OrderSide.BUY, dec("1")));
        assertThatThrownBy(() -> place(NewOrder.market("c-42", SYMBOL, OrderSide.SELL, dec("2"))))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("client order id \"c-42\" is already used by order " + placed.id())
                .hasMessageContaining("side BUY (stored) vs SELL (requested)")
                .hasMessageContaining("quantity 1 (stored) vs 2 (requested)")
                .hasMessageNotContaining("symbol");
        assertThat(find(placed.id())).isEqualTo(placed);
        List<Order> all = store.read(uow -> uow.orders().listOpen());
        assertThat(all).containsExactly(placed);
    }

    @Test
    void everyOrderParameterTakesPartInTheConflictCheck() {
        Position position = openPosition();
        place(NewOrder.limit("limit", SYMBOL, OrderSide.BUY, dec("1"), dec("100")));
        place(NewOrder.stop("stop", SYMBOL, OrderSide.BUY, dec("1"), dec("90")).forPosition(position.id()));

        assertConflict(NewOrder.limit("limit", SYMBOL, OrderSide.BUY, dec("1"), dec("100.00000001")),
                "limit_price 100 (stored) vs 100.00000001 (requested)");
        assertConflict(NewOrder.limit("limit", "ETHUSDT", OrderSide.BUY, dec("1"), dec("100")),
                "symbol BTCUSDT (stored) vs ETHUSDT (requested)");
        assertConflict(NewOrder.limit("limit", SYMBOL, OrderSide.BUY, dec("1"), dec("100")).forPosition(position.id()),
                "position_id null (stored) vs " + position.id() + " (requested)");
        assertConflict(NewOrder.market("limit", SYMBOL, OrderSide.BUY, dec("1")),
                "order_type LIMIT (stored) vs MARKET (requested), limit_price 100 (stored) vs null (requested)");
        assertConflict(NewOrder.stop("stop", SYMBOL, OrderSide.BUY, dec("1"), dec("91")).forPosition(position.id()),
                "stop_price 90 (stored) vs 91 (requested)");
        assertConflict(NewOrder.stop("stop", SYMBOL, OrderSide.BUY, dec("1"), dec("90")),
                "position_id " + position.id() + " (stored) vs null (requested)");
    }

    @Test
    void placingAnOrderForAnUnknownPositionIsAForeignKeyViolationAndWritesNothing() {
        assertThatThrownBy(() -> place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")).forPosition(999)))
                .isInstanceOf(ForeignKeyViolationException.class)
                .hasMessage("cannot place order \"c-1\": orders.position_id 999 names no position")
                .satisfies(e -> assertThat(((ForeignKeyViolationException) e).sqlState()).isEqualTo("23503"))
                .hasCauseInstanceOf(ForeignKeyViolationException.class);
        Optional<Order> none = store.read(uow -> uow.orders().findByClientOrderId("c-1"));
        assertThat(none).isEmpty();
    }

    @Test
    void ordersOfAPositionAreListedOldestFirst() {
        Position position = openPosition();
        Position other = openPosition();
        Order first = place(NewOrder.market("open", SYMBOL, OrderSide.BUY, dec("1")).forPosition(position.id()));
        place(NewOrder.market("unrelated", SYMBOL, OrderSide.BUY, dec("1")).forPosition(other.id()));
        place(NewOrder.market("no-position", SYMBOL, OrderSide.BUY, dec("1")));
        clock.advance(Duration.ofSeconds(1));
        Order second = place(NewOrder.stop("protect", SYMBOL, OrderSide.SELL, dec("1"), dec("90"))
                .forPosition(position.id()));

        List<Order> orders = store.read(uow -> uow.orders().byPosition(position.id()));
        assertThat(orders).containsExactly(first, second);
    }

    @Test
    void invalidNewOrdersAreRejectedBeforeAnySqlNamingTheColumnAndRule() {
        assertValidation(() -> NewOrder.market("", SYMBOL, OrderSide.BUY, dec("1")),
                "orders.client_order_id: must not be blank");
        assertValidation(() -> NewOrder.market("c".repeat(65), SYMBOL, OrderSide.BUY, dec("1")),
                "orders.client_order_id: must be at most 64 characters");
        assertValidation(() -> NewOrder.market("c-\n1", SYMBOL, OrderSide.BUY, dec("1")),
                "orders.client_order_id: must not contain control characters");
        assertValidation(() -> NewOrder.market("c-1", "BTC USDT", OrderSide.BUY, dec("1")),
                "orders.symbol: must be 1-32");
        assertValidation(() -> NewOrder.market("c-1", SYMBOL, null, dec("1")), "orders.side: must not be null");
        assertValidation(() -> NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("0")), "orders.quantity: must be > 0");
        assertValidation(() -> NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1.0000000000000000001")),
                "orders.quantity: has more than 18 decimal places");
        assertValidation(() -> NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("100000000000000000000")),
                "orders.quantity: must be within ±99999999999999999999.999999999999999999");
        assertValidation(() -> NewOrder.limit("c-1", SYMBOL, OrderSide.BUY, dec("1"), null),
                "orders.limit_price: is required for LIMIT orders");
        assertValidation(() -> NewOrder.limit("c-1", SYMBOL, OrderSide.BUY, dec("1"), dec("-1")),
                "orders.limit_price: must be > 0");
        assertValidation(() -> NewOrder.stop("c-1", SYMBOL, OrderSide.BUY, dec("1"), null),
                "orders.stop_price: is required for STOP orders");
        assertValidation(() -> new NewOrder("c-1", null, SYMBOL, OrderSide.BUY, OrderType.LIMIT, dec("1"), dec("1"),
                dec("1")), "orders.stop_price: must be null for LIMIT orders");
        assertValidation(() -> new NewOrder("c-1", null, SYMBOL, OrderSide.BUY, OrderType.MARKET, dec("1"), dec("1"),
                null), "orders.limit_price: must be null for MARKET orders");
        assertValidation(() -> new NewOrder("c-1", null, SYMBOL, OrderSide.BUY, null, dec("1"), null, null),
                "orders.order_type: must not be null");
        assertValidation(() -> NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")).forPosition(0),
                "orders.position_id: must be > 0");
        assertValidation(() -> place(null), "order: must not be null");
    }

    @Test
    void placingInsideAReadUnitIsRefusedEvenWhenTheOrderExists() {
        place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")));
        assertThatThrownBy(() -> store.read(uow ->
                uow.orders().place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("orders().place writes");
    }

    // --- filling -------------------------------------------------------------------------------------------------

    @Test
    void aPartialFillIsRecordedAndMovesTheOrderToPartiallyFilled() {
        Order placed = place(NewOrder.limit("c-1", SYMBOL, OrderSide.BUY, dec("1"), dec("101")));
        clock.advance(Duration.ofSeconds(3));
        Order filled = store.inTransaction(uow ->
                uow.orders().fill(placed.id(), Fills.of(dec("0.4"), dec("100.5"), dec("0.0402"), T0.plusSeconds(2))).order());

        assertThat(filled.status()).isEqualTo(OrderStatus.PARTIALLY_FILLED);
        assertThat(filled.filledQuantity()).isEqualByComparingTo("0.4");
        assertThat(filled.remainingQuantity()).isEqualByComparingTo("0.6");
        assertThat(filled.averageFillPrice()).isEqualByComparingTo("100.5");
        assertThat(filled.lastFillAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(filled.updatedAt()).isEqualTo(T0.plusSeconds(3));
        assertThat(filled.createdAt()).isEqualTo(placed.createdAt());
        assertThat(filled.version()).isEqualTo(1);
        assertThat(find(placed.id())).isEqualTo(filled);
        List<Fill> fills = fills(placed.id());
        assertThat(fills).singleElement().satisfies(f -> {
            assertThat(f.id()).isPositive();
            assertThat(f.orderId()).isEqualTo(placed.id());
            assertThat(f.quantity()).isEqualByComparingTo("0.4");
            assertThat(f.price()).isEqualByComparingTo("100.5");
            assertThat(f.fee()).isEqualByComparingTo("0.0402");
            assertThat(f.filledAt()).isEqualTo(T0.plusSeconds(2));
        });
    }

    @Test
    void fillingTheRemainingQuantityCompletesTheOrder() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.SELL, dec("1")));
        fill(placed.id(), "0.999999999999999999", "100", T0.plusSeconds(1));
        Order done = fill(placed.id(), "0.000000000000000001", "100", T0.plusSeconds(2));
        assertThat(done.status()).isEqualTo(OrderStatus.FILLED);
        assertThat(done.filledQuantity()).isEqualByComparingTo("1");
        assertThat(done.remainingQuantity()).isEqualByComparingTo("0");
        assertThat(done.version()).isEqualTo(2);
    }

    @Test
    void averageFillPriceIsTheQuantityWeightedMeanOfAllFills() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("10")));
        assertThat(fill(placed.id(), "1", "100", T0).averageFillPrice()).isEqualByComparingTo("100");
        assertThat(fill(placed.id(), "3", "104", T0).averageFillPrice()).isEqualByComparingTo("103"); // 412 / 4
    }

    @Test
    void averageFillPriceIsRecomputedFromTheStoredFillsNotFromTheRoundedAverage() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("10")));
        fill(placed.id(), "1", "1", T0);
        assertThat(fill(placed.id(), "2", "2", T0).averageFillPrice())
                .isEqualTo(dec("1.666666666666666667")); // 5 / 3
        // exact: 8 / 6 = 1.333...; from the rounded 1.666666666666666667 it would be
        // 8.000000000000000001 / 6 = 1.3333333333333333335, a tie, -> 1.333333333333333334
        assertThat(fill(placed.id(), "3", "1", T0).averageFillPrice()).isEqualTo(dec("1.333333333333333333"));
    }

    @Test
    void averageFillPriceIsRoundedHalfEven() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("10")));
        fill(placed.id(), "1", "1", T0);
        // (1 + 1.000000000000000001) / 2 = 1.0000000000000000005, a tie at the 18th place: half-even gives 1
        // (normalized, scale 0), half-up would give 1.000000000000000001
        assertThat(fill(placed.id(), "1", "1.000000000000000001", T0).averageFillPrice()).isEqualTo(dec("1"));
        Order other = place(NewOrder.market("c-2", SYMBOL, OrderSide.BUY, dec("10")));
        fill(other.id(), "1", "1.000000000000000001", T0);
        // (1.000000000000000001 + 1.000000000000000002) / 2 = 1.0000000000000000015 -> 1.000000000000000002
        assertThat(fill(other.id(), "1", "1.000000000000000002", T0).averageFillPrice())
                .isEqualTo(dec("1.000000000000000002"));
    }

    @Test
    void tinyAndLargeFillsAreKeptExactly() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("0.000000000000000003")));
        for (int i = 0; i < 3; i++) {
            fill(placed.id(), "0.000000000000000001", "12345678901234567890.123456789012345678", T0.plusSeconds(i));
        }
        Order done = find(placed.id());
        assertThat(done.status()).isEqualTo(OrderStatus.FILLED);
        assertThat(done.filledQuantity()).isEqualTo(dec("0.000000000000000003"));
        assertThat(done.averageFillPrice()).isEqualTo(dec("12345678901234567890.123456789012345678"));
        assertThat(fills(placed.id())).extracting(Fill::quantity).allSatisfy(q ->
                assertThat(q).isEqualTo(dec("0.000000000000000001")));
    }

    @Test
    void fillBeyondTheRemainingQuantityIsRejectedAndNothingIsWritten() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")));
        Order partial = fill(placed.id(), "0.6", "100", T0.plusSeconds(1));
        List<Fill> fillsBefore = fills(placed.id());

        assertThatThrownBy(() -> fill(placed.id(), "0.400000000000000001", "100", T0.plusSeconds(2)))
                .isInstanceOf(ValidationException.class)
                .hasMessage("order_fills.quantity: must not exceed the remaining quantity 0.4"
                        + " of order \"c-1\" (0.6 of 1 filled) (was 0.400000000000000001)");
        assertThat(find(placed.id())).isEqualTo(partial);
        assertThat(fills(placed.id())).isEqualTo(fillsBefore);
    }

    @Test
    void fillingAFilledOrRejectedOrderIsAnInvalidTransition() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")));
        Order filled = fill(placed.id(), "1", "100", T0.plusSeconds(1));
        assertThatThrownBy(() -> fill(placed.id(), "0.1", "100", T0.plusSeconds(2)))
                .isInstanceOf(InvalidStateTransitionException.class)
                .hasMessageStartingWith("cannot fill order c-1: it is FILLED (trade id \"t-");
        assertThat(find(placed.id())).isEqualTo(filled);
        assertThat(fills(placed.id())).hasSize(1);

        Order other = place(NewOrder.market("c-2", SYMBOL, OrderSide.BUY, dec("1")));
        Order rejected = store.inTransaction(uow -> uow.orders().reject(other.id(), "insufficient margin"));
        assertThatThrownBy(() -> fill(other.id(), "0.1", "100", T0.plusSeconds(2)))
                .isInstanceOf(InvalidStateTransitionException.class)
                .hasMessageStartingWith("cannot fill order c-2: it is REJECTED (trade id \"t-");
        assertThat(find(other.id())).isEqualTo(rejected);
        assertThat(fills(other.id())).isEmpty();
    }

    @Test
    void fillingAnUnknownOrderIsNotFound() {
        assertThatThrownBy(() -> fill(404, "1", "1", T0))
                .isInstanceOf(NotFoundException.class).hasMessage("no order with id 404");
    }

    @Test
    void invalidFillArgumentsAreRejectedBeforeAnySql() {
        // an unknown order: had any SQL run first, these would be NotFoundException
        assertValidation(() -> fill(404, "0", "1", T0), "order_fills.quantity: must be > 0");
        assertValidation(() -> fill(404, "1", "-1", T0), "order_fills.price: must be > 0");
        assertValidation(() -> fill(404, "1", "1.0000000000000000001", T0),
                "order_fills.price: has more than 18 decimal places");
        assertValidation(() -> store.inTransaction(uow -> uow.orders().fill(404, Fills.of(dec("1"), dec("1"), dec("-0.01"), T0)).order()),
                "order_fills.fee: must be >= 0");
        assertValidation(() -> store.inTransaction(uow -> uow.orders().fill(404, Fills.of(dec("1"), dec("1"), null, T0)).order()),
                "order_fills.fee: must not be null");
        assertValidation(() -> fill(404, "1", "1", T0.plusNanos(1)), "order_fills.filled_at: has sub-microsecond");
        assertValidation(() -> fill(404, "1", "1", Instant.parse("1969-12-31T23:59:59Z")),
                "order_fills.filled_at: must be within");
    }

    @Test
    void aFillTimestampedByTheExchangeBeforeOurCreatedAtIsAcceptedAsReported() {
        // Exchange clocks are not ours: a fill may carry a time a little before we stored the order.
        clock.set(T0.plusSeconds(60));
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")));
        Order filled = fill(placed.id(), "1", "100", T0);
        assertThat(filled.lastFillAt()).isEqualTo(T0);
        assertThat(filled.status()).isEqualTo(OrderStatus.FILLED);
        assertThat(fills(placed.id())).extracting(Fill::filledAt).containsExactly(T0);
    }

    @Test
    void fillsReportedOutOfOrderAreListedInTimeOrderAndLastFillAtIsTheLatest() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("3")));
        Order other = place(NewOrder.market("c-2", SYMBOL, OrderSide.BUY, dec("3")));
        fill(placed.id(), "1", "102", T0.plusSeconds(20));
        fill(other.id(), "1", "1", T0.plusSeconds(15));
        Order afterLateReport = fill(placed.id(), "1", "101", T0.plusSeconds(10));
        assertThat(afterLateReport.lastFillAt()).isEqualTo(T0.plusSeconds(20));

        assertThat(fills(placed.id())).extracting(Fill::filledAt)
                .containsExactly(T0.plusSeconds(10), T0.plusSeconds(20));
        assertThat(fills(404)).isEmpty();
    }

    @Test
    void fillingInsideAReadUnitIsRefused() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")));
        assertThatThrownBy(() -> store.read(uow -> uow.orders().fill(placed.id(), Fills.of(dec("1"), dec("1"), dec("0"), T0)).order()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("orders().fill writes");
    }

    // --- cancelling and rejecting --------------------------------------------------------------------------------

    @Test
    void cancellingOrRejectingAnUnknownOrderIsNotFound() {
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.orders().cancel(404)))
                .isInstanceOf(NotFoundException.class).hasMessage("no order with id 404");
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.orders().reject(404, "no")))
                .isInstanceOf(NotFoundException.class).hasMessage("no order with id 404");
    }

    @Test
    void rejectingANewOrderRecordsTheReason() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")));
        clock.advance(Duration.ofMillis(1));
        Order rejected = store.inTransaction(uow -> uow.orders().reject(placed.id(), "insufficient margin"));
        assertThat(rejected.status()).isEqualTo(OrderStatus.REJECTED);
        assertThat(rejected.rejectReason()).isEqualTo("insufficient margin");
        assertThat(rejected.version()).isEqualTo(1);
        assertThat(rejected.updatedAt()).isEqualTo(T0.plusMillis(1));
        assertThat(find(placed.id())).isEqualTo(rejected);
    }

    @Test
    void rejectingAnOrderThatIsNoLongerNewIsAnInvalidTransition() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")));
        Order partial = fill(placed.id(), "0.5", "100", T0.plusSeconds(1));
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.orders().reject(placed.id(), "late")))
                .isInstanceOf(InvalidStateTransitionException.class)
                .hasMessage("cannot reject order c-1: it is PARTIALLY_FILLED");
        assertThat(find(placed.id())).isEqualTo(partial);
    }

    @Test
    void aRejectReasonIsValidatedBeforeAnySql() {
        assertValidation(() -> store.inTransaction(uow -> uow.orders().reject(404, null)),
                "orders.reject_reason: must not be null");
        assertValidation(() -> store.inTransaction(uow -> uow.orders().reject(404, "  ")),
                "orders.reject_reason: must not be blank");
        assertValidation(() -> store.inTransaction(uow -> uow.orders().reject(404, "r".repeat(257))),
                "orders.reject_reason: must be at most 256 characters");
    }

    @Test
    void updatedAtNeverGoesBackwardsWhenTheClockIsSetBack() {
        clock.set(T0.plusSeconds(60));
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")));
        clock.set(T0);
        Order cancelled = store.inTransaction(uow -> uow.orders().cancel(placed.id()));
        assertThat(cancelled.updatedAt()).isEqualTo(placed.createdAt());
    }

    // --- the venue's event order: cancels, late and duplicate fills, fees -----------------------------------------

    @Test
    void cancellingRecordsARequestThatOnlyTheVenueConfirms() {
        Order placed = place(NewOrder.limit("c-1", SYMBOL, OrderSide.BUY, dec("1"), dec("100")));
        clock.advance(Duration.ofMinutes(1));
        Order pending = store.inTransaction(uow -> uow.orders().cancel(placed.id()));
        assertThat(pending.status()).isEqualTo(OrderStatus.PENDING_CANCEL);
        assertThat(pending.status().isOpen()).isTrue();
        assertThat(pending.version()).isEqualTo(1);
        assertThat(pending.updatedAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
        assertThat(pending.createdAt()).isEqualTo(T0);

        Order again = store.inTransaction(uow -> uow.orders().cancel(placed.id()));
        assertThat(again).as("asking again changes nothing, not even the version").isEqualTo(pending);

        clock.advance(Duration.ofSeconds(1));
        Order cancelled = store.inTransaction(uow -> uow.orders().confirmCancel(placed.id()));
        assertThat(cancelled.status()).isEqualTo(OrderStatus.CANCELLED);
        assertThat(cancelled.version()).isEqualTo(2);
        Order confirmedAgain = store.inTransaction(uow -> uow.orders().confirmCancel(placed.id()));
        Order cancelAfterConfirm = store.inTransaction(uow -> uow.orders().cancel(placed.id()));
        assertThat(confirmedAgain).isEqualTo(cancelled);
        assertThat(cancelAfterConfirm).isEqualTo(cancelled);
        assertThat(find(placed.id())).isEqualTo(cancelled);
    }

    @Test
    void theVenueMayCancelAnOpenOrderOnItsOwn() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")));
        fill(placed.id(), "0.25", "100", T0.plusSeconds(1));
        Order cancelled = store.inTransaction(uow -> uow.orders().confirmCancel(placed.id()));
        assertThat(cancelled.status()).isEqualTo(OrderStatus.CANCELLED);
        assertThat(cancelled.filledQuantity()).isEqualTo(dec("0.25"));
        assertThat(cancelled.remainingQuantity()).isEqualTo(dec("0.75"));
        assertThat(cancelled.averageFillPrice()).isEqualTo(dec("100"));
        assertThat(cancelled.version()).isEqualTo(2);
    }

    @Test
    void aFillArrivingAfterTheCancelRequestIsRecordedAndTheOneThatCompletesTheOrderFillsIt() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")));
        store.useTransaction(uow -> uow.orders().cancel(placed.id()));
        Order partial = fill(placed.id(), "0.4", "100", T0.plusSeconds(1));
        assertThat(partial.status()).as("a partial fill keeps the cancel pending").isEqualTo(OrderStatus.PENDING_CANCEL);
        Order filled = fill(placed.id(), "0.6", "101", T0.plusSeconds(2));
        assertThat(filled.status()).isEqualTo(OrderStatus.FILLED);
        assertThat(filled.averageFillPrice()).isEqualTo(dec("100.6"));
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.orders().confirmCancel(placed.id())))
                .isInstanceOf(InvalidStateTransitionException.class)
                .hasMessage("cannot confirm the cancel of order c-1: it is FILLED");
        assertThat(find(placed.id())).isEqualTo(filled);
    }

    @Test
    void aLateFillAfterTheConfirmedCancelIsRecordedAndCompletesTheOrderOnlyIfItFillsTheRest() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")));
        store.useTransaction(uow -> uow.orders().confirmCancel(placed.id()));
        Order stillCancelled = fill(placed.id(), "0.3", "100", T0.plusSeconds(1));
        assertThat(stillCancelled.status()).isEqualTo(OrderStatus.CANCELLED);
        assertThat(stillCancelled.filledQuantity()).isEqualTo(dec("0.3"));
        assertThat(stillCancelled.lastFillAt()).isEqualTo(T0.plusSeconds(1));

        assertThatThrownBy(() -> fill(placed.id(), "0.700000000000000001", "100", T0.plusSeconds(2)))
                .isInstanceOf(ValidationException.class)
                .hasMessage("order_fills.quantity: must not exceed the remaining quantity 0.7 of order \"c-1\""
                        + " (0.3 of 1 filled) (was 0.700000000000000001)");
        Order filled = fill(placed.id(), "0.7", "100", T0.plusSeconds(2));
        assertThat(filled.status()).isEqualTo(OrderStatus.FILLED);
        assertThat(fills(placed.id())).hasSize(2);
    }

    @Test
    void theSameExecutionReportedAgainReturnsTheStoredFillAndWritesNothing() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")));
        NewFill report = new NewFill("T-77", dec("0.5"), dec("100.5"), dec("0.001"), "BNB", T0.plusSeconds(1));
        FillResult first = store.inTransaction(uow -> uow.orders().fill(placed.id(), report));
        assertThat(first.duplicate()).isFalse();
        assertThat(first.fill().tradeId()).isEqualTo("T-77");
        assertThat(first.fill().feeCurrency()).isEqualTo("BNB");
        assertThat(first.order().filledQuantity()).isEqualTo(dec("0.5"));

        clock.advance(Duration.ofMinutes(1));
        // the same values at another scale (NewFill normalizes them, as the store reads them back)
        FillResult again = store.inTransaction(uow -> uow.orders().fill(placed.id(),
                new NewFill("T-77", dec("0.50"), dec("100.500"), dec("0.0010"), "BNB", T0.plusSeconds(1))));
        assertThat(again.duplicate()).isTrue();
        assertThat(again.fill()).isEqualTo(first.fill());
        assertThat(again.order()).isEqualTo(first.order());
        assertThat(find(placed.id())).isEqualTo(first.order());
        assertThat(fills(placed.id())).containsExactly(first.fill());

        // a duplicate of the fill that completed an order is still a duplicate, not an invalid transition
        Order other = place(NewOrder.market("c-2", SYMBOL, OrderSide.BUY, dec("1")));
        NewFill all = NewFill.of("T-78", dec("1"), dec("99"), T0.plusSeconds(2));
        FillResult completing = store.inTransaction(uow -> uow.orders().fill(other.id(), all));
        FillResult repeated = store.inTransaction(uow -> uow.orders().fill(other.id(), all));
        assertThat(repeated).isEqualTo(new FillResult(completing.order(), completing.fill(), true));
        assertThat(completing.order().status()).isEqualTo(OrderStatus.FILLED);
    }

    @Test
    void aRejectionArrivingAfterOurCancelRequestRejectsTheOrderWhileNothingIsFilled() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")));
        store.useTransaction(uow -> uow.orders().cancel(placed.id()));
        Order rejected = store.inTransaction(uow -> uow.orders().reject(placed.id(), "insufficient balance"));
        assertThat(rejected.status()).isEqualTo(OrderStatus.REJECTED);
        assertThat(rejected.rejectReason()).isEqualTo("insufficient balance");

        Order partial = place(NewOrder.market("c-2", SYMBOL, OrderSide.BUY, dec("1")));
        fill(partial.id(), "0.5", "100", T0);
        Order pending = store.inTransaction(uow -> uow.orders().cancel(partial.id()));
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.orders().reject(partial.id(), "late")))
                .isInstanceOf(InvalidStateTransitionException.class)
                .hasMessage("cannot reject order c-2: it is PENDING_CANCEL with 0.5 of 1 filled");
        assertThat(find(partial.id())).isEqualTo(pending);
    }

    @Test
    void aRefusedCancelPutsTheOrderBackToWorkAndChangesNothingElsewhere() {
        Order fresh = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")));
        store.useTransaction(uow -> uow.orders().cancel(fresh.id()));
        clock.advance(Duration.ofSeconds(1));
        Order working = store.inTransaction(uow -> uow.orders().cancelRejected(fresh.id()));
        assertThat(working.status()).isEqualTo(OrderStatus.NEW);
        assertThat(working.version()).isEqualTo(2);
        assertThat(working.updatedAt()).isEqualTo(T0.plusSeconds(1));

        Order partial = place(NewOrder.market("c-2", SYMBOL, OrderSide.BUY, dec("1")));
        fill(partial.id(), "0.25", "100", T0);
        store.useTransaction(uow -> uow.orders().cancel(partial.id()));
        Order stillWorking = store.inTransaction(uow -> uow.orders().cancelRejected(partial.id()));
        assertThat(stillWorking.status()).isEqualTo(OrderStatus.PARTIALLY_FILLED);

        // "too late to cancel": the fill that completed it came first
        Order filled = fill(partial.id(), "0.75", "100", T0);
        Order afterRefusal = store.inTransaction(uow -> uow.orders().cancelRejected(partial.id()));
        assertThat(afterRefusal).isEqualTo(filled);
        Order again = store.inTransaction(uow -> uow.orders().cancelRejected(fresh.id()));
        assertThat(again).as("no cancel pending: nothing to undo").isEqualTo(working);
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.orders().cancelRejected(404)))
                .isInstanceOf(NotFoundException.class).hasMessage("no order with id 404");
    }

    @Test
    void aZeroFeeHasNoCurrencySoARedeliveryWithoutOneIsTheSameExecution() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")));
        FillResult first = store.inTransaction(uow -> uow.orders().fill(placed.id(),
                new NewFill("T-1", dec("0.5"), dec("100"), dec("0"), "BNB", T0)));
        assertThat(first.fill().feeCurrency()).isNull();
        FillResult again = store.inTransaction(uow -> uow.orders().fill(placed.id(),
                NewFill.of("T-1", dec("0.5"), dec("100"), T0)));
        assertThat(again.duplicate()).isTrue();
    }

    @Test
    void aTradeIdIsUniquePerOrderNotAcrossOrders() {
        Order a = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")));
        Order b = place(NewOrder.market("c-2", SYMBOL, OrderSide.SELL, dec("1")));
        NewFill same = NewFill.of("T-1", dec("1"), dec("100"), T0);
        FillResult onA = store.inTransaction(uow -> uow.orders().fill(a.id(), same));
        FillResult onB = store.inTransaction(uow -> uow.orders().fill(b.id(), same));
        assertThat(onA.duplicate()).isFalse();
        assertThat(onB.duplicate()).isFalse();
        Optional<Fill> found = store.read(uow -> uow.orders().findFill(b.id(), "T-1"));
        Optional<Fill> unknownTrade = store.read(uow -> uow.orders().findFill(b.id(), "T-2"));
        Optional<Fill> unknownOrder = store.read(uow -> uow.orders().findFill(404, "T-1"));
        assertThat(found).contains(onB.fill());
        assertThat(unknownTrade).isEmpty();
        assertThat(unknownOrder).isEmpty();
    }

    @Test
    void theSameTradeIdWithOtherValuesIsAConflictNamingEveryDifference() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("2")));
        FillResult stored = store.inTransaction(uow -> uow.orders().fill(placed.id(),
                new NewFill("T-9", dec("0.5"), dec("100"), dec("0.01"), "USDT", T0)));
        assertThatThrownBy(() -> store.inTransaction(uow -> uow.orders().fill(placed.id(),
                new NewFill("T-9", dec("0.6"), dec("101"), dec("0"), null, T0.plusSeconds(1)))))
                .isInstanceOf(ConflictException.class)
                .hasMessage("trade id \"T-9\" of order \"c-1\" is already recorded as fill " + stored.fill().id()
                        + " with different values: quantity 0.5 (stored) vs 0.6 (requested), price 100 (stored) vs 101"
                        + " (requested), fee 0.01 (stored) vs 0 (requested), fee_currency USDT (stored) vs null"
                        + " (requested), filled_at " + T0 + " (stored) vs " + T0.plusSeconds(1) + " (requested);"
                        + " a trade id names exactly one execution");
        assertThat(find(placed.id())).isEqualTo(stored.order());
        assertThat(fills(placed.id())).containsExactly(stored.fill());
    }

    @Test
    void anOrderKeepsItsFeesPerCurrencyExactly() {
        Order placed = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("4")));
        store.useTransaction(uow -> {
            uow.orders().fill(placed.id(), new NewFill("T-1", dec("1"), dec("100"), dec("0.1"), "USDT", T0));
            uow.orders().fill(placed.id(), new NewFill("T-2", dec("1"), dec("100"), dec("0.000000000000000001"), "BNB", T0));
            uow.orders().fill(placed.id(), new NewFill("T-3", dec("1"), dec("100"), dec("0.2"), "USDT", T0));
            uow.orders().fill(placed.id(), NewFill.of("T-4", dec("1"), dec("100"), T0));
        });
        List<FeeTotal> fees = store.read(uow -> uow.orders().fees(placed.id()));
        List<FeeTotal> none = store.read(uow -> uow.orders().fees(404));
        assertThat(fees).containsExactly(
                new FeeTotal("BNB", dec("0.000000000000000001")), new FeeTotal("USDT", dec("0.3")));
        assertThat(none).isEmpty();
    }

    // --- listing -------------------------------------------------------------------------------------------------

    @Test
    void byStatusListsOrdersOfThatStatusOldestFirst() {
        clock.set(T0.plusSeconds(30));
        Order newest = place(NewOrder.market("c-3", SYMBOL, OrderSide.BUY, dec("1")));
        clock.set(T0);
        Order oldest = place(NewOrder.market("c-1", SYMBOL, OrderSide.BUY, dec("1")));
        Order sameInstant = place(NewOrder.market("c-2", SYMBOL, OrderSide.BUY, dec("1")));
        Order cancelled = place(NewOrder.market("c-4", SYMBOL, OrderSide.BUY, dec("1")));
        store.useTransaction(uow -> uow.orders().confirmCancel(uow.orders().cancel(cancelled.id()).id()));

        List<Order> fresh = store.read(uow -> Pages.all(page -> uow.orders().byStatus(OrderStatus.NEW, page)));
        assertThat(fresh).extracting(Order::id).containsExactly(oldest.id(), sameInstant.id(), newest.id());
        List<Order> gone = store.read(uow -> Pages.all(page -> uow.orders().byStatus(OrderStatus.CANCELLED, page)));
        assertThat(gone).extracting(Order::id).containsExactly(cancelled.id());
        List<Order> none = store.read(uow -> Pages.all(page -> uow.orders().byStatus(OrderStatus.FILLED, page)));
        assertThat(none).isEmpty();
        assertValidation(() -> store.read(uow -> Pages.all(page ->
                uow.orders().byStatus(null, page))), "status: must not be null");
    }

    @Test
    void openOrdersAreTheNewPartiallyFilledAndPendingCancelOnesOldestFirst() {
        Order partial = place(NewOrder.market("partial", SYMBOL, OrderSide.BUY, dec("2")));
        clock.advance(Duration.ofSeconds(1));
        Order fresh = place(NewOrder.market("new", SYMBOL, OrderSide.BUY, dec("1")));
        Order filled = place(NewOrder.market("filled", SYMBOL, OrderSide.BUY, dec("1")));
        Order cancelled = place(NewOrder.market("cancelled", SYMBOL, OrderSide.BUY, dec("1")));
        Order rejected = place(NewOrder.market("rejected", SYMBOL, OrderSide.BUY, dec("1")));
        Order pending = place(NewOrder.market("pending", SYMBOL, OrderSide.BUY, dec("1")));
        fill(partial.id(), "1", "100", T0.plusSeconds(5));
        fill(filled.id(), "1", "100", T0.plusSeconds(5));
        store.useTransaction(uow -> {
            uow.orders().confirmCancel(uow.orders().cancel(cancelled.id()).id());
            uow.orders().reject(rejected.id(), "venue closed");
            uow.orders().cancel(pending.id());
        });

        List<Order> open = store.read(uow -> uow.orders().listOpen());
        assertThat(open).extracting(Order::clientOrderId).containsExactly("partial", "new", "pending");
        assertThat(open).extracting(Order::id).containsExactly(partial.id(), fresh.id(), pending.id());
    }

    @Test
    @SuppressWarnings("removal") // the unbounded list is the oracle the pages add up to
    void byStatusPagesAddUpToTheWholeListOldestFirst() {
        for (int i = 0; i < 7; i++) {
            clock.set(T0.plusSeconds(i % 3)); // ties: several orders per instant
            place(NewOrder.market("c-" + i, SYMBOL, OrderSide.BUY, dec("1")));
        }
        List<Order> all = store.read(uow -> Pages.all(page -> uow.orders().byStatus(OrderStatus.NEW, page)));
        List<Order> walked = new java.util.ArrayList<>();
        io.tradestore.PageRequest request = io.tradestore.PageRequest.first(2);
        while (request != null) {
            io.tradestore.PageRequest current = request;
            io.tradestore.Page<Order> page = store.read(uow -> uow.orders().byStatus(OrderStatus.NEW, current));
            walked.addAll(page.items());
            request = page.next();
        }
        assertThat(walked).isEqualTo(all).hasSize(7);
        assertThat(walked).extracting(Order::createdAt).isSorted();
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private Position openPosition() {
        return store.inTransaction(uow -> uow.positions().open(
                NewPosition.of(SYMBOL, PositionSide.LONG, dec("1"), dec("100"), T0)));
    }

    private Order place(NewOrder order) {
        return store.inTransaction(uow -> uow.orders().place(order));
    }

    private Order fill(long orderId, String quantity, String price, Instant at) {
        return store.inTransaction(uow -> uow.orders().fill(orderId, Fills.of(dec(quantity), dec(price), BigDecimal.ZERO, at)).order());
    }

    private Order find(long id) {
        return store.read(uow -> uow.orders().find(id)).orElseThrow();
    }

    private List<Fill> fills(long orderId) {
        return store.read(uow -> uow.orders().fills(orderId));
    }

    private void assertConflict(NewOrder order, String difference) {
        assertThatThrownBy(() -> place(order))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining("client order id \"" + order.clientOrderId() + "\" is already used")
                .hasMessageContaining("different parameters: " + difference + ";");
    }

    private static void assertValidation(Runnable call, String messageStart) {
        assertThatThrownBy(call::run).isInstanceOf(ValidationException.class).hasMessageStartingWith(messageStart);
    }

    private static BigDecimal dec(String value) {
        return new BigDecimal(value);
    }
}
