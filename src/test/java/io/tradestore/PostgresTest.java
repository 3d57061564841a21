package io.tradestore;

import io.tradestore.internal.SchemaGate;
import io.tradestore.testing.PostgresDatabases;
import io.tradestore.testing.SqliteFiles;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.NewPortfolioSnapshot;
import io.tradestore.trading.Order;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.PortfolioSnapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Statement;
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
        db.close();
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

    @Test
    void unitsOfWorkCommitAndReadExactValues() {
        PortfolioSnapshot stored = store.inTransaction(uow -> uow.portfolio().record(new NewPortfolioSnapshot(
                T0, new BigDecimal("92233720368.54775807"), new BigDecimal("-0.00000001"), BigDecimal.ZERO,
                BigDecimal.ZERO, 3)));
        Optional<PortfolioSnapshot> latest = store.read(uow -> uow.portfolio().latest());
        assertThat(latest).contains(stored);
        assertThat(stored.cash()).isEqualByComparingTo("92233720368.54775807");
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
        List<PortfolioSnapshot> range = store.read(uow -> uow.portfolio().range(T0.plusSeconds(7200), T0.plusSeconds(7300)));
        assertThat(range).hasSize(2);
    }

    /** listOpen is a UNION ALL of one range per status with an ORDER BY on the result; PostgreSQL must accept it. */
    @Test
    void openOrdersComeBackOldestFirstOnPostgresToo() {
        List<Long> expected = store.inTransaction(uow -> {
            Order fresh = uow.orders().place(NewOrder.market("pg-open-1", "BTCUSDT", OrderSide.BUY, BigDecimal.TEN));
            Order partial = uow.orders().place(NewOrder.market("pg-open-2", "BTCUSDT", OrderSide.BUY, BigDecimal.TEN));
            uow.orders().fill(partial.id(), BigDecimal.ONE, BigDecimal.TEN, BigDecimal.ZERO, T0);
            uow.orders().cancel(uow.orders().place(NewOrder.market("pg-open-3", "BTCUSDT", OrderSide.BUY,
                    BigDecimal.TEN)).id());
            return List.of(fresh.id(), partial.id());
        });
        assertThat(store.read(uow -> uow.orders().listOpen()).stream().map(Order::id).toList())
                .containsExactlyElementsOf(expected);
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
}
