package io.tradestore.internal;

import io.tradestore.SchemaStatus;
import io.tradestore.SchemaVersionException;
import io.tradestore.TradestoreConfig;
import io.tradestore.internal.db.DefaultSchema;
import org.jooq.Named;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.Properties;

/**
 * Decides, before any pool opens, whether a database may be used by this build: it inspects through a separate
 * read-only look (nothing is written to a database that is not tradestore's), migrates an older schema when
 * auto-migrate is on, and refuses a newer one.
 */
public final class SchemaGate {
    private static final Logger log = LoggerFactory.getLogger(SchemaGate.class);
    private static final String VERSION_RESOURCE = "schema-version.properties";
    private static final String SQLITE_TABLES =
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
    private static final String POSTGRES_TABLES = "SELECT table_name FROM information_schema.tables WHERE table_schema ="
            + " current_schema() AND table_name IN ('schema_versions', 'databasechangelog', 'databasechangeloglock')"
            + " UNION ALL SELECT table_schema || '.' || table_name FROM information_schema.tables"
            + " WHERE table_schema IN ('trading', 'market', 'analytics')";

    private SchemaGate() {
    }

    /** The schema version the generated classes were built from (recorded by the build; see README). */
    public static int buildVersion() {
        try (InputStream in = SchemaGate.class.getResourceAsStream(VERSION_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("io/tradestore/internal/" + VERSION_RESOURCE + " is missing from the"
                        + " classpath; build with Maven (mvn verify), which records the schema version during codegen");
            }
            Properties p = new Properties();
            p.load(in);
            return Integer.parseInt(p.getProperty("schema.version").trim());
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the build's schema version from " + VERSION_RESOURCE, e);
        }
    }

    /** Brings the database to the build's version or throws {@link SchemaVersionException}; returns the version. */
    public static int prepare(TradestoreConfig config) {
        int build = buildVersion();
        String where = config.engine() == TradestoreConfig.Engine.SQLITE ? config.file().toString() : config.jdbcUrl();
        int found = config.engine() == TradestoreConfig.Engine.SQLITE ? inspectSqlite(config) : inspectPostgres(config);
        if (found > build) {
            throw new SchemaVersionException("database schema " + found + " is newer than this build's " + build
                    + " (" + where + "); upgrade tradestore, or roll the database back with"
                    + " mvn liquibase:rollback -Dliquibase.rollbackTag=v" + build);
        }
        if (found < build) {
            if (!config.autoMigrate() || config.readOnly()) {
                throw new SchemaVersionException("database schema " + found + " is older than this build's " + build
                        + " (" + where + "); run mvn liquibase:update -Dliquibase.url=" + liquibaseUrl(config)
                        + (config.readOnly() ? "" : ", or open with TradestoreConfig.withAutoMigrate(true)"));
            }
            log.info("migrating {} from schema {} to {}", where, found, build);
            try (Connection c = migrationConnection(config); MigrationGuard guard = MigrationGuard.acquire(config, c)) {
                guard.releaseStaleChangelogLock(c);
                if (config.engine() == TradestoreConfig.Engine.SQLITE) {
                    discardUnfinishedFirstMigration(c, where);
                }
                long start = System.nanoTime();
                List<String> applied = Migrator.update(c);
                // The one line an operator needs from a migration; Liquibase's narration of it is at DEBUG.
                log.info("migrated {} to schema {}: {} changeset(s) applied in {} ms{}", where, build, applied.size(),
                        (System.nanoTime() - start) / 1_000_000,
                        applied.isEmpty() ? "" : ", last " + applied.get(applied.size() - 1));
            } catch (SQLException e) {
                throw new SchemaVersionException("cannot open " + where + " to migrate it: " + e.getMessage(), e);
            }
            found = config.engine() == TradestoreConfig.Engine.SQLITE ? inspectSqlite(config) : inspectPostgres(config);
            if (found != build) {
                throw new SchemaVersionException("migration of " + where + " ended at schema " + found
                        + ", expected " + build + "; the changelog and the generated classes disagree");
            }
        }
        return found;
    }

