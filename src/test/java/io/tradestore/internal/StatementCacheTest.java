package io.tradestore.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The per-connection statement cache on real SQLite connections: the same SQL gets the same compiled statement back,
 * a statement put back holds no snapshot (a reader that kept one would stop the WAL from being checkpointed), a
 * nested use of the same SQL gets a statement of its own, and a closed handle cannot be used.
 */
class StatementCacheTest {
    @TempDir
    Path dir;

    private Connection open(String name) throws Exception {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(name));
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
        }
        return c;
    }

    @Test
    void theSameSqlGetsTheSameCompiledStatementBackAndANestedUseItsOwn() throws Exception {
        try (Connection c = StatementCache.wrap(open("a.db"))) {
            PreparedStatement first = c.prepareStatement("SELECT 1");
            PreparedStatement firstReal = first.unwrap(PreparedStatement.class);
            PreparedStatement nested = c.prepareStatement("SELECT 1");
            assertThat(nested.unwrap(PreparedStatement.class)).isNotSameAs(firstReal);
            nested.close();
            first.close();
            assertThatThrownBy(first::executeQuery).hasMessageContaining("closed");
            PreparedStatement again = c.prepareStatement("SELECT 1");
            assertThat(again.unwrap(PreparedStatement.class)).isSameAs(firstReal);
            try (ResultSet rs = again.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            again.close();
        }
    }

    @Test
    void aStatementPutBackMidResultHoldsNoSnapshot() throws Exception {
        try (Connection writer = open("w.db"); Statement w = writer.createStatement()) {
            w.execute("CREATE TABLE t (x INTEGER)");
            w.execute("INSERT INTO t VALUES (1), (2), (3)");
            try (Connection reader = StatementCache.wrap(DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("w.db")))) {
                PreparedStatement read = reader.prepareStatement("SELECT x FROM t");
                ResultSet rs = read.executeQuery();
                assertThat(rs.next()).isTrue(); // one row of three: the statement is mid-step, holding a snapshot
                read.close(); // back into the cache, not finalised
                w.execute("INSERT INTO t VALUES (4)");
                try (Statement checkpoint = writer.createStatement();
                     ResultSet cp = checkpoint.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                    cp.next();
                    assertThat(cp.getInt(1)).as("checkpoint busy: a reader still holds a snapshot").isZero();
                }
            }
        }
    }

    private static int checkpointBusy(Connection writer) throws Exception {
        try (Statement checkpoint = writer.createStatement();
             ResultSet cp = checkpoint.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
            cp.next();
            return cp.getInt(1);
        }
    }

    /** execute() of a query, put back without reading a row (jOOQ's plain execute(sql) does that), found by review. */
    @Test
    void aQueryRunWithExecuteAndPutBackUnreadHoldsNoSnapshot() throws Exception {
        try (Connection writer = open("e.db"); Statement w = writer.createStatement()) {
            w.execute("CREATE TABLE t (x INTEGER)");
            w.execute("INSERT INTO t VALUES (1), (2), (3)");
            try (Connection reader = StatementCache.wrap(DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("e.db")))) {
                PreparedStatement read = reader.prepareStatement("SELECT x FROM t");
                assertThat(read.execute()).isTrue();
                read.close();
                w.execute("INSERT INTO t VALUES (4)");
                try (PreparedStatement count = reader.prepareStatement("SELECT count(*) FROM t");
                     ResultSet rs = count.executeQuery()) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("a new read sees the fourth row").isEqualTo(4);
                }
                assertThat(checkpointBusy(writer)).as("checkpoint busy").isZero();
            }
        }
    }

    /** A statement whose maxRows or timeout was changed is finalised, so its next user gets a fresh one. */
    @Test
    void aStatementWhoseSettingsChangedIsNotHandedOutAgain() throws Exception {
        try (Connection c = StatementCache.wrap(open("s.db"))) {
            PreparedStatement first = c.prepareStatement("SELECT 1 UNION ALL SELECT 2");
            first.setMaxRows(1);
            first.close();
            PreparedStatement next = c.prepareStatement("SELECT 1 UNION ALL SELECT 2");
            assertThat(next.getMaxRows()).isZero();
            int rows = 0;
            try (ResultSet rs = next.executeQuery()) {
                while (rs.next()) {
                    rows++;
                }
            }
            assertThat(rows).isEqualTo(2);
            next.close();
        }
    }

    /** Through the store: a read unit after a plain execute() on the same (only) reader sees the latest commit. */
    @Test
    void aReadUnitAfterAPlainExecuteSeesTheLatestCommit() {
        try (io.tradestore.Tradestore store = io.tradestore.Tradestore.open(
                io.tradestore.testing.Stores.config(dir.resolve("store")).withPoolSize(1))) {
            java.time.Instant t0 = java.time.Instant.parse("2024-01-01T00:00:00Z");
            store.useTransaction(uow -> uow.executionLog().record(
                    new io.tradestore.analytics.NewExecutionEvent(null, "c1", "NEW", null, t0, null)));
            store.read(uow -> uow.jooq().execute("SELECT id FROM trade_execution_log"));
            store.useTransaction(uow -> uow.executionLog().record(
                    new io.tradestore.analytics.NewExecutionEvent(null, "c2", "NEW", null, t0.plusSeconds(1), null)));
            int seen = store.read(uow -> uow.jooq().fetchCount(io.tradestore.internal.db.Tables.TRADE_EXECUTION_LOG));
            assertThat(seen).isEqualTo(2);
        }
    }
}
