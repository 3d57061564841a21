package io.tradestore.testing;

import io.tradestore.internal.Migrator;
import org.sqlite.SQLiteConfig;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Real SQLite files for tests: plain connections (foreign keys on) and migrated databases. */
public final class SqliteFiles {
    private SqliteFiles() {
    }

    public static Connection open(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.enforceForeignKeys(true);
        return config.createConnection("jdbc:sqlite:" + file);
    }

    /** A new database file in {@code dir}, migrated to the latest schema. */
    public static Path migrated(Path dir) throws SQLException {
        Path file = dir.resolve("tradestore-" + System.nanoTime() + ".db");
        try (Connection c = open(file)) {
            Migrator.update(c);
        }
        return file;
    }

    /**
     * Rows of a query as lists of strings, for comparisons and readable assertion failures. Exact for BLOBs (the
     * decimals on SQLite): each is {@code X'<hex>'}, as {@code quote()} shows it, where getString would garble them.
     */
    public static List<List<String>> rows(Connection c, String sql) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>(n);
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getObject(i) instanceof byte[] bytes ? blob(bytes) : rs.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    /** {@code X'8523140480'} for the bytes 85 23 14 04 80 (23140.48 as tradestore stores it on SQLite). */
    public static String blob(byte[] bytes) {
        StringBuilder s = new StringBuilder(bytes.length * 2 + 3).append("X'");
        for (byte b : bytes) {
            s.append(String.format(java.util.Locale.ROOT, "%02X", b & 0xFF));
        }
        return s.append('\'').toString();
    }

    /** The user-visible schema: every table, index and trigger with its SQL, Liquibase's own tables excluded. */
    public static List<List<String>> schema(Connection c) throws SQLException {
        return rows(c, "SELECT type, name, tbl_name, sql FROM sqlite_master"
                + " WHERE name NOT LIKE 'DATABASECHANGELOG%' ORDER BY type, name");
    }

    public static List<String> tables(Connection c) throws SQLException {
        return rows(c, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                + " AND name NOT LIKE 'DATABASECHANGELOG%' ORDER BY name").stream().map(r -> r.get(0)).toList();
    }
}
