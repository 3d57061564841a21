package io.tradestore.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of long work (import, backup, retention, copy) on one terminal line, rewritten at most every 250 ms:
 * done / total, rate and ETA. Quiet when standard error is not a terminal (a cron job's log gets the final report
 * only) or with --json.
 */
final class Progress implements AutoCloseable {
    private static final long REDRAW_NANOS = 250_000_000L;

    private final PrintWriter err;
    private final String what;
    private final long total;
    private final String unit;
    private final boolean shown;
    private final LongSupplier clock;
    private final long started;
    private long done;
    private long lastDrawn;
    private int width;

    private Progress(PrintWriter err, String what, long total, String unit, boolean shown, LongSupplier clock) {
        this.err = err;
        this.what = what;
        this.total = total;
        this.unit = unit;
        this.shown = shown;
        this.clock = clock;
        this.started = clock.getAsLong();
        this.lastDrawn = started;
    }

    /** {@code total} below 0: unknown (no percentage, no ETA). */
    static Progress on(PrintWriter err, String what, long total, String unit, boolean shown) {
        return new Progress(err, what, total, unit, shown, System::nanoTime);
    }

    /** For tests: a clock in nanoseconds they control. */
    static Progress on(PrintWriter err, String what, long total, String unit, LongSupplier clock) {
        return new Progress(err, what, total, unit, true, clock);
    }

    /**
     * Whether standard error is an interactive terminal. {@code System.console()} is null when a stream is
     * redirected on JDK 17-21; from JDK 22 it is not, and {@code Console.isTerminal()} (looked up reflectively, as
     * the baseline is 17) says it.
     */
    static boolean terminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException olderJdk) {
            return true;
        }
    }

    void advance(long n) {
        to(done + n);
    }

    /** Sets how much is done (for work measured from outside, e.g. the size of a file being written). */
    synchronized void to(long value) {
        done = value;
        long now = clock.getAsLong();
        if (shown && now - lastDrawn >= REDRAW_NANOS) {
            lastDrawn = now;
            draw(now);
        }
    }

    /** The line as it would be drawn now (tests read it). */
    String line(long now) {
        double seconds = Math.max(1e-9, (now - started) / 1e9);
        double rate = done / seconds;
        StringBuilder sb = new StringBuilder(what).append(": ").append(String.format(Locale.ROOT, "%,d", done));
        if (total >= 0) {
            sb.append(String.format(Locale.ROOT, " / %,d %s (%d %%)", total, unit,
                    total == 0 ? 100 : Math.min(100, done * 100 / total)));
        } else {
            sb.append(' ').append(unit);
        }
        sb.append(String.format(Locale.ROOT, ", %,.0f %s/s", rate, unit));
        if (total >= 0 && rate > 0 && done < total) {
            sb.append(", ETA ").append(eta((long) Math.ceil((total - done) / rate)));
        }
        return sb.toString();
    }

    private static String eta(long seconds) {
        return seconds >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60)
                : seconds >= 60 ? String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60)
                : seconds + "s";
    }

    private void draw(long now) {
        String line = line(now);
        err.print('\r' + line + " ".repeat(Math.max(0, width - line.length())));
        width = line.length();
        err.flush();
    }

    /** Draws the last state and ends the line, if anything was shown. */
    @Override
    public synchronized void close() {
        if (shown) {
            draw(clock.getAsLong());
            err.println();
            err.flush();
        }
    }
}
