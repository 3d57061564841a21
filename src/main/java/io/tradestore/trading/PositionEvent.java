package io.tradestore.trading;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One stored step of a position, exactly as it was asked for (decimals normalized, decision 0009). The position row
 * is a summary of these: its quantity is the sum of the ENTRY and INCREASE quantities, its entry price their
 * quantity-weighted mean (rounded once), its realized P&L the sum of the REDUCE events' realizedPnl.
 *
 * @param price       the entry price (ENTRY, INCREASE) or the exit price (REDUCE)
 * @param realizedPnl the P&L this reduction realized, rounded once (REDUCE only; null otherwise)
 * @param reason      the reduction's reason (REDUCE only, optional)
 */
public record PositionEvent(long id, long positionId, PositionEventKind kind, BigDecimal quantity, BigDecimal price,
                            BigDecimal realizedPnl, Instant occurredAt, String reason, Instant createdAt) {
}
