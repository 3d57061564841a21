package io.tradestore.internal;

/** Temporary home until the public exception hierarchy lands; see SchemaVersionException. */
final class MigrationFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MigrationFailedException(String command, Throwable cause) {
        super("liquibase " + command + " failed: " + cause.getMessage(), cause);
    }
}
