package io.tradestore.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.ArgumentsProvider;
import org.junit.jupiter.params.provider.ArgumentsSource;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.stream.Stream;

/**
 * The databases a suite runs on. A test written once takes a {@code TestEngine} parameter and is annotated
 * {@link EachEngine}: it runs on SQLite always and on PostgreSQL when a server is configured
 * ({@link PostgresDatabases}); without one the PostgreSQL case is absent and one log line says how to enable it.
 */
public enum TestEngine {
    SQLITE(1), POSTGRES(3);

    /**
     * How many times more a PostgreSQL example costs than a SQLite one (round trips to the server): properties divide
     * their tries by it to keep {@code mvn verify} under six minutes; soak runs multiply both.
     */
    private final int costFactor;

    TestEngine(int costFactor) {
        this.costFactor = costFactor;
    }

    /** {@code tries} on SQLite, a third of them (at least one) on PostgreSQL. */
    public int tries(int sqliteTries) {
        return Math.max(1, sqliteTries / costFactor);
    }

    /** {@code @ParameterizedTest} over every available engine; the display name is the engine. */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @ParameterizedTest(name = "{0}")
    @ArgumentsSource(Available.class)
    public @interface EachEngine {
    }

    /**
     * As {@link EachEngine}, but PostgreSQL only in soak runs ({@code -Dtradestore.soak=true}): for cases that prove
     * something already proven on PostgreSQL by a cheaper case, or by an earlier release that cannot change (the
     * refusals and guards of released migrations), where a PostgreSQL run costs seconds and the six-minute build
     * cannot carry every one of them.
     */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @ParameterizedTest(name = "{0}")
    @ArgumentsSource(SoakOnPostgres.class)
    public @interface EachEngineSoakOnPostgres {
    }

    /** SQLite, and PostgreSQL when configured. */
    public static Stream<TestEngine> available() {
        return PostgresDatabases.available() ? Stream.of(SQLITE, POSTGRES) : Stream.of(SQLITE);
    }

    static final class SoakOnPostgres implements ArgumentsProvider {
        @Override
        public Stream<? extends Arguments> provideArguments(ExtensionContext context) {
            return available().filter(e -> e == SQLITE || Boolean.getBoolean("tradestore.soak")).map(Arguments::of);
        }
    }

    static final class Available implements ArgumentsProvider {
        @Override
        public Stream<? extends Arguments> provideArguments(ExtensionContext context) {
            return available().map(Arguments::of);
        }
    }
}
