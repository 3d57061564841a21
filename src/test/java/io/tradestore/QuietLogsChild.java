package io.tradestore;

import io.tradestore.trading.NewPosition;
import io.tradestore.trading.PositionSide;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * QuietLogsTest's child JVM: what a backend without Micrometer sees when it opens a new database, runs a write and a
 * read unit and a statement slower than the threshold, and closes. Prints on standard out whether Micrometer was on
 * its class path (it must not be), so the parent knows what was proven; logs go to standard error (slf4j-simple).
 */
public final class QuietLogsChild {
    private QuietLogsChild() {
    }

    public static void main(String[] args) {
        try {
            Class.forName("io.micrometer.core.instrument.MeterRegistry");
            System.out.println("micrometer: present");
        } catch (ClassNotFoundException e) {
            System.out.println("micrometer: absent");
        }
        TradestoreConfig config = TradestoreConfig.sqlite(Path.of(args[0]))
                .withSlowQueryThreshold(Duration.ofMillis(1));
        try (Tradestore store = Tradestore.open(config)) {
            long id = store.inTransaction(uow -> uow.positions().open(NewPosition.of("BTCUSDT", PositionSide.LONG,
                    BigDecimal.ONE, new BigDecimal("100"), Instant.parse("2024-01-01T00:00:00Z")))).id();
            store.read(uow -> uow.jooq().fetch("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c"
                    + " WHERE x < 100000) SELECT count(*) FROM c"));
            System.out.println("position " + store.read(uow -> uow.positions().find(id)).orElseThrow().id());
        }
    }
}
