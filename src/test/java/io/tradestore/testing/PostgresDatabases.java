package io.tradestore.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Throwaway databases on the real PostgreSQL server (default 127.0.0.1:5432, user postgres, trust auth; override
 * with -Dtradestore.pg.host, -Dtradestore.pg.port, -Dtradestore.pg.user, -Dtradestore.pg.password).
 */
public final class PostgresDatabases implements AutoCloseable {
    private static final String HOST = System.getProperty("tradestore.pg.host", "127.0.0.1");
    private static final String PORT = System.getProperty("tradestore.pg.port", "5432");
    public static final String USER = System.getProperty("tradestore.pg.user", "postgres");
    public static final String PASSWORD = System.getProperty("tradestore.pg.password", "");

    private final String name = "tradestore_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    public PostgresDatabases() throws SQLException {
        admin("CREATE DATABASE " + name);
    }

    /**
     * A new database that starts as a copy of {@code template} (CREATE DATABASE ... TEMPLATE): a migrated template
     * copied this way costs a file copy instead of a migration. Nobody may be connected to the template meanwhile.
     */
    public PostgresDatabases(PostgresDatabases template) throws SQLException {
        this("TEMPLATE " + template.name);
    }

    /** A new database created with {@code options}, e.g. {@code LOCALE_PROVIDER icu ICU_LOCALE 'en' TEMPLATE template0}. */
    public PostgresDatabases(String options) throws SQLException {
        admin("CREATE DATABASE " + name + " " + options);
    }

    public String url() {
        return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + name;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), USER, PASSWORD);
    }

    @Override
    public void close() throws SQLException {
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT + "/postgres", USER, PASSWORD);
             Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
