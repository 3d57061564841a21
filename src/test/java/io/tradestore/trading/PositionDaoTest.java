package io.tradestore.trading;

import io.tradestore.testing.Pages;

import io.tradestore.InvalidStateTransitionException;
import io.tradestore.NotFoundException;
import io.tradestore.OptimisticLockException;
import io.tradestore.ValidationException;
import io.tradestore.testing.MutableClock;
import io.tradestore.testing.OnEachEngine;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@OnEachEngine
class PositionDaoTest {
    @Parameter
    TestEngine engine;
    private static final String SYMBOL = "BTCUSDT";

    MutableClock clock = new MutableClock(T0.plusSeconds(3600));
    @RegisterExtension
    final TempStore store = new TempStore(clock);

    // --- open and find -------------------------------------------------------------------------------------------

    @Test
    void anOpenedPositionComesBackExactlyWithAllItsFieldsVersionZeroAndTheStoreClock() {
        NewPosition p = NewPosition.of(SYMBOL, PositionSide.LONG, dec("0.123456789012345678"),
                        dec("12345.123456789012345678"), T0)
                .withStopLoss(dec("12000.000000000000000001"))
                .withTakeProfit(dec("13000.50"))
                .withStrategy("mean-reversion")
                .withMlConfidence(dec("0.85"))
                .withSentimentScore(dec("-0.25"));
        Position stored = store.inTransaction(uow -> uow.positions().open(p));

        assertThat(stored.id()).isPositive();
        assertThat(stored.symbol()).isEqualTo(SYMBOL);
        assertThat(stored.side()).isEqualTo(PositionSide.LONG);
        assertThat(stored.status()).isEqualTo(PositionStatus.OPEN);
        assertThat(stored.isOpen()).isTrue();
        assertThat(stored.quantity()).isEqualTo(dec("0.123456789012345678"));
        assertThat(stored.entryPrice()).isEqualTo(dec("12345.123456789012345678"));
        assertThat(stored.entryTime()).isEqualTo(T0);
        assertThat(stored.stopLoss()).isEqualTo(dec("12000.000000000000000001"));
        assertThat(stored.takeProfit()).as("normalized: 13000.50 reads back as 13000.5").isEqualTo(dec("13000.5"));
        assertThat(stored.strategy()).isEqualTo("mean-reversion");
        assertThat(stored.mlConfidence()).isEqualByComparingTo("0.85");
        assertThat(stored.sentimentScore()).isEqualByComparingTo("-0.25");
        assertThat(stored.exitPrice()).isNull();
        assertThat(stored.exitTime()).isNull();
        assertThat(stored.exitReason()).isNull();
        assertThat(stored.realizedPnl()).isNull();
        assertThat(stored.returnPct()).isNull();
        assertThat(stored.createdAt()).isEqualTo(clock.instant());
        assertThat(stored.updatedAt()).isEqualTo(clock.instant());
        assertThat(stored.version()).isZero();
        assertThat(find(stored.id())).isEqualTo(stored);
    }

    @Test
    void optionalFieldsMayBeLeftOut() {
        Position stored = openLong("1", "100", T0);
        assertThat(stored.stopLoss()).isNull();
        assertThat(stored.takeProfit()).isNull();
        assertThat(stored.strategy()).isNull();
        assertThat(stored.mlConfidence()).isNull();
        assertThat(stored.sentimentScore()).isNull();
    }

    @Test
    void findingAnUnknownIdIsEmpty() {
        Optional<Position> none = store.read(uow -> uow.positions().find(42));
        assertThat(none).isEmpty();
    }

