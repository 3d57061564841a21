package io.tradestore;

import io.tradestore.testing.Pages;

import io.tradestore.testing.OnEachEngine;
import io.tradestore.testing.Stores;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import io.tradestore.trading.NewPortfolioSnapshot;
import io.tradestore.trading.PortfolioDao;
import io.tradestore.trading.PortfolioSnapshot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transaction contract of inTransaction, useTransaction and read, the same on both engines. */
@OnEachEngine
class UnitOfWorkTest {
    @Parameter
    TestEngine engine;
    @RegisterExtension
    final TempStore temp = new TempStore();
    Tradestore store;

    @BeforeEach
    void open() {
        store = temp.get();
    }

    @Test
    void aUnitCommitsWhenItsFunctionReturnsAndReturnsItsResult() {
        long id = store.inTransaction(uow -> uow.portfolio().record(snapshot(0)).id());
        assertThat(count()).isEqualTo(1);
        assertThat(id).isPositive();
    }

    @Test
    void aUnitRollsBackEverythingWhenItsFunctionThrowsAndRethrowsTheSameException() {
        IllegalArgumentException boom = new IllegalArgumentException("boom");
        assertThatThrownBy(() -> store.useTransaction(uow -> {
            uow.portfolio().record(snapshot(0));
            uow.portfolio().record(snapshot(1));
            throw boom;
        })).isSameAs(boom);
        assertThat(count()).isZero();
    }

    @Test
    void aFailedNestedWriteUnitUndoesOnlyItsOwnWrites() {
        store.useTransaction(uow -> {
            uow.portfolio().record(snapshot(0));
            assertThatThrownBy(() -> store.useTransaction(inner -> {
                inner.portfolio().record(snapshot(1));
                throw new IllegalStateException("inner fails");
            })).hasMessage("inner fails");
            uow.portfolio().record(snapshot(2));
        });
        assertThat(takenAt()).containsExactly(T0, T0.plusSeconds(2));
    }

    @Test
    void aSucceedingNestedUnitCommitsOnlyWithItsOuterUnit() {
        assertThatThrownBy(() -> store.useTransaction(uow -> {
            store.useTransaction(inner -> inner.portfolio().record(snapshot(1)));
            throw new IllegalStateException("outer fails after the inner unit succeeded");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(count()).isZero();
    }

    @Test
    void aReadInsideAWriteUnitSeesItsUncommittedWritesButCannotWrite() {
        store.useTransaction(uow -> {
            uow.portfolio().record(snapshot(0));
            Optional<PortfolioSnapshot> seen = store.read(r -> r.portfolio().latest());
            assertThat(seen).isPresent();
            assertThatThrownBy(() -> store.read(r -> r.portfolio().record(snapshot(1))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only unit of work");
        });
        assertThat(count()).isEqualTo(1);
    }

    @Test
    void aWriteUnitCannotStartInsideAReadUnit() {
        assertThatThrownBy(() -> store.read(r -> store.inTransaction(w -> w.portfolio().record(snapshot(0)))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("inside a read unit");
        assertThat(count()).isZero();
    }

    @Test
    void aDaoUsedAfterItsUnitEndedThrowsIllegalState() {
        PortfolioDao escaped = store.inTransaction(UnitOfWork::portfolio);
        assertThatThrownBy(escaped::latest).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already ended");
        UnitOfWork uow = store.inTransaction(u -> u);
        assertThatThrownBy(uow::positions).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aDaoUsedFromAnotherThreadThrowsIllegalState() {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        store.useTransaction(uow -> {
            PortfolioDao dao = uow.portfolio();
            try {
                CompletableFuture.runAsync(dao::latest).get();
            } catch (ExecutionException e) {
                failure.set(e.getCause());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(failure.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("confined");
    }

    @Test
    void aReadOnlyStoreRefusesWriteUnitsButReads() {
        store.useTransaction(uow -> uow.portfolio().record(snapshot(0)));
        try (Tradestore readOnly = Tradestore.open(temp.config().withReadOnly(true))) {
            assertThatThrownBy(() -> readOnly.useTransaction(uow -> uow.portfolio().record(snapshot(1))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only");
            Optional<PortfolioSnapshot> latest = readOnly.read(uow -> uow.portfolio().latest());
            assertThat(latest).isPresent();
        }
    }

    @Test
    void aClosedStoreRefusesUnitsOfWork() {
        store.close();
        assertThatThrownBy(() -> store.read(uow -> uow.portfolio().latest()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void nowComesFromTheConfiguredClockInWholeMicroseconds() {
        try (Tradestore clocked = Tradestore.open(temp.config()
                .withClock(Stores.fixed(Instant.parse("2024-01-01T00:00:00.123456789Z"))))) {
            Instant now = clocked.read(UnitOfWork::now);
            assertThat(now).isEqualTo(Instant.parse("2024-01-01T00:00:00.123456Z"));
        }
    }

    @Test
    void aFailedRollbackIsAttachedAsSuppressedAndItsConnectionIsNotReused() {
        IllegalStateException boom = new IllegalStateException("boom");
        assertThatThrownBy(() -> store.useTransaction(uow -> {
            uow.portfolio().record(snapshot(0));
            try {
                uow.connection().unwrap(java.sql.Connection.class).close(); // the driver's connection dies
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
            throw boom;
        })).isSameAs(boom).satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
        // The next unit gets a fresh writer connection, not the broken one.
        store.useTransaction(uow -> uow.portfolio().record(snapshot(1)));
        assertThat(takenAt()).containsExactly(T0.plusSeconds(1));
    }

    @Test
    void aCheckedExceptionSneakedOutOfTheFunctionStillRollsBackAndFreesTheWriter() {
        // Kotlin lambdas and @SneakyThrows throw checked exceptions through java.util.function.Function.
        java.io.IOException checked = new java.io.IOException("exchange socket closed");
        assertThatThrownBy(() -> store.useTransaction(uow -> {
            uow.portfolio().record(snapshot(0));
            sneakyThrow(checked);
        })).isSameAs(checked);
        assertThat(count()).isZero();
        store.useTransaction(uow -> uow.portfolio().record(snapshot(1))); // the writer is not stuck in a transaction
        assertThat(takenAt()).containsExactly(T0.plusSeconds(1));
    }

    @Test
    void aCheckedExceptionFromANestedUnitRollsBackItsSavepoint() {
        store.useTransaction(uow -> {
            uow.portfolio().record(snapshot(0));
            try {
                store.useTransaction(inner -> {
                    inner.portfolio().record(snapshot(1));
                    sneakyThrow(new java.io.IOException("inner"));
                });
            } catch (Exception expected) {
                assertThat(expected).isInstanceOf(java.io.IOException.class);
            }
        });
        assertThat(takenAt()).containsExactly(T0);
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> void sneakyThrow(Throwable t) throws E {
        throw (E) t;
    }

    @Test
    void nullWorkIsRejected() {
        assertThatThrownBy(() -> store.inTransaction(null)).isInstanceOf(NullPointerException.class);
    }

    private int count() {
        return takenAt().size();
    }

    private List<Instant> takenAt() {
        List<PortfolioSnapshot> all = store.read(uow -> Pages.all(page ->
                uow.portfolio().range(Instant.EPOCH, T0.plusSeconds(3600), page)));
        return all.stream().map(PortfolioSnapshot::takenAt).toList();
    }

    private static NewPortfolioSnapshot snapshot(int second) {
        return new NewPortfolioSnapshot(T0.plusSeconds(second), BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ZERO,
                BigDecimal.ZERO, 0);
    }
}
