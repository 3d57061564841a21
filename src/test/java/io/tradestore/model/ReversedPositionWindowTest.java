package io.tradestore.model;

import io.tradestore.testing.Pages;

import io.tradestore.Tradestore;
import io.tradestore.ValidationException;
import io.tradestore.market.Timeframe;
import io.tradestore.testing.Stores;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.Position;
import io.tradestore.trading.PositionSide;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Regression (fixed): {@code PositionDao.closed(from, to)} and {@code PositionDao.dailyRealizedPnl(from, to)} used
 * to answer a reversed window with an empty list. Decision 0007 says
 * every query window is checked by {@code Check.window}, "a reversed window is refused, not answered with
 * nothing"; the other window queries do refuse it (PortfolioDao.range, PredictionDao, MetricDao, SentimentDao,
 * OutcomeDao, ExecutionLogDao, CandlestickDao.range), with a ValidationException "to: must not be before from".
 * Both position queries call only {@code Check.timestamp} on each end. A caller who swaps the arguments reads
 * "no closes, zero P&L" for a period that has them.
 *
 * <p>Found while writing the window queries of {@link OrderLifecycleModelTest}, whose Window action now also
 * draws reversed windows and expects the refusal.
 */
class ReversedPositionWindowTest {
    @TempDir
    Path dir;
    Tradestore store;
    Instant from = T0;
    Instant to = T0.plus(Duration.ofDays(2));

    @BeforeEach
    void openAndCloseOnePositionInsideTheWindow() {
        store = Stores.open(dir);
        store.useTransaction(uow -> {
            Position p = uow.positions().open(NewPosition.of("BTCUSDT", PositionSide.LONG, BigDecimal.ONE,
                    new BigDecimal("100"), T0));
            uow.positions().close(p.id(), new BigDecimal("101"), T0.plus(Duration.ofHours(1)), "take profit");
        });
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void closedRefusesAReversedWindow() {
        assertRefused("closed(to, from)", () -> store.read(uow -> Pages.all(page ->
                uow.positions().closed(to, from, page))));
    }

    @Test
    void dailyRealizedPnlRefusesAReversedWindow() {
        assertRefused("dailyRealizedPnl(to, from)", () -> store.read(uow -> uow.positions().dailyRealizedPnl(to, from)));
    }

    private static void assertRefused(String query, Supplier<Object> call) {
        Object[] answer = new Object[1];
        Throwable thrown = catchThrowable(() -> answer[0] = call.get());
        assertThat(thrown)
                .as("%s, with a position closed inside [from, to), answered %s instead of refusing the reversed"
                        + " window (decision 0007)", query, answer[0])
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("to: must not be before from");
    }

    /** The convention the two queries above break, as the other DAOs implement it (passes). */
    @Test
    void theOtherWindowQueriesRefuseAReversedWindow() {
        assertThatThrownBy(() -> store.read(uow -> Pages.all(page -> uow.portfolio().range(to, from, page))))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("to: must not be before from");
        assertThatThrownBy(() -> store.read(uow -> Pages.all(page ->
                uow.candlesticks().range("BTCUSDT", Timeframe.M1, to, from, page))))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("to: must not be before from");
    }
}
