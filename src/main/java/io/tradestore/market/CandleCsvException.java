package io.tradestore.market;

import io.tradestore.TradestoreException;

/**
 * A row of a candle CSV that cannot become a candle, or a file that does not match its {@link CandleCsv} format. The
 * message names the file, the line (1-based, as an editor shows it) and the reason, e.g.
 * {@code prices.csv line 17: candlesticks.high: must be >= low (was high=1, low=2)}, and, from an import, what was
 * written before it.
 */
public class CandleCsvException extends TradestoreException {
    private static final long serialVersionUID = 1L;

    private final long line;
    private final String reason;

    public CandleCsvException(String message, long line, String reason) {
        super(message);
        this.line = line;
        this.reason = reason;
    }

    /** The 1-based line number of the offending row. */
    public long line() {
        return line;
    }

    /** Why the row was refused, without the file and line. */
    public String reason() {
        return reason;
    }
}