    @Test
    void invalidNewPositionsAreRejectedBeforeAnySqlNamingTheColumnAndRule() {
        assertThatThrownBy(() -> NewPosition.of("BTC USDT", PositionSide.LONG, dec("1"), dec("1"), T0))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("positions.symbol: must be 1-32");
        assertThatThrownBy(() -> NewPosition.of(SYMBOL, null, dec("1"), dec("1"), T0))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("positions.side: must not be null");
        assertThatThrownBy(() -> NewPosition.of(SYMBOL, PositionSide.LONG, dec("0"), dec("1"), T0))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("positions.quantity: must be > 0");
        assertThatThrownBy(() -> NewPosition.of(SYMBOL, PositionSide.LONG, dec("1"), dec("0.1234567890123456789"), T0))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("positions.entry_price: has more than 18 decimal places");
        assertThatThrownBy(() -> NewPosition.of(SYMBOL, PositionSide.LONG, dec("100000000000000000000"), dec("1"), T0))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("positions.quantity: must be within ±99999999999999999999.999999999999999999");
        assertThatThrownBy(() -> NewPosition.of(SYMBOL, PositionSide.LONG, dec("1"), dec("1"), T0.plusNanos(1)))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("positions.entry_time: has sub-microsecond precision");
        NewPosition valid = NewPosition.of(SYMBOL, PositionSide.SHORT, dec("1"), dec("1"), T0);
        assertThatThrownBy(() -> valid.withStopLoss(dec("-1")))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("positions.stop_loss: must be > 0");
        assertThatThrownBy(() -> valid.withTakeProfit(dec("0")))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("positions.take_profit: must be > 0");
        assertThatThrownBy(() -> valid.withStrategy("s".repeat(65)))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("positions.strategy: must be at most 64 characters");
        assertThatThrownBy(() -> valid.withMlConfidence(dec("1.000000000000000001")))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("positions.ml_confidence: must be within [0, 1]");
        assertThatThrownBy(() -> valid.withSentimentScore(dec("-1.000000000000000001")))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("positions.sentiment_score: must be within [-1, 1]");
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.positions().open((NewPosition) null)))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("position: must not be null");
    }

    @Test
    void openingInsideAReadUnitIsRefused() {
        assertThatThrownBy(() -> store.read(uow -> uow.positions().open(
                NewPosition.of(SYMBOL, PositionSide.LONG, dec("1"), dec("1"), T0))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("positions().open writes");
    }

    // --- listing open positions ----------------------------------------------------------------------------------

    @Test
    void openListsOnlyOpenPositionsOldestEntryFirst() {
        Position late = openLong("1", "100", T0.plusSeconds(20));
        Position early = openLong("1", "100", T0);
        Position closed = openLong("1", "100", T0.plusSeconds(5));
        Position middle = store.inTransaction(uow -> uow.positions().open(
                NewPosition.of("ETHUSDT", PositionSide.SHORT, dec("1"), dec("10"), T0.plusSeconds(10))));
        closeAt(closed.id(), "101", T0.plusSeconds(30));

        List<Position> open = store.read(uow -> uow.positions().listOpen());
        assertThat(open).extracting(Position::id).containsExactly(early.id(), middle.id(), late.id());
    }

    @Test
    void openOfASymbolListsOnlyThatSymbolsOpenPositions() {
        Position btc = openLong("1", "100", T0.plusSeconds(1));
        Position olderBtc = openLong("1", "100", T0);
        store.inTransaction(uow -> uow.positions().open(
                NewPosition.of("ETHUSDT", PositionSide.LONG, dec("1"), dec("10"), T0)));
        Position closedBtc = openLong("1", "100", T0);
        closeAt(closedBtc.id(), "100", T0.plusSeconds(2));

        List<Position> open = store.read(uow -> uow.positions().listOpen(SYMBOL));
        assertThat(open).extracting(Position::id).containsExactly(olderBtc.id(), btc.id());
        List<Position> none = store.read(uow -> uow.positions().listOpen("SOLUSDT"));
        assertThat(none).isEmpty();
        assertThatThrownBy(() -> store.read(uow -> uow.positions().listOpen("")))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("symbol: must be 1-32");
    }

    // --- closing: P&L --------------------------------------------------------------------------------------------

    @Test
    void closingALongPositionRealisesProfitWhenPriceRose() {
        Position p = openLong("2", "100", T0);
        clock.advance(Duration.ofMinutes(5));
        Position closed = store.inTransaction(uow ->
                uow.positions().close(p.id(), dec("110.5"), T0.plusSeconds(60), "take profit hit", 0));

        assertThat(closed.status()).isEqualTo(PositionStatus.CLOSED);
        assertThat(closed.isOpen()).isFalse();
        assertThat(closed.exitPrice()).isEqualByComparingTo("110.5");
        assertThat(closed.exitTime()).isEqualTo(T0.plusSeconds(60));
        assertThat(closed.exitReason()).isEqualTo("take profit hit");
        // derived values come back normalized: 21, not 21.0 or 21.000000000000000000
        assertThat(closed.realizedPnl()).isEqualTo(dec("21"));
        assertThat(closed.returnPct()).isEqualTo(dec("10.5"));
        assertThat(closed.version()).isEqualTo(1);
        assertThat(closed.createdAt()).isEqualTo(p.createdAt());
        assertThat(closed.updatedAt()).isEqualTo(clock.instant()).isAfter(p.updatedAt());
        assertThat(find(p.id())).isEqualTo(closed);
    }

    @Test
    void closingALongPositionRealisesALossWhenPriceFell() {
        Position p = openLong("4", "250", T0);
        Position closed = closeAt(p.id(), "240", T0.plusSeconds(60));
        assertThat(closed.realizedPnl()).isEqualByComparingTo("-40");
        assertThat(closed.returnPct()).isEqualByComparingTo("-4");
    }

    @Test
    void closingAShortPositionRealisesProfitWhenPriceFell() {
        Position p = openShort("3", "50", T0);
        Position closed = closeAt(p.id(), "45", T0.plusSeconds(60));
        assertThat(closed.realizedPnl()).isEqualByComparingTo("15");
        assertThat(closed.returnPct()).isEqualByComparingTo("10");
    }

    @Test
    void closingAShortPositionRealisesALossWhenPriceRose() {
        Position p = openShort("3", "50", T0);
        Position closed = closeAt(p.id(), "60", T0.plusSeconds(60));
        assertThat(closed.realizedPnl()).isEqualByComparingTo("-30");
        assertThat(closed.returnPct()).isEqualByComparingTo("-20");
    }

    @Test
    void profitAndLossIsExactForTheSmallestPriceStepAndLargePrices() {
        Position tiny = openLong("3", "0.000000000000000001", T0);
        Position closedTiny = closeAt(tiny.id(), "0.000000000000000004", T0.plusSeconds(1));
        assertThat(closedTiny.realizedPnl()).isEqualTo(dec("0.000000000000000009"));
        assertThat(closedTiny.returnPct()).isEqualTo(dec("300"));

        Position large = openLong("3", "12345.123456789012345678", T0);
        Position closedLarge = closeAt(large.id(), "12345.123456789012345679", T0.plusSeconds(1));
        assertThat(closedLarge.realizedPnl()).isEqualTo(dec("0.000000000000000003"));
        assertThat(closedLarge.returnPct()).isEqualTo(dec("0")); // 8.1e-21 % rounds to 0

        Position fractional = openShort("0.123456789012345678", "98765.4321", T0);
        Position closedFractional = closeAt(fractional.id(), "98765.432099999999999999", T0.plusSeconds(1));
        // (98765.4321 - 98765.432099999999999999) * 0.123456789012345678 = 1.23456789012345678e-19 -> 0
        assertThat(closedFractional.realizedPnl()).isEqualTo(dec("0"));
    }

    @Test
    void derivedValuesAreRoundedHalfEvenToEighteenPlaces() {
        // exact P&L 0.0000000000000000005 (a tie at the 18th place): half-even gives 0, half-up would give 1E-18
        Position halfDown = openLong("0.5", "1", T0);
        assertThat(closeAt(halfDown.id(), "1.000000000000000001", T0).realizedPnl()).isEqualTo(dec("0"));
        // exact P&L 0.0000000000000000025: half-even gives 0.000000000000000002, half-up would give ...003
        Position halfUp = openLong("2.5", "1", T0);
        assertThat(closeAt(halfUp.id(), "1.000000000000000001", T0).realizedPnl())
                .isEqualTo(dec("0.000000000000000002"));
        // exact P&L 0.0000000000000000035: half-even gives 0.000000000000000004, half-down would give ...003
        Position halfEvenUp = openLong("3.5", "1", T0);
        assertThat(closeAt(halfEvenUp.id(), "1.000000000000000001", T0).realizedPnl())
                .isEqualTo(dec("0.000000000000000004"));
        // exact return 0.0000000000000000005 %: half-even gives 0
        Position returnHalf = openLong("1", "200", T0);
        assertThat(closeAt(returnHalf.id(), "200.000000000000000001", T0).returnPct()).isEqualTo(dec("0"));
        // exact return 33.3333...: 33.333333333333333333
        Position third = openLong("1", "3", T0);
        assertThat(closeAt(third.id(), "4", T0).returnPct()).isEqualTo(dec("33.333333333333333333"));
    }

    @Test
    void returnIsComputedFromTheExactProfitNotTheRoundedOne() {
        // exact P&L 0.0000000000000000005 is stored as 0, but the return is
        // 0.0000000000000000005 / 0.5 * 100 = 0.0000000000000001 %
        Position p = openLong("0.5", "1", T0);
        Position closed = closeAt(p.id(), "1.000000000000000001", T0);
        assertThat(closed.realizedPnl()).isEqualTo(dec("0"));
        assertThat(closed.returnPct()).isEqualTo(dec("0.0000000000000001"));
    }

    @Test
    void aProfitTooLargeToStoreIsAValidationErrorNamingTheColumnAndNothingIsWritten() {
        // (10000000001 - 1) x 10000000000 = 10^20, the first value beyond DECIMAL(38,18)
        Position p = openLong("10000000000", "1", T0);
        assertThatThrownBy(() -> closeAt(p.id(), "10000000001", T0.plusSeconds(1)))
                .isInstanceOf(ValidationException.class)
                .hasMessage("positions.realized_pnl: is derived from the given values and must be within"
                        + " ±99999999999999999999.999999999999999999 (DECIMAL(38,18): below 10^20, at most 18 decimal"
                        + " places) (was 100000000000000000000.000000000000000000)");
        assertThat(find(p.id())).isEqualTo(p);
    }

    @Test
    void aReturnTooLargeToStoreIsAValidationErrorNamingTheColumnAndNothingIsWritten() {
        // return = (exit / entry - 1) x 100: 99999999999999999900 % at exit 1 still fits, about 2 x 10^20 at 2 does not
        Position p = openLong("0.000000000000000001", "0.000000000000000001", T0);
        assertThatThrownBy(() -> closeAt(p.id(), "2", T0.plusSeconds(1)))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("positions.return_pct: is derived from the given values and must be within"
                        + " ±99999999999999999999.999999999999999999");
        assertThat(find(p.id())).isEqualTo(p);
        Position fits = closeAt(p.id(), "1", T0.plusSeconds(1));
        assertThat(fits.returnPct()).isEqualTo(dec("99999999999999999900"));
        assertThat(fits.realizedPnl()).isEqualTo(dec("0.000000000000000001")); // 0.999999999999999999E-18
    }

    @Test
    void closingWithoutAReasonLeavesItEmpty() {
        Position p = openLong("1", "100", T0);
        Position closed = store.inTransaction(uow -> uow.positions().close(p.id(), dec("100"), T0, null));
        assertThat(closed.exitReason()).isNull();
        assertThat(closed.realizedPnl()).isEqualByComparingTo("0");
        assertThat(closed.version()).isEqualTo(1);
    }

    // --- closing: refusals ---------------------------------------------------------------------------------------

    @Test
    void closingTwiceIsAnInvalidTransition() {
        Position p = openLong("1", "100", T0);
        Position closed = closeAt(p.id(), "110", T0.plusSeconds(60));
        assertThatThrownBy(() -> closeAt(p.id(), "120", T0.plusSeconds(120)))
                .isInstanceOf(InvalidStateTransitionException.class)
                .hasMessageContaining("position " + p.id() + " is already CLOSED (closed at " + T0.plusSeconds(60));
        assertThat(find(p.id())).isEqualTo(closed);
    }

    @Test
    void closingAClosedPositionWithItsCurrentOrAStaleVersionIsStillAnInvalidTransition() {
        Position p = openLong("1", "100", T0);
        Position closed = closeAt(p.id(), "110", T0.plusSeconds(60));
        for (long version : new long[] {closed.version(), p.version()}) {
            assertThatThrownBy(() -> store.useTransaction(uow ->
                    uow.positions().close(p.id(), dec("120"), T0.plusSeconds(120), null, version)))
                    .isInstanceOf(InvalidStateTransitionException.class)
                    .hasMessageContaining("is already CLOSED");
        }
        assertThat(find(p.id())).isEqualTo(closed);
    }

    @Test
    void staleVersionIsAnOptimisticLockFailure() {
        Position p = openLong("1", "100", T0);
        Position moved = store.inTransaction(uow -> uow.positions().updateStops(p.id(), dec("90"), null, 0));
        assertThat(moved.version()).isEqualTo(1);

        assertThatThrownBy(() -> store.useTransaction(uow ->
                uow.positions().close(p.id(), dec("110"), T0.plusSeconds(60), null, 0)))
                .isInstanceOf(OptimisticLockException.class)
                .hasMessageContaining("position " + p.id() + " is at version 1, not the expected version 0");
        assertThat(find(p.id())).isEqualTo(moved);
    }

    @Test
    void aVersionAheadOfTheStoredOneIsAlsoAnOptimisticLockFailure() {
        Position p = openLong("1", "100", T0);
        assertThatThrownBy(() -> store.useTransaction(uow ->
                uow.positions().close(p.id(), dec("110"), T0.plusSeconds(60), null, 5)))
                .isInstanceOf(OptimisticLockException.class)
                .hasMessageContaining("is at version 0, not the expected version 5");
        assertThat(find(p.id())).isEqualTo(p);
    }

    @Test
    void closingWithTheCurrentVersionSucceedsAfterEarlierChanges() {
        Position p = openLong("1", "100", T0);
        Position moved = store.inTransaction(uow -> uow.positions().updateStops(p.id(), dec("90"), null, 0));
        Position closed = store.inTransaction(uow ->
                uow.positions().close(p.id(), dec("95"), T0.plusSeconds(60), "stop hit", moved.version()));
        assertThat(closed.version()).isEqualTo(2);
        assertThat(closed.stopLoss()).isEqualByComparingTo("90");
        assertThat(closed.realizedPnl()).isEqualByComparingTo("-5");
    }

    @Test
    void closingAnUnknownPositionIsNotFound() {
        assertThatThrownBy(() -> closeAt(404, "1", T0))
                .isInstanceOf(NotFoundException.class).hasMessage("no position with id 404");
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.positions().close(404, dec("1"), T0, null, 0)))
                .isInstanceOf(NotFoundException.class).hasMessage("no position with id 404");
    }

    @Test
    void exitBeforeEntryIsAValidationErrorAndNothingIsWritten() {
        Position p = openLong("1", "100", T0);
        assertThatThrownBy(() -> closeAt(p.id(), "110", T0.minusNanos(1_000)))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("positions.exit_time: must not be before positions.entry_time (" + T0 + ")");
        assertThat(find(p.id())).isEqualTo(p);
        assertThat(closeAt(p.id(), "110", T0).exitTime()).as("exit at the entry instant is allowed").isEqualTo(T0);
    }

    @Test
    void invalidCloseArgumentsAreRejectedBeforeAnySql() {
        // an unknown id: had any SQL run first, these would be NotFoundException
        long unknown = 404;
        assertThatThrownBy(() -> closeAt(unknown, "0", T0))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("positions.exit_price: must be > 0");
        assertThatThrownBy(() -> closeAt(unknown, "1.0000000000000000001", T0))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("positions.exit_price: has more than 18 decimal places");
        assertThatThrownBy(() -> closeAt(unknown, "1", T0.plusNanos(500)))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("positions.exit_time: has sub-microsecond precision");
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.positions().close(unknown, dec("1"), null, null)))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("positions.exit_time: must not be null");
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.positions().close(unknown, dec("1"), T0, " ")))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("positions.exit_reason: must not be blank");
        assertThatThrownBy(() -> store.useTransaction(uow ->
                uow.positions().close(unknown, dec("1"), T0, "r".repeat(257))))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("positions.exit_reason: must be at most 256 characters");
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.positions().close(unknown, dec("1"), T0, null, -1)))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("expectedVersion: must be >= 0");
    }

    @Test
    void updatedAtNeverGoesBackwardsWhenTheClockIsSetBack() {
        Position p = openLong("1", "100", T0);
        clock.set(T0); // an hour before the position was created
        Position closed = closeAt(p.id(), "101", T0.plusSeconds(1));
        assertThat(closed.updatedAt()).isEqualTo(p.createdAt());
    }

    // --- stops ---------------------------------------------------------------------------------------------------

    @Test
    void updatingStopsReplacesBothBumpsTheVersionAndNullClearsOne() {
        Position p = store.inTransaction(uow -> uow.positions().open(
                NewPosition.of(SYMBOL, PositionSide.LONG, dec("1"), dec("100"), T0)
                        .withStopLoss(dec("90")).withTakeProfit(dec("120"))));
        clock.advance(Duration.ofSeconds(7));
        Position moved = store.inTransaction(uow ->
                uow.positions().updateStops(p.id(), dec("95.123456789012345678"), null, p.version()));
        assertThat(moved.stopLoss()).isEqualTo(dec("95.123456789012345678"));
        assertThat(moved.takeProfit()).isNull();
        assertThat(moved.version()).isEqualTo(1);
        assertThat(moved.updatedAt()).isEqualTo(clock.instant());
        assertThat(moved.status()).isEqualTo(PositionStatus.OPEN);
        assertThat(find(p.id())).isEqualTo(moved);
    }

    @Test
    void updatingTheStopsOfAClosedPositionIsAnInvalidTransition() {
        Position p = openLong("1", "100", T0);
        Position closed = closeAt(p.id(), "110", T0.plusSeconds(60));
        assertThatThrownBy(() -> store.useTransaction(uow ->
                uow.positions().updateStops(p.id(), dec("1"), dec("2"), closed.version())))
                .isInstanceOf(InvalidStateTransitionException.class)
                .hasMessageContaining("cannot update the stops of position " + p.id() + ": it is CLOSED");
        assertThat(find(p.id())).isEqualTo(closed);
    }

    @Test
    void updatingStopsWithAStaleVersionIsAnOptimisticLockFailure() {
        Position p = openLong("1", "100", T0);
        Position first = store.inTransaction(uow -> uow.positions().updateStops(p.id(), dec("90"), null, 0));
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.positions().updateStops(p.id(), dec("80"), null, 0)))
                .isInstanceOf(OptimisticLockException.class)
                .hasMessageContaining("is at version 1, not the expected version 0");
        assertThat(find(p.id())).isEqualTo(first);
    }

    @Test
    void updatingStopsIsValidatedBeforeAnySqlAndRefusesUnknownPositions() {
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.positions().updateStops(404, dec("0"), null, 0)))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("positions.stop_loss: must be > 0");
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.positions().updateStops(404, null, dec("-2"), 0)))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("positions.take_profit: must be > 0");
        assertThatThrownBy(() -> store.useTransaction(uow -> uow.positions().updateStops(404, null, null, 0)))
                .isInstanceOf(NotFoundException.class).hasMessage("no position with id 404");
    }

    // --- closed positions and daily P&L --------------------------------------------------------------------------

    @Test
    void closedIsAHalfOpenRangeOfExitTimesInOrderOfExit() {
        Position a = openLong("1", "100", T0);
        Position b = openLong("1", "100", T0);
        Position c = openLong("1", "100", T0);
        Position d = openLong("1", "100", T0);
        openLong("1", "100", T0); // still open
        closeAt(c.id(), "101", T0.plusSeconds(30));
        closeAt(a.id(), "101", T0.plusSeconds(10));
        closeAt(b.id(), "101", T0.plusSeconds(20));
        closeAt(d.id(), "101", T0.plusSeconds(40));

        List<Position> closed = store.read(uow -> Pages.all(page ->
                uow.positions().closed(T0.plusSeconds(10), T0.plusSeconds(40), page)));
        assertThat(closed).extracting(Position::id).containsExactly(a.id(), b.id(), c.id());
        assertThatThrownBy(() -> store.read(uow -> Pages.all(page -> uow.positions().closed(T0, null, page))))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("to: must not be null");
    }

    @Test
    void dailyRealizedPnlSumsExactlyPerUtcDay() {
        Instant day1 = Instant.parse("2023-03-01T00:00:00Z");
        Instant day2 = Instant.parse("2023-03-02T00:00:00Z");
        Instant day4 = Instant.parse("2023-03-04T00:00:00Z");
        // 0.1 + 0.2 is 0.30000000000000004 in binary floating point, exactly 0.3 here
        closeWithPnl("0.1", day1);
        closeWithPnl("0.2", day2.minusNanos(1_000)); // last microsecond of day 1
        closeWithPnl("-12345.12345678", day2);      // first microsecond of day 2
        closeWithPnl("0.000000000000000001", day2.plusSeconds(3600));
        closeWithPnl("7", day4.plusSeconds(1));
        closeWithPnl("1000", day4.plus(Duration.ofDays(1))); // outside the range's open end
        openLong("1", "1", day1); // open positions have no P&L yet

        List<DailyPnl> days = store.read(uow ->
                uow.positions().dailyRealizedPnl(day1, day4.plus(Duration.ofDays(1))));
        assertThat(days).containsExactly(
                withoutFees("2023-03-01", "0.3", 2),
                withoutFees("2023-03-02", "-12345.123456779999999999", 2),
                withoutFees("2023-03-04", "7", 1));

        List<DailyPnl> fromDay2 = store.read(uow -> uow.positions().dailyRealizedPnl(day2, day4));
        assertThat(fromDay2).extracting(DailyPnl::day).containsExactly(LocalDate.parse("2023-03-02"));
    }

    /** A day of closes whose positions' orders paid no fee: net equals gross. */
    private static DailyPnl withoutFees(String day, String pnl, int reductions) {
        return new DailyPnl(LocalDate.parse(day), dec(pnl), reductions, BigDecimal.ZERO, dec(pnl), List.of());
    }

    @Test
    void dailyRealizedPnlIsNotLimitedToTheStorageRange() {
        // each close is storable; their sum (1.8 x 10^20) exceeds DECIMAL(38,18)
        closeWithPnl("90000000000000000000", T0);
        closeWithPnl("90000000000000000000", T0.plusSeconds(1));
        List<DailyPnl> days = store.read(uow -> uow.positions().dailyRealizedPnl(T0, T0.plus(Duration.ofDays(1))));
        assertThat(days).singleElement().satisfies(d -> {
            assertThat(d.realizedPnl()).isEqualTo(dec("180000000000000000000"));
            assertThat(d.reductions()).isEqualTo(2);
        });
    }

    @Test
    void dailyRealizedPnlOfAPeriodWithoutClosesIsEmpty() {
        List<DailyPnl> days = store.read(uow -> uow.positions().dailyRealizedPnl(T0, T0.plus(Duration.ofDays(7))));
        assertThat(days).isEmpty();
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    // --- scaling in and out (release 6) ---------------------------------------------------------------------------

    @Test
    void increasingAveragesTheEntryExactlyFromTheEventsAndKeepsTheInputs() {
        Position p = openLong("1", "100", T0);
        Instant at = T0.plusSeconds(60);
        Position once = store.inTransaction(uow -> uow.positions().increase(p.id(), dec("2"), dec("103"), at));
        assertThat(once.entryPrice()).as("(100 + 206) / 3").isEqualTo(dec("102"));
        assertThat(once.quantity()).isEqualTo(dec("3"));
        assertThat(once.openQuantity()).isEqualTo(dec("3"));
        assertThat(once.version()).isEqualTo(1);
        assertThat(once.realizedPnl()).isNull();
        // (306 + 300.000000000000000003) / 6 = 101.0000000000000000005: a tie, half-even keeps 101
        Position twice = store.inTransaction(uow -> uow.positions().increase(p.id(), dec("3"),
                dec("100.000000000000000001"), at));
        assertThat(twice.entryPrice()).isEqualTo(dec("101"));
        assertThat(twice.quantity()).isEqualTo(dec("6"));
        assertThat(find(p.id())).isEqualTo(twice);
        List<PositionEvent> events = store.read(uow -> uow.positions().events(p.id()));
        assertThat(events).extracting(PositionEvent::kind).containsExactly(PositionEventKind.ENTRY,
                PositionEventKind.INCREASE, PositionEventKind.INCREASE);
        assertThat(events).extracting(PositionEvent::price).containsExactly(dec("100"), dec("103"),
                dec("100.000000000000000001"));
        assertThat(events).extracting(PositionEvent::occurredAt).containsExactly(T0, at, at);
        assertThat(events).allMatch(e -> e.realizedPnl() == null && e.reason() == null && e.positionId() == p.id());
    }

    @Test
    void reducingRealisesThePartAndLeavesTheRestOpenUntilNothingIs() {
        Position p = openShort("2", "100", T0);
        Position part = store.inTransaction(uow -> uow.positions().reduce(p.id(), dec("0.5"), dec("90"),
                T0.plusSeconds(60), "trim"));
        assertThat(part.status()).isEqualTo(PositionStatus.OPEN);
        assertThat(part.openQuantity()).isEqualTo(dec("1.5"));
        assertThat(part.quantity()).as("everything entered, unchanged").isEqualTo(dec("2"));
        assertThat(part.realizedPnl()).as("(100 - 90) x 0.5").isEqualTo(dec("5"));
        assertThat(part.exitPrice()).isNull();
        assertThat(part.returnPct()).isNull();
        Position rest = store.inTransaction(uow -> uow.positions().reduce(p.id(), dec("1.5"), dec("110"),
                T0.plusSeconds(120), "stop"));
        assertThat(rest.status()).isEqualTo(PositionStatus.CLOSED);
        assertThat(rest.openQuantity()).isEqualTo(dec("0"));
        assertThat(rest.realizedPnl()).as("5 + (100 - 110) x 1.5").isEqualTo(dec("-10"));
        assertThat(rest.returnPct()).as("-10 / (100 x 2) x 100").isEqualTo(dec("-5"));
        assertThat(rest.exitPrice()).isEqualTo(dec("110"));
        assertThat(rest.exitTime()).isEqualTo(T0.plusSeconds(120));
        assertThat(rest.exitReason()).isEqualTo("stop");
        List<PositionEvent> events = store.read(uow -> uow.positions().events(p.id()));
        assertThat(events).extracting(PositionEvent::realizedPnl).containsExactly(null, dec("5"), dec("-15"));
        assertThat(events).extracting(PositionEvent::reason).containsExactly(null, "trim", "stop");
        assertThatThrownBy(() -> store.inTransaction(uow -> uow.positions().reduce(p.id(), dec("1"), dec("1"),
                T0.plusSeconds(180), null)))
                .isInstanceOf(InvalidStateTransitionException.class)
                .hasMessage("cannot reduce position " + p.id() + ": it is CLOSED (closed at " + T0.plusSeconds(120) + ")");
    }

    /**
     * Reductions reported out of order (a late execution report): each is recorded at its own time, and the
     * position closes at the latest of them, so closed(from, to) and dailyRealizedPnl agree (found by review).
     */
    @Test
    void aPositionClosesAtItsLatestReductionWhateverOrderTheyArriveIn() {
        Position p = openLong("2", "100", T0);
        store.useTransaction(uow -> uow.positions().reduce(p.id(), dec("1"), dec("110"), T0.plusSeconds(1000), "late"));
        Position closed = store.inTransaction(uow -> uow.positions().close(p.id(), dec("120"), T0.plusSeconds(10),
                "reported first, executed earlier"));
        List<PositionEvent> events = store.read(uow -> uow.positions().events(p.id()));
        assertThat(closed.exitTime()).isEqualTo(T0.plusSeconds(1000));
        assertThat(closed.exitPrice()).as("the price of the reduction that closed it").isEqualTo(dec("120"));
        assertThat(events).extracting(PositionEvent::occurredAt)
                .containsExactly(T0, T0.plusSeconds(1000), T0.plusSeconds(10));
    }

    @Test
    void scalingAtAnExpectedVersionAppliesOnlyAtThatVersion() {
        Position p = openLong("2", "100", T0);
        assertThatThrownBy(() -> store.inTransaction(uow -> uow.positions().increase(p.id(), dec("1"), dec("103"),
                T0.plusSeconds(1), p.version() + 1)))
                .isInstanceOf(io.tradestore.OptimisticLockException.class)
                .hasMessageContaining("not the expected version " + (p.version() + 1));
        Position grown = store.inTransaction(uow -> uow.positions().increase(p.id(), dec("1"), dec("103"),
                T0.plusSeconds(1), p.version()));
        assertThatThrownBy(() -> store.inTransaction(uow -> uow.positions().reduce(p.id(), dec("1"), dec("110"),
                T0.plusSeconds(2), "trim", p.version())))
                .isInstanceOf(io.tradestore.OptimisticLockException.class)
                .hasMessageContaining("not the expected version " + p.version());
        Position trimmed = store.inTransaction(uow -> uow.positions().reduce(p.id(), dec("1"), dec("110"),
                T0.plusSeconds(2), "trim", grown.version()));
        assertThat(grown.entryPrice()).isEqualTo(dec("101"));
        assertThat(trimmed.openQuantity()).isEqualTo(dec("2"));
        assertThat(trimmed.version()).isEqualTo(grown.version() + 1);
        List<PositionEvent> events = store.read(uow -> uow.positions().events(p.id()));
        assertThat(events).hasSize(3);
    }

    @Test
    void aRefusedReductionOrIncreaseChangesNothing() {
        Position p = openLong("1", "100", T0);
        assertThatThrownBy(() -> store.inTransaction(uow -> uow.positions().reduce(p.id(),
                dec("1.000000000000000001"), dec("101"), T0, null)))
                .isInstanceOf(ValidationException.class)
                .hasMessage("position_events.quantity: must not exceed the open quantity 1 of position " + p.id()
                        + " (1 entered) (was 1.000000000000000001)");
        assertThatThrownBy(() -> store.inTransaction(uow -> uow.positions().increase(p.id(), dec("1"), dec("101"),
                T0.minusSeconds(1))))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("position_events.occurred_at: must not be before positions.entry_time");
        assertThatThrownBy(() -> store.inTransaction(uow -> uow.positions().increase(999_999L, dec("1"), dec("1"), T0)))
                .isInstanceOf(NotFoundException.class).hasMessage("no position with id 999999");
        assertThat(find(p.id())).isEqualTo(p);
        assertThat(events(p.id())).hasSize(1);
        assertThat(events(999_999L)).isEmpty();
    }

    @Test
    void netPnlSubtractsOnlyTheQuoteCurrencysFeesOfThePositionsFills() {
        Position p = store.inTransaction(uow -> uow.positions().open(NewPosition.of(SYMBOL, PositionSide.LONG,
                dec("2"), dec("100"), T0).withQuoteCurrency("USDT")));
        Position bare = openLong("1", "100", T0);
        Instant day2 = T0.plus(Duration.ofDays(1));
        store.useTransaction(uow -> {
            long o = uow.orders().place(NewOrder.market("pnl-1", SYMBOL, OrderSide.BUY, dec("2")).forPosition(p.id())).id();
            uow.orders().fill(o, new NewFill("t-1", dec("1"), dec("100"), dec("0.1"), "USDT", T0));
            uow.orders().fill(o, new NewFill("t-2", dec("1"), dec("100"), dec("0.002"), "BNB", T0));
            long b = uow.orders().place(NewOrder.market("pnl-2", SYMBOL, OrderSide.BUY, dec("1")).forPosition(bare.id())).id();
            uow.orders().fill(b, new NewFill("t-3", dec("1"), dec("100"), dec("0.3"), "USDT", T0));
            // an order of no position: its fee belongs to no position's P&L
            long n = uow.orders().place(NewOrder.market("pnl-3", SYMBOL, OrderSide.BUY, dec("1"))).id();
            uow.orders().fill(n, new NewFill("t-4", dec("1"), dec("100"), dec("7"), "USDT", T0));
            uow.positions().reduce(p.id(), dec("1"), dec("101"), day2, null);
        });
        PositionPnl pnl = store.read(uow -> uow.positions().pnl(p.id()));
        assertThat(pnl).isEqualTo(new PositionPnl(p.id(), "USDT", dec("1"), dec("0.1"), dec("0.9"),
                List.of(new FeeTotal("BNB", dec("0.002")))));
        assertThat(pnl(bare.id())).as("no quote currency: nothing netted")
                .isEqualTo(new PositionPnl(bare.id(), null, dec("0"), dec("0"), dec("0"),
                        List.of(new FeeTotal("USDT", dec("0.3")))));
        assertThatThrownBy(() -> store.read(uow -> uow.positions().pnl(999_999L)))
                .isInstanceOf(NotFoundException.class);

        // Fees count on the day of their fill, the reduction on the day of its event.
        assertThat(daily(T0, day2.plus(Duration.ofDays(1))))
                .containsExactly(
                        new DailyPnl(LocalDate.parse("2023-03-01"), dec("0"), 0, dec("0.1"), dec("-0.1"),
                                List.of(new FeeTotal("BNB", dec("0.002")), new FeeTotal("USDT", dec("0.3")))),
                        new DailyPnl(LocalDate.parse("2023-03-02"), dec("1"), 1, dec("0"), dec("1"), List.of()));
    }

    @Test
    void partialReductionsCountOnTheirOwnDays() {
        Position p = openLong("3", "100", T0);
        Instant day2 = T0.plus(Duration.ofDays(1));
        store.useTransaction(uow -> {
            uow.positions().reduce(p.id(), dec("1"), dec("101"), T0.plusSeconds(10), null);
            uow.positions().reduce(p.id(), dec("1"), dec("99.5"), day2, null);
            uow.positions().close(p.id(), dec("102"), day2.plusSeconds(1), "done");
        });
        assertThat(daily(T0, day2.plus(Duration.ofDays(1))))
                .containsExactly(withoutFees("2023-03-01", "1", 1), withoutFees("2023-03-02", "1.5", 2));
    }

    private List<PositionEvent> events(long id) {
        return store.read(uow -> uow.positions().events(id));
    }

    private PositionPnl pnl(long id) {
        return store.read(uow -> uow.positions().pnl(id));
    }

    private List<DailyPnl> daily(Instant from, Instant to) {
        return store.read(uow -> uow.positions().dailyRealizedPnl(from, to));
    }

    private Position openLong(String quantity, String price, Instant at) {
        return store.inTransaction(uow -> uow.positions().open(
                NewPosition.of(SYMBOL, PositionSide.LONG, dec(quantity), dec(price), at)));
    }

    private Position openShort(String quantity, String price, Instant at) {
        return store.inTransaction(uow -> uow.positions().open(
                NewPosition.of(SYMBOL, PositionSide.SHORT, dec(quantity), dec(price), at)));
    }

    private Position closeAt(long id, String price, Instant at) {
        return store.inTransaction(uow -> uow.positions().close(id, dec(price), at, null));
    }

    /** A LONG of quantity 1 entered at 100000 and closed at {@code exitTime} with exactly {@code pnl}. */
    private void closeWithPnl(String pnl, Instant exitTime) {
        Position p = openLong("1", "100000", exitTime.minusSeconds(1));
        Position closed = closeAt(p.id(), dec("100000").add(dec(pnl)).toPlainString(), exitTime);
        assertThat(closed.realizedPnl()).isEqualTo(dec(pnl));
    }

    private Position find(long id) {
        return store.read(uow -> uow.positions().find(id)).orElseThrow();
    }

    private static BigDecimal dec(String value) {
        return new BigDecimal(value);
    }
}
