package io.tradestore.trading;

import java.math.BigDecimal;
import java.util.List;
import java.time.LocalDate;

/**
 * Realized P&L of one UTC calendar day: every reduction (partial or closing) counts on the day of its event, every
 * fee of a position's fill on the day of the fill. Sums are exact and normalized like every decimal the store
 * returns; they are not bounded by the storage range, since they are never stored.
 *
 * @param realizedPnl gross: the sum of that day's REDUCE events' realized P&L
 * @param reductions  how many REDUCE events (a close is one) fell on that day
 * @param quoteFees   fees paid that day by fills of positions' orders in the position's quote currency
 * @param netPnl      realizedPnl - quoteFees
 * @param otherFees   that day's fees of positions' fills in any other currency (or of a position without a quote
 *                    currency), per currency, not converted
 */
public record DailyPnl(LocalDate day, BigDecimal realizedPnl, int reductions, BigDecimal quoteFees, BigDecimal netPnl,
                       List<FeeTotal> otherFees) {
    public DailyPnl {
        otherFees = List.copyOf(otherFees);
    }
}
