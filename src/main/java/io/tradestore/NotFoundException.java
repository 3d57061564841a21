package io.tradestore;

/** The row an operation needs does not exist, e.g. an outcome for an unknown prediction id. */
public class NotFoundException extends TradestoreException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String message) {
        super(message);
    }
}
