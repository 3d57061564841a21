package io.tradestore.crash;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.internal.Decimal18;
import io.tradestore.testing.SqliteFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audit behind {@link CrashSafetyTest}, shown deterministically: it passes the child's real units and
 * reports each kind of damage a crash could leave (a missing row, an undone update of an earlier row, half a unit,
 * a stale shared row), naming the unit.
 */
class UnitFootprintTest {
    private static final int UNITS = 4;

    @TempDir
    static Path shared;
    private static Path template;

    @TempDir
    Path dir;

    /** Units 1..4 as the child writes them, through the real DAOs. */
    @BeforeAll
    static void writeUnits() {
        template = shared.resolve("template.db");
        try (Tradestore store = Tradestore.open(TradestoreConfig.sqlite(template))) {
            for (long n = 1; n <= UNITS; n++) {
                long unit = n;
                store.useTransaction(uow -> CrashChild.unit(uow, unit));
            }
        }
    }

    @Test
    void theChildsUnitsAreWholeAndNumberedOneToN() throws Exception {
        UnitFootprint.Audit audit = audit(copy());
        assertThat(audit.problems()).isEmpty();
        assertThat(audit.present()).containsExactly(1L, 2L, 3L, 4L);
        assertThat(audit.candles()).isEqualTo(UNITS * CrashChild.CANDLES_PER_UNIT);
    }

    @Test
    void aMissingFillIsReportedAgainstItsUnit() throws Exception {
        Path db = copy();
        sql(db, "DELETE FROM order_fills WHERE id = (SELECT MAX(f.id) FROM order_fills f"
                + " JOIN orders o ON o.id = f.order_id WHERE o.client_order_id = 'u-2')");
        assertThat(audit(db).problems()).anySatisfy(p -> assertThat(p).startsWith("unit 2 is not whole")
                .contains("order_fills: 1 of 2"));
    }

    @Test
    void anUndoneCloseOfAnEarlierPositionIsReportedAgainstTheUnitThatClosedIt() throws Exception {
        Path db = copy();
        sql(db, "UPDATE positions SET status = 'OPEN', exit_price = NULL, exit_time = NULL, exit_reason = NULL,"
                + " realized_pnl = NULL, return_pct = NULL, open_quantity = quantity WHERE strategy = 'unit-3'");
        assertThat(audit(db).problems()).anySatisfy(p -> assertThat(p).startsWith("unit 4 is not whole")
                .contains("positions: close of position 3: 0 of 1"));
    }

    @Test
    void aCloseWithoutItsReduceEventIsReportedAgainstTheUnitThatClosedIt() throws Exception {
        Path db = copy();
        sql(db, "DELETE FROM position_events WHERE kind = 'REDUCE' AND reason = 'closed-by-unit-4'");
        assertThat(audit(db).problems()).anySatisfy(p -> assertThat(p).startsWith("unit 4 is not whole")
                .contains("position_events REDUCE of position 3: 0 of 1"));
    }

    @Test
    void halfAUnitIsReported() throws Exception {
        Path db = copy();
        try (Tradestore store = Tradestore.open(TradestoreConfig.sqlite(db))) {
            store.useTransaction(uow -> CrashChild.tradingHalf(uow, UNITS + 1));
        }
        assertThat(audit(db).problems()).anySatisfy(p -> assertThat(p).startsWith("unit 5 is not whole")
                .contains("predictions: 0 of 1", "candlesticks: 0 of 3"));
    }

    @Test
    void aStaleSharedRowIsReported() throws Exception {
        Path db = copy();
        sql(db, "UPDATE candlestick_metadata SET candle_count = candle_count - 3,"
                + " last_open_time = last_open_time - 3 * 60000000");
        sql(db, "UPDATE pattern_cache SET payload = '{\"unit\": 3}' WHERE cache_key = 'crash:latest'");
        assertThat(audit(db).problems())
                .anySatisfy(p -> assertThat(p).startsWith("candlestick_metadata says"))
                .anySatisfy(p -> assertThat(p).startsWith("unit 4 is not whole")
                        .contains("pattern_cache crash:latest: 0 of 1"));
    }

    @Test
    void aGapIsReported() throws Exception {
        Path db = copy();
        // Decimals are BLOBs on SQLite (decision 0009): the value 2 is bound as its encoding, X'8120'.
        byte[] two = Decimal18.encode(BigDecimal.valueOf(2));
        sql(db, "DELETE FROM analytics_metrics WHERE value = ?", two);
        sql(db, "DELETE FROM portfolio_snapshots WHERE cash = ?", two);
        assertThat(audit(db).problems()).anySatisfy(p -> assertThat(p).startsWith("unit 2 is not whole")
                .contains("analytics_metrics: 0 of 1", "portfolio_snapshots: 0 of 1"));
    }

    @Test
    void aWrongDecimalIsReportedWithItsValue() throws Exception {
        Path db = copy();
        try (Connection c = SqliteFiles.open(db); PreparedStatement st = c.prepareStatement(
                "UPDATE portfolio_snapshots SET cash = ? WHERE cash = ?")) {
            st.setBytes(1, Decimal18.encode(new BigDecimal("2.000000000000000001")));
            st.setBytes(2, Decimal18.encode(BigDecimal.valueOf(2)));
            assertThat(st.executeUpdate()).isEqualTo(1);
        }
        assertThat(audit(db).problems()).contains("portfolio snapshot of unit 2 has cash 2.000000000000000001");
    }

    @Test
    void aJournalLineCutByTheKillIsNoAcknowledgementAndIsTruncated() throws IOException {
        Path journal = dir.resolve("acks.journal");
        Files.writeString(journal, "1\n2\n3\n4", StandardCharsets.US_ASCII);
        assertThat(CrashSafetyTest.readJournal(journal)).containsExactly(1L, 2L, 3L);
        assertThat(Files.readString(journal, StandardCharsets.US_ASCII)).isEqualTo("1\n2\n3\n");
        Files.writeString(journal, "5\n", StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
        assertThat(CrashSafetyTest.readJournal(journal)).containsExactly(1L, 2L, 3L, 5L);
    }

    private Path copy() throws IOException {
        Path db = dir.resolve("audited.db");
        Files.copy(template, db);
        return db;
    }

    private static UnitFootprint.Audit audit(Path db) throws SQLException {
        try (Connection c = SqliteFiles.open(db)) {
            return UnitFootprint.audit(c);
        }
    }

    private static void sql(Path db, String statement) throws SQLException {
        try (Connection c = SqliteFiles.open(db); Statement st = c.createStatement()) {
            assertThat(st.executeUpdate(statement)).as(statement).isPositive();
        }
    }

    private static void sql(Path db, String statement, byte[] parameter) throws SQLException {
        try (Connection c = SqliteFiles.open(db); PreparedStatement st = c.prepareStatement(statement)) {
            st.setBytes(1, parameter);
            assertThat(st.executeUpdate()).as(statement).isPositive();
        }
    }
}
