package io.tradestore;

import io.tradestore.internal.Decimal18;
import io.tradestore.internal.Migrator;
import io.tradestore.testing.SqliteFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.tradestore.testing.SqliteFiles.rows;
import static io.tradestore.testing.SqliteFiles.schema;
import static org.assertj.core.api.Assertions.assertThat;

/** The changelog against real SQLite files: fresh install, idempotence, rollback, integrity. */
class MigrationTest {
    private static final List<String> ALL_TABLES = List.of("analytics_metrics", "candlestick_metadata",
            "candlesticks", "ml_model_results", "order_fills", "orders", "outcomes", "pattern_cache",
            "portfolio_snapshots", "position_events", "positions", "predictions", "schema_versions", "sentiment_scores",
            "trade_execution_log");

    /** Every foreign key the schema declares: child.column -> parent.column. */
    private static final Set<String> ALL_FOREIGN_KEYS = Set.of(
            "orders.position_id -> positions.id",
            "position_events.position_id -> positions.id",
            "order_fills.order_id -> orders.id",
            "outcomes.prediction_id -> predictions.id",
            "trade_execution_log.order_id -> orders.id");

    @TempDir
    Path dir;

    @Test
    void freshMigrationCreatesEveryTableAndRecordsTheLatestSchemaVersion() throws Exception {
        try (Connection c = SqliteFiles.open(SqliteFiles.migrated(dir))) {
            assertThat(SqliteFiles.tables(c)).containsExactlyElementsOf(ALL_TABLES);
            assertThat(rows(c, "SELECT version, liquibase_tag FROM schema_versions ORDER BY version"))
                    .containsExactly(List.of("1", "v1"), List.of("2", "v2"), List.of("3", "v3"), List.of("4", "v4"),
                            List.of("5", "v5"), List.of("6", "v6"), List.of("7", "v7"), List.of("8", "v8"),
                            List.of("9", "v9"));
            assertThat(rows(c, "SELECT tag FROM DATABASECHANGELOG WHERE tag IS NOT NULL ORDER BY orderexecuted"))
                    .containsExactly(List.of("v1"), List.of("v2"), List.of("v3"), List.of("v4"), List.of("v5"), List.of("v6"),
                            List.of("v7"), List.of("v8"), List.of("v9"));
        }
    }

    @Test
    void secondUpdateAppliesNothing() throws Exception {
        try (Connection c = SqliteFiles.open(SqliteFiles.migrated(dir))) {
            List<List<String>> before = schema(c);
            List<List<String>> log = rows(c, "SELECT id, md5sum, dateexecuted FROM DATABASECHANGELOG ORDER BY id");
            Migrator.update(c);
            assertThat(schema(c)).isEqualTo(before);
            assertThat(rows(c, "SELECT id, md5sum, dateexecuted FROM DATABASECHANGELOG ORDER BY id")).isEqualTo(log);
        }
    }

    @Test
    void rollbackToFirstTagThenUpdateGivesAnIdenticalSchema() throws Exception {
        try (Connection c = SqliteFiles.open(SqliteFiles.migrated(dir))) {
            List<List<String>> full = schema(c);
            Migrator.rollbackToTag(c, "v1");
            assertThat(SqliteFiles.tables(c)).doesNotContain("predictions", "outcomes", "pattern_cache")
                    .contains("positions", "orders", "candlesticks");
            assertThat(rows(c, "SELECT version FROM schema_versions")).containsExactly(List.of("1"));
            Migrator.update(c);
            assertThat(schema(c)).isEqualTo(full);
        }
    }

    /**
     * Release 3 replaced indexes: rolling it back must restore release 2's schema exactly (the same CREATE INDEX
     * text in sqlite_master), not merely some schema without the new indexes.
     */
    @Test
    void rollbackToTheSecondTagRestoresTheSchemaOfReleaseTwoExactly() throws Exception {
        List<List<String>> releaseTwo;
        try (Connection c = SqliteFiles.open(dir.resolve("release-2.db"))) {
            int applied = 0;
            do {
                Migrator.updateCount(c, 1);
                int now = Integer.parseInt(rows(c, "SELECT COUNT(*) FROM DATABASECHANGELOG").get(0).get(0));
                assertThat(now).as("changesets applied while looking for the tag v2").isGreaterThan(applied);
                applied = now;
            } while (rows(c, "SELECT 1 FROM DATABASECHANGELOG WHERE tag = 'v2'").isEmpty());
            releaseTwo = schema(c);
        }
        try (Connection c = SqliteFiles.open(SqliteFiles.migrated(dir))) {
            List<List<String>> full = schema(c);
            Migrator.rollbackToTag(c, "v2");
            assertThat(schema(c)).isEqualTo(releaseTwo);
            assertThat(rows(c, "SELECT MAX(version) FROM schema_versions")).containsExactly(List.of("2"));
            assertThat(rows(c, "PRAGMA foreign_key_check")).isEmpty();
            Migrator.update(c);
            assertThat(schema(c)).isEqualTo(full);
        }
    }

