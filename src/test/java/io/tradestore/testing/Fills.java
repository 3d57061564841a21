package io.tradestore.testing;

import io.tradestore.trading.NewFill;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** Fills for tests that are not about trade ids: each gets a fresh trade id, and a fee is paid in USDT. */
public final class Fills {
    private static final AtomicLong NEXT = new AtomicLong();

    private Fills() {
    }

    public static String nextTradeId() {
        return "t-" + NEXT.incrementAndGet();
    }

    public static NewFill of(BigDecimal quantity, BigDecimal price, BigDecimal fee, Instant filledAt) {
        return new NewFill(nextTradeId(), quantity, price, fee, fee == null || fee.signum() == 0 ? null : "USDT",
                filledAt);
    }
}
