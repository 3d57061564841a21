package io.tradestore;

/** The operation is not allowed in the row's current state: filling a cancelled order, closing a closed position. */
public class InvalidStateTransitionException extends TradestoreException {
    private static final long serialVersionUID = 1L;

    public InvalidStateTransitionException(String message) {
        super(message);
    }
}
