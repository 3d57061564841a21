package io.tradestore.trading;

import io.tradestore.internal.Check;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One execution as the venue reports it, validated on construction (before any SQL).
 *
 * @param tradeId     the venue's execution (trade) id, 1-64 characters, no control characters; unique per order, so
 *                    the same report delivered twice is recognised ({@link OrderDao#fill})
 * @param quantity    executed quantity, &gt; 0
 * @param price       execution price, &gt; 0
 * @param fee         fee paid, &ge; 0
 * @param feeCurrency the asset the fee was paid in (1-16 of A-Z, 0-9: USDT, BNB); required when the fee is not zero,
 *                    dropped when it is zero
 * @param filledAt    the venue's execution time; may be earlier than the order's creation (the venue's clock)
 */
public record NewFill(String tradeId, BigDecimal quantity, BigDecimal price, BigDecimal fee, String feeCurrency,
                      Instant filledAt) {
    public static final int TRADE_ID_MAX = 64;

    public NewFill {
        Check.text("order_fills.trade_id", tradeId, TRADE_ID_MAX);
        quantity = Check.positive("order_fills.quantity", quantity);
        price = Check.positive("order_fills.price", price);
        fee = Check.nonNegative("order_fills.fee", fee);
        if (feeCurrency != null) {
            Check.currency("order_fills.fee_currency", feeCurrency);
            if (fee.signum() == 0) {
                // Venues name an asset for a zero commission or not, at whim: a fee of nothing has no currency, so a
                // report re-sent without it is the same execution, not a conflict.
                feeCurrency = null;
            }
        } else {
            Check.that(fee.signum() == 0, "order_fills.fee_currency", "is required when the fee is not zero (fee "
                    + fee.toPlainString() + ")", null);
        }
        Check.timestamp("order_fills.filled_at", filledAt);
    }

    /** A fill without a fee. */
    public static NewFill of(String tradeId, BigDecimal quantity, BigDecimal price, Instant filledAt) {
        return new NewFill(tradeId, quantity, price, BigDecimal.ZERO, null, filledAt);
    }

    /** This fill with its fee, paid in {@code currency}. */
    public NewFill withFee(BigDecimal fee, String currency) {
        return new NewFill(tradeId, quantity, price, fee, currency, filledAt);
    }
}
