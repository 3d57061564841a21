package io.tradestore.trading;

import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * Realized P&L of the positions closed on one UTC calendar day: the exact sum of their stored realized_pnl,
 * normalized like every decimal the store returns.
 * Not bounded by the storage range, since it is never stored.
 */
public record DailyPnl(LocalDate day, BigDecimal realizedPnl, int closedPositions) {
}
