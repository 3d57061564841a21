package io.tradestore.trading;

import io.tradestore.internal.Check;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A position to open. Validated on construction (before any SQL). stopLoss, takeProfit, strategy, mlConfidence,
 * sentimentScore and quoteCurrency are optional (null); start from {@link #of} and add them with the {@code with...} methods.
 *
 * @param mlConfidence   model confidence at entry as a fraction in [0, 1] (0.85 means 85%)
 * @param sentimentScore market sentiment at entry in [-1, 1]
 */
public record NewPosition(String symbol, PositionSide side, BigDecimal quantity, BigDecimal entryPrice,
                          Instant entryTime, BigDecimal stopLoss, BigDecimal takeProfit, String strategy,
                          BigDecimal mlConfidence, BigDecimal sentimentScore, String quoteCurrency) {
    public static final int STRATEGY_MAX = 64;

    public NewPosition {
        Check.symbol("positions.symbol", symbol);
        Check.notNull("positions.side", side);
        Check.positive("positions.quantity", quantity);
        Check.positive("positions.entry_price", entryPrice);
        Check.timestamp("positions.entry_time", entryTime);
        Check.optionalPositive("positions.stop_loss", stopLoss);
        Check.optionalPositive("positions.take_profit", takeProfit);
        Check.optionalText("positions.strategy", strategy, STRATEGY_MAX);
        Check.optionalUnitInterval("positions.ml_confidence", mlConfidence);
        Check.optionalSignedUnitInterval("positions.sentiment_score", sentimentScore);
        if (quoteCurrency != null) {
            Check.currency("positions.quote_currency", quoteCurrency);
        }
    }

    public static NewPosition of(String symbol, PositionSide side, BigDecimal quantity, BigDecimal entryPrice,
                                 Instant entryTime) {
        return new NewPosition(symbol, side, quantity, entryPrice, entryTime, null, null, null, null, null, null);
    }

    public NewPosition withStopLoss(BigDecimal stopLoss) {
        return new NewPosition(symbol, side, quantity, entryPrice, entryTime, stopLoss, takeProfit, strategy,
                mlConfidence, sentimentScore, quoteCurrency);
    }

    public NewPosition withTakeProfit(BigDecimal takeProfit) {
        return new NewPosition(symbol, side, quantity, entryPrice, entryTime, stopLoss, takeProfit, strategy,
                mlConfidence, sentimentScore, quoteCurrency);
    }

    public NewPosition withStrategy(String strategy) {
        return new NewPosition(symbol, side, quantity, entryPrice, entryTime, stopLoss, takeProfit, strategy,
                mlConfidence, sentimentScore, quoteCurrency);
    }

    public NewPosition withMlConfidence(BigDecimal mlConfidence) {
        return new NewPosition(symbol, side, quantity, entryPrice, entryTime, stopLoss, takeProfit, strategy,
                mlConfidence, sentimentScore, quoteCurrency);
    }

    public NewPosition withSentimentScore(BigDecimal sentimentScore) {
        return new NewPosition(symbol, side, quantity, entryPrice, entryTime, stopLoss, takeProfit, strategy,
                mlConfidence, sentimentScore, quoteCurrency);
    }

    /**
     * The currency P&L is counted in (USDT for BTCUSDT; 1-16 of A-Z, 0-9): fees the position's fills paid in it are
     * netted from its realized P&L ({@link PositionDao#pnl}); fees in other currencies are reported apart. Without
     * it (null), no fee is netted.
     */
    public NewPosition withQuoteCurrency(String quoteCurrency) {
        return new NewPosition(symbol, side, quantity, entryPrice, entryTime, stopLoss, takeProfit, strategy,
                mlConfidence, sentimentScore, quoteCurrency);
    }
}
