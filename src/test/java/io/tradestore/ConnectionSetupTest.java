package io.tradestore;

import com.zaxxer.hikari.HikariDataSource;
import io.tradestore.internal.SqliteEngine;
import io.tradestore.testing.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every connection of every pool carries the configured PRAGMAs (they are per connection in SQLite, and a
 * misconfigured pool would hand out a connection without foreign keys). All connections of a pool are borrowed
 * at once so that none escapes the check.
 */
class ConnectionSetupTest {
    @TempDir
    Path dir;
    Tradestore store;
    SqliteEngine engine;

    @BeforeEach
    void open() {
        store = Tradestore.open(Stores.config(dir).withPoolSize(3).withBusyTimeout(Duration.ofMillis(1234)));
        engine = (SqliteEngine) store.engine();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void everyWriterConnectionRunsWalWithForeignKeysAndTheConfiguredPragmas() throws Exception {
        for (Connection c : borrowAll(engine.writerPool(), 1)) {
            try (c) {
                assertCommonPragmas(c);
                assertThat(pragma(c, "journal_mode")).isEqualTo("wal");
                assertThat(pragma(c, "synchronous")).isEqualTo("1"); // NORMAL
                assertThat(pragma(c, "journal_size_limit")).isEqualTo(Long.toString(64L * 1024 * 1024));
            }
        }
    }

    @Test
    void everyReaderConnectionHasTheSamePragmasAndCannotWrite() throws Exception {
        for (Connection c : borrowAll(engine.readerPool(), 3)) {
            try (c) {
                assertCommonPragmas(c);
                assertThat(pragma(c, "journal_mode")).isEqualTo("wal");
                assertThatThrownBy(() -> execute(c, "DELETE FROM positions"))
                        .isInstanceOf(SQLException.class).hasMessageContaining("readonly");
            }
        }
    }

    @Test
    void writerPoolHasExactlyOneConnection() {
        assertThat(engine.writerPool().getMaximumPoolSize()).isEqualTo(1);
        assertThat(engine.readerPool().getMaximumPoolSize()).isEqualTo(3);
    }

    @Test
    void closingTheStoreCheckpointsAndTruncatesTheWal() {
        store.useTransaction(uow -> uow.portfolio().record(new io.tradestore.trading.NewPortfolioSnapshot(
                Stores.T0, java.math.BigDecimal.ONE, java.math.BigDecimal.ONE, java.math.BigDecimal.ZERO,
                java.math.BigDecimal.ZERO, 0)));
        Path wal = dir.resolve("tradestore.db-wal");
        assertThat(wal).exists();
        store.close();
        assertThat(wal).as("the last connection to close removes the WAL").doesNotExist();
        assertThat(dir.resolve("tradestore.db-shm")).doesNotExist();
    }

    private static void assertCommonPragmas(Connection c) throws SQLException {
        assertThat(pragma(c, "foreign_keys")).isEqualTo("1");
        assertThat(pragma(c, "busy_timeout")).isEqualTo("1234");
        assertThat(pragma(c, "temp_store")).isEqualTo("2"); // MEMORY
        assertThat(pragma(c, "cache_size")).isEqualTo("-16384");
        assertThat(pragma(c, "mmap_size")).isEqualTo(Long.toString(256L * 1024 * 1024));
        assertThat(c.unwrap(SQLiteConnection.class).getConnectionConfig().isGetGeneratedKeys()).isFalse();
    }

    private static List<Connection> borrowAll(HikariDataSource pool, int expected) throws SQLException {
        List<Connection> all = new ArrayList<>();
        for (int i = 0; i < expected; i++) {
            all.add(pool.getConnection());
        }
        assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isEqualTo(expected);
        return all;
    }

    private static String pragma(Connection c, String name) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
