package io.tradestore.testing;

import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;

/**
 * Runs a property only with {@code -Dtradestore.soak=true}: the long versions of the suites, too slow for every
 * build (docs/testing.md). Use with {@code @AddLifecycleHook(SoakOnly.class)}.
 */
public final class SoakOnly implements SkipExecutionHook {
    public static boolean enabled() {
        return Boolean.getBoolean("tradestore.soak");
    }

    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        return enabled() ? SkipResult.doNotSkip() : SkipResult.skip("soak run only: -Dtradestore.soak=true");
    }
}
