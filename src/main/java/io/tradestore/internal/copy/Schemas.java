package io.tradestore.internal.copy;

import io.tradestore.SchemaVersionException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The tables to copy, read from both live databases (not from a list in the code, so a table a future release adds
 * is copied, or refused, but never forgotten): every table of PostgreSQL's three schemas, which must be exactly the
 * SQLite file's tables less the bookkeeping (Liquibase's, sqlite_sequence and schema_versions, which each side's
 * migration wrote), with the same columns, kinds and primary keys. Ordered parents before children by the target's
 * foreign keys.
 */
final class Schemas {
    static final List<String> POSTGRES_SCHEMAS = List.of("trading", "market", "analytics");

    private Schemas() {
    }

    static List<TableSpec> discover(Connection sqlite, Connection pg, String source, String target) throws SQLException {
        Map<String, TableSpec> pgTables = postgresTables(pg);
        Map<String, List<String[]>> sqliteTables = sqliteTables(sqlite);
        Set<String> onlyTarget = new TreeSet<>(pgTables.keySet());
        onlyTarget.removeAll(sqliteTables.keySet());
        Set<String> onlySource = new TreeSet<>(sqliteTables.keySet());
        onlySource.removeAll(pgTables.keySet());
        if (!onlyTarget.isEmpty() || !onlySource.isEmpty()) {
            throw new SchemaVersionException("the source " + source + " and the target " + target + " do not have the"
                    + " same tables although both claim the same schema version: only in the source " + onlySource
                    + ", only in the target " + onlyTarget + "; every table must exist on both sides");
        }
        for (TableSpec t : pgTables.values()) {
            compareColumns(t, sqliteTables.get(t.name()), source, target);
        }
        return order(pgTables);
    }

    private static void compareColumns(TableSpec t, List<String[]> sqliteColumns, String source, String target) {
        Map<String, String> declared = new TreeMap<>();
        TreeMap<Integer, String> pkByPosition = new TreeMap<>();
        for (String[] c : sqliteColumns) {
            declared.put(c[0], c[1]);
            int pk = Integer.parseInt(c[2]);
            if (pk > 0) {
                pkByPosition.put(pk, c[0]);
            }
        }
        List<String> sqlitePk = new ArrayList<>(pkByPosition.values());
        Set<String> targetNames = new TreeSet<>();
        for (Column c : t.columns()) {
            targetNames.add(c.name());
            String d = declared.get(c.name());
            if (d != null && !c.type().matchesSqlite(d)) {
                throw new SchemaVersionException("column " + t.qualified() + "." + c.name() + " is " + d + " in the"
                        + " source " + source + " but the target's type stores " + c.type() + ", which SQLite stores"
                        + " as " + c.type().sqliteTypes() + "; the two schemas differ");
            }
        }
        if (!targetNames.equals(declared.keySet())) {
            throw new SchemaVersionException("table " + t.qualified() + " has the columns " + declared.keySet()
                    + " in the source " + source + " but " + targetNames + " in the target " + target
                    + "; every column must exist on both sides");
        }
        if (!sqlitePk.equals(t.primaryKey())) {
            throw new SchemaVersionException("table " + t.qualified() + " has the primary key " + sqlitePk
                    + " in the source " + source + " but " + t.primaryKey() + " in the target " + target
                    + "; rows are copied and verified in primary-key order, which must be the same on both sides");
        }
    }