    /** Where the database stands, read without creating, migrating or locking anything. */
    public static SchemaStatus status(TradestoreConfig config) {
        int build = buildVersion();
        String where = config.engine() == TradestoreConfig.Engine.SQLITE ? config.file().toString() : config.jdbcUrl();
        try {
            if (config.engine() == TradestoreConfig.Engine.SQLITE) {
                Path file = config.file();
                if (!Files.exists(file) || sizeOf(file) == 0) {
                    // Nothing applied: every changeset is pending, listed against an empty in-memory database.
                    try (Connection empty = DriverManager.getConnection("jdbc:sqlite::memory:")) {
                        return new SchemaStatus(0, build, Migrator.pending(empty), List.of());
                    }
                }
                SQLiteConfig look = new SQLiteConfig();
                look.setReadOnly(true);
                try (Connection c = look.createConnection("jdbc:sqlite:" + file.toAbsolutePath())) {
                    return status(c, strings(c, SQLITE_TABLES), where, build);
                }
            }
            try (Connection c = DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password())) {
                return status(c, strings(c, POSTGRES_TABLES), where, build);
            }
        } catch (SQLException e) {
            throw new SchemaVersionException("cannot read the schema status of " + where + ": " + e.getMessage(), e);
        }
    }

    private static SchemaStatus status(Connection c, List<String> tables, String where, int build)
            throws SQLException {
        int version = versionOf(c, tables, where);
        List<String> tags = tables.stream().anyMatch(t -> t.equalsIgnoreCase("databasechangelog"))
                ? strings(c, "SELECT tag FROM databasechangelog WHERE tag IS NOT NULL ORDER BY orderexecuted")
                : List.of();
        return new SchemaStatus(version, build, Migrator.pending(c), tags);
    }

    private static String liquibaseUrl(TradestoreConfig config) {
        return config.engine() == TradestoreConfig.Engine.SQLITE
                ? "jdbc:sqlite:" + config.file() : config.jdbcUrl() + " -Dliquibase.username=" + config.user();
    }

    /** 0 for an empty or missing database, else MAX(schema_versions.version). */
    private static int inspectSqlite(TradestoreConfig config) {
        Path file = config.file();
        if (!Files.exists(file) || sizeOf(file) == 0) {
            if (config.readOnly()) {
                throw new SchemaVersionException("no database at " + file + " to open read-only");
            }
            createParent(file);
            return 0;
        }
        SQLiteConfig look = new SQLiteConfig();
        look.setReadOnly(true);
        try (Connection c = look.createConnection("jdbc:sqlite:" + file.toAbsolutePath())) {
            List<String> tables = strings(c, SQLITE_TABLES);
            return versionOf(c, tables, file.toString());
        } catch (SQLException e) {
            throw new SchemaVersionException(file + " cannot be read as a SQLite database (" + e.getMessage()
                    + "); refusing to open it", e);
        }
    }

    private static int inspectPostgres(TradestoreConfig config) {
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password())) {
            List<String> tables = strings(c, POSTGRES_TABLES);
            return versionOf(c, tables, config.jdbcUrl());
        } catch (SQLException e) {
            throw new SchemaVersionException("cannot inspect " + config.jdbcUrl() + ": " + e.getMessage(), e);
        }
    }

    private static int versionOf(Connection c, List<String> tables, String where) throws SQLException {
        if (tables.isEmpty()) {
            return 0;
        }
        if (!tables.contains("schema_versions") && onlyOurUnfinishedMigration(c, tables)) {
            return 0;
        }
        if (!tables.contains("schema_versions")) {
            throw new SchemaVersionException(where + " is not a tradestore database: it has tables "
                    + tables.subList(0, Math.min(5, tables.size())) + " but no schema_versions table;"
                    + " refusing to write to it. Point tradestore at a new file or an empty database.");
        }
        List<String> max = strings(c, "SELECT COALESCE(MAX(version), 0) FROM schema_versions");
        return Integer.parseInt(max.get(0));
    }

    /**
     * Only Liquibase's bookkeeping, recording nothing but tradestore changesets: a first migration of ours that died
     * before it created schema_versions. Version 0, to be migrated, not a foreign database.
     */
    private static boolean onlyOurUnfinishedMigration(Connection c, List<String> tables) {
        boolean onlyLiquibase = tables.stream().allMatch(t -> t.equalsIgnoreCase("DATABASECHANGELOG")
                || t.equalsIgnoreCase("DATABASECHANGELOGLOCK"));
        if (!onlyLiquibase) {
            return false;
        }
        if (tables.stream().noneMatch(t -> t.equalsIgnoreCase("DATABASECHANGELOG"))) {
            return true; // Liquibase creates its lock table first: killed before it created its log
        }
        try {
            return strings(c, "SELECT COUNT(*) FROM DATABASECHANGELOG WHERE FILENAME NOT LIKE 'db-changelog/%'")
                    .get(0).equals("0");
        } catch (SQLException notLiquibasesTable) {
            return false;
        }
    }

    /**
     * A first migration killed part-way can leave tables whose changesets Liquibase never recorded: it writes a
     * changeset's DATABASECHANGELOG row after the changeset's own transaction, and the next run then fails creating
     * them again ("table ... already exists"). While release 1 is incomplete (schema_versions has no row) no unit of
     * work can have written anything, so those tables are dropped and the migration starts over. The changelog's
     * rows go first: a kill in between leaves tables without rows, which the next start drops again.
     */
    private static void discardUnfinishedFirstMigration(Connection c, String where) throws SQLException {
        List<String> liquibase = strings(c, "SELECT name FROM sqlite_master WHERE type = 'table'"
                + " AND upper(name) IN ('DATABASECHANGELOG', 'DATABASECHANGELOGLOCK')");
        List<String> tables = strings(c, "SELECT name FROM sqlite_master WHERE type = 'table'"
                + " AND name NOT LIKE 'sqlite_%' AND upper(name) NOT IN ('DATABASECHANGELOG', 'DATABASECHANGELOGLOCK')");
        if (tables.isEmpty() || (tables.contains("schema_versions")
                && !strings(c, "SELECT COUNT(*) FROM schema_versions").get(0).equals("0"))) {
            return;
        }
        Set<String> ours = DefaultSchema.DEFAULT_SCHEMA.getTables().stream().map(Named::getName)
                .collect(Collectors.toSet());
        if (!ours.containsAll(tables)) {
            return; // not only ours: inspectSqlite refused such a file already, Liquibase will fail loudly
        }
        log.warn("{}: a first migration was interrupted after creating {} (release 1 never completed, so they hold"
                + " nothing); dropping them and migrating again", where, tables);
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
            if (liquibase.stream().anyMatch(t -> t.equalsIgnoreCase("DATABASECHANGELOG"))) {
                st.executeUpdate("DELETE FROM DATABASECHANGELOG");
            }
            st.execute("PRAGMA foreign_keys = OFF");
            for (String table : tables) {
                st.execute("DROP TABLE IF EXISTS \"" + table + "\"");
            }
            st.execute("PRAGMA foreign_keys = ON");
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private static Connection migrationConnection(TradestoreConfig config) throws SQLException {
        if (config.engine() == TradestoreConfig.Engine.SQLITE) {
            SQLiteConfig c = new SQLiteConfig();
            c.enforceForeignKeys(true);
            c.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, config.busyTimeout().toMillis()));
            return c.createConnection("jdbc:sqlite:" + config.file().toAbsolutePath());
        }
        // No search_path here: Liquibase keeps its tables and schema_versions in the default schema, exactly as
        // mvn liquibase:update does, so the two never disagree about what was applied.
        return DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new SchemaVersionException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void createParent(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new SchemaVersionException("cannot create the directory " + parent + " for " + file, e);
        }
    }
}
