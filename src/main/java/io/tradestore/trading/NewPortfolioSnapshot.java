package io.tradestore.trading;

import io.tradestore.internal.Check;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A portfolio snapshot to record. Validated on construction (before any SQL): amounts fit the exact decimal
 * storage, the count is not negative, takenAt is a storable timestamp.
 */
public record NewPortfolioSnapshot(Instant takenAt, BigDecimal cash, BigDecimal equity, BigDecimal realizedPnl,
                                   BigDecimal unrealizedPnl, int openPositionCount) {
    public NewPortfolioSnapshot {
        Check.timestamp("portfolio_snapshots.taken_at", takenAt);
        Check.decimal("portfolio_snapshots.cash", cash);
        Check.decimal("portfolio_snapshots.equity", equity);
        Check.decimal("portfolio_snapshots.realized_pnl", realizedPnl);
        Check.decimal("portfolio_snapshots.unrealized_pnl", unrealizedPnl);
        Check.nonNegative("portfolio_snapshots.open_position_count", openPositionCount);
    }
}
