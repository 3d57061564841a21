package io.tradestore.testing;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Waiting for another test thread without hanging the build when it never comes. */
public final class Latches {
    private Latches() {
    }

    /** Waits for {@code latch}; fails the test after 30 s instead of waiting for ever. */
    public static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("timed out waiting for another thread");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
