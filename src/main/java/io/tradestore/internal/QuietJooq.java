package io.tradestore.internal;

/**
 * Keeps jOOQ's ASCII logo and "tip of the day" out of the users' logs. jOOQ 3.19 prints both once per JVM, at INFO,
 * when its first statement renders ({@code DefaultRenderContext}'s static initializer), unless the system properties
 * {@code org.jooq.no-logo} and {@code org.jooq.no-tips} are true; there is no {@code Settings} for them. A property
 * the application set itself, either way, is left alone.
 */
public final class QuietJooq {
    static final String NO_LOGO = "org.jooq.no-logo";
    static final String NO_TIPS = "org.jooq.no-tips";

    private QuietJooq() {
    }

    /** Must run before jOOQ renders its first statement in this JVM; later it changes nothing. Idempotent. */
    public static void install() {
        quietUnlessSet(NO_LOGO);
        quietUnlessSet(NO_TIPS);
    }

    private static void quietUnlessSet(String property) {
        try {
            if (System.getProperty(property) == null) {
                System.setProperty(property, "true");
            }
        } catch (SecurityException e) {
            // A security manager that forbids it: jOOQ prints its banner, nothing worse.
        }
    }
}
