package io.tradestore.trading;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One (partial) execution of an order, exactly as the venue reported it.
 *
 * @param tradeId     the venue's execution id, unique per order; fills recorded before schema release 5 carry
 *                    {@code legacy-<id>}
 * @param feeCurrency the asset the fee was paid in; null when the fee is zero and the venue named no asset, and for
 *                    fills recorded before release 5, whose fee was by that release's convention in the symbol's
 *                    quote currency
 */
public record Fill(long id, long orderId, String tradeId, BigDecimal quantity, BigDecimal price, BigDecimal fee,
                   String feeCurrency, Instant filledAt) {
}