    @Test
    void rollingBackOneReleaseAndReapplyingKeepsExistingRows() throws Exception {
        try (Connection c = SqliteFiles.open(SqliteFiles.migrated(dir)); Statement st = c.createStatement()) {
            // Written as release 4 stores decimals; rolling back to v1 passes through release 3's BIGINTs and back.
            st.executeUpdate("INSERT INTO positions (symbol, side, status, quantity, open_quantity, entry_price,"
                    + " entry_time, created_at, updated_at) VALUES ('BTCUSDT', 'LONG', 'OPEN', " + dec("1.5") + ", "
                    + dec("1.5") + ", " + dec("23140.48") + ", 1677628800000000, 1677628800000000, 1677628800000000)");
            st.executeUpdate("INSERT INTO orders (client_order_id, position_id, symbol, side, order_type, status,"
                    + " quantity, created_at, updated_at) VALUES ('c-1', 1, 'BTCUSDT', 'BUY', 'MARKET', 'NEW',"
                    + " " + dec("1.5") + ", 1677628800000000, 1677628800000000)");
            st.executeUpdate("INSERT INTO candlesticks VALUES ('BTCUSDT', '1m', 1677628800000000, " + dec("23140.48")
                    + ", " + dec("23150.77") + ", " + dec("23128.52") + ", " + dec("23142.31") + ", " + dec("2.131777") + ")");
            List<List<String>> trading = snapshotOfReleaseOneTables(c);

            Migrator.rollbackToTag(c, "v1");
            Migrator.update(c);

            assertThat(snapshotOfReleaseOneTables(c)).isEqualTo(trading);
            assertThat(rows(c, "PRAGMA foreign_key_check")).isEmpty();
        }
    }

    @Test
    void integrityAndForeignKeyChecksAreCleanAfterMigration() throws Exception {
        try (Connection c = SqliteFiles.open(SqliteFiles.migrated(dir))) {
            assertThat(rows(c, "PRAGMA integrity_check")).containsExactly(List.of("ok"));
            assertThat(rows(c, "PRAGMA foreign_key_check")).isEmpty();
        }
    }

    /**
     * Liquibase rebuilds tables for some changes and has been seen to drop foreign keys while doing so: apply
     * the changelog one changeset at a time and check that no foreign key ever disappears.
     */
    @Test
    void foreignKeysSurviveEveryChangeset() throws Exception {
        Path file = dir.resolve("stepwise.db");
        try (Connection c = SqliteFiles.open(file)) {
            Map<String, Set<String>> seen = new HashMap<>();
            int applied = 0;
            while (true) {
                Migrator.updateCount(c, 1);
                int now = Integer.parseInt(rows(c, "SELECT COUNT(*) FROM DATABASECHANGELOG").get(0).get(0));
                if (now == applied) {
                    break;
                }
                applied = now;
                Map<String, Set<String>> current = foreignKeys(c);
                seen.forEach((table, fks) -> {
                    if (current.containsKey(table)) {
                        assertThat(current.get(table)).as("FKs of %s after changeset %d", table, now).containsAll(fks);
                    }
                });
                seen = current;
                assertThat(rows(c, "PRAGMA foreign_key_check")).as("after changeset %d", now).isEmpty();
            }
            Set<String> all = new TreeSet<>();
            seen.values().forEach(all::addAll);
            assertThat(all).containsExactlyInAnyOrderElementsOf(ALL_FOREIGN_KEYS);
        }
    }

    @Test
    void foreignKeysAreEnforcedOnAMigratedDatabase() throws Exception {
        try (Connection c = SqliteFiles.open(SqliteFiles.migrated(dir)); Statement st = c.createStatement()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> st.executeUpdate(
                            "INSERT INTO order_fills (order_id, trade_id, quantity, price, filled_at) VALUES (42, 't-1', " + dec("1") + ", "
                                    + dec("1") + ", 0)"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("FOREIGN KEY");
        }
    }

    private static Map<String, Set<String>> foreignKeys(Connection c) throws SQLException {
        Map<String, Set<String>> result = new HashMap<>();
        for (String table : SqliteFiles.tables(c)) {
            Set<String> fks = new TreeSet<>();
            for (List<String> fk : rows(c, "SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('" + table + "')")) {
                fks.add(table + "." + fk.get(1) + " -> " + fk.get(0) + "." + fk.get(2));
            }
            result.put(table, fks);
        }
        return result;
    }

    /** Every row of release 1's tables; SqliteFiles.rows shows a decimal BLOB as its hex, so they compare byte for byte. */
    private static List<List<String>> snapshotOfReleaseOneTables(Connection c) throws SQLException {
        List<List<String>> all = new java.util.ArrayList<>();
        for (String table : List.of("positions", "orders", "candlesticks")) {
            all.add(List.of("table " + table));
            all.addAll(rows(c, "SELECT * FROM " + table + " ORDER BY 1, 2, 3"));
        }
        return all;
    }

    /** {@code value} as a SQL literal of its release-4 storage. */
    private static String dec(String value) {
        return "X'" + java.util.HexFormat.of().formatHex(Decimal18.encode(new java.math.BigDecimal(value))) + "'";
    }
}
