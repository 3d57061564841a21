package io.tradestore.testing;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Throwaway databases on a real PostgreSQL server, each created by its constructor and dropped by {@link #close()}.
 *
 * <p>The server comes from the environment: {@code TRADESTORE_PG_URL} (a JDBC URL of any database on it, e.g.
 * {@code jdbc:postgresql://127.0.0.1:5432/postgres}; the tests create their own databases next to it),
 * {@code TRADESTORE_PG_USER} (default {@code postgres}) and {@code TRADESTORE_PG_PASSWORD} (default empty), or the
 * system properties {@code tradestore.pg.url/user/password}. Unset, every PostgreSQL case is skipped and one log
 * line says how to enable them, so {@code mvn verify} passes on a laptop without PostgreSQL; {@code .ci/run} sets
 * it, so CI always runs both engines.
 */
public final class PostgresDatabases implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PostgresDatabases.class);
    public static final String HOW_TO_ENABLE = "PostgreSQL cases skipped: set TRADESTORE_PG_URL (e.g."
            + " jdbc:postgresql://127.0.0.1:5432/postgres, with TRADESTORE_PG_USER/TRADESTORE_PG_PASSWORD) to run them";
    private static final String URL = setting("TRADESTORE_PG_URL", "tradestore.pg.url", null);
    public static final String USER = setting("TRADESTORE_PG_USER", "tradestore.pg.user", "postgres");
    public static final String PASSWORD = setting("TRADESTORE_PG_PASSWORD", "tradestore.pg.password", "");
    /** The server part of {@link #URL}, up to and including the slash before the database name. */
    private static final String SERVER = URL == null ? null : URL.substring(0, URL.lastIndexOf('/') + 1);
    /** Options after the database name ({@code ?ssl=...}), kept on every database's URL. */
    private static final String OPTIONS = URL == null || !URL.contains("?") ? "" : URL.substring(URL.indexOf('?'));
    private static final String ADMIN_DATABASE = URL == null ? null
            : URL.substring(URL.lastIndexOf('/') + 1, URL.length() - OPTIONS.length());

    private static boolean announced;
    private static String template;

    private final String name;

    /** A new, empty database (no schema). Skips the calling test (or class, in a {@code @BeforeAll}) without a server. */
    public PostgresDatabases() throws SQLException {
        this(null);
    }

    private PostgresDatabases(String templateName) throws SQLException {
        assumeAvailable();
        name = "tradestore_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        admin("CREATE DATABASE " + name + (templateName == null ? "" : " TEMPLATE " + templateName));
    }

    /**
     * A new database already migrated to this build's schema version, cloned from a template migrated once per JVM
     * (migrating costs every changeset; {@code CREATE DATABASE ... TEMPLATE} copies the files).
     */
    public static PostgresDatabases migrated() throws SQLException {
        return new PostgresDatabases(template());
    }

    /**
     * A new database created from this one ({@code CREATE DATABASE ... TEMPLATE}): a copy of every table, row and
     * sequence. This database must have no open sessions then (close its stores first).
     */
    public PostgresDatabases copy() throws SQLException {
        return new PostgresDatabases(name);
    }

    /** True when a server is configured (see the class comment). Logs how to enable the cases, once, when not. */
    public static synchronized boolean available() {
        if (URL == null && !announced) {
            announced = true;
            log.warn(HOW_TO_ENABLE);
        }
        return URL != null;
    }

    /** Aborts the calling test (reported as skipped) when no server is configured. */
    public static void assumeAvailable() {
        Assumptions.assumeTrue(available(), HOW_TO_ENABLE);
    }

    public String name() {
        return name;
    }

    public String url() {
        return SERVER + name + OPTIONS;
    }

    /** A config for this database as the configured user, with the library's defaults. */
    public TradestoreConfig config() {
        return TradestoreConfig.postgres(url(), USER, PASSWORD);
    }

    public Tradestore open() {
        return Tradestore.open(config());
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), USER, PASSWORD);
    }

    @Override
    public void close() throws SQLException {
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static synchronized String template() throws SQLException {
        if (template == null) {
            PostgresDatabases db = new PostgresDatabases(null);
            try (Tradestore store = db.open()) {
                store.schemaVersion();
            }
            // A template must have no other sessions when it is cloned; the pool above is closed.
            String name = db.name;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
                } catch (SQLException e) {
                    log.warn("could not drop the template database {}", name, e);
                }
            }, "drop-" + name));
            template = name;
        }
        return template;
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER + ADMIN_DATABASE + OPTIONS, USER, PASSWORD);
             Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static String setting(String env, String property, String fallback) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(env);
        }
        return value == null || value.isBlank() ? fallback : value;
    }
}
