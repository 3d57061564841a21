package io.tradestore.internal;

import org.jooq.Delete;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.Insert;
import org.jooq.Merge;
import org.jooq.Query;
import org.jooq.Select;
import org.jooq.Update;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Times every statement jOOQ runs, from its prepare to the end of its fetch: logs it at WARN when it took longer
 * than the slow-query threshold, and reports it to the {@link Telemetry} when the store records metrics. Installed
 * only when one of the two is on, so a store with neither runs exactly the listeners it did before. Stateless (the
 * start time travels in the statement's own context), so one instance serves every thread.
 */
public final class StatementTimer implements ExecuteListener {
    private static final long serialVersionUID = 1L;
    /** Its own logger, so an operator can route or silence the slow-query log apart from the rest. */
    static final Logger SLOW = LoggerFactory.getLogger("io.tradestore.SlowQuery");
    /** A log line stays a line: SQL longer than this (a long multi-row INSERT) is cut, its length stated. */
    static final int MAX_SQL_CHARS = 2_000;
    private static final String START = StatementTimer.class.getName() + ".start";
    /** First keywords of plain SQL that name a kind of their own; anything else is "other". Bounded by design. */
    private static final Set<String> KEYWORDS = Set.of("select", "insert", "update", "delete", "merge", "with",
            "values", "create", "alter", "drop", "truncate", "pragma", "set", "lock", "analyze", "vacuum", "explain");

    private final transient Telemetry telemetry;
    private final long slowNanos;

    private StatementTimer(Telemetry telemetry, Duration slowThreshold) {
        this.telemetry = telemetry;
        this.slowNanos = slowThreshold.toNanos();
    }

    /** The timer for a store, or null when it would do nothing (no telemetry, slow-query log off). */
    public static StatementTimer of(Telemetry telemetry, Duration slowThreshold) {
        if (telemetry == null && slowThreshold.isZero()) {
            return null;
        }
        return new StatementTimer(telemetry, slowThreshold);
    }

    /** From the prepare: SQLite compiles the statement there, and refuses a bad one (no such table) there too. */
    @Override
    public void prepareStart(ExecuteContext ctx) {
        ctx.data(START, System.nanoTime());
    }

    /** A statement jOOQ runs without preparing it first (static statements) starts its clock here. */
    @Override
    public void executeStart(ExecuteContext ctx) {
        ctx.data().putIfAbsent(START, System.nanoTime());
    }

    @Override
    public void exception(ExecuteContext ctx) {
        finish(ctx, true);
    }

    @Override
    public void end(ExecuteContext ctx) {
        finish(ctx, false);
    }

    /** Once per statement: the first of exception() and end() takes the start time away. */
    private void finish(ExecuteContext ctx, boolean failed) {
        Object start = ctx.data().remove(START);
        if (!(start instanceof Long started)) {
            return; // failed before the database saw it (rendering): nothing ran to time
        }
        long nanos = System.nanoTime() - started;
        if (telemetry != null) {
            telemetry.query(kind(ctx), failed, nanos);
        }
        if (slowNanos > 0 && nanos > slowNanos && SLOW.isWarnEnabled()) {
            SLOW.warn("slow query: {} ms (threshold {} ms){}: {}", nanos / 1_000_000, slowNanos / 1_000_000,
                    failed ? ", failed" : "", sqlOf(ctx));
        }
    }

    /**
     * What kind of statement, from a fixed set (bounded tag cardinality): jOOQ's own query type when it built the
     * statement, else the first keyword of plain SQL if it is one of a known few, else "other"; a batch is "batch".
     */
    static String kind(ExecuteContext ctx) {
        if (ctx.batchQueries().length > 1) {
            return "batch";
        }
        Query q = ctx.query();
        if (q instanceof Select<?>) {
            return "select";
        } else if (q instanceof Insert<?>) {
            return "insert";
        } else if (q instanceof Update<?>) {
            return "update";
        } else if (q instanceof Delete<?>) {
            return "delete";
        } else if (q instanceof Merge<?>) {
            return "merge";
        }
        String sql = ctx.sql();
        if (sql == null) {
            return "other";
        }
        String s = sql.stripLeading();
        int end = 0;
        while (end < s.length() && end < 10 && Character.isLetter(s.charAt(end))) {
            end++;
        }
        String keyword = s.substring(0, end).toLowerCase(Locale.ROOT);
        return KEYWORDS.contains(keyword) ? keyword : "other";
    }

    /** The SQL with its placeholders (never the bound values), cut at {@link #MAX_SQL_CHARS}. */
    static String sqlOf(ExecuteContext ctx) {
        String[] batch = ctx.batchSQL();
        String sql = ctx.sql() != null ? ctx.sql() : batch.length > 0 ? batch[0] : null;
        if (sql == null) {
            return "(no SQL)";
        }
        String more = batch.length > 1 ? " (batch of " + batch.length + " statements)" : "";
        return sql.length() <= MAX_SQL_CHARS ? sql + more
                : sql.substring(0, MAX_SQL_CHARS) + "... (" + sql.length() + " chars)" + more;
    }
}
