package io.tradestore.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything a user could observe in a database, read through one connection: every row of every table in a total
 * order, and the id counters. Read through its own connection it sees committed state only; through a unit's
 * connection, that unit's state.
 *
 * <p>SQLite: every table of the file, Liquibase's bookkeeping included, and the AUTOINCREMENT counters in
 * {@code sqlite_sequence}, which is an ordinary table there: rolled back with the unit, so compared exactly. A BLOB
 * cell is rendered as its bytes in SQL literal form, {@code X'8110'}: exact decimals are BLOBs on SQLite (decision
 * 0009), and reading one as a string would decode its bytes as UTF-8, turning every byte from 0x80 up into the same
 * replacement character, so that 8 ({@code X'8180'}) and 9 ({@code X'8190'}) would look alike.
 *
 * <p>PostgreSQL: every table of the schemas trading, market and analytics and of public (Liquibase's bookkeeping
 * and schema_versions), keyed by table name as on SQLite (the names are unique across the schemas); a partition is
 * read through its parent. A NUMERIC cell is its value normalized ({@code 0.5}, not {@code 0.500000000000000000}),
 * as the API returns it. The id counters are the sequences, in {@link #sequences}, and they are <em>not</em>
 * transactional on PostgreSQL: an insert that is rolled back, or that fails on a constraint, still consumes its id.
 * So "the database exactly as before" means there: <b>every row exactly as before, and every sequence where it was
 * or further on</b> (never behind). {@link #equals} compares the rows only, and {@link #differencesFrom} reports a
 * sequence of this snapshot that is behind the other's. Tests that must compare ids handed out after a failure
 * rewind the sequences first ({@link #rewindSequences}). This is an observable difference between the engines:
 * after a failed or rolled-back unit, the next id on SQLite is the one the failed unit would have taken, on
 * PostgreSQL a later one (a gap).
 */
public record Snapshot(Map<String, List<List<String>>> tables, Map<String, Sequence> sequences) {

    /** A PostgreSQL sequence's position: {@code called} false means nextval will return {@code value} itself. */
    public record Sequence(long value, boolean called) {
        /** The next id it hands out (sequences here count up by one). */
        long next() {
            return called ? value + 1 : value;
        }
    }

    /** Rows only, no sequences (SQLite keeps its counters in a table). */
    public Snapshot(Map<String, List<List<String>>> tables) {
        this(tables, Map.of());
    }

    public static Snapshot of(Path file) {
        try (Connection c = SqliteFiles.open(file)) {
            return of(c);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot snapshot " + file, e);
        }
    }

    public static Snapshot of(Connection c) throws SQLException {
        return isPostgres(c) ? ofPostgres(c) : ofSqlite(c);
    }

    static boolean isPostgres(Connection c) throws SQLException {
        return c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres");
    }

    private static Snapshot ofSqlite(Connection c) throws SQLException {
        Map<String, List<List<String>>> tables = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(SqliteFiles.rows(c, "SELECT name FROM sqlite_master WHERE type = 'table'"
                + " ORDER BY name").stream().map(r -> r.get(0)).toList());
        for (String table : names) {
            int columns = SqliteFiles.rows(c, "SELECT COUNT(*) FROM pragma_table_info('" + table + "')").stream()
                    .mapToInt(r -> Integer.parseInt(r.get(0))).findFirst().orElse(0);
            tables.put(table, SqliteFiles.rows(c, "SELECT * FROM \"" + table + "\" ORDER BY " + everyColumn(columns)));
        }
        return new Snapshot(tables);
    }

    /** The schemas a PostgreSQL snapshot reads: tradestore's three and public (Liquibase, schema_versions). */
    static final String PG_SCHEMAS = "('trading', 'market', 'analytics', 'public')";

    /**
     * One round trip whatever the number of tables: every row of every table, the sequences and a fingerprint of the
     * catalog in one UNION ALL, built from the catalog once per database (a snapshot is taken before and after every
     * case of some suites) and rebuilt when the fingerprint shows a table or column added or dropped. Rows are sorted
     * in Java, a total order as on SQLite; NUMERIC cells go through {@code trim_scale}, so they read as the API
     * returns them.
     */
    private static Snapshot ofPostgres(Connection c) throws SQLException {
        String url = c.getMetaData().getURL();
        PgPlan plan = PG_PLANS.get(url);
        if (plan == null) {
            plan = PgPlan.of(c);
            PG_PLANS.put(url, plan);
        }
        Map<String, List<List<String>>> tables = new LinkedHashMap<>();
        plan.tables().forEach(t -> tables.put(t, new ArrayList<>()));
        Map<String, Sequence> sequences = new java.util.TreeMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(plan.sql())) {
            while (rs.next()) {
                String table = rs.getString(1);
                List<String> row = java.util.Arrays.asList((String[]) rs.getArray(2).getArray());
                if (table.equals("#catalog")) {
                    if (!row.get(0).equals(plan.fingerprint())) {
                        PG_PLANS.remove(url);
                        return ofPostgres(c);
                    }
                } else if (table.equals("#sequence")) {
                    sequences.put(row.get(0), row.get(1) == null ? new Sequence(Long.parseLong(row.get(2)), false)
                            : new Sequence(Long.parseLong(row.get(1)), true));
                } else {
                    tables.get(table).add(row);
                }
            }
        }
        tables.values().forEach(rows -> rows.sort(ROW_ORDER));
        return new Snapshot(tables, new LinkedHashMap<>(sequences));
    }

    private static final Map<String, PgPlan> PG_PLANS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final String PG_TABLES = " FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace"
            + " WHERE n.nspname IN " + "('trading', 'market', 'analytics', 'public')"
            + " AND t.relkind IN ('r', 'p') AND NOT t.relispartition";
    private static final String PG_FINGERPRINT = "SELECT COUNT(*)::text || '/' || COALESCE(SUM(t.relnatts), 0)::text"
            + PG_TABLES;
    private static final String PG_SEQUENCES = "SELECT schemaname || '.' || sequencename, last_value, start_value"
            + " FROM pg_sequences WHERE schemaname IN ('trading', 'market', 'analytics', 'public')";

    /** The snapshot query of one database, and the catalog fingerprint it was built for. */
    private record PgPlan(String fingerprint, List<String> tables, String sql) {
        static PgPlan of(Connection c) throws SQLException {
            String fingerprint = SqliteFiles.rows(c, PG_FINGERPRINT).get(0).get(0);
            List<String> tables = new ArrayList<>();
            StringBuilder sql = new StringBuilder("SELECT '#catalog', ARRAY[(" + PG_FINGERPRINT + ")]");
            sql.append(" UNION ALL SELECT '#sequence', ARRAY[s.n, s.l::text, s.s::text] FROM (").append(PG_SEQUENCES)
                    .append(") AS s (n, l, s)");
            for (List<String> t : SqliteFiles.rows(c, "SELECT n.nspname, t.relname, (SELECT string_agg(CASE"
                    + " WHEN a.atttypid = 'numeric'::regtype THEN 'trim_scale(' || quote_ident(a.attname) || ')::text'"
                    + " ELSE quote_ident(a.attname) || '::text' END, ', ' ORDER BY a.attnum) FROM pg_attribute a"
                    + " WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped)" + PG_TABLES
                    + " ORDER BY t.relname, n.nspname")) {
                String table = t.get(1);
                if (tables.contains(table)) {
                    throw new IllegalStateException("table name " + table + " is in two schemas: snapshots key by name");
                }
                tables.add(table);
                sql.append(" UNION ALL SELECT '").append(table).append("', ARRAY[").append(t.get(2))
                        .append("] FROM \"").append(t.get(0)).append("\".\"").append(table).append('"');
            }
            return new PgPlan(fingerprint, tables, sql.toString());
        }
    }

    private static final java.util.Comparator<List<String>> ROW_ORDER = (a, b) -> {
        java.util.Comparator<String> cell = java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder());
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = cell.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    /** ORDER BY every column: a total order without knowing each table's key. */
    private static String everyColumn(int columns) {
        StringBuilder order = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
            order.append(i == 1 ? "" : ", ").append(i);
        }
        return order.toString();
    }

    static Map<String, Sequence> pgSequences(Connection c) throws SQLException {
        Map<String, Sequence> sequences = new LinkedHashMap<>();
        for (List<String> r : SqliteFiles.rows(c, "SELECT schemaname || '.' || sequencename, last_value, start_value"
                + " FROM pg_sequences WHERE schemaname IN " + PG_SCHEMAS + " ORDER BY 1")) {
            sequences.put(r.get(0), r.get(1) == null ? new Sequence(Long.parseLong(r.get(2)), false)
                    : new Sequence(Long.parseLong(r.get(1)), true));
        }
        return sequences;
    }

    /**
     * Puts every sequence of the database behind {@code c} back where {@code to} saw it, after checking that none
     * is behind it; no-op on SQLite, whose counters are rows and roll back with the unit. For tests that compare the
     * ids of writes made after a failure with those of a run without the failure (PostgreSQL only: see the class
     * comment). {@code setval} is not transactional either, so it takes effect at once, inside a unit or not.
     */
    public static void rewindSequences(Connection c, Snapshot to) throws SQLException {
        if (!isPostgres(c)) {
            return;
        }
        Map<String, Sequence> now = pgSequences(c);
        for (Map.Entry<String, Sequence> e : to.sequences().entrySet()) {
            Sequence current = now.get(e.getKey());
            if (current == null || current.next() < e.getValue().next()) {
                throw new AssertionError("sequence " + e.getKey() + " went back: " + current + " after " + e.getValue());
            }
            if (!current.equals(e.getValue())) {
                try (Statement st = c.createStatement()) {
                    st.execute("SELECT setval('" + e.getKey() + "', " + e.getValue().value() + ", "
                            + e.getValue().called() + ")");
                }
            }
        }
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
        Set<String> names = new TreeSet<>(tables.keySet());
        names.addAll(other.tables.keySet());
        for (String table : names) {
            if (table.equals("sqlite_sequence")) {
                continue;
            }
            Map<List<String>, Integer> counts = new HashMap<>();
            tables.getOrDefault(table, List.of()).forEach(r -> counts.merge(r, 1, Integer::sum));
            other.tables.getOrDefault(table, List.of()).forEach(r -> counts.merge(r, -1, Integer::sum));
            int added = counts.values().stream().filter(c -> c > 0).mapToInt(c -> c).sum();
            int removed = -counts.values().stream().filter(c -> c < 0).mapToInt(c -> c).sum();
            changed += Math.max(added, removed);
        }
        return changed;
    }

    /**
     * Only the tables that differ, for readable assertion failures, and on PostgreSQL every sequence that is behind
     * {@code other}'s (this snapshot is taken after, or with more writes attempted than, {@code other}).
     */
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
        other.sequences.forEach((name, theirs) -> {
            Sequence mine = sequences.get(name);
            if (mine == null || mine.next() < theirs.next()) {
                diff.put(name, "sequence behind: " + mine + " here vs " + theirs + " there");
            }
        });
        return diff;
    }

    /** The rows only: on PostgreSQL sequences may have moved on (see the class comment and differencesFrom). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Snapshot s && tables.equals(s.tables);
    }

    @Override
    public int hashCode() {
        return tables.hashCode();
    }
}
