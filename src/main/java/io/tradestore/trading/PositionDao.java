package io.tradestore.trading;

import io.tradestore.InvalidStateTransitionException;
import io.tradestore.NotFoundException;
import io.tradestore.OptimisticLockException;
import io.tradestore.Page;
import io.tradestore.PageRequest;
import io.tradestore.ValidationException;
import io.tradestore.internal.Check;
import io.tradestore.internal.Decimal18;
import io.tradestore.internal.Keyset;
import io.tradestore.internal.Tx;
import io.tradestore.internal.db.tables.records.PositionsRecord;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.jooq.UpdateSetMoreStep;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static io.tradestore.internal.db.Tables.POSITIONS;

/**
 * trading.positions. Obtain from {@link io.tradestore.UnitOfWork#positions()}.
 *
 * <p>Every change is a conditional {@code UPDATE ... WHERE id = ? AND version = ?}: the database, not the row read
 * a moment earlier, decides whether the change applies, so a concurrent change (possible on PostgreSQL) surfaces as
 * an {@link OptimisticLockException} instead of being overwritten.
 */
public final class PositionDao {
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private final Tx tx;

    public PositionDao(Tx tx) {
        this.tx = tx;
    }

    /** Opens a position (status OPEN, version 0) and returns it as stored. */
    public Position open(NewPosition p) {
        Check.notNull("position", p);
        var db = tx.dslForWrite("positions().open");
        Instant now = tx.now();
        return map(db.insertInto(POSITIONS)
                .set(POSITIONS.SYMBOL, p.symbol())
                .set(POSITIONS.SIDE, p.side())
                .set(POSITIONS.STATUS, PositionStatus.OPEN)
                .set(POSITIONS.QUANTITY, p.quantity())
                .set(POSITIONS.ENTRY_PRICE, p.entryPrice())
                .set(POSITIONS.ENTRY_TIME, p.entryTime())
                .set(POSITIONS.STOP_LOSS, p.stopLoss())
                .set(POSITIONS.TAKE_PROFIT, p.takeProfit())
                .set(POSITIONS.STRATEGY, p.strategy())
                .set(POSITIONS.ML_CONFIDENCE, p.mlConfidence())
                .set(POSITIONS.SENTIMENT_SCORE, p.sentimentScore())
                .set(POSITIONS.CREATED_AT, now)
                .set(POSITIONS.UPDATED_AT, now)
                .set(POSITIONS.VERSION, 0L)
                .returning()
                .fetchSingle());
    }

    public Optional<Position> find(long id) {
        return tx.dsl().selectFrom(POSITIONS).where(POSITIONS.ID.eq(id)).fetchOptional(PositionDao::map);
    }

    /** All OPEN positions, oldest entry first. */
    public List<Position> listOpen() {
        return tx.dsl().selectFrom(POSITIONS)
                .where(POSITIONS.STATUS.eq(PositionStatus.OPEN))
                .orderBy(POSITIONS.ENTRY_TIME, POSITIONS.ID)
                .fetch(PositionDao::map);
    }

    /** The OPEN positions in {@code symbol}, oldest entry first. */
    public List<Position> listOpen(String symbol) {
        Check.symbol("symbol", symbol);
        return tx.dsl().selectFrom(POSITIONS)
                .where(POSITIONS.SYMBOL.eq(symbol), POSITIONS.STATUS.eq(PositionStatus.OPEN))
                .orderBy(POSITIONS.ENTRY_TIME, POSITIONS.ID)
                .fetch(PositionDao::map);
    }

    /**
     * Closes the position if it is still at {@code expectedVersion}, recording realized P&L and return (LONG:
     * (exit - entry) x quantity, SHORT: (entry - exit) x quantity; return = P&L / (entry x quantity) x 100), each
     * computed exactly and rounded once, half-even, to 18 decimal places.
     *
     * <p>An already CLOSED position is reported as such even when the version is also stale: closing it again
     * cannot succeed, so re-reading and retrying would not help.
     *
     * @param exitReason optional free text (1-256 characters)
     * @throws NotFoundException                if there is no such position
     * @throws InvalidStateTransitionException if it is already CLOSED
     * @throws ValidationException             on invalid arguments, exitTime before the entry time, or a P&L or
     *                                         return too large to store
     * @throws OptimisticLockException          if the position is no longer at expectedVersion
     */
    public Position close(long id, BigDecimal exitPrice, Instant exitTime, String exitReason, long expectedVersion) {
        checkClose(exitPrice, exitTime, exitReason);
        Check.nonNegative("expectedVersion", expectedVersion);
        var db = tx.dslForWrite("positions().close");
        return close(db, load(db, id), exitPrice, exitTime, exitReason, expectedVersion);
    }

