package io.tradestore;

import io.tradestore.testing.Pages;

import io.tradestore.testing.Fills;

import io.tradestore.internal.Migrator;
import io.tradestore.internal.SchemaGate;
import io.tradestore.testing.MutableClock;
import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.SqliteFiles;
import io.tradestore.market.Candle;
import io.tradestore.market.Timeframe;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.NewPortfolioSnapshot;
import io.tradestore.trading.Order;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.OrderStatus;
import io.tradestore.trading.PortfolioSnapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The same API on the real PostgreSQL server: auto-migration into three schemas, units of work, error translation.
 * (The full PostgreSQL matrix is a later issue; this proves the configuration works.)
 */
class PostgresTest {
    static PostgresDatabases db;
    static Tradestore store;

    @BeforeAll
    static void open() throws Exception {
        db = new PostgresDatabases();
        store = Tradestore.open(TradestoreConfig.postgres(db.url(), PostgresDatabases.USER, PostgresDatabases.PASSWORD)
                .withPoolSize(4));
    }

    @AfterAll
    static void close() throws Exception {
        if (store != null) {
            store.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void openingAnEmptyDatabaseCreatesTheThreeSchemasAndRecordsTheVersion() throws Exception {
        assertThat(store.schemaVersion()).isEqualTo(SchemaGate.buildVersion());
        try (Connection c = db.connect()) {
            assertThat(SqliteFiles.rows(c, "SELECT table_schema || '.' || table_name FROM information_schema.tables"
                    + " WHERE table_name IN ('positions', 'candlesticks', 'predictions', 'schema_versions') ORDER BY 1"))
                    .containsExactly(List.of("analytics.predictions"), List.of("market.candlesticks"),
                            List.of("public.schema_versions"), List.of("trading.positions"));
        }
    }

    /**
     * NUMERIC(38,18) holds the extremes exactly, and hands every value back at scale 18 (1.50 as
     * 1.500000000000000000): read back normalized, they are the values SQLite gives back (decision 0009).
     */
    @Test
    void unitsOfWorkCommitAndReadExactValues() {
        PortfolioSnapshot stored = store.inTransaction(uow -> uow.portfolio().record(new NewPortfolioSnapshot(
                T0, new BigDecimal("99999999999999999999.999999999999999999"), new BigDecimal("-0.000000000000000001"),
                new BigDecimal("1.50"), new BigDecimal("-100"), 3)));
        Optional<PortfolioSnapshot> latest = store.read(uow -> uow.portfolio().latest());
        assertThat(latest).contains(stored);
        assertThat(stored.cash()).isEqualTo(new BigDecimal("99999999999999999999.999999999999999999"));
        assertThat(stored.equity()).isEqualTo(new BigDecimal("-0.000000000000000001"));
        assertThat(stored.realizedPnl()).isEqualTo(new BigDecimal("1.5"));
        assertThat(stored.unrealizedPnl()).as("scale 0, not -1E+2").isEqualTo(new BigDecimal("-100"));
        PortfolioSnapshot zero = store.inTransaction(uow -> uow.portfolio().record(new NewPortfolioSnapshot(
                T0.minusSeconds(1), new BigDecimal("0.000"), BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO, 0)));
        assertThat(zero.cash()).as("0, not 0E-18").isEqualTo(BigDecimal.ZERO).hasScaleOf(0);
    }

    /** Derived values are computed in Java and rounded once, half-even at 18 places, on PostgreSQL as on SQLite. */
    @Test
    void derivedValuesAreRoundedAtEighteenPlacesAndNormalizedOnPostgres() {
        Order order = store.inTransaction(uow -> place(uow, "pg-derived"));
        store.useTransaction(uow -> uow.orders().fill(order.id(), Fills.of(BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ZERO, T0)).order());
        Order twoFills = store.inTransaction(uow -> uow.orders().fill(order.id(), Fills.of(new BigDecimal("2"),
                new BigDecimal("2"), BigDecimal.ZERO, T0)).order());
        assertThat(twoFills.averageFillPrice()).isEqualTo(new BigDecimal("1.666666666666666667")); // 5 / 3
        assertThat(twoFills.filledQuantity()).isEqualTo(new BigDecimal("3"));
        Order tie = store.inTransaction(uow -> uow.orders().fill(order.id(), Fills.of(new BigDecimal("1"),
                new BigDecimal("0.999999999999999998"), BigDecimal.ZERO, T0)).order());
        // (5 + 0.999999999999999998) / 4 = 1.4999999999999999995, a tie at the 18th place: half-even gives
        // 1.500000000000000000 (its last digit is even), normalized 1.5; half-down would give 1.499999999999999999
        assertThat(tie.averageFillPrice()).isEqualTo(new BigDecimal("1.5"));
        Optional<Order> found = store.read(uow -> uow.orders().find(order.id()));
        assertThat(found).contains(tie);
    }

    @Test
    void aUniqueViolationIsAConflictWithThePostgresSqlState() {
        NewPortfolioSnapshot s = new NewPortfolioSnapshot(T0.plusSeconds(3600), BigDecimal.ONE, BigDecimal.ONE,
                BigDecimal.ZERO, BigDecimal.ZERO, 0);
        store.useTransaction(uow -> uow.portfolio().record(s));
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.portfolio().record(s)))
                .isInstanceOf(ConflictException.class)
                .satisfies(e -> assertThat(((ConflictException) e).sqlState()).isEqualTo("23505"));
    }

