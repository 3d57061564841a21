package io.tradestore;

import io.tradestore.internal.Migrator;
import io.tradestore.internal.SchemaGate;
import io.tradestore.testing.SqliteFiles;
import io.tradestore.testing.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tradestore.open compares the database's schema version with the build's before it opens any pool. */
class SchemaGateTest {
    @TempDir
    Path dir;

    @Test
    void theBuildKnowsTheSchemaVersionItsClassesWereGeneratedFor() throws Exception {
        try (Connection c = SqliteFiles.open(SqliteFiles.migrated(dir))) {
            String max = SqliteFiles.rows(c, "SELECT MAX(version) FROM schema_versions").get(0).get(0);
            assertThat(SchemaGate.buildVersion()).isEqualTo(Integer.parseInt(max));
        }
    }

    @Test
    void openingANewFileInANewDirectoryCreatesAndMigratesIt() {
        Path file = dir.resolve("nested/deeper/tradestore.db");
        try (Tradestore store = Tradestore.open(io.tradestore.TradestoreConfig.sqlite(file))) {
            assertThat(store.schemaVersion()).isEqualTo(SchemaGate.buildVersion());
        }
        assertThat(file).exists();
    }

    /**
     * The state a kill leaves between a changeset's transaction and Liquibase's DATABASECHANGELOG row for it, during
     * the first migration: tables exist that the changelog does not record, and schema_versions has no row yet.
     * MigrationCrashTest's random kill lands there about once in ten runs; the next start used to fail with
     * "table ... already exists".
     */
    @Test
    void aFirstMigrationKilledBeforeLiquibaseRecordedAChangesetIsStartedOver() throws Exception {
        Path file = dir.resolve("interrupted.db");
        try (Connection c = SqliteFiles.open(file)) {
            Migrator.updateCount(c, 4); // the first changesets: schema_versions, then positions
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("DELETE FROM DATABASECHANGELOG WHERE ORDEREXECUTED = (SELECT MAX(ORDEREXECUTED)"
                        + " FROM DATABASECHANGELOG)");
            }
            assertThat(SqliteFiles.tables(c)).contains("positions", "schema_versions");
        }
        try (Tradestore store = Tradestore.open(io.tradestore.TradestoreConfig.sqlite(file))) {
            assertThat(store.schemaVersion()).isEqualTo(SchemaGate.buildVersion());
        }
    }

    @Test
    void aDatabaseWhoseFirstReleaseCompletedIsNeverStartedOver() throws Exception {
        Path file = olderDatabase();
        try (Connection c = SqliteFiles.open(file); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO positions (symbol, side, status, quantity, entry_price, entry_time, created_at,"
                    + " updated_at) VALUES ('KEEP', 'LONG', 'OPEN', 100000000, 100000000, 0, 0, 0)");
        }
        try (Tradestore store = Tradestore.open(io.tradestore.TradestoreConfig.sqlite(file))) {
            int kept = store.read(uow -> uow.positions().listOpen("KEEP").size());
            assertThat(kept).isEqualTo(1);
        }
    }

    @Test
    void anOlderDatabaseIsMigratedWhenAutoMigrateIsOn() throws Exception {
        Path file = olderDatabase();
        try (Tradestore store = Tradestore.open(io.tradestore.TradestoreConfig.sqlite(file))) {
            assertThat(store.schemaVersion()).isEqualTo(SchemaGate.buildVersion());
        }
    }

    @Test
    void anOlderDatabaseIsRefusedWithBothVersionsAndTheCommandWhenAutoMigrateIsOff() throws Exception {
        Path file = olderDatabase();
        byte[] before = Files.readAllBytes(file);
        assertThatThrownBy(() -> Tradestore.open(io.tradestore.TradestoreConfig.sqlite(file).withAutoMigrate(false)))
                .isInstanceOf(SchemaVersionException.class)
                .hasMessageContaining("database schema 1 is older than this build's " + SchemaGate.buildVersion())
                .hasMessageContaining("mvn liquibase:update -Dliquibase.url=jdbc:sqlite:");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void aNewerDatabaseIsRefused() throws Exception {
        Path file = SqliteFiles.migrated(dir);
        int newer = SchemaGate.buildVersion() + 1;
        try (Connection c = SqliteFiles.open(file); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO schema_versions VALUES (" + newer + ", 'from the future', 'v" + newer + "', 0)");
        }
        assertThatThrownBy(() -> Tradestore.open(io.tradestore.TradestoreConfig.sqlite(file)))
                .isInstanceOf(SchemaVersionException.class)
                .hasMessageContaining("database schema " + newer + " is newer than this build's " + SchemaGate.buildVersion());
    }

    @Test
    void aForeignSqliteDatabaseIsRefusedAndNotWrittenTo() throws Exception {
        Path file = dir.resolve("other-app.db");
        try (Connection c = SqliteFiles.open(file); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE trades (id INTEGER PRIMARY KEY, price REAL)");
            st.execute("INSERT INTO trades (price) VALUES (1.5)");
        }
        byte[] before = Files.readAllBytes(file);
        assertThatThrownBy(() -> Tradestore.open(io.tradestore.TradestoreConfig.sqlite(file)))
                .isInstanceOf(SchemaVersionException.class)
                .hasMessageContaining("is not a tradestore database")
                .hasMessageContaining("trades");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(dir.resolve("other-app.db-wal")).doesNotExist();
    }

    @Test
    void aFileThatIsNotSqliteIsRefusedAndNotWrittenTo() throws Exception {
        Path file = dir.resolve("notes.db");
        Files.writeString(file, "these are my trading notes, not a database\n".repeat(200));
        byte[] before = Files.readAllBytes(file);
        assertThatThrownBy(() -> Tradestore.open(io.tradestore.TradestoreConfig.sqlite(file)))
                .isInstanceOf(SchemaVersionException.class).hasMessageContaining("refusing to open it");
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void readOnlyOpeningOfAMissingFileFailsWithoutCreatingIt() {
        Path file = dir.resolve("missing.db");
        assertThatThrownBy(() -> Tradestore.open(io.tradestore.TradestoreConfig.sqlite(file).withReadOnly(true)))
                .isInstanceOf(SchemaVersionException.class).hasMessageContaining("no database at");
        assertThat(file).doesNotExist();
    }

    @Test
    void reopeningAnUpToDateDatabaseAppliesNothing() throws Exception {
        Path file = Stores.config(dir).file();
        Tradestore.open(Stores.config(dir)).close();
        List<List<String>> log;
        try (Connection c = SqliteFiles.open(file)) {
            log = SqliteFiles.rows(c, "SELECT id, dateexecuted FROM DATABASECHANGELOG ORDER BY id");
        }
        Tradestore.open(Stores.config(dir)).close();
        try (Connection c = SqliteFiles.open(file)) {
            assertThat(SqliteFiles.rows(c, "SELECT id, dateexecuted FROM DATABASECHANGELOG ORDER BY id")).isEqualTo(log);
        }
    }

    @Test
    void threadsOpeningANewFileAtOnceAllGetAMigratedStore() throws Exception {
        Path file = dir.resolve("shared.db");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Integer>> opens = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                opens.add(pool.submit(() -> {
                    try (Tradestore store = Tradestore.open(io.tradestore.TradestoreConfig.sqlite(file))) {
                        return store.schemaVersion();
                    }
                }));
            }
            for (java.util.concurrent.Future<Integer> open : opens) {
                assertThat(open.get()).isEqualTo(SchemaGate.buildVersion());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDatabaseHoldingOnlyLiquibasesLockTableIsAnUnfinishedMigrationNotAForeignDatabase() throws Exception {
        // Liquibase creates its lock table before its log: a kill in between leaves exactly this.
        Path file = dir.resolve("killed-early.db");
        try (Connection c = SqliteFiles.open(file); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE DATABASECHANGELOGLOCK (ID INTEGER NOT NULL, LOCKED BOOLEAN NOT NULL,"
                    + " LOCKGRANTED TEXT, LOCKEDBY VARCHAR(255), CONSTRAINT PK_DATABASECHANGELOGLOCK PRIMARY KEY (ID))");
            st.execute("INSERT INTO DATABASECHANGELOGLOCK VALUES (1, 1, '2026-11-22 22:11:44', 'a killed backend')");
        }
        try (Tradestore store = Tradestore.open(io.tradestore.TradestoreConfig.sqlite(file))) {
            assertThat(store.schemaVersion()).isEqualTo(SchemaGate.buildVersion());
        }
    }

    private Path olderDatabase() throws Exception {
        Path file = SqliteFiles.migrated(dir);
        try (Connection c = SqliteFiles.open(file)) {
            Migrator.rollbackToTag(c, "v1");
        }
        return file;
    }
}
