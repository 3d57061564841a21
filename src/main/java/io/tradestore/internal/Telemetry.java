package io.tradestore.internal;

/**
 * Where units of work and statements report their timings when the store has a meter registry. No Micrometer type
 * appears here or in anything that loads without a registry: {@link MicrometerTelemetry}, the one implementation,
 * is loaded by {@link #of} only when there is a registry, so tradestore runs without Micrometer on the class path.
 */
public interface Telemetry {
    /** How one attempt of an outermost unit of work ended. */
    enum UnitOutcome {
        /** The unit committed. */
        COMMIT,
        /** The unit's function (or its commit) threw something other than busy; nothing was written. */
        ROLLBACK,
        /** The database was busy and the unit will run again. */
        RETRY,
        /** The database was busy and the unit gives up with {@code BusyException} (retries spent, or not retryable). */
        BUSY;

        /** The tag value: the name in lower case. */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One attempt of a unit; {@code write} tells a write unit from a read unit. */
    void unit(boolean write, UnitOutcome outcome, long nanos);

    /** One statement, by its {@link StatementTimer#kind kind}; {@code failed} if it threw. */
    void query(String kind, boolean failed, long nanos);

    /** Telemetry into {@code meterRegistry} (a Micrometer MeterRegistry), or null when there is none. */
    static Telemetry of(Object meterRegistry) {
        return meterRegistry == null ? null : new MicrometerTelemetry(meterRegistry);
    }
}
