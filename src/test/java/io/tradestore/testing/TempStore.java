package io.tradestore.testing;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.UnitOfWork;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.params.support.ParameterInfo;
import org.junit.platform.commons.support.AnnotationSupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A fresh store for every test, closed and removed afterwards: {@code @RegisterExtension final TempStore store =
 * new TempStore();}, then {@code store.inTransaction(...)} as on a {@link Tradestore}.
 *
 * <p>The engine is the invocation's {@link TestEngine} argument, from {@link OnEachEngine} on the class or
 * {@link TestEngine.EachEngine} on the method; a plain {@code @Test} gets SQLite. SQLite: a copy of a file migrated
 * once per JVM in a temporary directory ({@link Stores}). PostgreSQL: one database per test class, cloned from a
 * template migrated once per JVM and dropped after the class, whose rows and sequences are put back to the freshly
 * migrated state before each test ({@link ReusedDatabase}): no test sees another's rows, and ids start at 1.
 */
public final class TempStore implements BeforeEachCallback, AfterEachCallback {
    private final Clock clock;
    private TestEngine engine;
    private Path dir;
    private PostgresDatabases database;
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(TempStore.class);
    private TradestoreConfig config;
    private Tradestore store;

    public TempStore() {
        this(null);
    }

    /** A store whose clock is {@code clock}, e.g. a {@link MutableClock} the test moves. */
    public TempStore(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException, SQLException {
        engine = engineOf(context).orElseGet(() -> {
            if (AnnotationSupport.isAnnotated(context.getRequiredTestClass(), OnEachEngine.class)) {
                // JUnit hands a class's arguments only to what declares them: without the field, both runs were SQLite.
                throw new IllegalStateException(context.getRequiredTestClass().getSimpleName()
                        + " is @OnEachEngine: declare the field `@Parameter TestEngine engine;` so TempStore sees it");
            }
            return TestEngine.SQLITE;
        });
        TradestoreConfig base;
        if (engine == TestEngine.POSTGRES) {
            database = sharedDatabase(context).acquire();
            // Four, not the default ten: Hikari opens every pooled connection up front, a server process each, for
            // every test; no test here runs more than three units at once.
            base = database.config().withPoolSize(4);
        } else {
            dir = Files.createTempDirectory("tradestore-test");
            base = Stores.config(dir);
        }
        config = clock == null ? base : base.withClock(clock);
        store = Tradestore.open(config);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException, SQLException {
        try {
            if (store != null) {
                store.close();
            }
        } finally {
            if (dir != null) {
                try (var files = Files.walk(dir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** The PostgreSQL database of the test's class (its engine's invocation of it), dropped when the class ends. */
    private static ReusedDatabase sharedDatabase(ExtensionContext context) {
        ExtensionContext owner = context;
        while (owner.getTestMethod().isPresent() && owner.getParent().isPresent()) {
            owner = owner.getParent().get();
        }
        return owner.getStore(NAMESPACE)
                .getOrComputeIfAbsent(ReusedDatabase.class, k -> new ReusedDatabase(), ReusedDatabase.class);
    }

    /**
     * The nearest {@link TestEngine} argument of the running invocation: a parameterized method's own arguments
     * first (a {@code @CsvSource} row has none), then its class's ({@link OnEachEngine}).
     */
    static Optional<TestEngine> engineOf(ExtensionContext context) {
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            ParameterInfo info = ParameterInfo.get(c);
            if (info == null) {
                return Optional.empty();
            }
            for (int i = 0; i < info.getArguments().size(); i++) {
                if (info.getArguments().get(i) instanceof TestEngine e) {
                    return Optional.of(e);
                }
            }
        }
        return Optional.empty();
    }

    /** The engine this test's store runs on. */
    public TestEngine engine() {
        return engine;
    }

    /** The open store, for code that needs the {@link Tradestore} itself. */
    public Tradestore get() {
        return store;
    }

    /** The config the store was opened with (the test's clock included), e.g. to open a second store on it. */
    public TradestoreConfig config() {
        return config;
    }

    /**
     * A plain JDBC connection to the store's database beside its pools (autocommit), e.g. another session holding a
     * lock or changing a row behind the store's back. The caller closes it.
     */
    public Connection connect() throws SQLException {
        return database != null ? database.connect() : SqliteFiles.open(file());
    }

    /** The directory holding the SQLite file; SQLite only. */
    public Path dir() {
        if (dir == null) {
            throw new IllegalStateException("a " + engine + " store has no file");
        }
        return dir;
    }

    /** The SQLite file; SQLite only. */
    public Path file() {
        return dir().resolve("tradestore.db");
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
