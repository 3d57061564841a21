package io.tradestore.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a user could observe in a SQLite database: every row of every table (Liquibase's bookkeeping
 * included) in primary-key order, and the AUTOINCREMENT counters in sqlite_sequence. Two equal snapshots mean
 * the database is exactly as it was. Read through its own connection, which sees committed state only.
 *
 * <p>A BLOB cell is rendered as its bytes in SQL literal form, {@code X'8110'}: exact decimals are BLOBs on SQLite
 * (decision 0009), and reading one as a string would decode its bytes as UTF-8, turning every byte from 0x80 up
 * into the same replacement character, so that 8 ({@code X'8180'}) and 9 ({@code X'8190'}) would look alike.
 */
public record Snapshot(Map<String, List<List<String>>> tables) {

    public static Snapshot of(Path file) {
        try (Connection c = SqliteFiles.open(file)) {
            return of(c);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot snapshot " + file, e);
        }
    }

    public static Snapshot of(Connection c) throws SQLException {
        Map<String, List<List<String>>> tables = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(SqliteFiles.rows(c, "SELECT name FROM sqlite_master WHERE type = 'table'"
                + " ORDER BY name").stream().map(r -> r.get(0)).toList());
        for (String table : names) {
            // ORDER BY every column: a total order without knowing each table's key.
            int columns = SqliteFiles.rows(c, "SELECT COUNT(*) FROM pragma_table_info('" + table + "')").stream()
                    .mapToInt(r -> Integer.parseInt(r.get(0))).findFirst().orElse(0);
            StringBuilder order = new StringBuilder();
            for (int i = 1; i <= columns; i++) {
                order.append(i == 1 ? "" : ", ").append(i);
            }
            tables.put(table, SqliteFiles.rows(c, "SELECT * FROM \"" + table + "\" ORDER BY " + order));
        }
        return new Snapshot(tables);
    }

    /** {@code X'8523140480'} for the bytes 85 23 14 04 80 (23140.48 as tradestore stores it on SQLite). */
    public static String blob(byte[] bytes) {
        return SqliteFiles.blob(bytes);
    }

    public int rows(String table) {
        return tables.getOrDefault(table, List.of()).size();
    }

    /**
     * Rows inserted, deleted or updated (an update counts once) between {@code other} and this snapshot, over the
     * user-visible tables: sqlite_sequence moves with every insert and would count it twice.
     */
    public int rowsChangedFrom(Snapshot other) {
        int changed = 0;
        java.util.Set<String> names = new java.util.TreeSet<>(tables.keySet());
        names.addAll(other.tables.keySet());
        for (String table : names) {
            if (table.equals("sqlite_sequence")) {
                continue;
            }
            Map<List<String>, Integer> counts = new java.util.HashMap<>();
            tables.getOrDefault(table, List.of()).forEach(r -> counts.merge(r, 1, Integer::sum));
            other.tables.getOrDefault(table, List.of()).forEach(r -> counts.merge(r, -1, Integer::sum));
            int added = counts.values().stream().filter(c -> c > 0).mapToInt(c -> c).sum();
            int removed = -counts.values().stream().filter(c -> c < 0).mapToInt(c -> c).sum();
            changed += Math.max(added, removed);
        }
        return changed;
    }

    /** Only the tables that differ, for readable assertion failures. */
    public Map<String, String> differencesFrom(Snapshot other) {
        Map<String, String> diff = new LinkedHashMap<>();
        for (String table : tables.keySet()) {
            List<List<String>> mine = tables.get(table);
            List<List<String>> theirs = other.tables.getOrDefault(table, List.of());
            if (!mine.equals(theirs)) {
                diff.put(table, mine.size() + " rows here vs " + theirs.size() + " there; last row here: "
                        + (mine.isEmpty() ? "-" : mine.get(mine.size() - 1)) + ", last row there: "
                        + (theirs.isEmpty() ? "-" : theirs.get(theirs.size() - 1)));
            }
        }
        other.tables.keySet().stream().filter(t -> !tables.containsKey(t)).forEach(t -> diff.put(t, "missing here"));
        return diff;
    }
}
