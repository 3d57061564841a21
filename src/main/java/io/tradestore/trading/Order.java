package io.tradestore.trading;

import io.tradestore.internal.Decimal18;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A stored order with its fill progress. Decimals are exact and normalized (decision 0009); averageFillPrice
 * (rounded half-even to 18 places) and lastFillAt are null until the first fill. positionId, limitPrice, stopPrice and rejectReason may be
 * null.
 */
public record Order(long id, String clientOrderId, Long positionId, String symbol, OrderSide side, OrderType type,
                    OrderStatus status, BigDecimal quantity, BigDecimal limitPrice, BigDecimal stopPrice,
                    BigDecimal filledQuantity, BigDecimal averageFillPrice, String rejectReason, Instant createdAt,
                    Instant updatedAt, Instant lastFillAt, long version) {
    /** The quantity still to be filled: quantity - filledQuantity (kept after a cancel, for the record). */
    public BigDecimal remainingQuantity() {
        return Decimal18.normalize(quantity.subtract(filledQuantity));
    }
}
