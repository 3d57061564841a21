package io.tradestore.internal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The only class that names Micrometer: loaded through {@link Telemetry#of} when the store has a registry. Meters
 * are tagged with bounded values only (unit type and outcome; statement kind and outcome), never SQL text, so their
 * number stays fixed whatever the application runs. Names and tags are listed in docs/operations.md ("Metrics").
 */
final class MicrometerTelemetry implements Telemetry {
    static final String UNIT = "tradestore.unit";
    static final String QUERY = "tradestore.query";
    private static final double[] PERCENTILES = {0.5, 0.95, 0.99};

    private final MeterRegistry registry;
    /** [write ? 1 : 0][outcome]: every possible combination registered up front: a dashboard sees zeros, not gaps. */
    private final Timer[][] units = new Timer[2][UnitOutcome.values().length];
    private final Map<String, Timer> succeeded = new ConcurrentHashMap<>();
    private final Map<String, Timer> failed = new ConcurrentHashMap<>();

    MicrometerTelemetry(Object registry) {
        this.registry = (MeterRegistry) registry;
        for (int write = 0; write < 2; write++) {
            for (UnitOutcome outcome : UnitOutcome.values()) {
                if (write == 0 && outcome == UnitOutcome.RETRY) {
                    continue; // read units are never run again
                }
                units[write][outcome.ordinal()] = Timer.builder(UNIT)
                        .description("One attempt of an outermost unit of work: from asking for its connection to"
                                + " its commit, or to the failure that ended it")
                        .tag("type", write == 1 ? "write" : "read")
                        .tag("outcome", outcome.tag())
                        .publishPercentiles(PERCENTILES)
                        .register(this.registry);
            }
        }
    }

    @Override
    public void unit(boolean write, UnitOutcome outcome, long nanos) {
        units[write ? 1 : 0][outcome.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void query(String kind, boolean failure, long nanos) {
        (failure ? failed : succeeded).computeIfAbsent(kind, k -> Timer.builder(QUERY)
                        .description("One statement run through jOOQ, from its prepare to the end of its fetch")
                        .tag("kind", k)
                        .tag("outcome", failure ? "error" : "success")
                        .publishPercentiles(PERCENTILES)
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }
}
