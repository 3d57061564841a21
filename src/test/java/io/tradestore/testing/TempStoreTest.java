package io.tradestore.testing;

import io.tradestore.TradestoreConfig;
import io.tradestore.trading.NewPortfolioSnapshot;
import io.tradestore.trading.PortfolioSnapshot;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * TempStore hands each test a store on its invocation's engine, as freshly migrated: a test that would pass on
 * SQLite twice, or see the rows and ids of the test before it on PostgreSQL's reused database, fails here.
 */
@OnEachEngine
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // each pair back to back: the second sees what the first left
class TempStoreTest {
    @Parameter
    TestEngine engine;
    @RegisterExtension
    final TempStore store = new TempStore();

    @Test
    void theStoreRunsOnTheInvocationsEngine() {
        assertThat(store.engine()).isEqualTo(engine);
        assertThat(store.get().config().engine()).isEqualTo(
                engine == TestEngine.SQLITE ? TradestoreConfig.Engine.SQLITE : TradestoreConfig.Engine.POSTGRES);
    }

    // A parameterized method in the class: its own arguments (a CSV row) hold no engine, the class's do.
    @ParameterizedTest
    @CsvSource({"a", "b"})
    void aParameterizedTestInsideTheClassRunsOnTheClasssEngine(String row) {
        assertThat(store.engine()).isEqualTo(engine);
    }

    // Two tests writing the same row: whichever runs second fails on a reused database that kept the first's row.
    @Test
    @Order(1)
    void eachTestStartsEmptyWithIdsFromOne() {
        writeOneSnapshotAsTheFirst();
    }

    @Test
    @Order(2)
    void eachTestStartsEmptyWithIdsFromOneAgain() {
        writeOneSnapshotAsTheFirst();
    }

    // A table of the test's own: the second test to create it fails if the schema change outlived the first.
    @Test
    @Order(3)
    void aTableOfTheTestsOwnIsGoneInTheNextTest() throws SQLException {
        createOwnTable();
    }

    @Test
    @Order(4)
    void aTableOfTheTestsOwnIsGoneInTheNextTestAgain() throws SQLException {
        createOwnTable();
    }

    private void createOwnTable() throws SQLException {
        try (Connection c = store.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE own_notes (k INTEGER PRIMARY KEY)");
        }
    }

    private void writeOneSnapshotAsTheFirst() {
        Optional<PortfolioSnapshot> latest = store.read(uow -> uow.portfolio().latest());
        assertThat(latest).isEmpty();
        long id = store.inTransaction(uow -> uow.portfolio().record(new NewPortfolioSnapshot(T0, BigDecimal.ONE,
                BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO, 0)).id());
        assertThat(id).isEqualTo(1);
    }
}
