package io.tradestore;

import io.tradestore.testing.Pages;

import io.tradestore.internal.Migrator;
import io.tradestore.internal.SchemaGate;
import io.tradestore.testing.Snapshot;
import io.tradestore.testing.SqliteFiles;
import io.tradestore.testing.Stores;
import io.tradestore.trading.NewPortfolioSnapshot;
import io.tradestore.trading.PortfolioSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.Optional;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A migration that fails half-way leaves the database at its previous release: each changeset is one
 * transaction, so the failing one leaves nothing behind, and the release's schema_versions row is never
 * written. The database stays intact and usable.
 */
class MigrationFaultTest {
    @TempDir
    Path dir;

    @Test
    void aChangesetFailingHalfWayLeavesThePreviousReleaseIntactAndUsable() throws Exception {
        Path file = Stores.config(dir).file();
        try (Tradestore store = Stores.open(dir)) {
            store.useTransaction(uow -> uow.portfolio().record(snapshot(0)));
        }
        Snapshot before = Snapshot.of(file);

        try (Connection c = SqliteFiles.open(file)) {
            assertThatThrownBy(() -> Migrator.update(c, "faulty-changelog/changelog.yaml"))
                    .isInstanceOf(SchemaVersionException.class).hasMessageContaining("no_such_table");
            assertThat(SqliteFiles.rows(c, "SELECT MAX(version) FROM schema_versions"))
                    .containsExactly(List.of(Integer.toString(SchemaGate.buildVersion())));
            assertThat(SqliteFiles.tables(c)).doesNotContain("faulty_half").contains("faulty_extra");
            assertThat(SqliteFiles.rows(c, "PRAGMA integrity_check")).containsExactly(List.of("ok"));
            assertThat(SqliteFiles.rows(c, "PRAGMA foreign_key_check")).isEmpty();
        }
        Snapshot after = Snapshot.of(file);
        // Only the changeset that completed before the failure left a trace: its table and its log row.
        assertThat(after.tables().get("portfolio_snapshots")).isEqualTo(before.tables().get("portfolio_snapshots"));
        assertThat(after.tables().get("schema_versions")).isEqualTo(before.tables().get("schema_versions"));
        assertThat(after.rows("DATABASECHANGELOG")).isEqualTo(before.rows("DATABASECHANGELOG") + 1);

        try (Tradestore store = Stores.open(dir)) {
            store.useTransaction(uow -> uow.portfolio().record(snapshot(1)));
            List<PortfolioSnapshot> all = store.read(uow -> Pages.all(page ->
                    uow.portfolio().range(T0, T0.plusSeconds(10), page)));
            assertThat(all).hasSize(2);
        }
    }

    @Test
    void aFailedMigrationReleasesLiquibasesLockSoTheNextUpdateCanRun() throws Exception {
        Path file = SqliteFiles.migrated(dir);
        try (Connection c = SqliteFiles.open(file)) {
            assertThatThrownBy(() -> Migrator.update(c, "faulty-changelog/changelog.yaml"))
                    .isInstanceOf(SchemaVersionException.class);
            assertThat(SqliteFiles.rows(c, "SELECT locked FROM DATABASECHANGELOGLOCK"))
                    .containsExactly(List.of("0"));
            Migrator.update(c); // the real changelog: nothing pending, no lock left behind
        }
        try (Tradestore store = Tradestore.open(TradestoreConfig.sqlite(file))) {
            Optional<PortfolioSnapshot> none = store.read(uow -> uow.portfolio().latest());
            assertThat(none).isEmpty();
        }
    }

    private static NewPortfolioSnapshot snapshot(int second) {
        return new NewPortfolioSnapshot(T0.plusSeconds(second), BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ZERO,
                BigDecimal.ZERO, 0);
    }
}
