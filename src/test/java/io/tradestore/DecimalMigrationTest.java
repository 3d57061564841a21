package io.tradestore;

import io.tradestore.testing.Pages;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import io.tradestore.testing.TestEngine.EachEngineSoakOnPostgres;

import io.tradestore.analytics.NewCachedPattern;
import io.tradestore.analytics.NewMetric;
import io.tradestore.internal.Decimal18;
import io.tradestore.internal.Migrator;
import io.tradestore.internal.SchemaGate;
import io.tradestore.market.Candle;
import io.tradestore.market.Timeframe;
import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.SqliteFiles;
import io.tradestore.testing.Stores;
import io.tradestore.trading.Position;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.NewFill;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Collectors;
import java.util.Set;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

import static io.tradestore.testing.SqliteFiles.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Release 4 migrates a database with data in place, on SQLite and PostgreSQL through one path: a release-3 database
 * filled by the demo (60,480 real candles, 685 positions, 1,370 orders, fills, predictions, outcomes) plus rows at
 * the edges of release 3's range in every table ({@code src/test/resources/fixtures/README.md}). Update to v4: every
 * value equal to before; roll back to v3: every stored integer and the schema exactly as before; update again:
 * equal again. A rollback meeting a value release 3 cannot store refuses, naming table, column and row, and leaves
 * the database at v4 untouched.
 *
 * <p>Release 5 (orders follow the venue) on the same data, the same way: fills gain their trade ids and fee
 * currencies, orders PENDING_CANCEL; rolled back, every release-4 row and the schema are exactly as before, and what
 * release 4 cannot hold (a pending cancel, a fee in another currency) stops the rollback before anything changes.
 *
 * <p>Release 6 (candles follow the venues' intervals) the same way: it changes CHECKs only, so every row is kept both
 * ways and the schema comes back exactly; a candle, a series or a cached pattern of a timeframe release 5 does not know
 * stops the rollback, naming the row.
 */
class DecimalMigrationTest {
    /**
     * A column's place among the table's columns. Not ordinal_position itself: that is PostgreSQL's attnum, which a
     * dropped column keeps reserved, so release 6's rollback (DROP COLUMN has_outcome) and update (ADD COLUMN) move
     * has_outcome from 13 to 14 while the columns and their order are the same.
     */
    static final String COLUMN_POSITION = "rank() OVER (PARTITION BY table_schema, table_name ORDER BY ordinal_position)";
    /** Tables in foreign-key order (parents first), with the ordering that makes a snapshot deterministic. */
    private static final Map<String, String> TABLES = new LinkedHashMap<>();

    static {
        TABLES.put("positions", "id");
        TABLES.put("orders", "id");
        TABLES.put("order_fills", "id");
        TABLES.put("portfolio_snapshots", "id");
        TABLES.put("candlesticks", "symbol, timeframe, open_time");
        TABLES.put("candlestick_metadata", "symbol, timeframe");
        TABLES.put("pattern_cache", "id");
        TABLES.put("predictions", "id");
        TABLES.put("outcomes", "id");
        TABLES.put("trade_execution_log", "id");
        TABLES.put("ml_model_results", "id");
        TABLES.put("analytics_metrics", "id");
        TABLES.put("sentiment_scores", "id");
    }


    @TempDir
    Path dir;
    private PostgresDatabases pg;

    @AfterEach
    void dropPostgresDatabase() throws SQLException {
        if (pg != null) {
            pg.close();
        }
    }

    @EachEngine
    void updateRollbackAndUpdateAgainKeepEveryValueOfTheDemoDatabase(TestEngine engine) throws Exception {
        try (Connection c = releaseThreeDemo(engine)) {
            Map<String, List<List<Object>>> raw = snapshot(c, false);
            Object schemaThree = schema(engine, c);
            assertThat(raw.get("candlesticks")).hasSize(60_480);
            assertThat(raw.get("positions")).hasSizeGreaterThan(600);

            Migrator.updateToTag(c, "v4");
            assertThat(versions(c)).containsExactly("1", "2", "3", "4");
            Map<String, List<List<Object>>> four = snapshot(c, true);
            assertThat(four).isEqualTo(asReleaseFourReadsIt(raw));
            assertForeignKeysHold(engine, c);
            Object schemaFour = schema(engine, c);

            Migrator.rollbackToTag(c, "v3");
            assertThat(versions(c)).containsExactly("1", "2", "3");
            assertThat(snapshot(c, false)).isEqualTo(raw);
            assertThat(schema(engine, c)).isEqualTo(schemaThree);
            assertForeignKeysHold(engine, c);

            Migrator.updateToTag(c, "v4");
            assertThat(snapshot(c, true)).isEqualTo(four);
            assertThat(schema(engine, c)).isEqualTo(schemaFour);
        }
    }

    /**
     * Release 4 is one changeset per engine (one transaction): applied changeset by changeset on a database with
     * rows, every foreign key is still declared afterwards (SQLite: the children's REFERENCES were not rewritten to
     * the renamed old tables) and holds.
     */
    @EachEngineSoakOnPostgres
    void everyReleaseFourChangesetKeepsEveryForeignKeyOnTheDemoDatabase(TestEngine engine) throws Exception {
        try (Connection c = releaseThreeDemo(engine)) {
            int applied = Integer.parseInt(column(c, "SELECT COUNT(*) FROM databasechangelog").get(0));
            int steps = 0;
            while (true) {
                if (versions(c).contains("4")) {
                    break; // later releases are not release 4's business
                }
                Migrator.updateCount(c, 1);
                int now = Integer.parseInt(column(c, "SELECT COUNT(*) FROM databasechangelog").get(0));
                assertThat(now).as("a changeset was applied").isEqualTo(applied + 1);
                applied = now;
                steps++;
                assertForeignKeysHold(engine, c);
            }
            assertThat(versions(c)).containsExactly("1", "2", "3", "4");
            assertThat(steps).as("release 4's changesets for this engine").isEqualTo(1);
        }
    }

    /**
     * SQLite only: PostgreSQL enforces foreign keys always, but a SQLite file written with them off (the sqlite3
     * shell's default) can hold a dangling row. Release 4 refuses such a file before changing anything, naming the
     * row, rather than blaming its own rebuild half-way; and nothing of release 4 is left behind.
     */
    @org.junit.jupiter.api.Test
    void aSqliteFileThatAlreadyBreaksAForeignKeyIsRefusedBeforeAnythingChanges() throws Exception {
        Map<String, List<List<Object>>> raw;
        Object schemaThree;
        try (Connection c = releaseThreeDemo(TestEngine.SQLITE); Statement st = c.createStatement()) {
            st.execute("PRAGMA foreign_keys = OFF");
            st.executeUpdate("INSERT INTO order_fills (order_id, quantity, price, fee, filled_at)"
                    + " VALUES (999999, 100000000, 100000000, 0, 1677628800000000)");
            raw = snapshot(c, false);
            schemaThree = schema(TestEngine.SQLITE, c);
        }
        assertThatThrownBy(() -> Tradestore.open(config(TestEngine.SQLITE)))
                .isInstanceOf(SchemaVersionException.class)
                .hasMessageContaining("release 4 found a row that breaks a foreign key before it changed anything:"
                        + " order_fills rowid")
                .hasMessageContaining("references a missing orders row");
        try (Connection c = connect(TestEngine.SQLITE)) {
            c.setAutoCommit(true);
            assertThat(versions(c)).containsExactly("1", "2", "3");
            assertThat(snapshot(c, false)).isEqualTo(raw);
            assertThat(schema(TestEngine.SQLITE, c)).isEqualTo(schemaThree);
        }
    }

    /**
     * Liquibase records a changeset after its transaction; a process killed in between leaves release 4 applied but
     * unrecorded. Running it again must refuse, not convert converted values (PostgreSQL would divide them by 10^8).
     */
    @EachEngineSoakOnPostgres
    void releaseFourAppliedButUnrecordedIsNotConvertedTwice(TestEngine engine) throws Exception {
        try (Connection c = releaseThreeDemo(engine)) {
            Migrator.updateToTag(c, "v4");
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("DELETE FROM databasechangelog WHERE id LIKE 'release-4-%'");
            }
            Map<String, List<List<Object>>> four = snapshot(c, true);
            assertThatThrownBy(() -> Migrator.updateToTag(c, "v4"))
                    .isInstanceOf(SchemaVersionException.class)
                    .hasMessageContaining("release 4 is already applied (schema_versions has version 4) but Liquibase has"
                            + " no record of it");
            c.setAutoCommit(true);
            assertThat(versions(c)).containsExactly("1", "2", "3", "4");
            assertThat(snapshot(c, true)).isEqualTo(four);
        }
    }

    @EachEngineSoakOnPostgres
    void aRollbackMeetingAValueReleaseThreeCannotStoreRefusesNamingItAndChangesNothing(TestEngine engine) throws Exception {
        try (Connection c = releaseThreeDemo(engine)) {
            Migrator.updateToTag(c, "v4");
        }
        long metricId;
        try (Tradestore store = Tradestore.open(config(engine))) {
            metricId = store.inTransaction(uow -> uow.metrics().record(new NewMetric("wei",
                    new BigDecimal("0.000000000000000001"), Instant.parse("2023-03-22T00:00:00Z"), null)).id());
            store.useTransaction(uow -> uow.candlesticks().upsert(List.of(new Candle("PEPEUSDT", Timeframe.D1,
                    Instant.parse("2023-03-22T00:00:00Z"), new BigDecimal("0.0000013"), new BigDecimal("0.0000014"),
                    new BigDecimal("0.0000012"), new BigDecimal("0.0000013"), new BigDecimal("4235198765432.12")))));
        }
        try (Connection c = connect(engine)) {
            Migrator.rollbackToTag(c, "v4"); // the store migrated to the latest release; this test is about release 4
            c.setAutoCommit(true);
            Map<String, List<List<Object>>> before = snapshot(c, true);
            List<String> log = column(c, "SELECT id FROM databasechangelog ORDER BY orderexecuted");
            assertThatThrownBy(() -> Migrator.rollbackToTag(c, "v3"))
                    .isInstanceOf(SchemaVersionException.class)
                    .hasMessageContaining("cannot roll back release 4: ")
                    .hasMessageMatching("(?s).*(analytics\\.analytics_metrics\\.value of row id=" + metricId
                            + "|market\\.candlesticks\\.\\w+ of row symbol=PEPEUSDT timeframe=1d open_time=\\d+).*");
            if (engine == TestEngine.SQLITE) {
                c.setAutoCommit(true); // Liquibase leaves its transaction mode behind on the failed connection
            }
            assertThat(versions(c)).containsExactly("1", "2", "3", "4");
            assertThat(column(c, "SELECT id FROM databasechangelog ORDER BY orderexecuted")).isEqualTo(log);
            assertThat(snapshot(c, true)).isEqualTo(before);
        }
    }

    @EachEngineSoakOnPostgres
    void openingAReleaseThreeDatabaseMigratesItWithAutoMigrateAndRefusesWithout(TestEngine engine) throws Exception {
        Map<String, List<List<Object>>> raw;
        try (Connection c = releaseThreeDemo(engine)) {
            raw = snapshot(c, false);
        }
        assertThatThrownBy(() -> Tradestore.open(config(engine).withAutoMigrate(false)))
                .isInstanceOf(SchemaVersionException.class)
                .hasMessageContaining("database schema 3 is older than this build's " + SchemaGate.buildVersion());
        try (Tradestore store = Tradestore.open(config(engine))) {
            assertThat(store.schemaVersion()).isEqualTo(SchemaGate.buildVersion());
            // Read through the DAOs: the demo's positions, with release 3's values, normalized.
            List<Object> first = raw.get("positions").get(0);
            Position p = store.read(uow -> uow.positions().find((Long) first.get(0))).orElseThrow();
            assertThat(p.quantity()).isEqualTo(Decimal18.normalize(BigDecimal.valueOf((Long) first.get(4), 8)));
            assertThat(p.entryPrice()).isEqualTo(Decimal18.normalize(BigDecimal.valueOf((Long) first.get(5), 8)));
        }
    }

    // --- release 5: orders follow the venue ---

    @EachEngineSoakOnPostgres
    void releaseFiveCarriesOrdersAndFillsAcrossAndBackOnTheDemoDatabase(TestEngine engine) throws Exception {
        try (Connection c = releaseThreeDemo(engine)) {
            Migrator.updateToTag(c, "v4");
            Map<String, List<List<Object>>> four = snapshot(c, true);
            Object schemaFour = schema(engine, c);
            assertThat(four.get("order_fills")).hasSizeGreaterThan(1_000);

            Migrator.updateToTag(c, "v5");
            assertThat(versions(c)).containsExactly("1", "2", "3", "4", "5");
            Map<String, List<List<Object>>> five = snapshot(c, true);
            assertThat(five).isEqualTo(asReleaseFiveReadsIt(four));
            assertForeignKeysHold(engine, c);
            Object schemaFive = schema(engine, c);
            assertThat(schemaFive).isNotEqualTo(schemaFour);

            Migrator.rollbackToTag(c, "v4");
            assertThat(versions(c)).containsExactly("1", "2", "3", "4");
            assertThat(snapshot(c, true)).isEqualTo(four);
            assertThat(schema(engine, c)).isEqualTo(schemaFour);
            assertForeignKeysHold(engine, c);

            Migrator.updateToTag(c, "v5");
            assertThat(snapshot(c, true)).isEqualTo(five);
            assertThat(schema(engine, c)).isEqualTo(schemaFive);
        }
    }

    /**
     * Written through release 5's API, then rolled back: a PENDING_CANCEL order and a fee paid in BNB stop the rollback,
     * named, with nothing changed; once they are resolved it goes through, and release 4 keeps every fill (without
     * its trade id) and every order as release 5 left it.
     */
    @EachEngineSoakOnPostgres
    void aRollbackOfReleaseFiveRefusesWhatReleaseFourCannotHoldAndChangesNothing(TestEngine engine) throws Exception {
        try (Connection c = releaseThreeDemo(engine)) {
            Migrator.update(c);
        }
        long pending;
        long bnbFill;
        try (Tradestore store = Tradestore.open(config(engine))) {
            pending = store.inTransaction(uow -> uow.orders().cancel(uow.orders().place(
                    NewOrder.market("r5-pending", "BTCUSDT", OrderSide.BUY, new BigDecimal("1"))).id()).id());
            bnbFill = store.inTransaction(uow -> {
                long id = uow.orders().place(NewOrder.market("r5-bnb", "BTCUSDT", OrderSide.BUY,
                        new BigDecimal("1"))).id();
                uow.orders().fill(id, new NewFill("v-1", new BigDecimal("0.5"), new BigDecimal("23000.5"),
                        new BigDecimal("0.0001"), "USDT", Instant.parse("2023-03-22T00:00:00Z")));
                return uow.orders().fill(id, new NewFill("v-2", new BigDecimal("0.5"), new BigDecimal("23001"),
                        new BigDecimal("0.00002"), "BNB", Instant.parse("2023-03-22T00:00:01Z"))).fill().id();
            });
        }
        rollBackToFive(engine); // the store migrated to the latest release; this test is about release 5
        assertRollbackRefused(engine, "v4", "cannot roll back release 5: trading.orders row id=" + pending
                + " (client order id r5-pending) is PENDING_CANCEL, which release 4 cannot store",
                "1", "2", "3", "4", "5");
        try (Tradestore store = Tradestore.open(config(engine))) {
            store.useTransaction(uow -> uow.orders().confirmCancel(pending));
        }
        rollBackToFive(engine);
        assertRollbackRefused(engine, "v4", "cannot roll back release 5: trading.order_fills row id=" + bnbFill
                + " paid a fee in BNB, but release 4 reads every fee as the quote currency of BTCUSDT",
                "1", "2", "3", "4", "5");
        try (Connection c = connect(engine); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            // the operator's way out: the fee converted into the quote currency by hand
            st.executeUpdate("UPDATE " + qualified(c, "order_fills") + " SET fee_currency = 'USDT' WHERE id = " + bnbFill);
            Map<String, List<List<Object>>> five = snapshot(c, true);
            Migrator.rollbackToTag(c, "v4");
            c.setAutoCommit(true);
            assertThat(versions(c)).containsExactly("1", "2", "3", "4");
            Map<String, List<List<Object>>> four = snapshot(c, true);
            assertThat(four.get("orders")).isEqualTo(five.get("orders"));
            assertThat(four.get("order_fills")).isEqualTo(five.get("order_fills").stream()
                    .map(row -> row.subList(0, row.size() - 2)).toList());
            assertForeignKeysHold(engine, c);
        }
    }

    /**
     * Rolling back to {@code tag} refuses with {@code message} and changes nothing: neither schema_versions (still
     * {@code versions}), Liquibase's history, the rows nor the schema.
     */
    private void assertRollbackRefused(TestEngine engine, String tag, String message, String... versions)
            throws Exception {
        try (Connection c = connect(engine)) {
            c.setAutoCommit(true);
            Map<String, List<List<Object>>> before = snapshot(c, true);
            Object schemaBefore = schema(engine, c);
            List<String> log = column(c, "SELECT id FROM databasechangelog ORDER BY orderexecuted");
            assertThatThrownBy(() -> Migrator.rollbackToTag(c, tag))
                    .isInstanceOf(SchemaVersionException.class)
                    .hasMessageContaining(message);
            c.setAutoCommit(true);
            assertThat(versions(c)).containsExactly(versions);
            assertThat(column(c, "SELECT id FROM databasechangelog ORDER BY orderexecuted")).isEqualTo(log);
            assertThat(snapshot(c, true)).isEqualTo(before);
            assertThat(schema(engine, c)).isEqualTo(schemaBefore);
        }
    }

    private void rollBackToFive(TestEngine engine) throws Exception {
        try (Connection c = connect(engine)) {
            Migrator.rollbackToTag(c, "v5");
        }
    }

    @EachEngineSoakOnPostgres
    void releaseFiveAppliedButUnrecordedIsNotAppliedTwice(TestEngine engine) throws Exception {
        try (Connection c = releaseThreeDemo(engine)) {
            Migrator.update(c);
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("DELETE FROM databasechangelog WHERE id LIKE 'release-5-%'");
            }
            Map<String, List<List<Object>>> five = snapshot(c, true);
            assertThatThrownBy(() -> Migrator.update(c))
                    .isInstanceOf(SchemaVersionException.class)
                    .hasMessageContaining("release 5 is already applied (schema_versions has version 5)");
            c.setAutoCommit(true);
            assertThat(snapshot(c, true)).isEqualTo(five);
        }
    }

    // --- release 7: candles follow the venues' intervals ---

    /** Release 7 changes CHECKs only: every row of release 6 is kept as it is, both ways, and so is the schema. */
    @EachEngineSoakOnPostgres
    void releaseSevenKeepsEveryRowAcrossAndBackOnTheDemoDatabase(TestEngine engine) throws Exception {
        try (Connection c = releaseThreeDemo(engine)) {
            Migrator.updateToTag(c, "v6");
            Map<String, List<List<Object>>> six = snapshot(c, true);
            Object schemaSix = schema(engine, c);
            assertThat(six.get("candlesticks")).hasSize(60_480);

            Migrator.updateToTag(c, "v7");
            assertThat(versions(c)).containsExactly("1", "2", "3", "4", "5", "6", "7");
            assertThat(snapshot(c, true)).isEqualTo(six);
            assertForeignKeysHold(engine, c);
            Object schemaSeven = schema(engine, c);
            assertThat(schemaSeven).isNotEqualTo(schemaSix);

            Migrator.rollbackToTag(c, "v6");
            assertThat(versions(c)).containsExactly("1", "2", "3", "4", "5", "6");
            assertThat(snapshot(c, true)).isEqualTo(six);
            assertThat(schema(engine, c)).isEqualTo(schemaSix);
            assertForeignKeysHold(engine, c);

            Migrator.updateToTag(c, "v7");
            assertThat(snapshot(c, true)).isEqualTo(six);
            assertThat(schema(engine, c)).isEqualTo(schemaSeven);
        }
    }

    /**
     * Written through release 7's API, then rolled back: a weekly candle, its series and a 12h pattern each stop the
     * rollback in turn, named, with nothing changed; once they are deleted it goes through and every other row stays.
     */
    @EachEngineSoakOnPostgres
    void aRollbackOfReleaseSevenRefusesTimeframesReleaseSixDoesNotKnowAndChangesNothing(TestEngine engine) throws Exception {
        try (Connection c = releaseThreeDemo(engine)) {
            Migrator.update(c);
        }
        Instant monday = Instant.parse("2023-03-06T00:00:00Z");
        long patternId;
        try (Tradestore store = Tradestore.open(config(engine).withClock(Stores.fixed(monday)))) {
            store.useTransaction(uow -> uow.candlesticks().upsert(List.of(new Candle("BTCUSDT", Timeframe.W1, monday,
                    new BigDecimal("22430.24"), new BigDecimal("28868.05"), new BigDecimal("19549.09"),
                    new BigDecimal("24197.57"), new BigDecimal("2891538.34311")))));
            patternId = store.inTransaction(uow -> uow.patternCache().put(new NewCachedPattern("r6-12h", "BTCUSDT",
                    Timeframe.H12, "double_top", new BigDecimal("0.7"), Json.of("{}"), monday), Duration.ofDays(1)).entry().id());
        }
        try (Connection c = connect(engine)) {
            Migrator.rollbackToTag(c, "v7"); // the store migrated to the latest release; this test is about release 7
        }
        String hint = ", a timeframe release 6 cannot store; delete the rows of timeframes release 6 does not know"
                + " (3m, 30m, 2h, 6h, 8h, 12h, 1w) first";
        assertRollbackRefused(engine, "v6", "cannot roll back release 7: market.candlesticks row symbol=BTCUSDT"
                + " timeframe=1w open_time=1678060800000000 is a 1w candle" + hint, "1", "2", "3", "4", "5", "6", "7");
        deleteWhere(engine, "candlesticks", "timeframe = '1w'");
        assertRollbackRefused(engine, "v6", "cannot roll back release 7: market.candlestick_metadata row"
                + " symbol=BTCUSDT timeframe=1w describes a 1w series" + hint, "1", "2", "3", "4", "5", "6", "7");
        deleteWhere(engine, "candlestick_metadata", "timeframe = '1w'");
        assertRollbackRefused(engine, "v6", "cannot roll back release 7: analytics.pattern_cache row id=" + patternId
                + " (cache key r6-12h) is a 12h pattern" + hint, "1", "2", "3", "4", "5", "6", "7");
        deleteWhere(engine, "pattern_cache", "id = " + patternId);
        try (Connection c = connect(engine)) {
            c.setAutoCommit(true);
            Map<String, List<List<Object>>> seven = snapshot(c, true);
            Migrator.rollbackToTag(c, "v6");
            c.setAutoCommit(true);
            assertThat(versions(c)).containsExactly("1", "2", "3", "4", "5", "6");
            assertThat(snapshot(c, true)).isEqualTo(seven);
            assertForeignKeysHold(engine, c);
            if (engine == TestEngine.SQLITE) {
                // pattern_cache's AUTOINCREMENT high-water mark survived both rebuilds: the deleted id is not reused
                assertThat(column(c, "SELECT seq FROM sqlite_sequence WHERE name = 'pattern_cache'"))
                        .containsExactly(String.valueOf(patternId));
            }
        }
    }

    private void deleteWhere(TestEngine engine, String table, String condition) throws Exception {
        try (Connection c = connect(engine); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            assertThat(st.executeUpdate("DELETE FROM " + qualified(c, table) + " WHERE " + condition)).isEqualTo(1);
        }
    }

    @EachEngineSoakOnPostgres
    void releaseSevenAppliedButUnrecordedIsNotAppliedTwice(TestEngine engine) throws Exception {
        if (engine == TestEngine.POSTGRES) {
            pg = new PostgresDatabases(); // an empty database will do: the guard reads schema_versions only
        }
        try (Connection c = connect(engine)) {
            Migrator.updateToTag(c, "v7");
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("DELETE FROM databasechangelog WHERE id LIKE 'release-7-%'");
            }
            Map<String, List<List<Object>>> seven = snapshot(c, true);
            Object schemaSeven = schema(engine, c);
            assertThatThrownBy(() -> Migrator.updateToTag(c, "v7"))
                    .isInstanceOf(SchemaVersionException.class)
                    .hasMessageContaining("release 7 is already applied (schema_versions has version 7)");
            c.setAutoCommit(true);
            assertThat(snapshot(c, true)).isEqualTo(seven);
            assertThat(schema(engine, c)).isEqualTo(schemaSeven);
        }
    }

    /** Release 4's rows as release 5 reads them: every fill gains trade_id legacy-&lt;id&gt; and no fee currency. */
    private static Map<String, List<List<Object>>> asReleaseFiveReadsIt(Map<String, List<List<Object>>> four) {
        Map<String, List<List<Object>>> out = new LinkedHashMap<>(four);
        out.put("order_fills", four.get("order_fills").stream().map(row -> {
            List<Object> r = new ArrayList<>(row);
            r.add("legacy-" + row.get(0));
            r.add(null);
            return (List<Object>) r;
        }).toList());
        return out;
    }

    /**
     * Release 6 on the demo database at release 5, with data: has_outcome is set exactly for the predictions that have
     * an outcome (the demo's closed trades) and clear for the rest (its open ones), every other value is unchanged,
     * and the partial index holds the awaiting ones. Rolling back to v5 gives every value and the schema exactly as
     * before; updating again gives release 6 again.
     */
    @EachEngineSoakOnPostgres
    void releaseSixMarksEveryEvaluatedPredictionAndRollsBackToFiveExactly(TestEngine engine) throws Exception {
        try (Connection c = releaseThreeDemo(engine)) {
            Migrator.updateToTag(c, "v5");
            Map<String, List<List<Object>>> before = snapshot(c, true);
            Object schemaBefore = schema(engine, c);
            Set<Long> evaluated = column(c, "SELECT prediction_id FROM " + qualified(c, "outcomes")).stream()
                    .map(Long::valueOf).collect(Collectors.toSet());
            assertThat(evaluated).as("predictions with an outcome").isNotEmpty()
                    .hasSizeLessThan(before.get("predictions").size());

            Migrator.updateToTag(c, "v6");
            assertThat(versions(c)).containsExactly("1", "2", "3", "4", "5", "6");
            Map<String, List<List<Object>>> after = snapshot(c, true);
            assertThat(after.keySet()).isEqualTo(before.keySet());
            for (String table : before.keySet()) {
                if (!table.equals("predictions")) {
                    assertThat(after.get(table)).as(table).isEqualTo(before.get(table));
                }
            }
            List<List<Object>> predictions = before.get("predictions").stream().map(row -> {
                List<Object> marked = new ArrayList<>(row);
                marked.add(evaluated.contains((Long) row.get(0)) ? 1L : 0L); // has_outcome, the last column
                return (List<Object>) marked;
            }).toList();
            assertThat(after.get("predictions")).isEqualTo(predictions);
            String awaitingSql = "SELECT id FROM " + qualified(c, "predictions") + " WHERE has_outcome = "
                    + (engine == TestEngine.SQLITE ? "0" : "FALSE") + " ORDER BY prediction_timestamp, id";
            List<Long> awaiting = column(c, awaitingSql).stream().map(Long::valueOf).toList();
            assertThat(awaiting).as("awaiting an outcome, oldest first")
                    .hasSize(before.get("predictions").size() - evaluated.size())
                    .doesNotContainAnyElementsOf(evaluated);
            assertForeignKeysHold(engine, c);
            Object schemaAfter = schema(engine, c);

            Migrator.rollbackToTag(c, "v5");
            assertThat(versions(c)).containsExactly("1", "2", "3", "4", "5");
            assertThat(snapshot(c, true)).isEqualTo(before);
            assertThat(schema(engine, c)).isEqualTo(schemaBefore);
            assertForeignKeysHold(engine, c);

            Migrator.updateToTag(c, "v6");
            assertThat(snapshot(c, true)).isEqualTo(after);
            assertThat(schema(engine, c)).isEqualTo(schemaAfter);
        }
    }

    // --- release 8: positions follow their fills ---

    /**
     * Release 8 on the demo database, both engines: every position keeps its row, gains open_quantity (its quantity
     * while OPEN, 0 once CLOSED) and no quote currency, and its events: an ENTRY each and, for CLOSED ones, a REDUCE
     * with the exit price, time, reason and realized P&L as stored, so realized P&L is the sum of the REDUCE events.
     * Rolled back to v5: rows and schema exactly as before; updated again: equal again.
     */
    @EachEngine
    void releaseEightCarriesPositionsAcrossAndBackOnTheDemoDatabase(TestEngine engine) throws Exception {
        try (Connection c = releaseThreeDemo(engine)) {
            Migrator.updateToTag(c, "v7");
            Map<String, List<List<Object>>> seven = snapshot(c, true);
            Object schemaSeven = schema(engine, c);
            assertThat(seven.get("positions")).hasSizeGreaterThan(100);
            assertThat(seven.get("positions")).anyMatch(r -> "OPEN".equals(r.get(3)));

            Migrator.updateToTag(c, "v8");
            assertThat(versions(c)).containsExactly("1", "2", "3", "4", "5", "6", "7", "8");
            Map<String, List<List<Object>>> eight = snapshot(c, true);
            assertThat(eight).isEqualTo(asReleaseEightReadsIt(seven));
            List<List<Object>> events = decoded(c, "SELECT position_id, kind, quantity, price, realized_pnl, occurred_at,"
                    + " reason, created_at FROM " + qualified(c, "position_events") + " ORDER BY id");
            assertThat(events).isEqualTo(releaseEightEventsOf(seven.get("positions")));
            assertEightForeignKeysHold(engine, c);
            Object schemaEight = schema(engine, c);
            assertThat(schemaEight).isNotEqualTo(schemaSeven);

            Migrator.rollbackToTag(c, "v7");
            assertThat(versions(c)).containsExactly("1", "2", "3", "4", "5", "6", "7");
            assertThat(snapshot(c, true)).isEqualTo(seven);
            assertThat(schema(engine, c)).isEqualTo(schemaSeven);
            assertForeignKeysHold(engine, c);

            Migrator.updateToTag(c, "v8");
            assertThat(snapshot(c, true)).isEqualTo(eight);
            assertThat(decoded(c, "SELECT position_id, kind, quantity, price, realized_pnl, occurred_at, reason,"
                    + " created_at FROM " + qualified(c, "position_events") + " ORDER BY id")).isEqualTo(events);
            assertThat(schema(engine, c)).isEqualTo(schemaEight);
        }
        // Through the API: a migrated CLOSED position's P&L is exactly the sum of its REDUCE events.
        try (Tradestore store = Tradestore.open(config(engine))) {
            store.read(uow -> {
                Position closed = Pages.all(page ->
                        uow.positions().closed(Instant.EPOCH, Instant.parse("9999-01-01T00:00:00Z"), page)).get(0);
                assertThat(uow.positions().events(closed.id())).extracting(e -> e.kind().name())
                        .containsExactly("ENTRY", "REDUCE");
                assertThat(uow.positions().events(closed.id()).get(1).realizedPnl()).isEqualTo(closed.realizedPnl());
                return null;
            });
        }
    }

    /**
     * Written through release 8's API, then rolled back: an increased position, then a partly reduced one, stop the
     * rollback, named, with nothing changed; once they are gone it goes through and release 7 keeps every position
     * as release 8 left it, without open quantity; a quote currency stops it too (net P&L would change).
     */
    @EachEngineSoakOnPostgres
    void aRollbackOfReleaseEightRefusesWhatReleaseSevenCannotHoldAndChangesNothing(TestEngine engine) throws Exception {
        try (Connection c = releaseThreeDemo(engine)) {
            Migrator.update(c);
        }
        Instant at = Instant.parse("2023-03-22T00:00:00Z");
        long increased;
        long reduced;
        long quoted;
        try (Tradestore store = Tradestore.open(config(engine))) {
            increased = store.inTransaction(uow -> {
                long id = uow.positions().open(io.tradestore.trading.NewPosition.of("BTCUSDT",
                        io.tradestore.trading.PositionSide.LONG, new BigDecimal("1"), new BigDecimal("23000"), at)).id();
                return uow.positions().increase(id, new BigDecimal("1"), new BigDecimal("23001"), at).id();
            });
            reduced = store.inTransaction(uow -> {
                long id = uow.positions().open(io.tradestore.trading.NewPosition.of("ETHUSDT",
                        io.tradestore.trading.PositionSide.SHORT, new BigDecimal("2"), new BigDecimal("1600"), at)
                        .withQuoteCurrency("USDT")).id();
                return uow.positions().reduce(id, new BigDecimal("0.5"), new BigDecimal("1500"), at, "trim").id();
            });
            // a position closed in one step, with a quote currency: release 7 holds it only once the currency is gone
            quoted = store.inTransaction(uow -> uow.positions().close(uow.positions().open(io.tradestore.trading.NewPosition
                    .of("SOLUSDT", io.tradestore.trading.PositionSide.LONG, new BigDecimal("3"), new BigDecimal("20"), at)
                    .withQuoteCurrency("USDT")).id(), new BigDecimal("21"), at, "target").id());
        }
        rollBackToEight(engine); // the store migrated to the latest release; this test is about release 8
        assertRollbackRefused(engine, "v7", "cannot roll back release 8: trading.positions row id=" + increased
                + " was increased (position_events row id=", "1", "2", "3", "4", "5", "6", "7", "8");
        deletePosition(engine, increased);
        assertRollbackRefused(engine, "v7", "cannot roll back release 8: trading.positions row id=" + reduced
                + " was reduced in part (1 REDUCE events, still OPEN)", "1", "2", "3", "4", "5", "6", "7", "8");
        try (Tradestore store = Tradestore.open(config(engine))) {
            store.useTransaction(uow -> uow.positions().close(reduced, new BigDecimal("1400"), at, "rest"));
        }
        rollBackToEight(engine);
        assertRollbackRefused(engine, "v7", "cannot roll back release 8: trading.positions row id=" + reduced
                + " was reduced in part (2 REDUCE events, CLOSED)", "1", "2", "3", "4", "5", "6", "7", "8");
        deletePosition(engine, reduced);
        assertRollbackRefused(engine, "v7", "cannot roll back release 8: trading.positions row id=" + quoted
                + " has quote currency USDT, which release 7 cannot store", "1", "2", "3", "4", "5", "6", "7", "8");
        try (Connection c = connect(engine); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            st.executeUpdate("UPDATE " + qualified(c, "positions") + " SET quote_currency = NULL WHERE id = " + quoted);
        }
        try (Connection c = connect(engine)) {
            c.setAutoCommit(true);
            Map<String, List<List<Object>>> eight = snapshot(c, true);
            Migrator.rollbackToTag(c, "v7");
            c.setAutoCommit(true);
            assertThat(versions(c)).containsExactly("1", "2", "3", "4", "5", "6", "7");
            Map<String, List<List<Object>>> seven = snapshot(c, true);
            assertThat(seven.get("positions")).isEqualTo(eight.get("positions").stream()
                    .map(row -> row.subList(0, row.size() - 2)).toList());
            assertForeignKeysHold(engine, c);
        }
    }

    @EachEngineSoakOnPostgres
    void releaseEightAppliedButUnrecordedIsNotAppliedTwice(TestEngine engine) throws Exception {
        try (Connection c = releaseThreeDemo(engine)) {
            Migrator.update(c);
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("DELETE FROM databasechangelog WHERE id LIKE 'release-8-%'");
            }
            Map<String, List<List<Object>>> eight = snapshot(c, true);
            assertThatThrownBy(() -> Migrator.update(c))
                    .isInstanceOf(SchemaVersionException.class)
                    .hasMessageContaining("release 8 is already applied (schema_versions has version 8)");
            c.setAutoCommit(true);
            assertThat(snapshot(c, true)).isEqualTo(eight);
        }
    }

    /**
     * Release 9 partitions market.candlesticks by month on PostgreSQL (SQLite only records the version): on the demo
     * database plus candles in two other months, every candle is carried into its month's partition and back into
     * release 8's ordinary table, whose schema (names, constraints, index) comes back exactly; forward again equal.
     */
    @EachEngine
    void releaseNineCarriesEveryCandleIntoMonthlyPartitionsAndBack(TestEngine engine) throws Exception {
        try (Connection c = releaseThreeDemo(engine)) {
            Migrator.updateToTag(c, "v8");
            c.setAutoCommit(true);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + qualified(c, "candlesticks")
                    + " (symbol, timeframe, open_time, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (String at : List.of("2020-02-29T00:00:00Z", "2024-12-31T00:00:00Z")) {
                    ps.setString(1, "XTEST");
                    ps.setString(2, "1d");
                    ps.setLong(3, Instant.parse(at).toEpochMilli() * 1000);
                    for (int i = 4; i <= 8; i++) {
                        BigDecimal v = new BigDecimal("1.000000000000000001");
                        if (engine == TestEngine.SQLITE) {
                            ps.setBytes(i, Decimal18.encode(v));
                        } else {
                            ps.setBigDecimal(i, v);
                        }
                    }
                    ps.executeUpdate();
                }
            }
            Map<String, List<List<Object>>> eight = snapshot(c, true);
            Object schemaEight = schema(engine, c);
            assertThat(eight.get("candlesticks")).hasSize(60_482);

            Migrator.updateToTag(c, "v9");
            c.setAutoCommit(true);
            assertThat(versions(c)).containsExactly("1", "2", "3", "4", "5", "6", "7", "8", "9");
            assertThat(snapshot(c, true)).isEqualTo(eight);
            Object schemaNine = schema(engine, c);
            if (engine == TestEngine.POSTGRES) {
                assertThat(column(c, "SELECT relkind FROM pg_class WHERE oid = 'market.candlesticks'::regclass"))
                        .containsExactly("p");
                // each candle in its month's partition, none left to the default one
                assertThat(rows(c, "SELECT tableoid::regclass::text, COUNT(*) FROM market.candlesticks GROUP BY 1 ORDER BY 1"))
                        .containsExactly(List.of("market.candlesticks_y2020m02", "1"),
                                List.of("market.candlesticks_y2023m03", "60480"),
                                List.of("market.candlesticks_y2024m12", "1"));
                assertThat(column(c, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                        + " WHERE i.inhparent = 'market.candlesticks'::regclass ORDER BY 1")).containsExactly(
                        "candlesticks_default", "candlesticks_y2020m02", "candlesticks_y2023m03", "candlesticks_y2024m12");
                assertThat(schemaNine).isNotEqualTo(schemaEight);
            } else {
                assertThat(schemaNine).isEqualTo(schemaEight);
            }
            assertEightForeignKeysHold(engine, c);

            Migrator.rollbackToTag(c, "v8");
            c.setAutoCommit(true);
            assertThat(versions(c)).containsExactly("1", "2", "3", "4", "5", "6", "7", "8");
            assertThat(snapshot(c, true)).isEqualTo(eight);
            assertThat(schema(engine, c)).isEqualTo(schemaEight);
            assertEightForeignKeysHold(engine, c);

            Migrator.updateToTag(c, "v9");
            c.setAutoCommit(true);
            assertThat(snapshot(c, true)).isEqualTo(eight);
            assertThat(schema(engine, c)).isEqualTo(schemaNine);
        }
    }

    @EachEngine
    void releaseNineAppliedButUnrecordedIsNotAppliedTwice(TestEngine engine) throws Exception {
        if (engine == TestEngine.POSTGRES) {
            pg = new PostgresDatabases(); // an empty database will do: the guard reads schema_versions only
        }
        try (Connection c = connect(engine)) {
            Migrator.updateToTag(c, "v9");
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("DELETE FROM databasechangelog WHERE id LIKE 'release-9-%'");
            }
            Object schemaNine = schema(engine, c);
            assertThatThrownBy(() -> Migrator.updateToTag(c, "v9"))
                    .isInstanceOf(SchemaVersionException.class)
                    .hasMessageContaining("release 9 is already applied (schema_versions has version 9)");
            c.setAutoCommit(true);
            assertThat(schema(engine, c)).isEqualTo(schemaNine);
        }
    }

    private void rollBackToEight(TestEngine engine) throws Exception {
        try (Connection c = connect(engine)) {
            Migrator.rollbackToTag(c, "v8");
        }
    }

    /** The operator's way out of a refused rollback: the position and its events deleted by hand. */
    private void deletePosition(TestEngine engine, long id) throws Exception {
        try (Connection c = connect(engine); Statement st = c.createStatement()) {
            c.setAutoCommit(true);
            st.executeUpdate("DELETE FROM " + qualified(c, "position_events") + " WHERE position_id = " + id);
            st.executeUpdate("DELETE FROM " + qualified(c, "positions") + " WHERE id = " + id);
        }
    }

    /** Release 7's positions as release 8 reads them: open_quantity is the quantity while OPEN, 0 once CLOSED. */
    private static Map<String, List<List<Object>>> asReleaseEightReadsIt(Map<String, List<List<Object>>> seven) {
        Map<String, List<List<Object>>> out = new LinkedHashMap<>(seven);
        out.put("positions", seven.get("positions").stream().map(row -> {
            List<Object> r = new ArrayList<>(row);
            r.add("OPEN".equals(row.get(3)) ? row.get(4) : BigDecimal.ZERO);
            r.add(null);
            return (List<Object>) r;
        }).toList());
        return out;
    }

    /** The events release 8 backfills: an ENTRY per position, then a REDUCE per CLOSED position, each by id. */
    private static List<List<Object>> releaseEightEventsOf(List<List<Object>> positions) {
        List<List<Object>> out = new ArrayList<>();
        for (List<Object> p : positions) {
            out.add(java.util.Arrays.asList(p.get(0), "ENTRY", p.get(4), p.get(5), null, p.get(6), null, p.get(17)));
        }
        for (List<Object> p : positions) {
            if ("CLOSED".equals(p.get(3))) {
                out.add(java.util.Arrays.asList(p.get(0), "REDUCE", p.get(4), p.get(9), p.get(12), p.get(10), p.get(11),
                        p.get(18)));
            }
        }
        return out;
    }

    private static void assertEightForeignKeysHold(TestEngine engine, Connection c) throws SQLException {
        if (engine == TestEngine.SQLITE) {
            assertThat(rows(c, "PRAGMA foreign_key_check")).isEmpty();
            assertThat(rows(c, "PRAGMA integrity_check")).containsExactly(List.of("ok"));
            assertThat(rows(c, "SELECT m.name, f.\"table\", f.\"from\", f.\"to\" FROM sqlite_master m,"
                    + " pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND m.name = 'position_events'"))
                    .containsExactly(List.of("position_events", "positions", "position_id", "id"));
        } else {
            assertThat(rows(c, "SELECT conname FROM pg_constraint WHERE contype = 'f' ORDER BY 1")).contains(
                    List.of("fk_position_events_position_id"), List.of("fk_orders_position_id"));
        }
    }

    /** Rows of {@code sql}, decoded as {@link #snapshot} decodes them (decimals normalized, numbers as long). */
    private static List<List<Object>> decoded(Connection c, String sql) throws SQLException {
        List<List<Object>> rows = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    Object v = rs.getObject(i);
                    row.add(v instanceof byte[] b ? Decimal18.decode(b) : v instanceof BigDecimal d
                            ? Decimal18.normalize(d) : v instanceof Number num ? (Object) num.longValue()
                            : v == null ? null : v.toString());
                }
                rows.add(row);
            }
        }
        return rows;
    }

    /** Release 4's rows as release 7 reads them: every fill gains trade_id legacy-&lt;id&gt; and no fee currency. */
    private static Map<String, List<List<Object>>> asReleaseSevenReadsIt(Map<String, List<List<Object>>> four) {
        Map<String, List<List<Object>>> out = new LinkedHashMap<>(four);
        out.put("order_fills", four.get("order_fills").stream().map(row -> {
            List<Object> r = new ArrayList<>(row);
            r.add("legacy-" + row.get(0));
            r.add(null);
            return (List<Object>) r;
        }).toList());
        return out;
    }

    // --- the two engines ---

    /** A connection to a release-3 copy of the demo database: the fixture itself on SQLite, its rows on PostgreSQL. */
    private Connection releaseThreeDemo(TestEngine engine) throws Exception {
        Path file = dir.resolve("tradestore.db");
        try (InputStream in = new GZIPInputStream(Objects.requireNonNull(
                getClass().getResourceAsStream("/fixtures/release3-demo.db.gz"), "fixtures/release3-demo.db.gz"))) {
            Files.copy(in, file);
        }
        if (engine == TestEngine.SQLITE) {
            return connect(engine);
        }
        pg = new PostgresDatabases();
        Connection c = connect(engine);
        Migrator.updateToTag(c, "v3");
        c.setAutoCommit(true); // Liquibase leaves the connection in a transaction; the copy must commit
        try (Connection sqlite = SqliteFiles.open(file)) {
            for (String table : TABLES.keySet()) {
                copy(sqlite, c, table);
            }
        }
        // As a restored dump would: identities continue after the highest id, as SQLite's AUTOINCREMENT does.
        for (Map.Entry<String, String> t : TABLES.entrySet()) {
            if (t.getValue().equals("id")) {
                String table = qualified(c, t.getKey());
                rows(c, "SELECT setval(pg_get_serial_sequence('" + table + "', 'id'), (SELECT MAX(id) FROM " + table + "))");
            }
        }
        return c;
    }

    /**
     * A plain connection, as Tradestore.open and mvn liquibase:update make: on PostgreSQL, Liquibase keeps its tables in
     * the connection's current schema, so the tests name the three schemas in their own queries instead.
     */
    private Connection connect(TestEngine engine) throws SQLException {
        return engine == TestEngine.SQLITE ? SqliteFiles.open(dir.resolve("tradestore.db")) : pg.connect();
    }

    /** {@code table} as SQL names it on the connection's engine: "positions", or "trading.positions". */
    private static String qualified(Connection c, String table) throws SQLException {
        if (c.getMetaData().getURL().startsWith("jdbc:sqlite:")) {
            return table;
        }
        String schema = switch (table) {
            case "positions", "position_events", "orders", "order_fills", "portfolio_snapshots" -> "trading";
            case "candlesticks", "candlestick_metadata" -> "market";
            default -> "analytics";
        };
        return schema + "." + table;
    }

    private TradestoreConfig config(TestEngine engine) {
        return engine == TestEngine.SQLITE ? TradestoreConfig.sqlite(dir.resolve("tradestore.db"))
                : TradestoreConfig.postgres(pg.url(), PostgresDatabases.USER, PostgresDatabases.PASSWORD);
    }

    /** Every row of {@code table}, ids included, into the same release-3 table on PostgreSQL. */
    private static void copy(Connection from, Connection to, String table) throws SQLException {
        try (Statement st = from.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
            ResultSetMetaData md = rs.getMetaData();
            int n = md.getColumnCount();
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                names.add(md.getColumnName(i));
            }
            String sql = "INSERT INTO " + qualified(to, table) + " (" + String.join(", ", names) + ") OVERRIDING SYSTEM VALUE VALUES ("
                    + "?, ".repeat(n - 1) + "?)";
            try (PreparedStatement ps = to.prepareStatement(sql)) {
                int[] types = null;
                while (rs.next()) {
                    if (types == null) {
                        types = new int[n];
                        for (int i = 1; i <= n; i++) {
                            types[i - 1] = ps.getParameterMetaData().getParameterType(i);
                        }
                    }
                    for (int i = 1; i <= n; i++) {
                        Object v = rs.getObject(i);
                        if (v == null) {
                            ps.setNull(i, types[i - 1]);
                        } else if (types[i - 1] == Types.BOOLEAN || types[i - 1] == Types.BIT) {
                            ps.setBoolean(i, ((Number) v).intValue() != 0);
                        } else if (v instanceof Number num) {
                            ps.setLong(i, num.longValue());
                        } else {
                            ps.setString(i, v.toString());
                        }
                    }
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    /**
     * Every row of every table. Release 3 ({@code decimals = false}): each value as stored, integers as Long. Release
     * 4: decimal columns (a BLOB on SQLite, NUMERIC on PostgreSQL) as the BigDecimal they hold, read without the
     * library's binding: SQLite's bytes through {@link Decimal18#decode}, PostgreSQL's NUMERIC as the server sends it.
     */
    private static Map<String, List<List<Object>>> snapshot(Connection c, boolean decimals) throws SQLException {
        Map<String, List<List<Object>>> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> t : TABLES.entrySet()) {
            List<List<Object>> rows = new ArrayList<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT * FROM " + qualified(c, t.getKey()) + " ORDER BY " + t.getValue())) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object v = rs.getObject(i);
                        if (v instanceof byte[] bytes) {
                            assertThat(decimals).as("a BLOB in release 3's %s", t.getKey()).isTrue();
                            row.add(Decimal18.decode(bytes));
                        } else if (v instanceof BigDecimal d) {
                            assertThat(d.scale()).as("NUMERIC(38,18) on PostgreSQL").isEqualTo(18);
                            row.add(Decimal18.normalize(d));
                        } else if (v instanceof Number n) {
                            row.add(n.longValue());
                        } else if (v instanceof Boolean b) {
                            row.add(b ? 1L : 0L);
                        } else {
                            row.add(v == null ? null : v.toString());
                        }
                    }
                    rows.add(row);
                }
            }
            out.put(t.getKey(), rows);
        }
        return out;
    }

    /** Release 3's snapshot as release 4 must read it: every decimal column's integer n as n / 10^8, normalized. */
    private static Map<String, List<List<Object>>> asReleaseFourReadsIt(Map<String, List<List<Object>>> raw) {
        Map<String, List<String>> columns = Map.ofEntries(
                Map.entry("positions", List.of("id", "symbol", "side", "status", "quantity*", "entry_price*", "entry_time",
                        "stop_loss*", "take_profit*", "exit_price*", "exit_time", "exit_reason", "realized_pnl*",
                        "return_pct*", "strategy", "ml_confidence*", "sentiment_score*", "created_at", "updated_at", "version")),
                Map.entry("orders", List.of("id", "client_order_id", "position_id", "symbol", "side", "order_type", "status",
                        "quantity*", "limit_price*", "stop_price*", "filled_quantity*", "average_fill_price*", "reject_reason",
                        "created_at", "updated_at", "last_fill_at", "version")),
                Map.entry("order_fills", List.of("id", "order_id", "quantity*", "price*", "fee*", "filled_at")),
                Map.entry("portfolio_snapshots", List.of("id", "taken_at", "cash*", "equity*", "realized_pnl*",
                        "unrealized_pnl*", "open_position_count")),
                Map.entry("candlesticks", List.of("symbol", "timeframe", "open_time", "open*", "high*", "low*", "close*", "volume*")),
                Map.entry("candlestick_metadata", List.of("symbol", "timeframe", "first_open_time", "last_open_time",
                        "candle_count", "updated_at")),
                Map.entry("pattern_cache", List.of("id", "cache_key", "symbol", "timeframe", "pattern_type", "confidence*",
                        "payload", "detected_at", "expires_at")),
                Map.entry("predictions", List.of("id", "symbol", "prediction_timestamp", "action", "confidence*", "direction",
                        "magnitude*", "feature_vector", "model_version", "entry_price*", "market_context", "created_at")),
                Map.entry("outcomes", List.of("id", "prediction_id", "evaluation_timestamp", "actual_return*",
                        "actual_direction", "exit_price*", "correct", "created_at")),
                Map.entry("trade_execution_log", List.of("id", "order_id", "client_order_id", "event", "latency_micros",
                        "logged_at", "details")),
                Map.entry("ml_model_results", List.of("id", "model_name", "model_version", "evaluated_at",
                        "window_start_time", "window_end_time", "sample_count", "accuracy*", "precision_score*",
                        "recall_score*", "f1_score*", "parameters")),
                Map.entry("analytics_metrics", List.of("id", "name", "value*", "computed_at", "dimensions")),
                Map.entry("sentiment_scores", List.of("id", "symbol", "scored_at", "score*", "confidence*", "news_count", "source")));
        Map<String, List<List<Object>>> out = new LinkedHashMap<>();
        raw.forEach((table, rows) -> {
            List<String> cols = columns.get(table);
            out.put(table, rows.stream().map(row -> {
                assertThat(row).as("columns of %s", table).hasSize(cols.size());
                List<Object> converted = new ArrayList<>(row);
                for (int i = 0; i < cols.size(); i++) {
                    if (cols.get(i).endsWith("*") && row.get(i) != null) {
                        converted.set(i, Decimal18.normalize(BigDecimal.valueOf((Long) row.get(i), 8)));
                    }
                }
                return converted;
            }).toList());
        });
        return out;
    }

    /** The schema as a user of the database sees it: SQLite's own text of every object; PostgreSQL's catalog. */
    private static Object schema(TestEngine engine, Connection c) throws SQLException {
        if (engine == TestEngine.SQLITE) {
            return List.of(SqliteFiles.schema(c), rows(c, "SELECT name, seq FROM sqlite_sequence ORDER BY name"));
        }
        String schemas = "('trading', 'market', 'analytics')";
        return List.of(
                rows(c, "SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes WHERE schemaname IN "
                        + schemas + " ORDER BY 1, 2, 3"),
                // the column's place, not ordinal_position: PostgreSQL does not reuse a dropped column's number
                rows(c, "SELECT table_schema, table_name, column_name, " + COLUMN_POSITION + ", data_type, numeric_precision,"
                        + " numeric_scale, is_nullable, column_default FROM information_schema.columns"
                        + " WHERE table_schema IN " + schemas + " ORDER BY 1, 2, 4"),
                rows(c, "SELECT n.nspname, t.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k"
                        + " JOIN pg_class t ON t.oid = k.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace"
                        + " WHERE n.nspname IN " + schemas + " ORDER BY 1, 2, 3"));
    }

    private static void assertForeignKeysHold(TestEngine engine, Connection c) throws SQLException {
        if (engine == TestEngine.SQLITE) {
            assertThat(rows(c, "PRAGMA foreign_key_check")).isEmpty();
            assertThat(rows(c, "PRAGMA integrity_check")).containsExactly(List.of("ok"));
            assertThat(rows(c, "SELECT m.name, f.\"table\", f.\"from\", f.\"to\", f.on_delete FROM sqlite_master m,"
                    + " pragma_foreign_key_list(m.name) f WHERE m.type = 'table' ORDER BY 1, 2, 3"))
                    .containsExactly(
                            List.of("order_fills", "orders", "order_id", "id", "NO ACTION"),
                            List.of("orders", "positions", "position_id", "id", "NO ACTION"),
                            List.of("outcomes", "predictions", "prediction_id", "id", "NO ACTION"),
                            List.of("trade_execution_log", "orders", "order_id", "id", "NO ACTION"));
        } else {
            assertThat(rows(c, "SELECT conname FROM pg_constraint WHERE contype = 'f' ORDER BY 1")).containsExactly(
                    List.of("fk_order_fills_order_id"), List.of("fk_orders_position_id"),
                    List.of("fk_outcomes_prediction_id"), List.of("fk_trade_execution_log_order_id"));
        }
    }

    private static List<String> versions(Connection c) throws SQLException {
        return column(c, "SELECT version FROM schema_versions ORDER BY version");
    }

    private static List<String> column(Connection c, String sql) throws SQLException {
        return rows(c, sql).stream().map(r -> r.get(0)).toList();
    }

    static {
        // Fail with the fixture's name, not an NPE, if it is missing from the build.
        if (DecimalMigrationTest.class.getResource("/fixtures/release3-demo.db.gz") == null) {
            throw new UncheckedIOException(new IOException("missing test resource fixtures/release3-demo.db.gz"));
        }
    }
}
