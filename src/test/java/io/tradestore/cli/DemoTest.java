package io.tradestore.cli;

import io.tradestore.TradestoreConfig;
import io.tradestore.testing.SampleData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The demo runs end to end on the sample candles and its summary adds up; a second run changes nothing. */
class DemoTest {
    @TempDir
    Path dir;

    @Test
    void demoIngestsTradesAndSummarisesConsistentlyAndIsIdempotent() {
        Path candles = SampleData.candles();
        assertThat(Demo.csvFiles(candles)).as("the demo's files in %s", candles).hasSize(2);
        Path db = dir.resolve("demo.db");
        StringWriter printed = new StringWriter();
        Demo.Summary first = new Demo(new PrintWriter(printed)).run(TradestoreConfig.sqlite(db), candles);

        assertThat(first.rows().get("candlesticks")).isEqualTo(60_480L);
        assertThat(first.rows().get("candlestick_metadata")).isEqualTo(2L);
        long positions = first.rows().get("positions");
        long predictions = first.rows().get("predictions");
        assertThat(positions).isPositive().isEqualTo(predictions);
        assertThat(first.rows().get("orders")).isEqualTo(positions + first.closedPositions());
        assertThat(first.rows().get("order_fills")).isEqualTo(first.rows().get("orders"));
        assertThat(first.rows().get("trade_execution_log")).isEqualTo(first.rows().get("orders"));
        assertThat(first.rows().get("outcomes")).isEqualTo(first.closedPositions());
        assertThat(first.accuracy().evaluated()).isEqualTo(first.closedPositions());
        // The shipped candles and the strategy are fixed, so is the outcome: 683 round trips of 0.05 BTC.
        assertThat(first.realizedPnl()).isEqualByComparingTo("364.15");
        assertThat(first.accuracy().hitRate()).isEqualTo(new BigDecimal("0.339677891654465593"));
        assertThat(printed.toString())
                .contains("ingested 30,240 candles of BTCUSD", "realized P&L:", "prediction accuracy");

        Demo.Summary second = new Demo(new PrintWriter(new StringWriter())).run(TradestoreConfig.sqlite(db), candles);
        assertThat(second.rows()).isEqualTo(first.rows());
        assertThat(second.realizedPnl()).isEqualByComparingTo(first.realizedPnl());
    }

    @Test
    void theDemoFindsTheShippedSamplesByDefault() {
        assertThat(Demo.DEFAULT_CANDLES).isEqualTo(SampleData.DEFAULT);
        // Surefire runs in the project directory, as the README's demo command does.
        assertThat(Demo.csvFiles(Demo.DEFAULT_CANDLES)).extracting(p -> p.getFileName().toString()).containsExactly(
                "binance-us_BTCUSDT_1m_2023-03-01_2023-03-21.csv.gz", "binance-us_BTCUSD_1m_2023-03-01_2023-03-21.csv.gz");
    }

    @Test
    void aDirectoryWithoutCandleFilesFailsNamingIt() {
        assertThatThrownBy(() -> Demo.csvFiles(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(dir.toAbsolutePath().toString());
    }
}
