package io.tradestore;

import io.tradestore.analytics.Direction;
import io.tradestore.analytics.NewCachedPattern;
import io.tradestore.analytics.NewOutcome;
import io.tradestore.analytics.NewPrediction;
import io.tradestore.analytics.PredictedAction;
import io.tradestore.analytics.Prediction;
import io.tradestore.market.Candle;
import io.tradestore.market.Timeframe;
import io.tradestore.testing.PostgresDatabases;
import io.tradestore.trading.NewFill;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.NewPortfolioSnapshot;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.Order;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.OrderStatus;
import io.tradestore.trading.Position;
import io.tradestore.trading.PositionSide;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The least-privilege setup of docs/postgresql.md ("Roles"), run as written there: the SQL block is read from the
 * page, so the documentation cannot drift from what is tested. Migrations run as the owner role; the application
 * role then uses the API across all three schemas, and every attempt to change the schema, or to write what only
 * migrations write, is refused with PermissionDeniedException while the unit carries on.
 */
class LeastPrivilegeTest {
    private static final String SUFFIX = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    private static final String OWNER = "lp_owner_" + SUFFIX;
    private static final String APP = "lp_app_" + SUFFIX;
    private static PostgresDatabases db;
    private static Tradestore app;

    @BeforeAll
    static void setUp() throws Exception {
        db = new PostgresDatabases();
        try (Connection admin = db.connect(); Statement st = admin.createStatement()) {
            st.execute(rolesSql(db.name()));
        }
        try (Tradestore owner = Tradestore.open(TradestoreConfig.postgres(db.url(), OWNER, PostgresDatabases.PASSWORD))) {
            assertThat(owner.schemaVersion()).isPositive();
        }
        app = Tradestore.open(TradestoreConfig.postgres(db.url(), APP, PostgresDatabases.PASSWORD)
                .withAutoMigrate(false).withPoolSize(2));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (app != null) {
            app.close();
        }
        if (db != null) {
            db.close(); // drops the objects, grants and default privileges that tie the roles to the database
            try (Connection c = java.sql.DriverManager.getConnection(db.url().replace(db.name(), "postgres"),
                    PostgresDatabases.USER, PostgresDatabases.PASSWORD); Statement st = c.createStatement()) {
                st.execute("DROP ROLE IF EXISTS " + APP);
                st.execute("DROP ROLE IF EXISTS " + OWNER);
            }
        }
    }

    /** The roles block of docs/postgresql.md, with this test's role names and database. */
    static String rolesSql(String database) throws IOException {
        return PostgresDatabases.rolesSql(PostgresDatabases.documentedRolesSql(), OWNER, APP, database);
    }

    @Test
    void theApplicationRoleUsesTheWholeApiAcrossTheThreeSchemas() {
        BigDecimal price = new BigDecimal("23140.48");
        Order filled = app.inTransaction(uow -> {
            Position p = uow.positions().open(NewPosition.of("BTCUSDT", PositionSide.LONG, BigDecimal.ONE, price, T0));
            Order o = uow.orders().place(NewOrder.market("lp-1", "BTCUSDT", OrderSide.BUY, BigDecimal.ONE)
                    .forPosition(p.id()));
            uow.orders().fill(o.id(), NewFill.of("t-1", BigDecimal.ONE, price, T0));
            uow.portfolio().record(new NewPortfolioSnapshot(T0, price, price, BigDecimal.ZERO, BigDecimal.ZERO, 1));
            uow.candlesticks().upsert(List.of(new Candle("BTCUSDT", Timeframe.M1, T0, price, price, price, price,
                    BigDecimal.TEN)));
            Prediction pr = uow.predictions().record(new NewPrediction("BTCUSDT", T0, PredictedAction.BUY,
                    new BigDecimal("0.7"), Direction.UP, new BigDecimal("0.01"), null, "lstm-v3", price, null));
            uow.outcomes().record(new NewOutcome(pr.id(), T0.plusSeconds(3600), new BigDecimal("0.02"), Direction.UP,
                    price, true));
            uow.patternCache().put(new NewCachedPattern("k", "BTCUSDT", Timeframe.M1, "double_top",
                    new BigDecimal("0.8"), Json.of("{}"), T0), Duration.ofDays(3650));
            uow.positions().close(p.id(), price.add(BigDecimal.ONE), T0.plusSeconds(60), "test");
            return uow.orders().find(o.id()).orElseThrow();
        });
        assertThat(filled.status()).isEqualTo(OrderStatus.FILLED);
        assertThat(app.read(uow -> uow.candlesticks().series("BTCUSDT", Timeframe.M1)).orElseThrow().candleCount())
                .isEqualTo(1);
        boolean cached = app.read(uow -> uow.patternCache().get("k").isPresent());
        assertThat(cached).isTrue();
    }

