package io.tradestore;

/**
 * Input that breaks a documented rule, detected before any SQL runs: nothing was written. The message names
 * the field, the rule and the offending value, e.g.
 * {@code positions.quantity: must be > 0 (was -1)}.
 */
public class ValidationException extends TradestoreException {
    private static final long serialVersionUID = 1L;
    private static final int MAX_SHOWN = 64;

    private final String field;
    private final String rule;

    public ValidationException(String field, String rule, Object value) {
        super(field + ": " + rule + " (was " + show(value) + ")");
        this.field = field;
        this.rule = rule;
    }

    /** The column or parameter that was wrong, e.g. {@code orders.limit_price}. */
    public String field() {
        return field;
    }

    /** The rule it broke, e.g. {@code must be > 0}. */
    public String rule() {
        return rule;
    }

    /** Renders the value safely for a log line: quoted, control characters escaped, long text cut. */
    static String show(Object value) {
        if (value == null) {
            return "null";
        }
        // BigDecimal.toString, not toPlainString: 1E+999999999 must not become a gigabyte of zeros.
        String text = value.toString();
        StringBuilder out = new StringBuilder();
        int shown = Math.min(text.length(), MAX_SHOWN);
        for (int i = 0; i < shown; i++) {
            char c = text.charAt(i);
            // C0, DEL, C1 (U+009B starts a terminal escape), bidi/zero-width formats, stray surrogates.
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (text.length() > MAX_SHOWN) {
            out.append("... (").append(text.length()).append(" chars)");
        }
        return value instanceof CharSequence ? "\"" + out + "\"" : out.toString();
    }
}
