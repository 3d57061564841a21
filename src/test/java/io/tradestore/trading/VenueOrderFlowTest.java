package io.tradestore.trading;

import io.tradestore.Tradestore;
import io.tradestore.internal.Decimal18;
import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import io.tradestore.testing.SqliteFiles;
import io.tradestore.testing.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The venue's message order on both engines through one path (docs/order-lifecycle.md): the cancel race of the
 * lifecycle doc, a report delivered by several connections at once (PostgreSQL runs writers concurrently), and
 * release 5's constraints themselves, written past the DAO with raw SQL.
 */
class VenueOrderFlowTest {

    @TempDir
    Path dir;
    private PostgresDatabases pg;
    private Tradestore store;

    @AfterEach
    void close() throws SQLException {
        if (store != null) {
            store.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    private Tradestore open(TestEngine engine) throws SQLException {
        if (engine == TestEngine.SQLITE) {
            store = Tradestore.open(Stores.config(dir).withBusyTimeout(Duration.ofSeconds(30)));
        } else {
            pg = PostgresDatabases.migrated();
            store = Tradestore.open(pg.config()
                    .withRetryAttempts(20));
        }
        return store;
    }

    private Connection raw(TestEngine engine) throws SQLException {
        return engine == TestEngine.SQLITE ? SqliteFiles.open(Stores.config(dir).file()) : pg.connect();
    }

    /** A decimal literal as the engine stores it: SQLite's order-preserving BLOB, PostgreSQL's NUMERIC. */
    private static String dec(TestEngine engine, String value) {
        return engine == TestEngine.SQLITE
                ? "X'" + java.util.HexFormat.of().formatHex(Decimal18.encode(new BigDecimal(value))) + "'" : value;
    }

    private static String fills(TestEngine engine) {
        return engine == TestEngine.SQLITE ? "order_fills" : "trading.order_fills";
    }

    @EachEngine
    void theCancelRaceEndsAsTheVenueDidIt(TestEngine engine) throws Exception {
        Tradestore s = open(engine);
        Order order = s.inTransaction(uow -> uow.orders().place(NewOrder.limit("race-1", "BTCUSDT", OrderSide.BUY,
                new BigDecimal("1"), new BigDecimal("23140.5"))));
        Order pending = s.inTransaction(uow -> uow.orders().cancel(order.id()));
        Order cancelled = s.inTransaction(uow -> uow.orders().confirmCancel(order.id()));
        NewFill late = new NewFill("T-9917", new BigDecimal("0.4"), new BigDecimal("23140.5"),
                new BigDecimal("0.0002"), "BNB", T0);
        FillResult first = s.inTransaction(uow -> uow.orders().fill(order.id(), late));
        FillResult again = s.inTransaction(uow -> uow.orders().fill(order.id(), late));
        List<FeeTotal> fees = s.read(uow -> uow.orders().fees(order.id()));

        assertThat(pending.status()).isEqualTo(OrderStatus.PENDING_CANCEL);
        assertThat(cancelled.status()).isEqualTo(OrderStatus.CANCELLED);
        assertThat(first.order().status()).isEqualTo(OrderStatus.CANCELLED);
        assertThat(first.order().filledQuantity()).isEqualTo(new BigDecimal("0.4"));
        assertThat(first.order().version()).isEqualTo(3);
        assertThat(again).isEqualTo(new FillResult(first.order(), first.fill(), true));
        assertThat(fees).containsExactly(new FeeTotal("BNB", new BigDecimal("0.0002")));
    }

    /**
     * One execution report delivered by six connections at once, twenty times: exactly one of each round's units
     * records it; every other unit gets the stored fill back as a duplicate, never an error or a second row.
     */
    @EachEngine
    void aReportDeliveredConcurrentlyIsStoredOnce(TestEngine engine) throws Exception {
        Tradestore s = open(engine);
        long orderId = s.inTransaction(uow -> uow.orders().place(NewOrder.market("dup-1", "BTCUSDT", OrderSide.BUY,
                new BigDecimal("100"))).id());
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            for (int round = 0; round < 20; round++) {
                NewFill report = new NewFill("T-" + round, new BigDecimal("0.5"), new BigDecimal("100." + round),
                        new BigDecimal("0.001"), "USDT", T0.plusSeconds(round));
                List<Callable<FillResult>> tasks = new ArrayList<>();
                for (int t = 0; t < 6; t++) {
                    tasks.add(() -> s.inTransaction(uow -> uow.orders().fill(orderId, report)));
                }
                List<FillResult> results = new ArrayList<>();
                for (Future<FillResult> f : pool.invokeAll(tasks)) {
                    results.add(f.get());
                }
                assertThat(results.stream().filter(r -> !r.duplicate()).count()).as("round %d", round).isEqualTo(1);
                assertThat(results.stream().map(FillResult::fill).distinct()).as("round %d", round).hasSize(1);
            }
        } finally {
            pool.shutdownNow();
        }
        List<Fill> stored = s.read(uow -> uow.orders().fills(orderId));
        Order order = s.read(uow -> uow.orders().find(orderId)).orElseThrow();
        assertThat(stored).hasSize(20);
        assertThat(order.filledQuantity()).isEqualTo(new BigDecimal("10"));
        assertThat(order.version()).isEqualTo(20);
    }

    /** Release 5's CHECKs and unique key hold on both engines even for SQL that bypasses the DAO. */
    @EachEngine
    void theFillConstraintsHoldForRawSql(TestEngine engine) throws Exception {
        Tradestore s = open(engine);
        long orderId = s.inTransaction(uow -> uow.orders().place(NewOrder.market("raw-1", "BTCUSDT", OrderSide.BUY,
                new BigDecimal("1"))).id());
        s.useTransaction(uow -> uow.orders().fill(orderId, NewFill.of("T-1", new BigDecimal("0.1"),
                new BigDecimal("100"), T0)));
        String insert = "INSERT INTO " + fills(engine) + " (order_id, trade_id, quantity, price, fee, fee_currency,"
                + " filled_at) VALUES (" + orderId + ", %s, " + dec(engine, "0.1") + ", " + dec(engine, "100") + ", "
                + dec(engine, "0") + ", %s, " + T0.getEpochSecond() * 1_000_000 + ")";
        try (Connection c = raw(engine); Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.executeUpdate(String.format(insert, "'" + "t".repeat(65) + "'", "NULL")))
                    .isInstanceOf(SQLException.class).hasMessageContaining("ck_order_fills_trade_id");
            assertThatThrownBy(() -> st.executeUpdate(String.format(insert, "''", "NULL")))
                    .isInstanceOf(SQLException.class).hasMessageContaining("ck_order_fills_trade_id");
            assertThatThrownBy(() -> st.executeUpdate(String.format(insert, "'T-2'", "''")))
                    .isInstanceOf(SQLException.class).hasMessageContaining("ck_order_fills_fee_currency");
            assertThatThrownBy(() -> st.executeUpdate(String.format(insert, "'T-2'", "'ABCDEFGHIJKLMNOPQ'")))
                    .isInstanceOf(SQLException.class).hasMessageContaining("ck_order_fills_fee_currency");
            assertThatThrownBy(() -> st.executeUpdate(String.format(insert, "NULL", "NULL")))
                    .isInstanceOf(SQLException.class).hasMessageContaining("trade_id");
            assertThatThrownBy(() -> st.executeUpdate(String.format(insert, "'T-1'", "NULL")))
                    .isInstanceOf(SQLException.class).hasMessageMatching(
                            "(?s).*(uq_order_fills_order_id_trade_id|UNIQUE constraint failed: order_fills.order_id, order_fills.trade_id).*");
            assertThat(st.executeUpdate(String.format(insert, "'T-2'", "'USDT'"))).as("a valid row still goes in").isEqualTo(1);
        }
    }
}
