package io.tradestore.legacy;

import io.tradestore.Tradestore;
import io.tradestore.legacy.ConsolidationReport.Conflict;
import io.tradestore.legacy.ConsolidationReport.Fate;
import io.tradestore.legacy.ConsolidationReport.RowFate;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import io.tradestore.trading.Position;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tradestore.internal.db.Tables.POSITIONS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Review findings on issue 12, each a small legacy file that a fixture does not hold: a position the store cannot
 * close, a position the target already holds in another state. ConsolidationTest proves the fixture end to end.
 */
class ConsolidationReviewTest {
    private static final String POSITIONS_DDL = "CREATE TABLE positions (id INTEGER PRIMARY KEY AUTOINCREMENT,"
            + " symbol TEXT NOT NULL, entry_date DATETIME NOT NULL, exit_date DATETIME, position_type TEXT,"
            + " entry_price REAL, exit_price REAL, position_size INTEGER, ml_confidence REAL, sentiment_at_entry REAL,"
            + " exit_reason TEXT, profit_loss REAL, return_percentage REAL,"
            + " created_at DATETIME DEFAULT CURRENT_TIMESTAMP)";

    @RegisterExtension
    final TempStore store = new TempStore();
    @TempDir
    Path dir;
    private final AtomicInteger backups = new AtomicInteger();

    private static Path legacy(Path file, String... sql) throws Exception {
        Files.createDirectories(file.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.executeUpdate(statement);
            }
        }
        return file;
    }

    private ConsolidationReport run(Path source, boolean write) {
        Consolidation c = Consolidation.of(List.of(source)).withBackup(dir.resolve("backup-" + backups.incrementAndGet()));
        return write ? c.run(store.get()) : c.dryRun(store.get());
    }

    private static RowFate only(ConsolidationReport r) {
        assertThat(r.rows()).hasSize(1);
        return r.rows().get(0);
    }

    private int positions() {
        return store.read(uow -> uow.jooq().fetchCount(POSITIONS));
    }

    /**
     * Closing a position also stores its return, P&L x 100 / (entry x size), which must fit DECIMAL(38,18) too: an
     * entry price of 1e-17 (float dust where the old code meant "unknown") closed at 100 returns 10^21 %. The row is
     * rejected whole, by the dry run as by the run, naming the column; never left OPEN in the target behind a
     * REJECTED ledger line that the next run would call ALREADY_IMPORTED.
     */
    @EachEngine
    void aPositionWhoseReturnDoesNotFitIsRejectedWholeByTheDryRunAndTheRun(TestEngine engine) throws Exception {
        Path file = legacy(dir.resolve("paper_trading.db"), POSITIONS_DDL,
                "INSERT INTO positions (symbol, entry_date, exit_date, position_type, entry_price, exit_price,"
                        + " position_size, profit_loss) VALUES ('MEME', '2023-03-01 10:00:00', '2023-03-02 10:00:00',"
                        + " 'LONG', 1e-17, 100.0, 1, 100.0)");

        RowFate dry = only(run(file, false));
        RowFate first = only(run(file, true));
        RowFate second = only(run(file, true));

        assertThat(first.fate()).as(first.detail()).isEqualTo(Fate.REJECTED);
        assertThat(first.detail()).startsWith("positions.return_pct: ");
        assertThat(positions()).as("nothing of a rejected row is written").isZero();
        assertThat(dry.fate()).as("the dry run tells what the run does").isEqualTo(first.fate());
        assertThat(dry.detail()).isEqualTo(first.detail());
        assertThat(second.fate()).isEqualTo(Fate.REJECTED);
    }

    /**
     * A target position with the legacy row's key but in another state (imported while the old platform still had it
     * open, closed there since) is a conflict the target wins, as for every other kind: listed, the legacy row
     * MERGED, never ALREADY_IMPORTED as if nothing differed. An identical one is ALREADY_IMPORTED on both engines
     * (the closed position's exit and decimals read back equal).
     */
    @EachEngine
    void aPositionTheTargetHoldsInAnotherStateIsAConflictTheTargetWins(TestEngine engine) throws Exception {
        String insert = "INSERT INTO positions (symbol, entry_date, exit_date, position_type, entry_price, exit_price,"
                + " position_size, ml_confidence, exit_reason, profit_loss) VALUES ('CBA.AX', '2023-03-01 10:00:00', ";
        Path open = legacy(dir.resolve("then").resolve("paper_trading.db"), POSITIONS_DDL,
                insert + "NULL, 'long', 101.5, NULL, 200, 0.30000000000000004, NULL, NULL)");
        Path closed = legacy(dir.resolve("now").resolve("paper_trading.db"), POSITIONS_DDL,
                insert + "'2023-03-02 10:00:00.123456', 'long', 101.5, 102.515, 200, 0.30000000000000004,"
                        + " 'take profit', 203.0000000000001)");

        assertThat(only(run(open, true)).fate()).isEqualTo(Fate.IMPORTED);
        ConsolidationReport later = run(closed, true);

        RowFate fate = only(later);
        assertThat(fate.fate()).as(fate.detail()).isEqualTo(Fate.MERGED);
        assertThat(fate.detail()).contains("exitPrice 102.515 (kept null)");
        assertThat(fate.target()).startsWith("trading.positions ");
        assertThat(later.conflicts()).extracting(Conflict::kind, Conflict::winner)
                .containsExactly(tuple(LegacyKind.POSITIONS, "target " + fate.target()));
        assertThat(later.backup()).as("nothing new: no backup").isNull();
        Position kept = store.read(uow -> uow.positions().listOpen()).get(0);
        assertThat(kept.exitPrice()).isNull();

        // The closed one into a fresh target, then again: identical, so ALREADY_IMPORTED.
        store.useTransaction(uow -> uow.jooq().deleteFrom(io.tradestore.internal.db.Tables.POSITION_EVENTS).execute());
        store.useTransaction(uow -> uow.jooq().deleteFrom(POSITIONS).execute());
        assertThat(only(run(closed, true)).fate()).isEqualTo(Fate.IMPORTED);
        RowFate again = only(run(closed, true));
        assertThat(again.fate()).as(again.detail()).isEqualTo(Fate.ALREADY_IMPORTED);
        assertThat(store.read(uow -> uow.jooq().fetchOne(POSITIONS)).getRealizedPnl())
                .isEqualByComparingTo(new BigDecimal("203"));
    }
}
