package io.tradestore.trading;

import java.math.BigDecimal;

/**
 * The fees an order paid in one currency, summed exactly over its fills. {@code currency} is null for fees recorded
 * before schema release 5, which named no currency (by that release's convention, the symbol's quote currency).
 */
public record FeeTotal(String currency, BigDecimal total) {
}
