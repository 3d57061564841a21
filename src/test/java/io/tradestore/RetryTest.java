package io.tradestore;

import io.tradestore.testing.SqliteFiles;
import io.tradestore.testing.Stores;
import io.tradestore.trading.NewPortfolioSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Another process (here: another connection outside the store) holding SQLite's write lock makes a write unit
 * fail with SQLITE_BUSY once busy_timeout runs out; the store runs the whole unit again.
 */
class RetryTest {
    @TempDir
    Path dir;

    @Test
    void aUnitThatHitsABusyDatabaseIsRunAgainWholeAndSucceeds() throws Exception {
        try (Tradestore store = Tradestore.open(Stores.config(dir).withBusyTimeout(Duration.ofMillis(50))
                .withRetryAttempts(20));
             Connection other = SqliteFiles.open(Stores.config(dir).file())) {
            execute(other, "BEGIN IMMEDIATE");
            CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
                sleep(400);
                execute(other, "COMMIT");
            });
            long start = System.nanoTime();
            // Held 8x longer than busy_timeout: without whole-unit retries this fails after 50 ms.
            long id = store.inTransaction(uow -> uow.portfolio().record(snapshot()).id());
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            release.join();
            assertThat(id).isPositive();
            assertThat(waitedMillis).as("succeeded only after the other connection committed").isGreaterThanOrEqualTo(350);
        }
    }

    @Test
    void aUnitThatStaysBusyFailsWithBusyExceptionAfterTheConfiguredAttemptsAndWritesNothing() throws Exception {
        try (Tradestore store = Tradestore.open(Stores.config(dir).withBusyTimeout(Duration.ofMillis(20))
                .withRetryAttempts(3));
             Connection other = SqliteFiles.open(Stores.config(dir).file())) {
            AtomicInteger runs = new AtomicInteger();
            execute(other, "BEGIN IMMEDIATE");
            try {
                assertThatThrownBy(() -> store.useTransaction(uow -> {
                    runs.incrementAndGet();
                    uow.portfolio().record(snapshot());
                })).isInstanceOf(BusyException.class)
                        .hasMessageContaining("after 4 attempt(s)")
                        .satisfies(e -> assertThat(((BusyException) e).sqlState()).isEqualTo("40001"));
            } finally {
                execute(other, "ROLLBACK");
            }
            assertThat(runs.get()).as("BEGIN IMMEDIATE fails before the function runs").isZero();
            Long count = store.read(uow -> uow.portfolio().latest().map(s -> 1L).orElse(0L));
            assertThat(count).isZero();
        }
    }

    @Test
    void backoffIsJitteredAndCapped() {
        for (int attempt = 1; attempt <= 30; attempt++) {
            long pause = Tradestore.backoffMillis(attempt);
            assertThat(pause).isBetween(0L, 1000L);
        }
    }

    private static NewPortfolioSnapshot snapshot() {
        return new NewPortfolioSnapshot(T0, BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO, 0);
    }

    private static void execute(Connection c, String sql) {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
