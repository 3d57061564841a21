package io.tradestore.trading;

import io.tradestore.internal.Check;

import java.math.BigDecimal;

/**
 * An order to place. Validated on construction (before any SQL): a MARKET order has no price, a LIMIT order
 * exactly a limit price, a STOP order exactly a stop price. Build one with {@link #market}, {@link #limit} or
 * {@link #stop}, and tie it to a position with {@link #forPosition}.
 *
 * @param clientOrderId the caller's id for the order (1-64 characters, no control characters), the key that makes
 *                      {@link OrderDao#place} idempotent
 * @param positionId    the position the order belongs to, or null
 */
public record NewOrder(String clientOrderId, Long positionId, String symbol, OrderSide side, OrderType type,
                       BigDecimal quantity, BigDecimal limitPrice, BigDecimal stopPrice) {
    public static final int CLIENT_ORDER_ID_MAX = 64;

    public NewOrder {
        Check.text("orders.client_order_id", clientOrderId, CLIENT_ORDER_ID_MAX);
        if (positionId != null) {
            Check.positive("orders.position_id", positionId);
        }
        Check.symbol("orders.symbol", symbol);
        Check.notNull("orders.side", side);
        Check.notNull("orders.order_type", type);
        Check.positive("orders.quantity", quantity);
        Check.optionalPositive("orders.limit_price", limitPrice);
        Check.optionalPositive("orders.stop_price", stopPrice);
        requiredExactlyFor(OrderType.LIMIT, type, "orders.limit_price", limitPrice);
        requiredExactlyFor(OrderType.STOP, type, "orders.stop_price", stopPrice);
    }

    public static NewOrder market(String clientOrderId, String symbol, OrderSide side, BigDecimal quantity) {
        return new NewOrder(clientOrderId, null, symbol, side, OrderType.MARKET, quantity, null, null);
    }

    public static NewOrder limit(String clientOrderId, String symbol, OrderSide side, BigDecimal quantity,
                                 BigDecimal limitPrice) {
        return new NewOrder(clientOrderId, null, symbol, side, OrderType.LIMIT, quantity, limitPrice, null);
    }

    public static NewOrder stop(String clientOrderId, String symbol, OrderSide side, BigDecimal quantity,
                                BigDecimal stopPrice) {
        return new NewOrder(clientOrderId, null, symbol, side, OrderType.STOP, quantity, null, stopPrice);
    }

    public NewOrder forPosition(long positionId) {
        return new NewOrder(clientOrderId, positionId, symbol, side, type, quantity, limitPrice, stopPrice);
    }

    private static void requiredExactlyFor(OrderType owner, OrderType type, String field, BigDecimal price) {
        if (type == owner) {
            Check.that(price != null, field, "is required for " + owner + " orders", null);
        } else {
            Check.that(price == null, field, "must be null for " + type + " orders", price);
        }
    }
}
