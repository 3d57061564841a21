package io.tradestore.trading;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A stored position, the summary of its events ({@link PositionDao#events}). Decimals are exact and normalized
 * (decision 0009). quantity is all that was ever entered (entry plus increases), the quantity entryPrice averages
 * over; openQuantity is what is still open (0 once CLOSED). realizedPnl is null until the first reduction, then the
 * sum of the reductions' P&L (gross; {@link PositionDao#pnl} nets fees). The exit fields and returnPct are null while
 * OPEN and describe the closing reduction once CLOSED; exitReason may stay null. returnPct is in percent (5.25 means 5.25%). version is the
 * optimistic-locking version to pass back to {@link PositionDao#close} and {@link PositionDao#updateStops}.
 */
public record Position(long id, String symbol, PositionSide side, PositionStatus status, BigDecimal quantity,
                       BigDecimal openQuantity, BigDecimal entryPrice, Instant entryTime, BigDecimal stopLoss, BigDecimal takeProfit,
                       BigDecimal exitPrice, Instant exitTime, String exitReason, BigDecimal realizedPnl,
                       BigDecimal returnPct, String strategy, BigDecimal mlConfidence, BigDecimal sentimentScore,
                       String quoteCurrency, Instant createdAt, Instant updatedAt, long version) {
    public boolean isOpen() {
        return status == PositionStatus.OPEN;
    }
}
