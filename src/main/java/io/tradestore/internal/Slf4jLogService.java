package io.tradestore.internal;

import liquibase.logging.Logger;
import liquibase.logging.core.AbstractLogService;
import liquibase.logging.core.AbstractLogger;
import org.slf4j.LoggerFactory;

import java.util.logging.Level;

/**
 * Sends Liquibase's log through SLF4J (as everything in tradestore logs) instead of java.util.logging, and
 * only for migrations tradestore runs: it is installed in a Liquibase scope, not globally.
 */
final class Slf4jLogService extends AbstractLogService {
    @Override
    public int getPriority() {
        return PRIORITY_SPECIALIZED;
    }

    @Override
    public Logger getLog(Class clazz) {
        return new Slf4jLogger(LoggerFactory.getLogger(clazz));
    }

    private static final class Slf4jLogger extends AbstractLogger {
        private final org.slf4j.Logger delegate;

        Slf4jLogger(org.slf4j.Logger delegate) {
            this.delegate = delegate;
        }

        @Override
        public void log(Level level, String message, Throwable e) {
            int value = level.intValue();
            if (value == Level.OFF.intValue()) {
                delegate.trace(message, e); // Liquibase's "OFF" lines are status chatter, not errors
            } else if (value >= Level.SEVERE.intValue()) {
                delegate.error(message, e);
            } else if (value >= Level.WARNING.intValue()) {
                delegate.warn(message, e);
            } else if (value >= Level.INFO.intValue()) {
                // Liquibase narrates every step at INFO; that is debug-level detail for a library's user. What an
                // operator needs, what a migration applied, SchemaGate logs in one INFO line of its own.
                delegate.debug(message, e);
            } else {
                delegate.trace(message, e);
            }
        }
    }
}
