package io.tradestore.testing;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.UnitOfWork;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A fresh store on a real SQLite file for every test, closed and deleted afterwards:
 * {@code @RegisterExtension final TempStore store = new TempStore();}, then {@code store.inTransaction(...)} as on
 * a {@link Tradestore}. Replaces the open/close boilerplate each DAO test used to repeat.
 */
public final class TempStore implements BeforeEachCallback, AfterEachCallback {
    private final Clock clock;
    private Path dir;
    private Tradestore store;

    public TempStore() {
        this(null);
    }

    /** A store whose clock is {@code clock}, e.g. a {@link MutableClock} the test moves. */
    public TempStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("tradestore-test");
        TradestoreConfig config = Stores.config(dir);
        store = Tradestore.open(clock == null ? config : config.withClock(clock));
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        try {
            store.close();
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The open store, for code that needs the {@link Tradestore} itself. */
    public Tradestore get() {
        return store;
    }

    /** The directory holding the database file. */
    public Path dir() {
        return dir;
    }

    public Path file() {
        return dir.resolve("tradestore.db");
    }

    public <T> T inTransaction(Function<UnitOfWork, T> work) {
        return store.inTransaction(work);
    }

    public void useTransaction(Consumer<UnitOfWork> work) {
        store.useTransaction(work);
    }

    public <T> T read(Function<UnitOfWork, T> work) {
        return store.read(work);
    }
}
