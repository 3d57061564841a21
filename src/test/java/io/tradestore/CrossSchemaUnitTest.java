package io.tradestore;

import io.tradestore.testing.Fills;

import io.tradestore.analytics.Direction;
import io.tradestore.analytics.NewExecutionEvent;
import io.tradestore.analytics.NewPrediction;
import io.tradestore.analytics.PredictedAction;
import io.tradestore.market.Candle;
import io.tradestore.market.Timeframe;
import io.tradestore.testing.OnEachEngine;
import io.tradestore.testing.Snapshot;
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
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One unit of work across the three schemas commits all of its writes or none of them, on both engines. "As it was"
 * is {@link Snapshot}'s: every row, and on SQLite the AUTOINCREMENT counters too (PostgreSQL's sequences are not
 * transactional: a rolled-back insert still uses up its id).
 */
@OnEachEngine
class CrossSchemaUnitTest {
    @Parameter
    TestEngine engine;
    @RegisterExtension
    final TempStore temp = new TempStore();

    @Test
    void aUnitSpanningTradingMarketAndAnalyticsCommitsAllOfIt() {
        Tradestore store = temp.get();
        Snapshot before = snapshot();
        store.useTransaction(uow -> signal(uow, "c-1", T0));
        Snapshot after = snapshot();
        for (String table : List.of("positions", "orders", "order_fills", "trade_execution_log", "predictions",
                "candlesticks", "candlestick_metadata")) {
            assertThat(after.rows(table)).as(table).isEqualTo(before.rows(table) + 1);
        }
    }

    @Test
    void aUnitThatFailsAfterWritingToEverySchemaLeavesEveryTableExactlyAsItWas() {
        Tradestore store = temp.get();
        store.useTransaction(uow -> signal(uow, "c-1", T0)); // some history, so "as it was" is not "empty"
        Snapshot before = snapshot();

        assertThatThrownBy(() -> store.useTransaction(uow -> {
            signal(uow, "c-2", T0.plusSeconds(60));
            throw new IllegalStateException("exchange rejected the order after we wrote everything");
        })).hasMessageContaining("exchange rejected");

        Snapshot after = snapshot();
        assertThat(after.differencesFrom(before)).isEmpty();
        assertThat(after).isEqualTo(before);
    }

    @Test
    void aDatabaseErrorHalfWayThroughAUnitAlsoLeavesEveryTableAsItWas() {
        Tradestore store = temp.get();
        store.useTransaction(uow -> signal(uow, "c-1", T0));
        Snapshot before = snapshot();
        assertThatThrownBy(() -> store.useTransaction(uow -> {
            signal(uow, "c-2", T0.plusSeconds(60));
            // Same symbol and timestamp as an existing prediction: the database refuses it.
            uow.predictions().record(prediction(T0.plusSeconds(60)));
        })).isInstanceOf(ConflictException.class);
        assertThat(snapshot()).isEqualTo(before);
    }

    private Snapshot snapshot() {
        try (Connection c = temp.connect()) {
            return Snapshot.of(c);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A signal as a trading bot would store it: candle, position, order, fill, execution log, prediction. */
    private static void signal(UnitOfWork uow, String clientOrderId, Instant at) {
        BigDecimal price = new BigDecimal("23140.48");
        BigDecimal qty = new BigDecimal("0.25");
        uow.candlesticks().upsert(List.of(new Candle("BTCUSDT", Timeframe.M1, at, price, price, price, price,
                new BigDecimal("1.5"))));
        Position position = uow.positions().open(NewPosition.of("BTCUSDT", PositionSide.LONG, qty, price, at));
        Order order = uow.orders().place(NewOrder.market(clientOrderId, "BTCUSDT", OrderSide.BUY, qty)
                .forPosition(position.id()));
        uow.orders().fill(order.id(), Fills.of(qty, price, new BigDecimal("0.01"), at)).order();
        uow.executionLog().record(new NewExecutionEvent(order.id(), clientOrderId, "FILLED", 900L, at, null));
        uow.predictions().record(prediction(at));
    }

    private static NewPrediction prediction(Instant at) {
        return new NewPrediction("BTCUSDT", at, PredictedAction.BUY, new BigDecimal("0.7"), Direction.UP,
                new BigDecimal("0.01"), null, "model-1", new BigDecimal("23140.48"), null);
    }
}
