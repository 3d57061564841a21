package io.tradestore;

/**
 * The row changed since the caller read it: its version is no longer the one the caller holds. Read it again
 * and decide anew.
 */
public class OptimisticLockException extends TradestoreException {
    private static final long serialVersionUID = 1L;

    public OptimisticLockException(String message) {
        super(message);
    }
}
