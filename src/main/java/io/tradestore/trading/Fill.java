package io.tradestore.trading;

import java.math.BigDecimal;
import java.time.Instant;

/** One (partial) execution of an order, exactly as reported; fee is in the quote currency. */
public record Fill(long id, long orderId, BigDecimal quantity, BigDecimal price, BigDecimal fee, Instant filledAt) {
}
