package io.tradestore;

import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.Pages;
import io.tradestore.testing.Stores;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.NewPortfolioSnapshot;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.PortfolioSnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A unit that catches a typed exception caused by a statement the database refused, and carries on, commits
 * exactly its other writes on both engines (docs/errors.md: treat a duplicate as "already done"). On PostgreSQL a
 * refused statement aborts the whole transaction unless it ran in a savepoint (StatementSavepoints); SQLite undoes
 * the statement alone. The hostile-input table proves the same for every DAO write method and failure kind; this
 * suite pins the mechanism: unique, foreign-key and CHECK violations, a refused multi-row statement that must
 * leave none of its rows, a refused batch, and the caller's own statements through uow.jooq().
 */
class CatchAndCarryOnTest {
    @TempDir
    Path dir;
    private PostgresDatabases pg;
    private Tradestore store;

    private Tradestore open(TestEngine engine) throws Exception {
        return open(engine, false);
    }

    /** {@code ownTables}: as the owner role on PostgreSQL, for a test that creates a table of its own. */
    private Tradestore open(TestEngine engine, boolean ownTables) throws Exception {
        if (engine == TestEngine.POSTGRES) {
            pg = PostgresDatabases.migrated();
            store = Tradestore.open((ownTables ? pg.ownerConfig() : pg.config()).withPoolSize(2).withRetryAttempts(0));
        } else {
            store = Tradestore.open(Stores.config(dir).withPoolSize(1).withRetryAttempts(0));
        }
        return store;
    }

    @AfterEach
    void close() throws Exception {
        if (store != null) {
            store.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    @EachEngine
    void aDuplicateCaughtAsAlreadyDoneLeavesTheUnitUsableAndItsOtherWritesCommit(TestEngine engine) throws Exception {
        Tradestore store = open(engine);
        store.useTransaction(uow -> uow.portfolio().record(snapshot(T0, "100")));

        store.useTransaction(uow -> {
            uow.orders().place(NewOrder.market("before", "BTCUSDT", OrderSide.BUY, BigDecimal.ONE));
            assertThatThrownBy(() -> uow.portfolio().record(snapshot(T0, "999")))
                    .isInstanceOf(ConflictException.class);
            // The same unit goes on: a read, and writes to another schema's table and to the same table.
            assertThat(uow.portfolio().latest()).map(PortfolioSnapshot::cash).contains(new BigDecimal("100"));
            uow.portfolio().record(snapshot(T0.plusSeconds(60), "101"));
            uow.orders().place(NewOrder.market("after", "BTCUSDT", OrderSide.BUY, BigDecimal.ONE));
        });

        List<PortfolioSnapshot> snapshots = store.read(uow -> Pages.all(page -> uow.portfolio().range(T0,
                T0.plusSeconds(3600), page)));
        assertThat(snapshots).extracting(PortfolioSnapshot::cash)
                .containsExactly(new BigDecimal("100"), new BigDecimal("101"));
        assertThat(placed(store, "before", "after")).containsExactly(true, true);
    }

    @EachEngine
    void aForeignKeyViolationCaughtLeavesTheUnitUsable(TestEngine engine) throws Exception {
        Tradestore store = open(engine);
        store.useTransaction(uow -> {
            assertThatThrownBy(() -> uow.orders().place(NewOrder.market("orphan", "BTCUSDT", OrderSide.BUY,
                    BigDecimal.ONE).forPosition(987_654)))
                    .isInstanceOf(ForeignKeyViolationException.class);
            uow.orders().place(NewOrder.market("kept", "BTCUSDT", OrderSide.BUY, BigDecimal.ONE));
        });
        assertThat(placed(store, "kept", "orphan")).containsExactly(true, false);
    }

    @EachEngine
    void aRefusedStatementOfTheCallersOwnIsUndoneWholeAndTheUnitGoesOn(TestEngine engine) throws Exception {
        Tradestore store = open(engine, true);
        store.useTransaction(uow -> uow.jooq().execute("CREATE TABLE carry_on (id BIGINT PRIMARY KEY,"
                + " qty BIGINT NOT NULL CHECK (qty > 0))"));

        store.useTransaction(uow -> {
            uow.jooq().execute("INSERT INTO carry_on VALUES (1, 1)");
            // Two rows, the second refused by the CHECK: the statement's first row must go with it.
            assertThatThrownBy(() -> uow.jooq().execute("INSERT INTO carry_on VALUES (2, 2), (3, -3)"))
                    .isInstanceOf(ConstraintViolationException.class);
            // A batch whose second statement is refused by the primary key: on PostgreSQL the batch is one
            // savepoint, so none of it stays; SQLite keeps the statements before the refused one.
            assertThatThrownBy(() -> uow.jooq().batch("INSERT INTO carry_on VALUES (4, 4)",
                    "INSERT INTO carry_on VALUES (1, 9)").execute())
                    .isInstanceOf(TradestoreException.class);
            uow.jooq().execute("INSERT INTO carry_on VALUES (5, 5)");
        });

        List<Long> ids = store.<List<Long>>read(uow -> uow.jooq().fetch("SELECT id FROM carry_on ORDER BY id")
                .getValues(0, Long.class));
        assertThat(ids).startsWith(1L).endsWith(5L).doesNotContain(2L, 3L);
        if (engine == TestEngine.POSTGRES) {
            assertThat(ids).containsExactly(1L, 5L);
        }
    }

    @EachEngine
    void aNestedUnitAroundAFailingStatementStillRollsBackOnlyItself(TestEngine engine) throws Exception {
        Tradestore store = open(engine);
        store.useTransaction(uow -> {
            uow.orders().place(NewOrder.market("outer", "BTCUSDT", OrderSide.BUY, BigDecimal.ONE));
            assertThatThrownBy(() -> store.useTransaction(inner -> {
                inner.orders().place(NewOrder.market("inner", "BTCUSDT", OrderSide.BUY, BigDecimal.ONE));
                // The same client order id with another quantity: a conflict, not a repeated request.
                inner.orders().place(NewOrder.market("outer", "BTCUSDT", OrderSide.BUY, BigDecimal.TEN));
            })).isInstanceOf(ConflictException.class);
            uow.orders().place(NewOrder.market("last", "BTCUSDT", OrderSide.BUY, BigDecimal.ONE));
        });
        assertThat(placed(store, "outer", "inner", "last")).containsExactly(true, false, true);
    }

    /** Whether an order with each client order id exists, in one read unit. */
    private static List<Boolean> placed(Tradestore store, String... clientOrderIds) {
        return store.read(uow -> java.util.Arrays.stream(clientOrderIds)
                .map(id -> uow.orders().findByClientOrderId(id).isPresent()).toList());
    }

    private static NewPortfolioSnapshot snapshot(Instant at, String cash) {
        BigDecimal c = new BigDecimal(cash);
        return new NewPortfolioSnapshot(at, c, c, BigDecimal.ZERO, BigDecimal.ZERO, 0);
    }

}
