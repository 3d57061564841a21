package io.tradestore;

import java.util.Comparator;
import java.util.List;

/**
 * What {@link Tradestore#health} found: one {@link Check} per property it looked at and the worst of their statuses.
 * The checks and their thresholds are documented in docs/operations.md ("health") and decision 0020.
 *
 * @param status the worst status of any check
 * @param checks in the order they ran
 */
public record Health(Status status, List<Check> checks) {
    /** OK: nothing to do. WARN: look at it soon (space, a stuck checkpoint, bloat). FAIL: the data is suspect. */
    public enum Status { OK, WARN, FAIL }

    /**
     * One property of the database.
     *
     * @param name      stable identifier, e.g. {@code quick_check}, {@code wal_size}
     * @param status    its verdict
     * @param value     what was measured, for people (e.g. {@code 12.0 MiB}, {@code 0 rows})
     * @param threshold the limit it was held against (e.g. {@code WARN above 64.0 MiB}), or null for a check
     *                  that only reports
     * @param message   what it means and, when not OK, what to do
     */
    public record Check(String name, Status status, String value, String threshold, String message) {
    }

    public Health {
        checks = List.copyOf(checks);
    }

    /** The health of these checks: the worst status among them (OK when there are none). */
    public static Health of(List<Check> checks) {
        Status worst = checks.stream().map(Check::status).max(Comparator.naturalOrder()).orElse(Status.OK);
        return new Health(worst, checks);
    }

    /** The check called {@code name}, or an IllegalArgumentException naming the checks there are. */
    public Check check(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no check " + name + " in this report; it has "
                        + checks.stream().map(Check::name).toList()));
    }
}
