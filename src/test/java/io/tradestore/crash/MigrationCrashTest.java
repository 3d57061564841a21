package io.tradestore.crash;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.internal.SchemaGate;
import io.tradestore.testing.SqliteFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A process killed while {@link Tradestore#open} migrates a new database (the first start of a backend, or the
 * first start after an upgrade) must not leave a database that the next start cannot open: the next start is a
 * new process, and SQLite's own locks died with the killed one.
 *
 * <p>Both failed before MigrationGuard: Liquibase's changelog lock is a row, DATABASECHANGELOGLOCK.LOCKED = 1,
 * which outlives the killed process. The next open waited five minutes for it and then failed (a Liquibase
 * ClassCastException while describing the lock), or, if the kill came before schema_versions existed, refused the
 * file as "not a tradestore database".
 */
class MigrationCrashTest {
    private static final Logger log = LoggerFactory.getLogger(MigrationCrashTest.class);
    /** A full migration of a new file takes 1-2 s here; the rest of one is faster. */
    private static final long REOPEN_TIMEOUT_MILLIS = 30_000;

    @TempDir
    Path dir;

    /**
     * A real kill: the test watches the file through a read-only connection and sends SIGKILL once Liquibase holds
     * its changelog lock and has applied at least one changeset.
     */
    @Test
    void aKillDuringTheFirstMigrationLeavesADatabaseTheNextStartOpens() throws Exception {
        Path database = dir.resolve("fresh.db");
        Path journal = dir.resolve("acks.journal");

        Process migrating = start(database, journal, "migrating");
        String killedAt;
        try {
            killedAt = awaitMigrationInProgress(migrating, database, dir.resolve("migrating.err"));
        } finally {
            migrating.destroyForcibly();
        }
        assertThat(migrating.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(migrating.exitValue()).as("exit code of a SIGKILLed JVM").isEqualTo(137);
        log.info("killed the first open during its migration, with {}", killedAt);

        try (Connection c = SqliteFiles.open(database)) {
            assertThat(SqliteFiles.rows(c, "PRAGMA integrity_check")).containsExactly(List.of("ok"));
        }

        nextStartOpens(database, journal, "after a kill during the migration (" + killedAt + ")");
        try (Tradestore store = Tradestore.open(TradestoreConfig.sqlite(database))) {
            assertThat(store.schemaVersion()).isEqualTo(SchemaGate.buildVersion());
        }
        try (Connection c = SqliteFiles.open(database)) {
            assertThat(UnitFootprint.audit(c).problems()).isEmpty();
        }
    }

    /**
     * A kill after Liquibase took its lock but before the first changeset created schema_versions leaves exactly
     * Liquibase's two bookkeeping tables, the lock held (seen with real kills; the window is a few milliseconds,
     * so this test writes that state with the DDL Liquibase 4.33 uses on SQLite instead of hoping to hit it).
     */
    @Test
    void aKillBeforeTheFirstChangesetLeavesADatabaseTheNextStartOpens() throws Exception {
        Path database = dir.resolve("fresh.db");
        try (Connection c = SqliteFiles.open(database); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE DATABASECHANGELOGLOCK (ID INTEGER NOT NULL, LOCKED BOOLEAN NOT NULL,"
                    + " LOCKGRANTED TEXT, LOCKEDBY VARCHAR(255), CONSTRAINT PK_DATABASECHANGELOGLOCK PRIMARY KEY (ID))");
            st.execute("INSERT INTO DATABASECHANGELOGLOCK VALUES (1, 1, '2026-11-22 22:11:44', 'a killed backend')");
            st.execute("CREATE TABLE DATABASECHANGELOG (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL,"
                    + " FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED TEXT NOT NULL, ORDEREXECUTED INTEGER NOT NULL,"
                    + " EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35), DESCRIPTION VARCHAR(255),"
                    + " COMMENTS VARCHAR(255), TAG VARCHAR(255), LIQUIBASE VARCHAR(20), CONTEXTS VARCHAR(255),"
                    + " LABELS VARCHAR(255), DEPLOYMENT_ID VARCHAR(10))");
        }
        nextStartOpens(database, dir.resolve("acks.journal"),
                "after a kill between Liquibase taking its lock and the first changeset");
        try (Tradestore store = Tradestore.open(TradestoreConfig.sqlite(database))) {
            assertThat(store.schemaVersion()).isEqualTo(SchemaGate.buildVersion());
        }
    }

    /** The next start of the backend, a new process opening the same file, must get past Tradestore.open. */
    private void nextStartOpens(Path database, Path journal, String after) throws Exception {
        Process restarted = start(database, journal, "restarted");
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REOPEN_TIMEOUT_MILLIS);
            while (!output(dir.resolve("restarted.out")).contains(CrashChild.READY)) {
                if (!restarted.isAlive()) {
                    fail(after + ", the next Tradestore.open failed. Database: " + liquibaseState(database)
                            + "\nstderr:\n" + output(dir.resolve("restarted.err")));
                }
                if (System.nanoTime() > deadline) {
                    fail(after + ", the next Tradestore.open did not return within " + REOPEN_TIMEOUT_MILLIS
                            + " ms. Database: " + liquibaseState(database) + "\nstdout:\n"
                            + output(dir.resolve("restarted.out")) + "\nstderr:\n" + output(dir.resolve("restarted.err")));
                }
                Thread.sleep(20);
            }
        } finally {
            restarted.destroyForcibly();
            restarted.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Polls until Liquibase holds its lock and has recorded a changeset; returns what it had done by then. */
    private static String awaitMigrationInProgress(Process child, Path database, Path err) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        SQLiteConfig readOnly = new SQLiteConfig();
        readOnly.setReadOnly(true);
        readOnly.setBusyTimeout(0);
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) {
                fail("the child exited with " + child.exitValue() + " before its migration could be interrupted;"
                        + " stderr:\n" + output(err));
            }
            if (Files.exists(database)) {
                try (Connection c = readOnly.createConnection("jdbc:sqlite:" + database)) {
                    List<List<String>> lock = SqliteFiles.rows(c, "SELECT locked FROM DATABASECHANGELOGLOCK WHERE id = 1");
                    List<List<String>> applied = SqliteFiles.rows(c, "SELECT COUNT(*) FROM DATABASECHANGELOG");
                    if (!lock.isEmpty() && "1".equals(lock.get(0).get(0))
                            && Integer.parseInt(applied.get(0).get(0)) > 0) {
                        return applied.get(0).get(0) + " changesets applied and the changelog lock held";
                    }
                } catch (SQLException notYet) {
                    // no tables yet, or the migration holds the file locked this instant
                }
            }
            Thread.sleep(2);
        }
        throw new AssertionError("the migration was never seen in progress within 60 s");
    }

    private static String liquibaseState(Path database) {
        try (Connection c = SqliteFiles.open(database)) {
            return "tables " + SqliteFiles.tables(c).size() + " besides Liquibase's, DATABASECHANGELOGLOCK "
                    + SqliteFiles.rows(c, "SELECT * FROM DATABASECHANGELOGLOCK") + ", "
                    + SqliteFiles.rows(c, "SELECT COUNT(*) FROM DATABASECHANGELOG").get(0).get(0) + " changesets applied";
        } catch (SQLException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private Process start(Path database, Path journal, String name) throws IOException {
        return ChildJvm.start(dir, dir.resolve(name + ".out"), dir.resolve(name + ".err"),
                database.toString(), journal.toString(), "1");
    }

    private static String output(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "";
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return text.length() <= 6_000 ? text : "..." + text.substring(text.length() - 6_000);
    }
}