    /** name -> [column, declared type, pk position], for every table tradestore's units write. */
    private static Map<String, List<String[]>> sqliteTables(Connection c) throws SQLException {
        Map<String, List<String[]>> tables = new LinkedHashMap<>();
        for (List<String> row : rows(c, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE"
                + " 'sqlite\\_%' ESCAPE '\\' AND upper(name) NOT IN ('DATABASECHANGELOG', 'DATABASECHANGELOGLOCK',"
                + " 'SCHEMA_VERSIONS') ORDER BY name")) {
            List<String[]> columns = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid")) {
                st.setString(1, row.get(0));
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        columns.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                    }
                }
            }
            tables.put(row.get(0), columns);
        }
        return tables;
    }

    /** Tables (partitioned parents, not their partitions) of the three schemas, by name. */
    private static Map<String, TableSpec> postgresTables(Connection c) throws SQLException {
        List<List<String>> tables = rows(c, "SELECT n.nspname, t.relname FROM pg_class t JOIN pg_namespace n"
                + " ON n.oid = t.relnamespace WHERE n.nspname IN ('trading', 'market', 'analytics')"
                + " AND t.relkind IN ('r', 'p') AND NOT t.relispartition ORDER BY 1, 2");
        Map<String, Set<String>> parents = foreignKeys(c);
        Map<String, TableSpec> byName = new LinkedHashMap<>();
        for (List<String> t : tables) {
            String schema = t.get(0);
            String name = t.get(1);
            String regclass = '"' + schema + "\".\"" + name + '"';
            List<Column> columns = new ArrayList<>();
            List<String> identity = new ArrayList<>();
            for (List<String> col : rows(c, "SELECT attname, atttypid::regtype::text, attidentity FROM pg_attribute"
                    + " WHERE attrelid = '" + regclass.replace("'", "''") + "'::regclass AND attnum > 0"
                    + " AND NOT attisdropped ORDER BY attnum")) {
                ColumnType type = ColumnType.ofPostgres(col.get(1));
                if (type == null) {
                    throw new SchemaVersionException("column " + schema + "." + name + "." + col.get(0) + " has the"
                            + " type " + col.get(1) + ", which the copy cannot carry exactly (it knows numeric, bigint,"
                            + " integer, smallint, boolean and text); this is not a schema tradestore created");
                }
                columns.add(new Column(col.get(0), type));
                if (!col.get(2).isEmpty()) {
                    identity.add(col.get(0));
                }
            }
            List<String> pk = rows(c, "SELECT a.attname FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey)"
                    + " WITH ORDINALITY AS k(attnum, ord) JOIN pg_attribute a ON a.attrelid = i.indrelid"
                    + " AND a.attnum = k.attnum WHERE i.indrelid = '" + regclass.replace("'", "''") + "'::regclass"
                    + " AND i.indisprimary ORDER BY k.ord").stream().map(r -> r.get(0)).toList();
            if (pk.isEmpty()) {
                throw new SchemaVersionException("table " + schema + "." + name + " has no primary key on the target;"
                        + " the copy orders, verifies and resumes by it");
            }
            if (byName.containsKey(name)) {
                throw new SchemaVersionException("the table name " + name + " is used in two schemas of the target ("
                        + byName.get(name).qualified() + " and " + schema + "." + name + "); SQLite has one namespace");
            }
            byName.put(name, new TableSpec(schema, name, columns, pk, identity,
                    parents.getOrDefault(schema + "." + name, Set.of())));
        }
        return byName;
    }

    /** child -> parents, schema-qualified, declared on tables (a partition's inherited copies are skipped). */
    private static Map<String, Set<String>> foreignKeys(Connection c) throws SQLException {
        Map<String, Set<String>> parents = new TreeMap<>();
        for (List<String> fk : rows(c, "SELECT cn.nspname || '.' || ct.relname, pn.nspname || '.' || pt.relname"
                + " FROM pg_constraint k JOIN pg_class ct ON ct.oid = k.conrelid JOIN pg_namespace cn"
                + " ON cn.oid = ct.relnamespace JOIN pg_class pt ON pt.oid = k.confrelid JOIN pg_namespace pn"
                + " ON pn.oid = pt.relnamespace WHERE k.contype = 'f' AND NOT ct.relispartition"
                + " AND NOT pt.relispartition")) {
            parents.computeIfAbsent(fk.get(0), k -> new TreeSet<>()).add(fk.get(1));
        }
        return parents;
    }

    /**
     * Parents before children (Kahn's algorithm; ties in schema and name order, so the order is the same on every
     * run, which resuming needs). A table referencing itself is copied in key order, which holds a reference to an
     * earlier row; a cycle between tables cannot be copied with the constraints in place and is refused.
     */
    static List<TableSpec> order(Map<String, TableSpec> byName) {
        Map<String, TableSpec> byQualified = new LinkedHashMap<>();
        byName.values().forEach(t -> byQualified.put(t.qualified(), t));
        List<TableSpec> ordered = new ArrayList<>();
        Set<String> done = new HashSet<>();
        while (ordered.size() < byQualified.size()) {
            TableSpec next = byQualified.values().stream()
                    .filter(t -> !done.contains(t.qualified()))
                    .filter(t -> t.parents().stream().allMatch(p -> p.equals(t.qualified()) || done.contains(p)
                            || !byQualified.containsKey(p)))
                    .findFirst().orElse(null);
            if (next == null) {
                List<String> left = byQualified.keySet().stream().filter(q -> !done.contains(q)).toList();
                throw new SchemaVersionException("the target's foreign keys form a cycle among " + left
                        + "; the copy inserts parents before children and cannot order these");
            }
            ordered.add(next);
            done.add(next.qualified());
        }
        return ordered;
    }

    static List<List<String>> rows(Connection c, String sql) throws SQLException {
        List<List<String>> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> row = new ArrayList<>(n);
                for (int i = 1; i <= n; i++) {
                    row.add(rs.getString(i));
                }
                out.add(row);
            }
        }
        return out;
    }
}
