package io.tradestore.trading;

import java.math.BigDecimal;
import java.time.Instant;

/** A recorded portfolio snapshot. Amounts are exact and normalized (decision 0009). */
public record PortfolioSnapshot(long id, Instant takenAt, BigDecimal cash, BigDecimal equity, BigDecimal realizedPnl,
                                BigDecimal unrealizedPnl, int openPositionCount) {
}
