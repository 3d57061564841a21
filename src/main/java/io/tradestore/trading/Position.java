package io.tradestore.trading;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A stored position. Decimals are exact and normalized (decision 0009). The exit fields, realizedPnl and returnPct are null while
 * OPEN; exitReason may stay null when CLOSED. returnPct is in percent (5.25 means 5.25%). version is the
 * optimistic-locking version to pass back to {@link PositionDao#close} and {@link PositionDao#updateStops}.
 */
public record Position(long id, String symbol, PositionSide side, PositionStatus status, BigDecimal quantity,
                       BigDecimal entryPrice, Instant entryTime, BigDecimal stopLoss, BigDecimal takeProfit,
                       BigDecimal exitPrice, Instant exitTime, String exitReason, BigDecimal realizedPnl,
                       BigDecimal returnPct, String strategy, BigDecimal mlConfidence, BigDecimal sentimentScore,
                       Instant createdAt, Instant updatedAt, long version) {
    public boolean isOpen() {
        return status == PositionStatus.OPEN;
    }
}
