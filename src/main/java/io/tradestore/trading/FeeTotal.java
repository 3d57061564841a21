package io.tradestore.trading;

import java.math.BigDecimal;

/**
 * Fees paid in one currency, summed exactly: an order's ({@link OrderDao#fees}), a position's or a day's in another
 * currency than the position's quote currency ({@link PositionPnl}, {@link DailyPnl}). {@code currency} is null for fees recorded
 * before schema release 5, which named no currency (by that release's convention, the symbol's quote currency).
 */
public record FeeTotal(String currency, BigDecimal total) {
}
