package io.tradestore.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What the tests' logger (slf4j-simple) writes: it looks System.err up on every line, so swapping it captures. */
public final class StandardError {
    private StandardError() {
    }

    /** Everything written to standard error while {@code action} ran, on any thread. */
    public static String capture(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
