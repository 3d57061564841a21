package io.tradestore.trading;

import io.tradestore.testing.Pages;

import io.tradestore.ConflictException;
import io.tradestore.ValidationException;
import io.tradestore.testing.OnEachEngine;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@OnEachEngine
class PortfolioDaoTest {
    @Parameter
    TestEngine engine;
    @RegisterExtension
    final TempStore store = new TempStore();

    @Test
    void recordedSnapshotComesBackExactlyWithItsId() {
        PortfolioSnapshot stored = store.inTransaction(uow ->
                uow.portfolio().record(snapshot(T0, "10000.123456789012345678")));
        assertThat(stored.id()).isPositive();
        assertThat(stored.cash()).isEqualTo(new BigDecimal("10000.123456789012345678"));
        assertThat(stored.takenAt()).isEqualTo(T0);
        Optional<PortfolioSnapshot> latest = store.read(uow -> uow.portfolio().latest());
        assertThat(latest).contains(stored);
    }

    @Test
    void latestIsTheMostRecentlyTakenSnapshotNotTheLastInserted() {
        store.useTransaction(uow -> {
            uow.portfolio().record(snapshot(T0.plusSeconds(60), "2"));
            uow.portfolio().record(snapshot(T0, "1"));
        });
        PortfolioSnapshot latest = store.read(uow -> uow.portfolio().latest()).orElseThrow();
        assertThat(latest.cash()).isEqualByComparingTo("2");
    }

    @Test
    void latestOfAnEmptyPortfolioIsEmpty() {
        Optional<PortfolioSnapshot> latest = store.read(uow -> uow.portfolio().latest());
        assertThat(latest).isEmpty();
    }

    @Test
    void rangeIsHalfOpenAndOrderedByTime() {
        store.useTransaction(uow -> {
            for (int i = 4; i >= 0; i--) {
                uow.portfolio().record(snapshot(T0.plus(Duration.ofMinutes(i)), Integer.toString(i)));
            }
        });
        List<PortfolioSnapshot> range = store.read(uow -> Pages.all(page ->
                uow.portfolio().range(T0.plusSeconds(60), T0.plusSeconds(180), page)));
        assertThat(range).extracting(PortfolioSnapshot::takenAt)
                .containsExactly(T0.plusSeconds(60), T0.plusSeconds(120));
    }

    @Test
    void aSecondSnapshotAtTheSameInstantIsAConflictAndRollsBackTheUnit() {
        store.useTransaction(uow -> uow.portfolio().record(snapshot(T0, "1")));
        assertThatThrownBy(() -> store.useTransaction(uow -> {
            uow.portfolio().record(snapshot(T0.plusSeconds(1), "2"));
            uow.portfolio().record(snapshot(T0, "3"));
        })).isInstanceOf(ConflictException.class)
                .hasMessageContaining("already exists")
                .satisfies(e -> assertThat(((ConflictException) e).sqlState()).isEqualTo("23505"));
        List<PortfolioSnapshot> kept = store.read(uow -> Pages.all(page ->
                uow.portfolio().range(T0, T0.plusSeconds(10), page)));
        assertThat(kept).hasSize(1);
    }

    @Test
    void invalidSnapshotsAreRejectedBeforeAnySql() {
        assertThatThrownBy(() -> snapshot(T0, "0.1234567890123456789"))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("portfolio_snapshots.cash: has more than 18 decimal places");
        assertThatThrownBy(() -> snapshot(T0, "-100000000000000000000"))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("portfolio_snapshots.cash: must be within ±99999999999999999999.999999999999999999");
        assertThatThrownBy(() -> new NewPortfolioSnapshot(T0, BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ZERO,
                BigDecimal.ZERO, -1)).isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("portfolio_snapshots.open_position_count: must be >= 0");
        assertThatThrownBy(() -> snapshot(Instant.parse("1969-12-31T23:59:59Z"), "1"))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("portfolio_snapshots.taken_at:");
        assertThatThrownBy(() -> store.read(uow -> Pages.all(page -> uow.portfolio().range(null, T0, page))))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("from: must not be null");
    }

    @Test
    void recordingInsideAReadUnitIsRefused() {
        assertThatThrownBy(() -> store.read(uow -> uow.portfolio().record(snapshot(T0, "1"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only unit of work");
    }

    static NewPortfolioSnapshot snapshot(Instant at, String cash) {
        return new NewPortfolioSnapshot(at, new BigDecimal(cash), new BigDecimal(cash), BigDecimal.ZERO,
                BigDecimal.ZERO, 0);
    }
}