    @Test
    void aFailedNestedUnitRollsBackToItsSavepointOnPostgresToo() {
        NewPortfolioSnapshot outer = new NewPortfolioSnapshot(T0.plusSeconds(7200), BigDecimal.ONE, BigDecimal.ONE,
                BigDecimal.ZERO, BigDecimal.ZERO, 0);
        store.useTransaction(uow -> {
            uow.portfolio().record(outer);
            assertThatThrownBy(() -> store.useTransaction(inner -> inner.portfolio().record(outer)))
                    .isInstanceOf(ConflictException.class);
            uow.portfolio().record(new NewPortfolioSnapshot(T0.plusSeconds(7201), BigDecimal.ONE, BigDecimal.ONE,
                    BigDecimal.ZERO, BigDecimal.ZERO, 0));
        });
        List<PortfolioSnapshot> range = store.read(uow -> Pages.all(page ->
                uow.portfolio().range(T0.plusSeconds(7200), T0.plusSeconds(7300), page)));
        assertThat(range).hasSize(2);
    }

    /**
     * listOpen is a UNION ALL of one range per status with an ORDER BY on the result; PostgreSQL must accept it and
     * honour the order. The oldest open order is PARTIALLY_FILLED, so the NEW branch coming first (no ORDER BY) fails;
     * four orders share one created_at, alternating status, so only the id tie-break gives the expected list; and
     * the newest order is inserted first, so heap or id order is not creation order either.
     */
    @Test
    void openOrdersComeBackOldestFirstWithTiesByIdOnPostgresToo() {
        Instant t1 = T0.plusSeconds(86_400);
        Instant t2 = t1.plusSeconds(60);
        Instant t3 = t2.plusSeconds(60);
        MutableClock clock = new MutableClock(t3);
        try (Tradestore clocked = Tradestore.open(TradestoreConfig.postgres(db.url(), PostgresDatabases.USER,
                PostgresDatabases.PASSWORD).withClock(clock))) {
            long newest = clocked.inTransaction(uow -> place(uow, "pg-open-newest").id());
            clock.set(t1);
            long oldestPartial = clocked.inTransaction(uow -> partiallyFill(uow, place(uow, "pg-open-oldest")));
            clocked.useTransaction(uow -> uow.orders().confirmCancel(place(uow, "pg-open-cancelled").id()));
            clock.set(t2);
            long tieNew1 = clocked.inTransaction(uow -> place(uow, "pg-open-tie-1").id());
            long tiePartial2 = clocked.inTransaction(uow -> partiallyFill(uow, place(uow, "pg-open-tie-2")));
            long tieNew3 = clocked.inTransaction(uow -> place(uow, "pg-open-tie-3").id());
            long tiePartial4 = clocked.inTransaction(uow -> partiallyFill(uow, place(uow, "pg-open-tie-4")));
            long tiePending5 = clocked.inTransaction(uow -> uow.orders().cancel(place(uow, "pg-open-tie-5").id()).id());
            clocked.useTransaction(uow -> {
                Order filled = place(uow, "pg-open-filled");
                uow.orders().fill(filled.id(), Fills.of(filled.quantity(), BigDecimal.TEN, BigDecimal.ZERO, t2)).order();
            });

            List<Long> open = clocked.read(uow -> ids(uow.orders().listOpen()));
            List<Long> fresh = clocked.read(uow -> ids(Pages.all(page ->
                    uow.orders().byStatus(OrderStatus.NEW, page))));
            List<Long> partial = clocked.read(uow -> ids(Pages.all(page ->
                    uow.orders().byStatus(OrderStatus.PARTIALLY_FILLED, page))));
            assertThat(open).containsExactly(oldestPartial, tieNew1, tiePartial2, tieNew3, tiePartial4, tiePending5,
                    newest);
            assertThat(fresh).containsExactly(tieNew1, tieNew3, newest);
            assertThat(partial).containsExactly(oldestPartial, tiePartial2, tiePartial4);
        }
    }

    private static Order place(UnitOfWork uow, String clientOrderId) {
        return uow.orders().place(NewOrder.market(clientOrderId, "BTCUSDT", OrderSide.BUY, BigDecimal.TEN));
    }

