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
import io.tradestore.internal.RenderedQuery;
import io.tradestore.internal.RowLocks;
import io.tradestore.internal.Tx;
import io.tradestore.internal.db.tables.records.PositionEventsRecord;
import io.tradestore.internal.db.tables.records.PositionsRecord;
import org.jooq.Cursor;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.jooq.impl.DSL;
import org.jooq.Record4;
import org.jooq.UpdateSetMoreStep;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static io.tradestore.internal.db.Tables.ORDERS;
import static io.tradestore.internal.db.Tables.ORDER_FILLS;
import static io.tradestore.internal.db.Tables.POSITIONS;
import static io.tradestore.internal.db.Tables.POSITION_EVENTS;

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

    /** Opens a position (status OPEN, version 0) with its ENTRY event and returns it as stored. */
    public Position open(NewPosition p) {
        Check.notNull("position", p);
        var db = tx.dslForWrite("positions().open");
        Instant now = tx.now();
        Position opened = map(db.insertInto(POSITIONS)
                .set(POSITIONS.SYMBOL, p.symbol())
                .set(POSITIONS.SIDE, p.side())
                .set(POSITIONS.STATUS, PositionStatus.OPEN)
                .set(POSITIONS.QUANTITY, p.quantity())
                .set(POSITIONS.OPEN_QUANTITY, p.quantity())
                .set(POSITIONS.QUOTE_CURRENCY, p.quoteCurrency())
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
        event(db, opened.id(), PositionEventKind.ENTRY, p.quantity(), p.entryPrice(), null, p.entryTime(), null, now);
        return opened;
    }

    /**
     * Scales in: adds {@code quantity} bought (LONG) or sold (SHORT) at {@code price}. The entry price becomes
     * sum(q x p) / sum(q) over the ENTRY and every INCREASE event, computed exactly from the events (not from the
     * rounded average stored before) and rounded once, half-even, to 18 places; quantity and open quantity grow by
     * {@code quantity}. Reductions do not enter the average. Stored as an INCREASE event with the exact inputs.
     *
     * @throws NotFoundException                if there is no such position
     * @throws InvalidStateTransitionException if it is CLOSED
     * @throws ValidationException             on invalid arguments, {@code at} before the entry time, or a quantity
     *                                         too large to store
     * @throws OptimisticLockException          if the position changed between reading and writing it
     */
    public Position increase(long positionId, BigDecimal quantity, BigDecimal price, Instant at) {
        return increase(positionId, quantity, price, at, null);
    }

    /**
     * {@link #increase(long, BigDecimal, BigDecimal, Instant)} only if the position is still at
     * {@code expectedVersion}, the version the caller decided on.
     *
     * @throws OptimisticLockException if it is at another version
     */
    public Position increase(long positionId, BigDecimal quantity, BigDecimal price, Instant at, long expectedVersion) {
        Check.nonNegative("expectedVersion", expectedVersion);
        return increase(positionId, quantity, price, at, Long.valueOf(expectedVersion));
    }

    private Position increase(long positionId, BigDecimal quantity, BigDecimal price, Instant at, Long expected) {
        Check.positive("position_events.quantity", quantity);
        Check.positive("position_events.price", price);
        Check.timestamp("position_events.occurred_at", at);
        var db = tx.dslForWrite("positions().increase");
        PositionsRecord row = loadForUpdate(db, positionId);
        requireOpen(row, "increase");
        Check.notBefore("position_events.occurred_at", at, "positions.entry_time", row.getEntryTime());
        BigDecimal notional = quantity.multiply(price);
        BigDecimal total = quantity;
        for (Record2<BigDecimal, BigDecimal> e : db.select(POSITION_EVENTS.QUANTITY, POSITION_EVENTS.PRICE)
                .from(POSITION_EVENTS)
                .where(POSITION_EVENTS.POSITION_ID.eq(positionId),
                        POSITION_EVENTS.KIND.in(PositionEventKind.ENTRY, PositionEventKind.INCREASE))
                .fetch()) {
            notional = notional.add(e.value1().multiply(e.value2()));
            total = total.add(e.value1());
        }
        BigDecimal newQuantity = Derived.rounded("positions.quantity", total);
        BigDecimal average = Derived.quotient("positions.entry_price", notional, total);
        Position updated = versioned(db, row, expected == null ? row.getVersion() : expected, db.update(POSITIONS)
                .set(POSITIONS.QUANTITY, newQuantity)
                .set(POSITIONS.OPEN_QUANTITY, row.getOpenQuantity().add(quantity))
                .set(POSITIONS.ENTRY_PRICE, average));
        // Written only once the row accepted the change, so a failed version check leaves no event behind.
        event(db, positionId, PositionEventKind.INCREASE, quantity, price, null, at, null, tx.now());
        return updated;
    }

    /**
     * Scales out: realizes P&L on {@code quantity} of the open quantity at {@code exitPrice} and leaves the rest open.
     * The P&L is LONG (exit - entry) x quantity, SHORT (entry - exit) x quantity, against the entry price as stored
     * (the rounded average), computed exactly and rounded once, half-even, to 18 places; it is stored on the REDUCE
     * event and added to the position's realized P&L, which is therefore exactly the sum of its REDUCE events.
     * Reducing all that is open closes the position, exactly as {@link #close(long, BigDecimal, Instant, String)}.
     *
     * @param reason optional free text (1-256 characters)
     * @throws NotFoundException                if there is no such position
     * @throws InvalidStateTransitionException if it is CLOSED
     * @throws ValidationException             on invalid arguments, a quantity above the open quantity, {@code at}
     *                                         before the entry time, or a P&L or return too large to store
     * @throws OptimisticLockException          if the position changed between reading and writing it
     */
    public Position reduce(long positionId, BigDecimal quantity, BigDecimal exitPrice, Instant at, String reason) {
        return reduce(positionId, quantity, exitPrice, at, reason, null);
    }

    /**
     * {@link #reduce(long, BigDecimal, BigDecimal, Instant, String)} only if the position is still at
     * {@code expectedVersion}, the version the caller decided on.
     *
     * @throws OptimisticLockException if it is at another version
     */
    public Position reduce(long positionId, BigDecimal quantity, BigDecimal exitPrice, Instant at, String reason,
                           long expectedVersion) {
        Check.nonNegative("expectedVersion", expectedVersion);
        return reduce(positionId, quantity, exitPrice, at, reason, Long.valueOf(expectedVersion));
    }

    private Position reduce(long positionId, BigDecimal quantity, BigDecimal exitPrice, Instant at, String reason,
                            Long expected) {
        Check.positive("position_events.quantity", quantity);
        Check.positive("position_events.price", exitPrice);
        Check.timestamp("position_events.occurred_at", at);
        Check.optionalText("position_events.reason", reason, 256);
        var db = tx.dslForWrite("positions().reduce");
        PositionsRecord row = loadForUpdate(db, positionId);
        requireOpen(row, "reduce");
        Check.notBefore("position_events.occurred_at", at, "positions.entry_time", row.getEntryTime());
        Check.that(quantity.compareTo(row.getOpenQuantity()) <= 0, "position_events.quantity",
                "must not exceed the open quantity " + row.getOpenQuantity().toPlainString() + " of position "
                        + positionId + " (" + row.getQuantity().toPlainString() + " entered)", quantity);
        return realize(db, row, quantity, exitPrice, at, reason, expected == null ? row.getVersion() : expected);
    }

    /** The position's events, in the order they were recorded (ENTRY first); empty for an unknown position. */
    public List<PositionEvent> events(long positionId) {
        return tx.dsl().selectFrom(POSITION_EVENTS)
                .where(POSITION_EVENTS.POSITION_ID.eq(positionId))
                .orderBy(POSITION_EVENTS.ID)
                .fetch(PositionDao::mapEvent);
    }

    /**
     * The position's realized P&L gross and net of the fees of its fills (fills of the orders placed for it): fees in
     * its quote currency are subtracted, the others listed per currency (not converted). Exact sums, normalized.
     *
     * @throws NotFoundException if there is no such position
     */
    public PositionPnl pnl(long positionId) {
        var db = tx.dsl();
        PositionsRecord row = load(db, positionId);
        String quote = row.getQuoteCurrency();
        BigDecimal quoteFees = BigDecimal.ZERO;
        Map<String, BigDecimal> other = FeeTotal.byCurrency();
        for (Record2<BigDecimal, String> f : db.select(ORDER_FILLS.FEE, ORDER_FILLS.FEE_CURRENCY)
                .from(ORDERS)
                .join(ORDER_FILLS).on(ORDER_FILLS.ORDER_ID.eq(ORDERS.ID))
                .where(ORDERS.POSITION_ID.eq(positionId))
                .fetch()) {
            if (f.value1().signum() == 0) {
                continue;
            }
            if (quote != null && quote.equals(f.value2())) {
                quoteFees = quoteFees.add(f.value1());
            } else {
                other.merge(f.value2(), f.value1(), BigDecimal::add);
            }
        }
        BigDecimal gross = row.getRealizedPnl() == null ? BigDecimal.ZERO : row.getRealizedPnl();
        return new PositionPnl(positionId, quote, gross, Decimal18.normalize(quoteFees),
                Decimal18.normalize(gross.subtract(quoteFees)), FeeTotal.list(other));
    }

    /**
     * The position. In a write unit on PostgreSQL its row is locked until the unit ends (decision 0017), so what you
     * decide on it stays true until you commit, as on SQLite; in a read unit, a plain read.
     */
    public Optional<Position> find(long id) {
        var db = tx.dsl();
        return FIND.fetchOptional(db, tx.writable() ? "write" : "read",
                () -> RowLocks.inWriteUnit(tx, db, db.selectFrom(POSITIONS).where(POSITIONS.ID.eq(id))),
                DSL.val(id, POSITIONS.ID)).map(PositionDao::map);
    }

    /** The hottest read, rendered once (RenderedQuery). */
    private static final RenderedQuery<PositionsRecord> FIND = new RenderedQuery<>(POSITIONS);

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
     * Closes the position if it is still at {@code expectedVersion}: the reduction of all its open quantity
     * ({@link #reduce}), stored as a REDUCE event. P&L of that part: LONG (exit - entry) x open quantity, SHORT
     * (entry - exit) x open quantity, rounded once, half-even, to 18 places, and added to the P&L realized by earlier
     * reductions; return = (earlier reductions' P&L as stored + this part's exact P&L) / (entry x quantity) x 100,
     * rounded once. For a position never increased nor reduced that is (exit - entry) x quantity and
     * P&L / (entry x quantity) x 100, as before release 8.
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
        return close(db, loadForUpdate(db, id), exitPrice, exitTime, exitReason, expectedVersion);
    }

    /**
     * Closes the position at whatever version it has now; still one conditional UPDATE, so a change made between
     * reading and writing it is an {@link OptimisticLockException}, never lost. Otherwise as
     * {@link #close(long, BigDecimal, Instant, String, long)}.
     */
    public Position close(long id, BigDecimal exitPrice, Instant exitTime, String exitReason) {
        checkClose(exitPrice, exitTime, exitReason);
        var db = tx.dslForWrite("positions().close");
        PositionsRecord row = loadForUpdate(db, id);
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
        PositionsRecord row = loadForUpdate(db, id);
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
     * Realized P&L per UTC day, days ascending, only days with a reduction or a fee: gross is the sum of the REDUCE
     * events with {@code from <= occurred_at < to} (a partial reduction counts on its own day, a close on the day it
     * closed); net subtracts the fees paid on that day ({@code from <= filled_at < to}) by fills of positions' orders
     * in their position's quote currency; fees in other currencies are listed per currency. Summed here with
     * BigDecimal rather than by SQL SUM: exact on both engines with no 64-bit overflow and no arithmetic on SQLite's
     * decimal BLOBs; normalized like every decimal the store returns (1.5 + 2.5 is 4, not 4.0).
     */
    public List<DailyPnl> dailyRealizedPnl(Instant from, Instant to) {
        Check.window(from, to);
        var db = tx.dsl();
        TreeMap<LocalDate, Day> days = new TreeMap<>();
        // Streamed (fetchLazy): memory holds one row per day of the window, not every event and fill in it.
        try (Cursor<Record2<Instant, BigDecimal>> rows = db.select(POSITION_EVENTS.OCCURRED_AT,
                        POSITION_EVENTS.REALIZED_PNL)
                .from(POSITION_EVENTS)
                .where(POSITION_EVENTS.KIND.eq(PositionEventKind.REDUCE),
                        POSITION_EVENTS.OCCURRED_AT.ge(from), POSITION_EVENTS.OCCURRED_AT.lt(to))
                .orderBy(POSITION_EVENTS.OCCURRED_AT, POSITION_EVENTS.ID)
                .fetchLazy()) {
            for (Record2<Instant, BigDecimal> r : rows) {
                Day d = days.computeIfAbsent(LocalDate.ofInstant(r.value1(), ZoneOffset.UTC), k -> new Day());
                d.gross = d.gross.add(r.value2());
                d.reductions++;
            }
        }
        try (Cursor<Record4<Instant, BigDecimal, String, String>> fills = db.select(ORDER_FILLS.FILLED_AT,
                        ORDER_FILLS.FEE, ORDER_FILLS.FEE_CURRENCY, POSITIONS.QUOTE_CURRENCY)
                .from(ORDER_FILLS)
                .join(ORDERS).on(ORDERS.ID.eq(ORDER_FILLS.ORDER_ID))
                .join(POSITIONS).on(POSITIONS.ID.eq(ORDERS.POSITION_ID))
                .where(ORDER_FILLS.FILLED_AT.ge(from), ORDER_FILLS.FILLED_AT.lt(to))
                .fetchLazy()) {
            for (Record4<Instant, BigDecimal, String, String> f : fills) {
                if (f.value2().signum() == 0) {
                    continue;
                }
                Day d = days.computeIfAbsent(LocalDate.ofInstant(f.value1(), ZoneOffset.UTC), k -> new Day());
                if (f.value4() != null && f.value4().equals(f.value3())) {
                    d.quoteFees = d.quoteFees.add(f.value2());
                } else {
                    d.other.merge(f.value3(), f.value2(), BigDecimal::add);
                }
            }
        }
        List<DailyPnl> out = new ArrayList<>(days.size());
        days.forEach((day, d) -> out.add(new DailyPnl(day, Decimal18.normalize(d.gross), d.reductions,
                Decimal18.normalize(d.quoteFees), Decimal18.normalize(d.gross.subtract(d.quoteFees)),
                FeeTotal.list(d.other))));
        return out;
    }

    /** One day's running sums for {@link #dailyRealizedPnl}. */
    private static final class Day {
        BigDecimal gross = BigDecimal.ZERO;
        int reductions;
        BigDecimal quoteFees = BigDecimal.ZERO;
        final Map<String, BigDecimal> other = FeeTotal.byCurrency();
    }

    private Position close(DSLContext db, PositionsRecord row, BigDecimal exitPrice, Instant exitTime,
                           String exitReason, long expectedVersion) {
        long id = row.getId();
        if (row.getStatus() == PositionStatus.CLOSED) {
            throw new InvalidStateTransitionException("position " + id + " is already CLOSED (closed at "
                    + row.getExitTime() + " at " + row.getExitPrice().toPlainString() + ")");
        }
        Check.notBefore("positions.exit_time", exitTime, "positions.entry_time", row.getEntryTime());
        return realize(db, row, row.getOpenQuantity(), exitPrice, exitTime, exitReason, expectedVersion);
    }

    /**
     * The one place P&L is realized (reduce and close): {@code quantity} (at most the open quantity) at
     * {@code exitPrice}, against the stored entry price. The row changes first, then the REDUCE event is written.
     */
    private Position realize(DSLContext db, PositionsRecord row, BigDecimal quantity, BigDecimal exitPrice,
                             Instant at, String reason, long expectedVersion) {
        BigDecimal move = row.getSide() == PositionSide.LONG
                ? exitPrice.subtract(row.getEntryPrice())
                : row.getEntryPrice().subtract(exitPrice);
        BigDecimal exactPnl = move.multiply(quantity);
        BigDecimal pnl = Derived.rounded("positions.realized_pnl", exactPnl);
        BigDecimal before = row.getRealizedPnl() == null ? BigDecimal.ZERO : row.getRealizedPnl();
        BigDecimal realized = Derived.rounded("positions.realized_pnl", before.add(pnl));
        BigDecimal open = row.getOpenQuantity().subtract(quantity);
        UpdateSetMoreStep<PositionsRecord> change = db.update(POSITIONS)
                .set(POSITIONS.OPEN_QUANTITY, Decimal18.normalize(open))
                .set(POSITIONS.REALIZED_PNL, realized);
        if (open.signum() == 0) {
            // Closed when its last part was, by the venue's time: reductions may be reported out of order, and
            // closed(from, to) must agree with the days dailyRealizedPnl counts them on.
            Instant latest = db.select(DSL.max(POSITION_EVENTS.OCCURRED_AT)).from(POSITION_EVENTS)
                    .where(POSITION_EVENTS.POSITION_ID.eq(row.getId()), POSITION_EVENTS.KIND.eq(PositionEventKind.REDUCE))
                    .fetchOne(0, Instant.class);
            Instant exitTime = latest != null && latest.isAfter(at) ? latest : at;
            // Earlier parts as stored plus this part exact: for a single close this is today's exact P&L.
            BigDecimal returnPct = Derived.quotient("positions.return_pct", before.add(exactPnl).multiply(HUNDRED),
                    row.getEntryPrice().multiply(row.getQuantity()));
            change = change
                    .set(POSITIONS.STATUS, PositionStatus.CLOSED)
                    .set(POSITIONS.EXIT_PRICE, exitPrice)
                    .set(POSITIONS.EXIT_TIME, exitTime)
                    .set(POSITIONS.EXIT_REASON, reason)
                    .set(POSITIONS.RETURN_PCT, returnPct);
        }
        Position updated = versioned(db, row, expectedVersion, change);
        event(db, row.getId(), PositionEventKind.REDUCE, quantity, exitPrice, pnl, at, reason, tx.now());
        return updated;
    }

    private static void event(DSLContext db, long positionId, PositionEventKind kind, BigDecimal quantity,
                              BigDecimal price, BigDecimal realizedPnl, Instant at, String reason, Instant now) {
        db.insertInto(POSITION_EVENTS)
                .set(POSITION_EVENTS.POSITION_ID, positionId)
                .set(POSITION_EVENTS.KIND, kind)
                .set(POSITION_EVENTS.QUANTITY, quantity)
                .set(POSITION_EVENTS.PRICE, price)
                .set(POSITION_EVENTS.REALIZED_PNL, realizedPnl)
                .set(POSITION_EVENTS.OCCURRED_AT, at)
                .set(POSITION_EVENTS.REASON, reason)
                .set(POSITION_EVENTS.CREATED_AT, now)
                .execute();
    }

    private static void requireOpen(PositionsRecord row, String verb) {
        if (row.getStatus() != PositionStatus.OPEN) {
            throw new InvalidStateTransitionException("cannot " + verb + " position " + row.getId() + ": it is "
                    + row.getStatus() + " (closed at " + row.getExitTime() + ")");
        }
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
        return found(db.selectFrom(POSITIONS).where(POSITIONS.ID.eq(id)).fetchOne(), id);
    }

    /** The position to change, locked until the unit ends: the position row orders every writer of it and its events. */
    private static PositionsRecord loadForUpdate(DSLContext db, long id) {
        return found(RowLocks.forWrite(db, db.selectFrom(POSITIONS).where(POSITIONS.ID.eq(id))).fetchOne(), id);
    }

    private static PositionsRecord found(PositionsRecord row, long id) {
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
        return new Position(r.getId(), r.getSymbol(), r.getSide(), r.getStatus(), r.getQuantity(),
                r.getOpenQuantity(), r.getEntryPrice(), r.getEntryTime(), r.getStopLoss(), r.getTakeProfit(),
                r.getExitPrice(), r.getExitTime(), r.getExitReason(), r.getRealizedPnl(), r.getReturnPct(),
                r.getStrategy(), r.getMlConfidence(), r.getSentimentScore(), r.getQuoteCurrency(), r.getCreatedAt(),
                r.getUpdatedAt(), r.getVersion());
    }

    private static PositionEvent mapEvent(PositionEventsRecord r) {
        return new PositionEvent(r.getId(), r.getPositionId(), r.getKind(), r.getQuantity(), r.getPrice(),
                r.getRealizedPnl(), r.getOccurredAt(), r.getReason(), r.getCreatedAt());
    }
}
