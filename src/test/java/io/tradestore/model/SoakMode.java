package io.tradestore.model;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Soak mode: with {@code -Dtradestore.soak=true} every property of a class annotated
 * {@code @AddLifecycleHook(SoakMode.class)} runs {@value #DEFAULT_FACTOR} times its {@code @Property(tries = ...)}
 * (or {@code -Dtradestore.soak.factor=N} times). The annotation's count stays what CI runs in the default build.
 *
 * <p>{@code @Property(tries)} is a compile-time constant, so the count is changed where jqwik allows it: in the
 * property's attributes, before the property starts.
 */
public final class SoakMode implements AroundPropertyHook {
    static final int DEFAULT_FACTOR = 20;

    static boolean enabled() {
        return Boolean.getBoolean("tradestore.soak");
    }

    static int factor() {
        return Math.max(1, Integer.getInteger("tradestore.soak.factor", DEFAULT_FACTOR));
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        if (enabled()) {
            int tries = context.attributes().tries().orElse(1000);
            context.attributes().setTries(Math.multiplyExact(tries, factor()));
        }
        return property.execute();
    }

    /** Registered on a test class, so it must reach the class's properties (jqwik's default: the class only). */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public int aroundPropertyProximity() {
        return -100; // outermost: the tries must be set before the property starts generating
    }
}
