package io.tradestore.legacy;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.testing.Props;
import io.tradestore.testing.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.tradestore.internal.db.Tables.PREDICTIONS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * The REAL → decimal rule end to end, by its definition: doubles written by the legacy code as REAL prices, imported
 * through a consolidation and read back from the target, parse back to the same double, and no decimal with fewer
 * significant digits does; a double that needs more than the store's 18 decimal places is rejected naming the column,
 * never rounded. FloatDecimalsTest proves the rule on the function; this proves the import stores what the
 * function gives (no Double.toString, no rounding to a column scale on the way).
 */
class ImportedDecimalPropertyTest {
    private static final int ROWS = 150;

    @TempDir
    Path dir;

    @Test
    void importedPricesReadBackAsTheLegacyDoubleAndNoShorterDecimalDoes() {
        AtomicInteger run = new AtomicInteger();
        Props.check(4, 3, lists().of(FloatDecimalsTest.priceLike()).ofSize(ROWS), prices -> {
            Path tryDir = dir.resolve("try" + run.incrementAndGet());
            try {
                Files.createDirectories(tryDir);
                Path legacy = legacyFile(tryDir.resolve("trading_predictions.db"), prices);
                TradestoreConfig config = Stores.config(tryDir.resolve("target"));
                try (Tradestore store = Tradestore.open(config)) {
                    ConsolidationReport r = Consolidation.of(List.of(legacy)).run(store);
                    Map<Instant, BigDecimal> stored = store.read(uow -> uow.jooq()
                            .select(PREDICTIONS.PREDICTION_TIMESTAMP, PREDICTIONS.ENTRY_PRICE).from(PREDICTIONS)
                            .fetchMap(PREDICTIONS.PREDICTION_TIMESTAMP, PREDICTIONS.ENTRY_PRICE));
                    for (int i = 0; i < ROWS; i++) {
                        double d = prices.get(i);
                        String row = "prediction_id p" + i;
                        // Some decimal of at most 18 places reads back as d exactly when the nearest one does.
                        boolean fits = new BigDecimal(d).setScale(18, RoundingMode.HALF_EVEN).doubleValue() == d;
                        ConsolidationReport.RowFate fate = r.rows().stream().filter(f -> f.row().equals(row))
                                .findFirst().orElseThrow();
                        if (fits) {
                            assertThat(fate.fate()).as("%s (%s): %s", row, d, fate.detail())
                                    .isEqualTo(ConsolidationReport.Fate.IMPORTED);
                            assertShortestFor(d, stored.get(time(i)));
                        } else {
                            // Never rounded to fit: refused, naming the column and the scale.
                            assertThat(fate.fate()).as("%s (%s)", row, d).isEqualTo(ConsolidationReport.Fate.REJECTED);
                            assertThat(fate.detail()).startsWith("predictions.entry_price: has more than 18 decimal"
                                    + " places");
                            assertThat(stored).doesNotContainKey(time(i));
                        }
                    }
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    private static Instant time(int i) {
        return Instant.parse("2023-03-01T10:00:00Z").plusSeconds(i);
    }

    private static void assertShortestFor(double d, BigDecimal imported) {
        assertThat(Double.parseDouble(imported.toPlainString())).as("%s read back (%s)", imported, d).isEqualTo(d);
        int digits = imported.stripTrailingZeros().precision();
        if (digits > 1) {
            BigDecimal exact = new BigDecimal(d);
            assertThat(exact.round(new MathContext(digits - 1, RoundingMode.DOWN)).doubleValue())
                    .as("%d digits below %s", digits - 1, imported).isNotEqualTo(d);
            assertThat(exact.round(new MathContext(digits - 1, RoundingMode.UP)).doubleValue())
                    .as("%d digits above %s", digits - 1, imported).isNotEqualTo(d);
        }
    }

    /** A predictions table as the legacy code created it, one row per price, bound as a Java double (a REAL). */
    private static Path legacyFile(Path file, List<Double> prices) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("CREATE TABLE predictions (prediction_id TEXT PRIMARY KEY, symbol TEXT NOT NULL,"
                        + " prediction_timestamp DATETIME NOT NULL, predicted_action TEXT NOT NULL, action_confidence"
                        + " REAL NOT NULL, predicted_direction INTEGER, predicted_magnitude REAL, feature_vector TEXT,"
                        + " model_version TEXT, created_at DATETIME DEFAULT CURRENT_TIMESTAMP, entry_price REAL"
                        + " DEFAULT 0, optimal_action TEXT, market_context TEXT DEFAULT 'NEUTRAL',"
                        + " UNIQUE(symbol, prediction_timestamp))");
            }
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement("INSERT INTO predictions (prediction_id, symbol,"
                    + " prediction_timestamp, predicted_action, action_confidence, predicted_magnitude, model_version,"
                    + " entry_price) VALUES (?, 'BTCUSDT', ?, 'BUY', 0.5, 0.01, 'v1', ?)")) {
                for (int i = 0; i < prices.size(); i++) {
                    p.setString(1, "p" + i);
                    p.setString(2, time(i).toString());
                    p.setDouble(3, prices.get(i));
                    p.executeUpdate();
                }
            }
            c.commit();
        }
        return file;
    }
}
