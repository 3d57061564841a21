package io.tradestore;

/**
 * Base of every exception tradestore throws on purpose. Unchecked: callers catch the subtype they can act
 * on (a {@link ValidationException} is a bug in the caller's input, a conflict may be expected) and let the
 * rest propagate out of the unit of work, which rolls it back.
 */
public abstract class TradestoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected TradestoreException(String message) {
        super(message);
    }

    protected TradestoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
