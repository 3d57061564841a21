package io.tradestore.legacy;

import io.tradestore.TradestoreException;

/**
 * A consolidation was refused or could not read its sources: a path that does not exist, a file given by name that is
 * not SQLite, a source that is the target database itself, a legacy file SQLite cannot read. Raised before the
 * backup and before any write, so the target is as it was; the legacy files are never written in any case.
 */
public class ConsolidationException extends TradestoreException {
    private static final long serialVersionUID = 1L;

    public ConsolidationException(String message) {
        super(message);
    }

    public ConsolidationException(String message, Throwable cause) {
        super(message, cause);
    }
}
