package io.tradestore.testing;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One store per engine for a whole test class, opened on first use, so that without a PostgreSQL server the SQLite
 * cases still run ({@code private static final EngineStores stores = new EngineStores(...)}, closed in
 * {@code @AfterAll}). SQLite: a migrated file in a temporary directory; PostgreSQL: a clone of the migrated template,
 * as the application role, or as the owner for classes that create tables of their own.
 */
public final class EngineStores implements AutoCloseable {
    private final String prefix;
    private final boolean owner;
    private final UnaryOperator<TradestoreConfig> configurePostgres;
    private final Map<TestEngine, Tradestore> stores = new EnumMap<>(TestEngine.class);
    private Path dir;
    private PostgresDatabases pg;

    /**
     * {@code prefix} names the SQLite store's temporary directory; {@code owner}: PostgreSQL as the schema's owner
     * role; {@code configurePostgres} adjusts the PostgreSQL config (the SQLite store keeps the defaults).
     */
    public EngineStores(String prefix, boolean owner, UnaryOperator<TradestoreConfig> configurePostgres) {
        this.prefix = prefix;
        this.owner = owner;
        this.configurePostgres = configurePostgres;
    }

    public synchronized Tradestore get(TestEngine engine) {
        return stores.computeIfAbsent(engine, e -> Tradestore.open(config(e)));
    }

    /** The PostgreSQL database, once {@link #get} opened it (null before). */
    public synchronized PostgresDatabases postgres() {
        return pg;
    }

    private TradestoreConfig config(TestEngine engine) {
        try {
            if (engine == TestEngine.SQLITE) {
                dir = Files.createTempDirectory(prefix);
                return Stores.config(dir);
            }
            pg = PostgresDatabases.migrated();
            return configurePostgres.apply(owner ? pg.ownerConfig() : pg.config());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the PostgreSQL database", e);
        }
    }

    @Override
    public synchronized void close() throws Exception {
        for (Tradestore store : stores.values()) {
            store.close();
        }
        stores.clear();
        if (pg != null) {
            pg.close();
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