    /**
     * Closes the position at whatever version it has now; still one conditional UPDATE, so a change made between
     * reading and writing it is an {@link OptimisticLockException}, never lost. Otherwise as
     * {@link #close(long, BigDecimal, Instant, String, long)}.
     */
    public Position close(long id, BigDecimal exitPrice, Instant exitTime, String exitReason) {
        checkClose(exitPrice, exitTime, exitReason);
        var db = tx.dslForWrite("positions().close");
        PositionsRecord row = load(db, id);
        return close(db, row, exitPrice, exitTime, exitReason, row.getVersion());
    }

    /**
     * Replaces stop-loss and take-profit of an OPEN position (null clears one) if it is still at expectedVersion.
     *
     * @throws NotFoundException                if there is no such position
     * @throws InvalidStateTransitionException if it is CLOSED
     * @throws OptimisticLockException          if the position is no longer at expectedVersion
     */
    public Position updateStops(long id, BigDecimal stopLoss, BigDecimal takeProfit, long expectedVersion) {
        Check.optionalPositive("positions.stop_loss", stopLoss);
        Check.optionalPositive("positions.take_profit", takeProfit);
        Check.nonNegative("expectedVersion", expectedVersion);
        var db = tx.dslForWrite("positions().updateStops");
        PositionsRecord row = load(db, id);
        if (row.getStatus() != PositionStatus.OPEN) {
            throw new InvalidStateTransitionException("cannot update the stops of position " + id + ": it is "
                    + row.getStatus() + " (closed at " + row.getExitTime() + ")");
        }
        return versioned(db, row, expectedVersion, db.update(POSITIONS)
                .set(POSITIONS.STOP_LOSS, stopLoss)
                .set(POSITIONS.TAKE_PROFIT, takeProfit));
    }

    /**
     * One page of the CLOSED positions with {@code from <= exit_time < to}, in order of exit (ties by id).
     * Decision 0012.
     */
    public Page<Position> closed(Instant from, Instant to, PageRequest page) {
        Check.window(from, to);
        Check.notNull("page", page);
        List<Position> rows = tx.dsl().selectFrom(POSITIONS)
                .where(POSITIONS.STATUS.eq(PositionStatus.CLOSED),
                        Keyset.from(POSITIONS.EXIT_TIME, POSITIONS.ID, from, page), POSITIONS.EXIT_TIME.lt(to))
                .orderBy(POSITIONS.EXIT_TIME, POSITIONS.ID)
                .limit(Keyset.fetchSize(page))
                .fetch(PositionDao::map);
        return Keyset.page(rows, page, Position::exitTime, Position::id);
    }

    /**
     * CLOSED positions with {@code from <= exit_time < to}, in order of exit.
     *
     * @deprecated unbounded: closed positions grow with history. Use {@link #closed(Instant, Instant, PageRequest)}.
     */
    @Deprecated(since = "0.1.0", forRemoval = true)
    public List<Position> closed(Instant from, Instant to) {
        Check.window(from, to);
        return tx.dsl().selectFrom(POSITIONS)
                .where(POSITIONS.STATUS.eq(PositionStatus.CLOSED),
                        POSITIONS.EXIT_TIME.ge(from), POSITIONS.EXIT_TIME.lt(to))
                .orderBy(POSITIONS.EXIT_TIME, POSITIONS.ID)
                .fetch(PositionDao::map);
    }

    /**
     * Realized P&L per UTC day of exit_time for closes with {@code from <= exit_time < to}, days ascending, only
     * days with a close. Summed here with BigDecimal rather than by SQL SUM: exact on both engines with no 64-bit
     * overflow and no arithmetic on SQLite's decimal BLOBs; normalized like every decimal the store returns
     * (1.5 + 2.5 is 4, not 4.0).
     */
    public List<DailyPnl> dailyRealizedPnl(Instant from, Instant to) {
        Check.window(from, to);
        List<DailyPnl> days = new ArrayList<>();
        LocalDate day = null;
        BigDecimal sum = BigDecimal.ZERO;
        int count = 0;
        for (Record2<Instant, BigDecimal> r : tx.dsl().select(POSITIONS.EXIT_TIME, POSITIONS.REALIZED_PNL)
                .from(POSITIONS)
                .where(POSITIONS.STATUS.eq(PositionStatus.CLOSED),
                        POSITIONS.EXIT_TIME.ge(from), POSITIONS.EXIT_TIME.lt(to))
                .orderBy(POSITIONS.EXIT_TIME)
                .fetch()) {
            LocalDate d = LocalDate.ofInstant(r.value1(), ZoneOffset.UTC);
            if (!d.equals(day)) {
                if (day != null) {
                    days.add(new DailyPnl(day, Decimal18.normalize(sum), count));
                }
                day = d;
                sum = BigDecimal.ZERO;
                count = 0;
            }
            sum = sum.add(r.value2());
            count++;
        }
        if (day != null) {
            days.add(new DailyPnl(day, Decimal18.normalize(sum), count));
        }
        return days;
    }

