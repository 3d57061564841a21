package io.tradestore.trading;

import java.math.BigDecimal;
import java.time.Instant;

/** A recorded portfolio snapshot. Amounts are exact, at scale 8. */
public record PortfolioSnapshot(long id, Instant takenAt, BigDecimal cash, BigDecimal equity, BigDecimal realizedPnl,
                                BigDecimal unrealizedPnl, int openPositionCount) {
}
