package io.tradestore;

import io.tradestore.testing.OnEachEngine;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.Order;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.Position;
import io.tradestore.trading.PositionSide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The point reads that keep their rendered SQL (internal/RenderedQuery) return what was stored, value for value, on
 * every call after the first (the kept-SQL path binds through the columns' bindings and reads through their
 * converters: 18-place decimals, microsecond instants, nulls), in read units and in write units (where PostgreSQL
 * renders a locking read, a variant of its own), and find nothing for an id that is not there.
 */
@OnEachEngine
class RenderedQueryTest {
    @Parameter
    TestEngine engine;

    @RegisterExtension
    final TempStore store = new TempStore();

    private Optional<Position> position(long id, boolean writeUnit) {
        return writeUnit ? store.inTransaction(uow -> uow.positions().find(id))
                : store.read(uow -> uow.positions().find(id));
    }

    private Optional<Order> order(long id, boolean writeUnit) {
        return writeUnit ? store.inTransaction(uow -> uow.orders().find(id)) : store.read(uow -> uow.orders().find(id));
    }

    @Test
    void positionsAndOrdersReadBackExactlyThroughTheKeptSql() {
        List<Position> positions = new ArrayList<>();
        List<Order> orders = new ArrayList<>();
        store.useTransaction(uow -> {
            positions.add(uow.positions().open(NewPosition.of("BTCUSDT", PositionSide.LONG,
                    new BigDecimal("0.000000000000000001"), new BigDecimal("23140.481234567890123456"), uow.now())));
            positions.add(uow.positions().open(NewPosition.of("ETH-USD", PositionSide.SHORT, new BigDecimal("12.5"),
                    new BigDecimal("1650.5"), uow.now().plusNanos(1_000)).withStopLoss(new BigDecimal("1700"))
                    .withMlConfidence(new BigDecimal("0.876543210987654321")).withStrategy("crossover")));
            orders.add(uow.orders().place(NewOrder.market("r-1", "BTCUSDT", OrderSide.BUY, new BigDecimal("0.5"))));
        });
        Position closed = store.inTransaction(uow -> uow.positions().close(positions.get(1).id(),
                new BigDecimal("1600.123456789012345678"), positions.get(1).entryTime().plusSeconds(60), "target"));
        positions.set(1, closed);
        for (int call = 0; call < 3; call++) {
            for (Position p : positions) {
                assertThat(position(p.id(), false)).contains(p);
                assertThat(position(p.id(), true)).contains(p);
            }
            for (Order o : orders) {
                assertThat(order(o.id(), false)).contains(o);
                assertThat(order(o.id(), true)).contains(o);
            }
            assertThat(position(999_999, false)).isEmpty();
            assertThat(order(999_999, true)).isEmpty();
        }
    }
}
