package io.tradestore.model;

import io.tradestore.model.TradingModel.ModelFill;
import io.tradestore.model.TradingModel.ModelOrder;
import io.tradestore.model.TradingModel.ModelPosition;
import io.tradestore.testing.TempStore;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.Order;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.Position;
import io.tradestore.trading.PositionSide;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The trading arithmetic worked out by hand, so that neither the DAO nor the model's {@link Rational} oracle is
 * checked only against the other. Most rows are rounding ties at the 8th decimal, where half-even and half-up
 * part ways, or cases that rounding an intermediate result would get wrong.
 */
class TradingArithmeticTest {
    @RegisterExtension
    final TempStore store = new TempStore();

    @ParameterizedTest(name = "{0} {1} @ {2} closed at {3}: P&L {4}, return {5} %")
    @CsvSource({
            // side, quantity, entry, exit, realized P&L, return %   -- and the arithmetic
            "LONG,  1,    100, 110,          10.00000000,  10.00000000", // 10 x 1; 10 / 100 x 100
            "SHORT, 2,    90,  100,         -20.00000000, -11.11111111", // -10 x 2; -20 / 180 x 100 = -11.111111111...
            "LONG,  0.5,  100, 100.00000001,  0.00000000,   0.00000001", // 0.000000005: tie, 0 is even; 5e-9 / 50 x 100 = 1e-8
            "LONG,  0.5,  100, 100.00000003,  0.00000002,   0.00000003", // 0.000000015: tie, 2 is even
            "SHORT, 0.5,  100, 100.00000001,  0.00000000,  -0.00000001", // -0.000000005: tie towards the even 0
            "LONG,  1,    200, 200.00000001,  0.00000001,   0.00000000", // return 0.000000005: tie, 0 is even
            "LONG,  3,    7,   8,             3.00000000,  14.28571429", // 3 / 21 x 100 = 14.285714285714...
            "SHORT, 1,    40,  39.99999999,   0.00000001,   0.00000002", // return 0.000000025: tie, 2 is even
            "LONG,  0.25, 8,   8.00000001,    0.00000000,   0.00000012", // P&L 0.0000000025; return 0.000000125: tie
    })
    void closingRealisesTheHandComputedProfitAndReturn(PositionSide side, String quantity, String entry, String exit,
                                                      String pnl, String returnPct) {
        NewPosition spec = NewPosition.of("BTCUSDT", side, new BigDecimal(quantity), new BigDecimal(entry), T0);
        Position closed = store.inTransaction(uow -> {
            Position p = uow.positions().open(spec);
            return uow.positions().close(p.id(), new BigDecimal(exit), T0.plus(Duration.ofHours(1)), "test");
        });
        assertThat(closed.realizedPnl()).as("the DAO's P&L").isEqualTo(new BigDecimal(pnl));
        assertThat(closed.returnPct()).as("the DAO's return").isEqualTo(new BigDecimal(returnPct));

        ModelPosition model = new ModelPosition(1, spec, T0);
        assertThat(model.realizedPnl(new BigDecimal(exit))).as("the model's P&L").isEqualTo(new BigDecimal(pnl));
        assertThat(model.returnPct(new BigDecimal(exit))).as("the model's return").isEqualTo(new BigDecimal(returnPct));
    }

    @ParameterizedTest(name = "fills {1} of {0}: average {2}")
    @CsvSource({
            // order quantity, fills (quantity@price, ...), average fill price   -- and the arithmetic
            "1, 0.5@100 0.5@100.00000001,                 100.00000000", // 100.000000005: tie, 0 is even
            "1, 0.5@100.00000002 0.5@100.00000003,        100.00000002", // 100.000000025: tie, 2 is even
            "3, 1@100 2@100.00000001,                     100.00000001", // 300.00000002 / 3 = 100.0000000066...
            "2, 1.5@10 0.5@11,                            10.25000000",  // (15 + 5.5) / 2
            // Exact over all fills: 3.00000002 / 3 = 1.0000000066...; re-averaging the rounded running average
            // (1.00000000 after two fills) would give 1.0000000033... = 1.00000000.
            "3, 1@1 1@1.00000001 1@1.00000001,            1.00000001",
    })
    void theAverageFillPriceIsTheExactVolumeWeightedMeanRoundedOnce(String quantity, String fills, String average) {
        List<String[]> parts = new ArrayList<>();
        for (String fill : fills.trim().split("\\s+")) {
            parts.add(fill.split("@"));
        }
        Instant at = T0.plusSeconds(60);
        NewOrder placed = NewOrder.market("avg-1", "BTCUSDT", OrderSide.BUY, new BigDecimal(quantity));
        Order filled = store.inTransaction(uow -> {
            Order o = uow.orders().place(placed);
            for (String[] f : parts) {
                o = uow.orders().fill(o.id(), new BigDecimal(f[0]), new BigDecimal(f[1]), BigDecimal.ZERO, at);
            }
            return o;
        });
        assertThat(filled.averageFillPrice()).as("the DAO's average").isEqualTo(new BigDecimal(average));

        ModelOrder model = new ModelOrder(1, placed, T0);
        for (String[] f : parts) {
            model.fills.add(new ModelFill(new BigDecimal(f[0]), new BigDecimal(f[1]), BigDecimal.ZERO, at));
        }
        assertThat(model.averageFillPrice()).as("the model's average").isEqualTo(new BigDecimal(average));
    }
}