    private static long partiallyFill(UnitOfWork uow, Order order) {
        return uow.orders().fill(order.id(), Fills.of(BigDecimal.ONE, BigDecimal.TEN, BigDecimal.ZERO, uow.now())).order().id();
    }

    private static List<Long> ids(List<Order> orders) {
        return orders.stream().map(Order::id).toList();
    }

    /**
     * Release 3 replaced indexes; on PostgreSQL the rollback runs its own DDL (DROP INDEX qualified by schema), so
     * rolling back to v2 must give exactly the indexes and columns of a database that only ever reached v2, and
     * updating again exactly those of a fully migrated one.
     */
    @Test
    void rollbackToTheSecondTagRestoresTheSchemaOfReleaseTwoExactlyOnPostgres() throws Exception {
        List<List<List<String>>> releaseTwo;
        try (PostgresDatabases two = new PostgresDatabases(); Connection c = two.connect()) {
            Migrator.updateToTag(c, "v2");
            assertThat(SqliteFiles.rows(c, "SELECT MAX(version) FROM schema_versions")).containsExactly(List.of("2"));
            releaseTwo = pgSchema(c);
        }
        try (PostgresDatabases full = new PostgresDatabases(); Connection c = full.connect()) {
            Migrator.update(c);
            List<List<List<String>>> latest = pgSchema(c);
            assertThat(latest).isNotEqualTo(releaseTwo);

            Migrator.rollbackToTag(c, "v2");
            assertThat(pgSchema(c)).isEqualTo(releaseTwo);
            assertThat(SqliteFiles.rows(c, "SELECT MAX(version) FROM schema_versions")).containsExactly(List.of("2"));

            Migrator.update(c);
            assertThat(pgSchema(c)).isEqualTo(latest);
        }
    }

    /** The indexes (with their full definitions) and the columns of the three tradestore schemas. */
    private static List<List<List<String>>> pgSchema(Connection c) throws Exception {
        String schemas = "('trading', 'market', 'analytics')";
        return List.of(
                SqliteFiles.rows(c, "SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes"
                        + " WHERE schemaname IN " + schemas + " ORDER BY 1, 2, 3"),
                SqliteFiles.rows(c, "SELECT table_schema, table_name, column_name, " + DecimalMigrationTest.COLUMN_POSITION + ", data_type,"
                        + " character_maximum_length, numeric_precision, numeric_scale, is_nullable, column_default"
                        + " FROM information_schema.columns WHERE table_schema IN " + schemas + " ORDER BY 1, 2, 4"));
    }

    @Test
    void aForeignDatabaseWithLiquibaseHistoryIsRefused() throws Exception {
        try (PostgresDatabases other = new PostgresDatabases()) {
            try (Connection c = other.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE databasechangelog (id TEXT)");
            }
            assertThatThrownBy(() -> Tradestore.open(TradestoreConfig.postgres(other.url(), PostgresDatabases.USER,
                    PostgresDatabases.PASSWORD))).isInstanceOf(SchemaVersionException.class)
                    .hasMessageContaining("not a tradestore database");
        }
    }

    /**
     * CandlestickDao maps range and latest from JDBC rows itself (not through jOOQ records): NUMERIC(38,18) comes
     * back at scale 18 there too, so the candles equal those written only if that path normalizes as the binding
     * does.
     */
    @Test
    void candleRangeAndLatestReadTheValuesWrittenOnPostgres() {
        Instant t = Instant.parse("2024-05-06T00:00:00Z");
        List<Candle> written = List.of(
                new Candle("PEPEUSDT", Timeframe.D1, t, new BigDecimal("0.0000003412"), new BigDecimal("0.00000035"),
                        new BigDecimal("0.000000000000000001"), new BigDecimal("0.0000003400"),
                        new BigDecimal("4235198765432.12")),
                new Candle("PEPEUSDT", Timeframe.D1, t.plusSeconds(86_400), new BigDecimal("1.50"),
                        new BigDecimal("99999999999999999999.999999999999999999"), new BigDecimal("1"),
                        new BigDecimal("100"), BigDecimal.ZERO));
        store.useTransaction(uow -> uow.candlesticks().upsert(written));

        List<Candle> range = store.read(uow -> Pages.all(page -> uow.candlesticks().range("PEPEUSDT", Timeframe.D1, t,
                t.plusSeconds(2 * 86_400), page)));
        List<Candle> latest = store.read(uow -> uow.candlesticks().latest("PEPEUSDT", Timeframe.D1, 5));

        assertThat(range).isEqualTo(written);
        assertThat(latest).isEqualTo(written);
        assertThat(range.get(1).open().toString()).isEqualTo("1.5");
        assertThat(range.get(1).close().toString()).isEqualTo("100");
    }
}
