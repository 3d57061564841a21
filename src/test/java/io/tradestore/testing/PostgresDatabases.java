package io.tradestore.testing;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Throwaway databases on a real PostgreSQL server, each created by its constructor and dropped by {@link #close()}.
 *
 * <p>The server comes from the environment: {@code TRADESTORE_PG_URL} (a JDBC URL of any database on it, e.g.
 * {@code jdbc:postgresql://127.0.0.1:5432/postgres}; the tests create their own databases next to it),
 * {@code TRADESTORE_PG_USER} (default {@code postgres}) and {@code TRADESTORE_PG_PASSWORD} (default empty), or the
 * system properties {@code tradestore.pg.url/user/password}. Unset, every PostgreSQL case is skipped and one log
 * line says how to enable them, so {@code mvn verify} passes on a laptop without PostgreSQL; {@code .ci/run} sets
 * it, so CI always runs both engines.
 *
 * <p>Migrated databases ({@link #migrated()}) are set up as docs/postgresql.md ("Roles") tells users to: the
 * schema belongs to an owner role that migrated it, and {@link #config()} connects as the application role, which
 * may read and write rows only. So every PostgreSQL case of every suite proves that the API needs no more than
 * that. The two roles ({@value #OWNER_ROLE}, {@value #APP_ROLE}) are created once per server and kept, like the
 * server's own {@code test} database; tests that create tables of their own use {@link #ownerConfig()}.
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

    public static final String OWNER_ROLE = "tradestore_test_owner";
    public static final String APP_ROLE = "tradestore_test_app";

    private static boolean announced;
    private static String template;

    private final String name;
    private final boolean migrated;

    /** A new, empty database (no schema). Skips the calling test (or class, in a {@code @BeforeAll}) without a server. */
    public PostgresDatabases() throws SQLException {
        this("", false);
    }

    /**
     * A new database that starts as a copy of {@code template} (CREATE DATABASE ... TEMPLATE): a migrated template
     * copied this way costs a file copy instead of a migration. Nobody may be connected to the template meanwhile.
     */
    public PostgresDatabases(PostgresDatabases template) throws SQLException {
        this("TEMPLATE " + template.name, template.migrated);
    }

    /** A new database created with {@code options}, e.g. {@code LOCALE_PROVIDER icu ICU_LOCALE 'en' TEMPLATE template0}. */
    public PostgresDatabases(String options) throws SQLException {
        this(options, false);
    }

    private PostgresDatabases(String options, boolean migrated) throws SQLException {
        assumeAvailable();
        name = "tradestore_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        this.migrated = migrated;
        String create = "CREATE DATABASE " + name + " " + options;
        for (int attempt = 1; ; attempt++) {
            try {
                admin(create);
                break;
            } catch (SQLException e) {
                // 55006: the template still has a session; a pool just closed can leave its backends exiting.
                if (!"55006".equals(e.getSQLState()) || attempt >= 50) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * A new database already migrated to this build's schema version, cloned from a template migrated once per JVM
     * (migrating costs every changeset; {@code CREATE DATABASE ... TEMPLATE} copies the files).
     */
    public static PostgresDatabases migrated() throws SQLException {
        return new PostgresDatabases("TEMPLATE " + template(), true);
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

    /**
     * A config for this database with the library's defaults: for a {@link #migrated()} database as the
     * least-privileged application role, for an empty one as the configured (admin) user.
     */
    public TradestoreConfig config() {
        return migrated ? TradestoreConfig.postgres(url(), APP_ROLE, PASSWORD).withAutoMigrate(false)
                : TradestoreConfig.postgres(url(), USER, PASSWORD);
    }

    /** As the owner role of a {@link #migrated()} database: for tests that create tables of their own. */
    public TradestoreConfig ownerConfig() {
        return TradestoreConfig.postgres(url(), migrated ? OWNER_ROLE : USER, PASSWORD);
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
            PostgresDatabases db = new PostgresDatabases();
            createRoles();
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute(rolesSql(db.name));
            }
            try (Tradestore store = Tradestore.open(TradestoreConfig.postgres(db.url(), OWNER_ROLE, PASSWORD))) {
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

    /** Both roles, unless they exist; safe when test JVMs race to create them. */
    private static void createRoles() throws SQLException {
        for (String role : new String[] {OWNER_ROLE, APP_ROLE}) {
            admin("DO $$ BEGIN CREATE ROLE " + role + " LOGIN; EXCEPTION WHEN duplicate_object OR unique_violation"
                    + " THEN NULL; END $$");
        }
    }

    /**
     * The roles block of docs/postgresql.md for {@code database}, with the test roles' names and without its
     * CREATE ROLE lines (the roles are shared by every test database on the server).
     */
    public static String rolesSql(String database) {
        try {
            return rolesSql(documentedRolesSql(), OWNER_ROLE, APP_ROLE, database).replaceAll("(?m)^CREATE ROLE .*$", "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code sql} (the roles block as documented) with the documented names replaced. */
    public static String rolesSql(String sql, String owner, String app, String database) {
        return sql.replace("tradestore_owner", owner).replace("tradestore_app", app)
                .replaceAll("\\btradestore\\b", database);
    }

    /** The SQL between the roles-sql markers of docs/postgresql.md. */
    public static String documentedRolesSql() throws IOException {
        Matcher m = ROLES_SQL.matcher(Files.readString(Path.of("docs/postgresql.md")));
        if (!m.find()) {
            throw new IllegalStateException("docs/postgresql.md lost its roles SQL block (roles-sql markers)");
        }
        return m.group(1);
    }

    private static final Pattern ROLES_SQL = Pattern.compile(
            "<!-- roles-sql:begin -->\\s*```sql\\n(.*?)```\\s*<!-- roles-sql:end -->", Pattern.DOTALL);

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
