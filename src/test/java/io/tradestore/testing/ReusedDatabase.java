package io.tradestore.testing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One migrated PostgreSQL database shared by the tests of a class, handed to each test as it was freshly migrated.
 *
 * <p>Why not a clone per test: {@code CREATE DATABASE ... TEMPLATE} and {@code DROP DATABASE} cost 0.1–0.9 s each on
 * this project's machines (they write and sync every file of the database), {@code TRUNCATE} of the 14 tables
 * 0.5 s (new files for every table and index), while deleting the rows of tables that hold a few, in one transaction,
 * costs 30 ms (measured 2026-12, two cores under load; docs/testing.md). So the first test gets a fresh clone, and
 * every later one the same database after {@link #reset()}: it deletes every row of every table that was empty when
 * the clone was made (children before parents, so no superuser setting is needed) and puts their sequences back to
 * their start, so ids restart at 1 as on a fresh database. A test that changed the schema (a table of its own, a
 * migration) changes the catalog's fingerprint; the next test then gets a new clone instead.
 */
final class ReusedDatabase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReusedDatabase.class);
    private static final String USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')"
            + " AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'";

    private PostgresDatabases database;
    private List<String> resetStatements;
    private String fingerprint;
    private boolean used;
    /** Kept open between tests: a new session per reset would cost a server process each time. */
    private Connection resetter;

    /** The database for the next test: a fresh clone the first time, this one reset afterwards. */
    PostgresDatabases acquire() throws SQLException {
        if (database != null && used && !reset()) {
            closeResetter();
            database.close();
            database = null;
        }
        if (database == null) {
            database = PostgresDatabases.migrated();
            log.debug("cloned {}", database.name());
            resetter = database.connect();
            resetStatements = resetStatements(resetter);
            fingerprint = fingerprint(resetter);
        }
        used = true;
        return database;
    }

    @Override
    public void close() throws SQLException {
        closeResetter();
        if (database != null) {
            database.close();
            log.debug("dropped {}", database.name());
            database = null;
        }
    }

    /** True when the database is back to its freshly migrated rows; false when it needs a new clone. */
    private boolean reset() throws SQLException {
        Connection c = resetter;
        try (Statement st = c.createStatement()) {
            if (!fingerprint.equals(fingerprint(c))) {
                log.debug("{}: the schema changed, a new clone for the next test", database.name());
                return false;
            }
            c.setAutoCommit(false);
            // A session a test left behind holding a lock must not hang the suite: give up and clone instead.
            st.execute("SET LOCAL lock_timeout = '2s'");
            for (String sql : resetStatements) {
                st.execute(sql);
            }
            c.commit();
            c.setAutoCommit(true);
            return true;
        } catch (SQLException e) {
            log.warn("{}: cannot reset ({}), a new clone for the next test", database.name(), e.getMessage());
            return false;
        }
    }

    private void closeResetter() {
        try {
            if (resetter != null) {
                resetter.close();
            }
        } catch (SQLException e) {
            log.debug("closing the reset session failed", e);
        }
        resetter = null;
    }

    /** DELETEs of the tables empty now, children first, then the setvals of the sequences not used yet. */
    private static List<String> resetStatements(Connection c) throws SQLException {
        Set<String> empty = new LinkedHashSet<>();
        for (String table : strings(c, "SELECT format('%I.%I', n.nspname, t.relname) FROM pg_class t"
                + " JOIN pg_namespace n ON n.oid = t.relnamespace WHERE t.relkind IN ('r', 'p') AND " + USER_SCHEMAS
                + " ORDER BY 1")) {
            if (strings(c, "SELECT 1 FROM " + table + " LIMIT 1").isEmpty()) {
                empty.add(table);
            }
        }
        Map<String, Set<String>> parents = new LinkedHashMap<>();
        for (String table : empty) {
            parents.put(table, new LinkedHashSet<>());
        }
        for (String edge : strings(c, "SELECT format('%I.%I', cn.nspname, ct.relname) || ' ' || format('%I.%I',"
                + " pn.nspname, pt.relname) FROM pg_constraint f JOIN pg_class ct ON ct.oid = f.conrelid"
                + " JOIN pg_namespace cn ON cn.oid = ct.relnamespace JOIN pg_class pt ON pt.oid = f.confrelid"
                + " JOIN pg_namespace pn ON pn.oid = pt.relnamespace WHERE f.contype = 'f'"
                + " AND f.conrelid <> f.confrelid")) {
            String[] childParent = edge.split(" ");
            if (parents.containsKey(childParent[0])) {
                parents.get(childParent[0]).add(childParent[1]);
            }
        }
        List<String> statements = new ArrayList<>();
        Set<String> deleted = new LinkedHashSet<>();
        while (deleted.size() < empty.size()) {
            boolean progress = false;
            for (String table : empty) {
                boolean referenced = empty.stream().anyMatch(other -> !deleted.contains(other)
                        && !other.equals(table) && parents.get(other).contains(table));
                if (!deleted.contains(table) && !referenced) {
                    statements.add("DELETE FROM " + table);
                    deleted.add(table);
                    progress = true;
                }
            }
            if (!progress) {
                throw new IllegalStateException("foreign keys form a cycle among " + empty);
            }
        }
        statements.addAll(strings(c, "SELECT format('SELECT setval(%L, %s, false)', format('%I.%I', s.schemaname,"
                + " s.sequencename), s.start_value) FROM pg_sequences s WHERE s.last_value IS NULL"
                + " AND s.schemaname NOT IN ('pg_catalog', 'information_schema')"));
        return statements;
    }

    /** Changes when a relation, column, constraint or index is added, dropped or altered. */
    private static String fingerprint(Connection c) throws SQLException {
        return String.join("/", strings(c, "SELECT concat_ws(' ',"
                + " (SELECT count(*) FROM pg_class), (SELECT max(oid::bigint) FROM pg_class),"
                + " (SELECT count(*) FROM pg_attribute), (SELECT max(oid::bigint) FROM pg_constraint),"
                + " (SELECT count(*) FROM pg_constraint), (SELECT count(*) FROM pg_index),"
                + " (SELECT count(*) FROM pg_proc), (SELECT count(*) FROM pg_namespace))"));
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }
}
