package io.tradestore.testing;

import org.junit.jupiter.api.Test;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.params.ParameterizedTest;
import org.quicktheories.QuickTheory;
import org.quicktheories.api.AsString;
import org.quicktheories.core.Gen;
import org.quicktheories.core.NoGuidance;
import org.quicktheories.core.Reporter;
import org.quicktheories.core.Strategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * What every property shares: how many tries it runs, with which seed, and how a failure says to replay it.
 *
 * <ul>
 *   <li>{@code -Dtradestore.seed=S} fixes the seed of every property (otherwise a fresh one per property);</li>
 *   <li>{@code -Dtradestore.soak=true} multiplies every property's tries by {@code -Dtradestore.soak.factor}
 *       (default {@value #DEFAULT_SOAK_FACTOR}): the long versions of the suites;</li>
 *   <li>a falsified property fails with QuickTheories' shrunk counterexample, the seed and the one command that
 *       replays it.</li>
 * </ul>
 *
 * Generation and shrinking are QuickTheories' own; this class only configures them.
 */
public final class Props {
    public static final String SEED = "tradestore.seed";
    public static final String SOAK = "tradestore.soak";
    public static final String SOAK_FACTOR = "tradestore.soak.factor";
    static final int DEFAULT_SOAK_FACTOR = 20;
    private static final Logger log = LoggerFactory.getLogger(Props.class);

    private Props() {
    }

    public static boolean soak() {
        return Boolean.getBoolean(SOAK);
    }

    public static int soakFactor() {
        return Math.max(1, Integer.getInteger(SOAK_FACTOR, DEFAULT_SOAK_FACTOR));
    }

    /** {@code perBuild} tries in the default build, that times the soak factor in a soak run. */
    public static int tries(int perBuild) {
        return soak() ? Math.multiplyExact(perBuild, soakFactor()) : perBuild;
    }

    /**
     * A property with {@link #tries(int) tries(perBuild)} examples. {@code shrinkCycles} bounds how many smaller
     * candidates are run after a failure: properties whose examples each drive a real database keep it small, so
     * that a failing build still ends in minutes.
     */
    public static QuickTheory qt(int perBuild, int shrinkCycles) {
        String test = callingTest();
        long seed = Long.getLong(SEED, System.nanoTime());
        // QuickTheories skips an example it has already run (same draws) but counts it against the budget; the
        // margin keeps at least tries(perBuild) distinct ones, which suites check with assertRan.
        int examples = tries(perBuild);
        int budget = examples + Math.max(5, examples / 10);
        log.debug("{}: {} examples, seed {}", test, budget, seed);
        Strategy strategy = new Strategy(Strategy.defaultPRNG(seed), budget, -1, shrinkCycles, 10,
                new ReplayingReporter(test, seed), prng -> new NoGuidance());
        return QuickTheory.qt(() -> strategy);
    }

    /**
     * Checks {@code property} for every example of {@code gen}: {@link #qt(int, int) qt(perBuild, shrinkCycles)},
     * then {@link #assertRan} on the examples that ran.
     */
    public static <T> void check(int perBuild, int shrinkCycles, Gen<T> gen, Consumer<T> property) {
        int[] ran = {0};
        qt(perBuild, shrinkCycles).forAll(gen).checkAssert(value -> {
            ran[0]++;
            property.accept(value);
        });
        assertRan("examples", ran[0], perBuild);
    }

    /** Fails unless a passed property ran at least {@link #tries(int) tries(perBuild)} distinct examples. */
    public static void assertRan(String what, int ran, int perBuild) {
        if (ran < tries(perBuild)) {
            throw new AssertionError(what + ": only " + ran + " distinct examples ran, fewer than the " + tries(perBuild)
                    + " this property promises; QuickTheories skipped the rest as repeats: widen the generator or"
                    + " raise the margin in Props.qt");
        }
    }

    /** The command that reruns {@code test} with {@code seed}, soak settings included. */
    static String replayCommand(String test, long seed) {
        StringBuilder cmd = new StringBuilder("mvn verify -Dtest='").append(test).append("' -D").append(SEED)
                .append('=').append(seed);
        if (soak()) {
            cmd.append(" -D").append(SOAK).append("=true -D").append(SOAK_FACTOR).append('=').append(soakFactor());
        }
        return cmd.toString();
    }

    /** "Class#method" of the JUnit test method on the stack (surefire's -Dtest syntax; nested classes with $). */
    private static String callingTest() {
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> frames
                .filter(f -> isTestMethod(f.getDeclaringClass(), f.getMethodName()))
                .findFirst()
                .map(f -> {
                    String name = f.getDeclaringClass().getName();
                    return name.substring(name.lastIndexOf('.') + 1) + "#" + f.getMethodName();
                })
                .orElse("<unknown test>"));
    }

    private static boolean isTestMethod(Class<?> type, String method) {
        for (Method m : type.getDeclaredMethods()) {
            // Meta-annotations count: @EachEngine is a @ParameterizedTest.
            if (m.getName().equals(method) && (AnnotationSupport.isAnnotated(m, Test.class)
                    || AnnotationSupport.isAnnotated(m, ParameterizedTest.class)
                    || AnnotationSupport.isAnnotated(m, TestTemplate.class))) {
                return true;
            }
        }
        return false;
    }

    /** QuickTheories' report, plus the seed as a system property and the command that replays the failure. */
    private record ReplayingReporter(String test, long seed) implements Reporter {
        @Override
        public void falisification(long s, int count, Object smallest, Throwable cause, List<Object> examples,
                                   AsString<Object> toString) {
            throw failure(count, smallest, cause, examples, toString);
        }

        @Override
        public void falisification(long s, int count, Object smallest, List<Object> examples,
                                   AsString<Object> toString) {
            throw failure(count, smallest, null, examples, toString);
        }

        @Override
        public void valuesExhausted(int completed) {
            throw new IllegalStateException(test + ": gave up after only " + completed
                    + " example(s) matched the assumptions (seed " + seed + ")");
        }

        private AssertionError failure(int count, Object smallest, Throwable cause, List<Object> examples,
                                       AsString<Object> toString) {
            String others = examples.stream().filter(e -> e != smallest).limit(3).map(toString::asString)
                    .collect(Collectors.joining("\n  ", "  ", ""));
            AssertionError e = new AssertionError(String.format(
                    "Property %s falsified after %d example(s).%nSmallest counterexample:%n  %s%n%s%s"
                            + "Seed: -D%s=%d%nReplay: %s",
                    test, count, toString.asString(smallest),
                    cause == null ? "" : String.format("Because:%n  %s%n", cause.toString().replace("\n", "\n  ")),
                    examples.size() > 1 ? String.format("Other counterexamples found while shrinking:%n%s%n", others) : "",
                    SEED, seed, replayCommand(test, seed)), cause);
            return e;
        }
    }

    /**
     * Counts what the examples exercised: {@code tally.add("outcome")}, then
     * {@link #report()} logs the distribution at INFO and returns it, for coverage assertions.
     */
    public static final class Tally {
        private final String name;
        private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

        public Tally(String name) {
            this.name = name;
        }

        public void add(String key) {
            counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }

        public int count(String key) {
            AtomicInteger c = counts.get(key);
            return c == null ? 0 : c.get();
        }

        /** The counts of every key that starts with {@code prefix}, summed. */
        public int countStartingWith(String prefix) {
            return counts.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .mapToInt(e -> e.getValue().get()).sum();
        }

        /** Forgets every count: for a property that runs once per engine and asserts on each run's own. */
        public void clear() {
            counts.clear();
        }

        public int total() {
            return counts.values().stream().mapToInt(AtomicInteger::get).sum();
        }

        public Map<String, Integer> report() {
            Map<String, Integer> sorted = new TreeMap<>();
            counts.forEach((k, v) -> sorted.put(k, v.get()));
            int total = Math.max(1, total());
            log.info("{} ({} in all):\n{}", name, total(), sorted.entrySet().stream()
                    .map(e -> String.format("  %-60s %7d  %5.1f %%", e.getKey(), e.getValue(), 100.0 * e.getValue() / total))
                    .collect(Collectors.joining("\n")));
            return sorted;
        }

        @Override
        public String toString() {
            return name + " " + Arrays.toString(counts.entrySet().toArray());
        }
    }
}