    private Position close(DSLContext db, PositionsRecord row, BigDecimal exitPrice, Instant exitTime,
                           String exitReason, long expectedVersion) {
        long id = row.getId();
        if (row.getStatus() == PositionStatus.CLOSED) {
            throw new InvalidStateTransitionException("position " + id + " is already CLOSED (closed at "
                    + row.getExitTime() + " at " + row.getExitPrice().toPlainString() + ")");
        }
        Check.notBefore("positions.exit_time", exitTime, "positions.entry_time", row.getEntryTime());
        BigDecimal move = row.getSide() == PositionSide.LONG
                ? exitPrice.subtract(row.getEntryPrice())
                : row.getEntryPrice().subtract(exitPrice);
        BigDecimal exactPnl = move.multiply(row.getQuantity());
        BigDecimal pnl = Derived.rounded("positions.realized_pnl", exactPnl);
        BigDecimal returnPct = Derived.quotient("positions.return_pct", exactPnl.multiply(HUNDRED),
                row.getEntryPrice().multiply(row.getQuantity()));
        return versioned(db, row, expectedVersion, db.update(POSITIONS)
                .set(POSITIONS.STATUS, PositionStatus.CLOSED)
                .set(POSITIONS.EXIT_PRICE, exitPrice)
                .set(POSITIONS.EXIT_TIME, exitTime)
                .set(POSITIONS.EXIT_REASON, exitReason)
                .set(POSITIONS.REALIZED_PNL, pnl)
                .set(POSITIONS.RETURN_PCT, returnPct));
    }

    /**
     * Applies {@code change}, bumps the version and updated_at, only if the row is still at {@code expectedVersion}:
     * the atomic read-modify-write that stays correct with concurrent writers on PostgreSQL.
     */
    private Position versioned(DSLContext db, PositionsRecord row, long expectedVersion,
                               UpdateSetMoreStep<PositionsRecord> change) {
        long id = row.getId();
        return change
                .set(POSITIONS.UPDATED_AT, Derived.touched(tx.now(), row.getUpdatedAt()))
                .set(POSITIONS.VERSION, expectedVersion + 1)
                .where(POSITIONS.ID.eq(id), POSITIONS.VERSION.eq(expectedVersion))
                .returning()
                .fetchOptional(PositionDao::map)
                .orElseThrow(() -> stale(db, id, expectedVersion));
    }

    private static void checkClose(BigDecimal exitPrice, Instant exitTime, String exitReason) {
        Check.positive("positions.exit_price", exitPrice);
        Check.timestamp("positions.exit_time", exitTime);
        Check.optionalText("positions.exit_reason", exitReason, 256);
    }

    private static PositionsRecord load(DSLContext db, long id) {
        PositionsRecord row = db.selectFrom(POSITIONS).where(POSITIONS.ID.eq(id)).fetchOne();
        if (row == null) {
            throw new NotFoundException("no position with id " + id);
        }
        return row;
    }

    /** Called when the conditional UPDATE matched no row: reports the version the position has now. */
    private static OptimisticLockException stale(DSLContext db, long id, long expectedVersion) {
        Long actual = db.select(POSITIONS.VERSION).from(POSITIONS).where(POSITIONS.ID.eq(id))
                .fetchOne(POSITIONS.VERSION);
        return new OptimisticLockException("position " + id + " is at version " + actual + ", not the expected version "
                + expectedVersion + ": it was changed since it was read; re-read it and decide again");
    }

    private static Position map(PositionsRecord r) {
        return new Position(r.getId(), r.getSymbol(), r.getSide(), r.getStatus(), r.getQuantity(), r.getEntryPrice(),
                r.getEntryTime(), r.getStopLoss(), r.getTakeProfit(), r.getExitPrice(), r.getExitTime(),
                r.getExitReason(), r.getRealizedPnl(), r.getReturnPct(), r.getStrategy(), r.getMlConfidence(),
                r.getSentimentScore(), r.getCreatedAt(), r.getUpdatedAt(), r.getVersion());
    }
}
