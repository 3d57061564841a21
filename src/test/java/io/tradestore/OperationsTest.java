package io.tradestore;

import io.tradestore.Health.Status;
import io.tradestore.analytics.NewExecutionEvent;
import io.tradestore.internal.SchemaGate;
import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.SqliteFiles;
import io.tradestore.testing.Stores;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.Order;
import io.tradestore.trading.OrderSide;
import org.jooq.Record2;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tradestore.internal.db.Tables.ORDERS;
import static io.tradestore.internal.db.Tables.TRADE_EXECUTION_LOG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** store.health(), backup(), Tradestore.restore() and optimize() on real databases (docs/operations.md). */
class OperationsTest {
    private static final String NEWER_VERSION_SQL = "INSERT INTO schema_versions (version, description,"
            + " liquibase_tag, applied_at) SELECT %1$d, description, 'v%1$d', applied_at FROM schema_versions LIMIT 1";

    @TempDir
    Path dir;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        opened.add(c);
        return c;
    }

    /** A migrated database: SQLite in the temp dir, PostgreSQL as the application role. */
    private TradestoreConfig migrated(TestEngine engine) throws Exception {
        return engine == TestEngine.SQLITE ? Stores.config(dir.resolve("src"))
                : closeLater(PostgresDatabases.migrated()).config();
    }

    /** Where a restore goes: a missing SQLite file, an empty PostgreSQL database (admin user). */
    private TradestoreConfig emptyTarget(TestEngine engine) throws Exception {
        return engine == TestEngine.SQLITE ? TradestoreConfig.sqlite(dir.resolve("restored.db"))
                : closeLater(new PostgresDatabases()).config();
    }

    /** How the application opens a restored database. */
    private static TradestoreConfig asApplication(TradestoreConfig restored) {
        return restored.engine() == TradestoreConfig.Engine.SQLITE ? restored
                : TradestoreConfig.postgres(restored.jdbcUrl(), PostgresDatabases.APP_ROLE, PostgresDatabases.PASSWORD)
                .withAutoMigrate(false);
    }

    @EachEngine
    void healthIsOkOnAFreshDatabaseWithEveryCheckReported(TestEngine engine) throws Exception {
        try (Tradestore store = Tradestore.open(migrated(engine))) {
            Health health = store.health();
            assertThat(health.checks()).allSatisfy(c -> assertThat(c.status()).as(c.toString()).isEqualTo(Status.OK));
            assertThat(health.status()).isEqualTo(Status.OK);
            assertThat(health.checks()).extracting(Health.Check::name).containsExactlyElementsOf(engine
                    == TestEngine.SQLITE ? List.of("quick_check", "foreign_key_check", "schema_version", "file_size",
                    "freelist", "wal_size", "checkpoint", "pool tradestore-writer", "pool tradestore-readers")
                    : List.of("schema_version", "connections", "database_size", "dead_tuples", "long_transactions",
                    "pool tradestore-postgres"));
            assertThat(health.check("schema_version").value()).isEqualTo(Integer.toString(SchemaGate.buildVersion()));
        }
    }

    @Test
    void sqliteHealthWarnsOnWalAndFreelistAboveTheirThresholdsAndReadsTheCheckpointState() throws Exception {
        TradestoreConfig config = Stores.config(dir);
        try (Tradestore store = Tradestore.open(config)) {
            placeOrders(store, 20);
            HealthOptions defaults = HealthOptions.defaults();
            assertThat(store.health(defaults).status()).isEqualTo(Status.OK);
            try (Connection c = SqliteFiles.open(config.file()); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE junk AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                        + " WHERE i < 200) SELECT i, randomblob(2000) AS b FROM n");
                st.execute("DROP TABLE junk");
            }
            Health.Check checkpoint = store.health(defaults).check("checkpoint");
            assertThat(checkpoint.value()).matches("[1-9]\\d* WAL frames since the last reset");

            Health low = store.health(new HealthOptions(false, 1024, 10, 20, 1000, Duration.ofMinutes(5), 80));
            assertThat(low.status()).isEqualTo(Status.WARN);
            assertThat(low.check("wal_size").status()).isEqualTo(Status.WARN);
            assertThat(low.check("freelist").status()).isEqualTo(Status.WARN);
            assertThat(low.check("freelist").message()).contains("optimize --vacuum");
            assertThat(low.check("quick_check").status()).isEqualTo(Status.OK);

            store.optimize();
            assertThat(store.health(defaults).check("checkpoint").value()).isEqualTo("0 WAL frames since the last"
                    + " reset");
        }
    }

    @Test
    void sqliteHealthFailsOnAForeignKeyViolationASchemaMismatchAndACorruptPage() throws Exception {
        TradestoreConfig config = Stores.config(dir);
        int build = SchemaGate.buildVersion();
        try (Tradestore store = Tradestore.open(config)) {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + config.file());
                 Statement st = c.createStatement()) {
                st.execute("INSERT INTO trade_execution_log (order_id, client_order_id, event, logged_at)"
                        + " VALUES (999, 'orphan', 'PLACED', 0)");
            }
            Health health = store.health();
            assertThat(health.status()).isEqualTo(Status.FAIL);
            assertThat(health.check("foreign_key_check").value()).isEqualTo("1 rows");
            assertThat(health.check("foreign_key_check").message()).startsWith("rows refer to missing rows"
                    + " (trade_execution_log -> orders: 1)");

            try (Connection c = SqliteFiles.open(config.file()); Statement st = c.createStatement()) {
                st.execute("DELETE FROM trade_execution_log");
                st.execute(NEWER_VERSION_SQL.formatted(build + 1));
            }
            Health newer = store.health();
            assertThat(newer.check("foreign_key_check").status()).isEqualTo(Status.OK);
            assertThat(newer.check("schema_version").status()).isEqualTo(Status.FAIL);
            assertThat(newer.check("schema_version").message()).isEqualTo("the database is at schema " + (build + 1)
                    + ", this build's is " + build + ": a newer build migrated it; upgrade this application");
        }
        Path corrupt = corruptCopy(Stores.config(dir.resolve("c")).file());
        try (Tradestore store = Tradestore.open(TradestoreConfig.sqlite(corrupt))) {
            for (boolean full : new boolean[] {false, true}) {
                Health health = store.health(HealthOptions.defaults().withFullIntegrityCheck(full));
                Health.Check check = health.check(full ? "integrity_check" : "quick_check");
                assertThat(health.status()).isEqualTo(Status.FAIL);
                assertThat(check.status()).isEqualTo(Status.FAIL);
                assertThat(check.message()).startsWith("the file is damaged: ").contains("restore the last good backup");
            }
        }
    }

    /** {@code file} with the page header of candlestick_metadata's root page zeroed: an invalid B-tree page. */
    private static Path corruptCopy(Path file) throws Exception {
        long root;
        long pageSize;
        try (Connection c = SqliteFiles.open(file); Statement st = c.createStatement()) {
            root = Long.parseLong(SqliteFiles.rows(c, "SELECT rootpage FROM sqlite_master WHERE name ="
                    + " 'candlestick_metadata'").get(0).get(0));
            pageSize = Long.parseLong(SqliteFiles.rows(c, "PRAGMA page_size").get(0).get(0));
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek((root - 1) * pageSize);
            raf.write(new byte[8]);
        }
        return file;
    }

    @EachEngine
    void aBackupUnderWriteLoadRestoresEveryUnitAcknowledgedBeforeItBeganAndOnlyWholeUnits(TestEngine engine)
            throws Exception {
        Path file = dir.resolve("backup.bin");
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Set<String> beforeBackup;
        BackupReport report;
        int committedDuringBackup;
        ExecutorService writers = Executors.newFixedThreadPool(3);
        try (Tradestore store = Tradestore.open(migrated(engine))) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                running.add(writers.submit(() -> {
                    while (!stop.get()) {
                        String id = "u-" + next.incrementAndGet();
                        placeOrder(store, id);
                        acknowledged.add(id); // after the commit returned: acknowledged
                    }
                    return null;
                }));
            }
            while (acknowledged.size() < 60) {
                Thread.sleep(5);
            }
            beforeBackup = Set.copyOf(acknowledged);
            report = store.backup(file);
            committedDuringBackup = acknowledged.size() - beforeBackup.size();
            Thread.sleep(50);
            stop.set(true);
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            writers.shutdownNow();
        }
        assertThat(report.file()).isEqualTo(file.toAbsolutePath());
        assertThat(report.bytes()).isEqualTo(Files.size(file)).isPositive();
        assertThat(report.schemaVersion()).isEqualTo(SchemaGate.buildVersion());
        assertThat(dir.toFile().list()).as("no temporary file left").noneMatch(n -> n.contains(".tmp-"));

        TradestoreConfig target = emptyTarget(engine);
        RestoreReport restored = Tradestore.restore(file, target);
        assertThat(restored.schemaVersion()).isEqualTo(report.schemaVersion());
        Map<String, Long> orders = new HashMap<>();
        Map<String, Long> events = new HashMap<>();
        try (Tradestore store = Tradestore.open(asApplication(target))) {
            store.read(uow -> {
                for (Record2<String, Long> r : uow.jooq().select(ORDERS.CLIENT_ORDER_ID, ORDERS.ID).from(ORDERS)) {
                    orders.put(r.value1(), r.value2());
                }
                for (Record2<String, Long> r : uow.jooq().select(TRADE_EXECUTION_LOG.CLIENT_ORDER_ID,
                        TRADE_EXECUTION_LOG.ORDER_ID).from(TRADE_EXECUTION_LOG)) {
                    assertThat(events.put(r.value1(), r.value2())).as("one event per unit").isNull();
                }
                return null;
            });
            assertThat(store.health().status()).isEqualTo(Status.OK);
        }
        assertThat(orders.keySet()).as("every unit acknowledged before the backup began (%d of them; %d more"
                + " committed while it ran)", beforeBackup.size(), committedDuringBackup).containsAll(beforeBackup);
        assertThat(events).as("every unit whole: its order and its event, or neither").isEqualTo(orders);
    }

    private static List<Order> openOrders(Tradestore store) {
        return store.read(uow -> uow.orders().listOpen());
    }

    private static void placeOrders(Tradestore store, int n) {
        for (int i = 0; i < n; i++) {
            placeOrder(store, "o-" + i);
        }
    }

    /** One unit, two rows in two tables joined by nothing the schema enforces (the event's client order id). */
    private static void placeOrder(Tradestore store, String clientOrderId) {
        store.useTransaction(uow -> {
            Order o = uow.orders().place(NewOrder.market(clientOrderId, "BTCUSDT", OrderSide.BUY, BigDecimal.ONE));
            uow.executionLog().record(new NewExecutionEvent(o.id(), clientOrderId, "PLACED", null, uow.now(), null));
        });
    }

    @Test
    void backupRefusesAnExistingTarget() throws Exception {
        Path existing = Files.writeString(dir.resolve("old.db"), "keep me");
        try (Tradestore store = Tradestore.open(Stores.config(dir.resolve("s")))) {
            assertThatThrownBy(() -> store.backup(existing)).isInstanceOf(MaintenanceException.class)
                    .hasMessage("backup target " + existing.toAbsolutePath() + " exists; refusing to overwrite it"
                            + " (choose a new file name or move the old one away)");
        }
        assertThat(Files.readString(existing)).isEqualTo("keep me");
    }

    @Test
    void restoreRefusesADatabaseInUseACorruptBackupAndANewerSchemaAndReplacesNothing() throws Exception {
        TradestoreConfig live = Stores.config(dir.resolve("live"));
        Path backup = dir.resolve("good.db");
        try (Tradestore store = Tradestore.open(live)) {
            store.backup(backup);
            placeOrders(store, 3);
            Path db = live.file().toAbsolutePath();
            assertThatThrownBy(() -> Tradestore.restore(backup, live)).isInstanceOf(MaintenanceException.class)
                    .hasMessage("refusing to restore over " + db + ": it is in use (another connection has it open:"
                            + " a running application, tradestore-cli or sqlite3); stop it first. Nothing was"
                            + " replaced.");
            assertThat(openOrders(store)).as("still the live database").hasSize(3);
        }

        Path corrupt = corruptCopy(Files.copy(backup, dir.resolve("corrupt.db")));
        assertThatThrownBy(() -> Tradestore.restore(corrupt, live)).isInstanceOf(MaintenanceException.class)
                .hasMessageStartingWith("backup " + corrupt.toAbsolutePath() + " is corrupt")
                .hasMessageContaining("malformed");

        int build = SchemaGate.buildVersion();
        Path newer = Files.copy(backup, dir.resolve("newer.db"));
        try (Connection c = SqliteFiles.open(newer); Statement st = c.createStatement()) {
            st.execute(NEWER_VERSION_SQL.formatted(build + 1));
        }
        assertThatThrownBy(() -> Tradestore.restore(newer, live)).isInstanceOf(MaintenanceException.class)
                .hasMessage("backup " + newer.toAbsolutePath() + " holds schema " + (build + 1) + ", newer than this"
                        + " build's " + build + "; restore it with a tradestore build of schema " + (build + 1)
                        + " or newer");
        try (Tradestore store = Tradestore.open(live)) {
            assertThat(openOrders(store)).as("nothing replaced").hasSize(3);
        }

        RestoreReport ok = Tradestore.restore(backup, live);
        assertThat(ok.schemaVersion()).isEqualTo(build);
        try (Tradestore store = Tradestore.open(live)) {
            assertThat(openOrders(store)).as("the backup's state").isEmpty();
        }
    }

    @Test
    void sqliteOptimizeReportsSizesBeforeAndAfterAndTruncatesTheWal() throws Exception {
        TradestoreConfig config = Stores.config(dir);
        try (Tradestore store = Tradestore.open(config)) {
            placeOrders(store, 50);
            try (Connection c = SqliteFiles.open(config.file()); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE junk AS SELECT randomblob(100000) AS b");
                st.execute("DROP TABLE junk");
            }
            OptimizeReport r = store.optimize();
            assertThat(r.before().walBytes()).isPositive();
            assertThat(r.after().walBytes()).isZero();
            assertThat(Files.size(Path.of(config.file() + "-wal"))).isZero();
            assertThat(r.before().freePages()).isPositive();
            assertThat(r.after().freePages()).as("auto_vacuum NONE keeps free pages, but for those ANALYZE reused")
                    .isPositive();
            assertThat(r.steps()).hasSize(3).element(1).asString().startsWith("incremental_vacuum skipped: auto_vacuum"
                    + " is NONE");
            assertThat(r.steps().get(2)).endsWith(", WAL truncated");

            OptimizeReport full = store.optimize(true);
            assertThat(full.after().freePages()).isZero();
            assertThat(full.after().databaseBytes()).isLessThan(full.before().databaseBytes());
        }
    }

    @Test
    void postgresHealthWarnsOnLongTransactionsDeadTuplesAndConnections() throws Exception {
        PostgresDatabases db = closeLater(PostgresDatabases.migrated());
        try (Tradestore store = Tradestore.open(db.config());
             Connection open = DriverManager.getConnection(db.url(), PostgresDatabases.APP_ROLE,
                     PostgresDatabases.PASSWORD)) {
            placeOrders(store, 3);
            try (Statement st = open.createStatement()) {
                st.execute("UPDATE trading.orders SET version = version");
                st.execute("SELECT pg_stat_force_next_flush()");
            }
            open.setAutoCommit(false);
            try (Statement st = open.createStatement()) {
                st.execute("SELECT 1");
            }
            Thread.sleep(20);
            HealthOptions low = new HealthOptions(false, 0, 0, 0, 0, Duration.ZERO, 0);
            Health health = store.health(low);
            for (int i = 0; i < 40 && health.check("dead_tuples").status() == Status.OK; i++) {
                Thread.sleep(50); // statistics reach pg_stat_user_tables asynchronously
                health = store.health(low);
            }
            assertThat(health.status()).isEqualTo(Status.WARN);
            assertThat(health.check("long_transactions").status()).isEqualTo(Status.WARN);
            assertThat(health.check("long_transactions").value()).startsWith("1, oldest open ");
            assertThat(health.check("dead_tuples").status()).isEqualTo(Status.WARN);
            assertThat(health.check("dead_tuples").message()).startsWith("trading.orders is ");
            assertThat(health.check("connections").status()).isEqualTo(Status.WARN);
            assertThat(store.health().status()).as("under the default thresholds").isEqualTo(Status.OK);
        }
    }

    @Test
    void postgresOptimizeNeedsTheOwnerAndThenVacuumsEveryTable() throws Exception {
        PostgresDatabases db = closeLater(PostgresDatabases.migrated());
        try (Tradestore app = Tradestore.open(db.config())) {
            placeOrders(app, 3);
            assertThatThrownBy(app::optimize).isInstanceOf(MaintenanceException.class)
                    .hasMessageStartingWith("optimize runs VACUUM, which only the tables' owner may run; "
                            + PostgresDatabases.APP_ROLE + " does not own ");
        }
        try (Tradestore owner = Tradestore.open(db.ownerConfig().withAutoMigrate(false))) {
            OptimizeReport r = owner.optimize();
            assertThat(r.steps()).singleElement().asString().matches("VACUUM \\(ANALYZE\\) of \\d+ tables: .*");
            assertThat(r.before().databaseBytes()).isPositive();
            assertThat(r.after().deadTuples()).isZero();
        }
    }
}