    @Test
    void theApplicationRoleCannotChangeTheSchemaOrWhatMigrationsWriteAndItsUnitCarriesOn() {
        List<String> refused = List.of(
                "CREATE TABLE trading.intruder (id BIGINT)",
                "CREATE TABLE public.intruder (id BIGINT)",
                "CREATE SCHEMA intruder",
                "ALTER TABLE trading.orders ADD COLUMN intruder BIGINT",
                "CREATE INDEX ix_intruder ON market.candlesticks (volume)",
                "DROP TABLE analytics.outcomes",
                "TRUNCATE trading.positions",
                "UPDATE schema_versions SET version = version + 1",
                "DELETE FROM databasechangelog",
                "INSERT INTO databasechangeloglock (id, locked) VALUES (99, false)");
        app.useTransaction(uow -> {
            for (String sql : refused) {
                assertThatThrownBy(() -> uow.jooq().execute(sql)).as(sql)
                        .isInstanceOf(PermissionDeniedException.class)
                        .hasMessageContaining("permission denied")
                        .hasMessageContaining("run migrations as the owner role")
                        .extracting(e -> ((PermissionDeniedException) e).sqlState()).isEqualTo("42501");
            }
            // Still usable after ten refused statements.
            uow.portfolio().record(new NewPortfolioSnapshot(T0.plusSeconds(7), BigDecimal.ONE, BigDecimal.ONE,
                    BigDecimal.ZERO, BigDecimal.ZERO, 0));
        });
        assertThat(app.read(uow -> uow.portfolio().latest()).orElseThrow().takenAt()).isEqualTo(T0.plusSeconds(7));
    }

    @Test
    void aTableALaterReleaseAddsIsUsableByTheApplicationWithoutNewGrants() throws SQLException {
        try (Connection owner = java.sql.DriverManager.getConnection(db.url(), OWNER, PostgresDatabases.PASSWORD);
             Statement st = owner.createStatement()) {
            st.execute("CREATE TABLE analytics.later_release (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
                    + " note TEXT NOT NULL)");
        }
        app.useTransaction(uow -> uow.jooq().execute("INSERT INTO analytics.later_release (note) VALUES ('ok')"));
        Integer rows = app.read(uow -> uow.jooq().fetchOne("SELECT count(*) FROM analytics.later_release")
                .get(0, Integer.class));
        assertThat(rows).isEqualTo(1);
        assertThatThrownBy(() -> app.useTransaction(uow -> uow.jooq().execute("DROP TABLE analytics.later_release")))
                .isInstanceOf(PermissionDeniedException.class);
    }

    @Test
    void theApplicationRoleCannotMigrate() throws Exception {
        try (PostgresDatabases empty = new PostgresDatabases()) {
            try (Connection admin = empty.connect(); Statement st = admin.createStatement()) {
                st.execute(rolesSql(empty.name()).replaceAll("(?m)^CREATE ROLE.*$", ""));
            }
            assertThatThrownBy(() -> Tradestore.open(TradestoreConfig.postgres(empty.url(), APP,
                    PostgresDatabases.PASSWORD)))
                    .isInstanceOf(SchemaVersionException.class)
                    .hasMessageContaining("permissions for the 'public.databasechangelog' table");
        }
    }
}
