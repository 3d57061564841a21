package io.tradestore.trading;

import java.math.BigDecimal;
import java.util.List;

/**
 * A position's realized P&L, gross and net of the fees its fills paid (fills of the orders placed for it).
 * Only fees in the position's quote currency are netted; the others are listed per currency, never converted
 * (converting needs prices the store does not own). With no quote currency, nothing is netted.
 *
 * @param realizedPnl  gross: the sum of its REDUCE events, 0 before the first reduction
 * @param quoteFees    the fees paid in {@code quoteCurrency}, 0 if none (or no quote currency)
 * @param netPnl       realizedPnl - quoteFees, exact
 * @param otherFees    fees in any other currency (null currency: recorded before release 5), by currency name
 */
public record PositionPnl(long positionId, String quoteCurrency, BigDecimal realizedPnl, BigDecimal quoteFees,
                          BigDecimal netPnl, List<FeeTotal> otherFees) {
    public PositionPnl {
        otherFees = List.copyOf(otherFees);
    }
}
