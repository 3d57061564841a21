package io.tradestore.trading;

import io.tradestore.ConflictException;
import io.tradestore.ForeignKeyViolationException;
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
import io.tradestore.internal.db.tables.records.OrderFillsRecord;
import io.tradestore.internal.db.tables.records.OrdersRecord;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.jooq.SelectOrderByStep;
import org.jooq.UpdateSetMoreStep;
import org.jooq.impl.DSL;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import static io.tradestore.internal.db.Tables.ORDERS;
import static io.tradestore.internal.db.Tables.ORDER_FILLS;

/**
 * trading.orders and trading.order_fills. Obtain from {@link io.tradestore.UnitOfWork#orders()}.
 *
 * <p>Every change is a conditional {@code UPDATE ... WHERE id = ? AND version = ?}; the order row read beforehand
 * only decides whether to try. A concurrent change (possible on PostgreSQL) therefore fails with
 * {@link OptimisticLockException} and writes nothing, never overwrites the other change.
 */
public final class OrderDao {
    private final Tx tx;

    public OrderDao(Tx tx) {
        this.tx = tx;
    }

    /**
     * Places an order, idempotently: if an order with the same client order id exists with the same parameters
     * (position, symbol, side, type, quantity, prices; decimals compared by value), returns that order, whatever its
     * status, and writes nothing. A retried request thus never creates a second order.
     *
     * @throws ConflictException            if the client order id is taken by an order with other parameters
     * @throws ForeignKeyViolationException if positionId names no position
     */
    public Order place(NewOrder o) {
        Check.notNull("order", o);
        var db = tx.dslForWrite("orders().place");
        RowLocks.named(db, clientOrderIdLock(o.clientOrderId()));
        OrdersRecord existing = byClientOrderId(db, o.clientOrderId());
        if (existing != null) {
            return placedBefore(existing, o);
        }
        Instant now = tx.now();
        try {
            var clientOrderId = DSL.val(o.clientOrderId(), ORDERS.CLIENT_ORDER_ID);
            var positionId = DSL.val(o.positionId(), ORDERS.POSITION_ID);
            var symbol = DSL.val(o.symbol(), ORDERS.SYMBOL);
            var side = DSL.val(o.side(), ORDERS.SIDE);
            var type = DSL.val(o.type(), ORDERS.ORDER_TYPE);
            var status = DSL.val(OrderStatus.NEW, ORDERS.STATUS);
            var quantity = DSL.val(o.quantity(), ORDERS.QUANTITY);
            var limitPrice = DSL.val(o.limitPrice(), ORDERS.LIMIT_PRICE);
            var stopPrice = DSL.val(o.stopPrice(), ORDERS.STOP_PRICE);
            var filled = DSL.val(BigDecimal.ZERO, ORDERS.FILLED_QUANTITY);
            var created = DSL.val(now, ORDERS.CREATED_AT);
            var updated = DSL.val(now, ORDERS.UPDATED_AT);
            var version = DSL.val(0L, ORDERS.VERSION);
            return map(PLACE.fetchOptional(db, "insert", () -> db.insertInto(ORDERS)
                    .set(ORDERS.CLIENT_ORDER_ID, clientOrderId)
                    .set(ORDERS.POSITION_ID, positionId)
                    .set(ORDERS.SYMBOL, symbol)
                    .set(ORDERS.SIDE, side)
                    .set(ORDERS.ORDER_TYPE, type)
                    .set(ORDERS.STATUS, status)
                    .set(ORDERS.QUANTITY, quantity)
                    .set(ORDERS.LIMIT_PRICE, limitPrice)
                    .set(ORDERS.STOP_PRICE, stopPrice)
                    .set(ORDERS.FILLED_QUANTITY, filled)
                    .set(ORDERS.CREATED_AT, created)
                    .set(ORDERS.UPDATED_AT, updated)
                    .set(ORDERS.VERSION, version)
                    .returning(), clientOrderId, positionId, symbol, side, type, status, quantity, limitPrice,
                    stopPrice, filled, created, updated, version).orElseThrow());
        } catch (ForeignKeyViolationException e) {
            throw new ForeignKeyViolationException("cannot place order \"" + o.clientOrderId()
                    + "\": orders.position_id " + o.positionId() + " names no position", e.sqlState(), e);
        } catch (ConflictException e) {
            // Placements through this method are ordered by the lock on the id, so only a row written past the DAO
            // (a caller's own jooq() insert, PostgreSQL) gets here: the insert waited for it to commit, and at READ
            // COMMITTED the next statement sees it, so the answer is still SQLite's: that order, or the conflict with
            // its parameters. (Under serializable writes PostgreSQL reports 40001 and the unit runs again.)
            OrdersRecord placed = byClientOrderId(db, o.clientOrderId());
            if (placed == null) {
                throw new ConflictException("order \"" + o.clientOrderId() + "\" was placed concurrently by another"
                        + " unit of work; place it again to receive that order", e.sqlState(), e);
            }
            return placedBefore(placed, o);
        }
    }

    private static String clientOrderIdLock(String clientOrderId) {
        return "trading.orders.client_order_id:" + clientOrderId;
    }

    private static OrdersRecord byClientOrderId(DSLContext db, String clientOrderId) {
        return BY_CLIENT_ORDER_ID.fetchOptional(db, "plain",
                () -> db.selectFrom(ORDERS).where(ORDERS.CLIENT_ORDER_ID.eq(clientOrderId)),
                DSL.val(clientOrderId, ORDERS.CLIENT_ORDER_ID)).orElse(null);
    }

    /** The placement path's statements, rendered once (RenderedQuery). */
    private static final RenderedQuery<OrdersRecord> PLACE = new RenderedQuery<>(ORDERS);
    private static final RenderedQuery<OrdersRecord> BY_CLIENT_ORDER_ID = new RenderedQuery<>(ORDERS);
    /** The fill path's statements, rendered once. */
    private static final RenderedQuery<OrdersRecord> LOAD = new RenderedQuery<>(ORDERS);
    private static final RenderedQuery<OrderFillsRecord> FILL_BY_TRADE_ID = new RenderedQuery<>(ORDER_FILLS);
    private static final RenderedQuery<OrderFillsRecord> INSERT_FILL = new RenderedQuery<>(ORDER_FILLS);

    /** A placement repeated: the stored order if the parameters are the same, else the conflict naming them. */
    private static Order placedBefore(OrdersRecord existing, NewOrder o) {
        List<String> differences = differences(existing, o);
        if (!differences.isEmpty()) {
            throw new ConflictException("client order id \"" + o.clientOrderId() + "\" is already used by order "
                    + existing.getId() + " with different parameters: " + String.join(", ", differences)
                    + "; a client order id names exactly one order");
        }
        return map(existing);
    }

    /**
     * Records one execution of the order as the venue reports it, in whatever order the venue's messages arrive
     * (docs/order-lifecycle.md). The fill is keyed by its trade id within the order:
     * <ul>
     * <li>a trade id already stored with the same quantity, price, fee, fee currency and time is the venue sending
     *     the report again: the stored fill and the order are returned ({@link FillResult#duplicate()} true) and
     *     nothing is written, whatever the order's status now;</li>
     * <li>otherwise a new order_fills row is written, filled_quantity increased, average_fill_price recomputed as
     *     sum(q x p) / sum(q) over all the order's fills (exact, then rounded half-even to 18 places), last_fill_at
     *     the latest fill time. The status becomes FILLED when the fills complete the order; otherwise NEW becomes
     *     PARTIALLY_FILLED, and PARTIALLY_FILLED, PENDING_CANCEL and CANCELLED stay as they are: a fill that arrives
     *     after the cancel was executed before the venue saw it. The fee does not enter the average price.</li>
     * </ul>
     *
     * @throws NotFoundException                if there is no such order
     * @throws ConflictException                if the trade id is stored for this order with other values (named)
     * @throws InvalidStateTransitionException if the order is FILLED or REJECTED
     * @throws ValidationException             if the quantity exceeds the remaining quantity
     * @throws OptimisticLockException          if the order changed concurrently
     */
    public FillResult fill(long orderId, NewFill fill) {
        Check.notNull("fill", fill);
        var db = tx.dslForWrite("orders().fill");
        OrdersRecord order = load(db, orderId);
        OrderFillsRecord stored = FILL_BY_TRADE_ID.fetchOptional(db, "plain", () -> db.selectFrom(ORDER_FILLS)
                        .where(ORDER_FILLS.ORDER_ID.eq(orderId), ORDER_FILLS.TRADE_ID.eq(fill.tradeId())),
                DSL.val(orderId, ORDER_FILLS.ORDER_ID), DSL.val(fill.tradeId(), ORDER_FILLS.TRADE_ID)).orElse(null);
        if (stored != null) {
            List<String> differences = differences(stored, fill);
            if (!differences.isEmpty()) {
                throw new ConflictException("trade id \"" + fill.tradeId() + "\" of order \""
                        + order.getClientOrderId() + "\" is already recorded as fill " + stored.getId()
                        + " with different values: " + String.join(", ", differences)
                        + "; a trade id names exactly one execution");
            }
            return new FillResult(map(order), mapFill(stored), true);
        }
        if (!order.getStatus().acceptsFills()) {
            throw new InvalidStateTransitionException("cannot fill order " + order.getClientOrderId() + ": it is "
                    + order.getStatus() + " (trade id \"" + fill.tradeId() + "\")");
        }
        BigDecimal remaining = Decimal18.normalize(order.getQuantity().subtract(order.getFilledQuantity()));
        Check.that(fill.quantity().compareTo(remaining) <= 0, "order_fills.quantity", "must not exceed the remaining"
                + " quantity " + remaining.toPlainString() + " of order \"" + order.getClientOrderId() + "\" ("
                + order.getFilledQuantity().toPlainString() + " of " + order.getQuantity().toPlainString()
                + " filled)", fill.quantity());
        BigDecimal filled = order.getFilledQuantity().add(fill.quantity());
        OrderStatus target = filled.compareTo(order.getQuantity()) == 0 ? OrderStatus.FILLED
                : order.getStatus() == OrderStatus.NEW ? OrderStatus.PARTIALLY_FILLED : order.getStatus();

        Instant lastFillAt = order.getLastFillAt() == null || fill.filledAt().isAfter(order.getLastFillAt())
                ? fill.filledAt() : order.getLastFillAt();
        Order updated = conditionalUpdate(db, order, db.update(ORDERS)
                .set(ORDERS.STATUS, target)
                .set(ORDERS.FILLED_QUANTITY, filled)
                .set(ORDERS.AVERAGE_FILL_PRICE, averagePrice(db, orderId, fill.quantity(), fill.price()))
                .set(ORDERS.LAST_FILL_AT, lastFillAt));
        // Inserted only once the order row has accepted the change, so a failed version check leaves no fill behind.
        var fillOrder = DSL.val(orderId, ORDER_FILLS.ORDER_ID);
        var tradeId = DSL.val(fill.tradeId(), ORDER_FILLS.TRADE_ID);
        var quantity = DSL.val(fill.quantity(), ORDER_FILLS.QUANTITY);
        var price = DSL.val(fill.price(), ORDER_FILLS.PRICE);
        var fee = DSL.val(fill.fee(), ORDER_FILLS.FEE);
        var feeCurrency = DSL.val(fill.feeCurrency(), ORDER_FILLS.FEE_CURRENCY);
        var filledAt = DSL.val(fill.filledAt(), ORDER_FILLS.FILLED_AT);
        OrderFillsRecord row = INSERT_FILL.fetchOptional(db, "insert", () -> db.insertInto(ORDER_FILLS)
                .set(ORDER_FILLS.ORDER_ID, fillOrder)
                .set(ORDER_FILLS.TRADE_ID, tradeId)
                .set(ORDER_FILLS.QUANTITY, quantity)
                .set(ORDER_FILLS.PRICE, price)
                .set(ORDER_FILLS.FEE, fee)
                .set(ORDER_FILLS.FEE_CURRENCY, feeCurrency)
                .set(ORDER_FILLS.FILLED_AT, filledAt)
                .returning(), fillOrder, tradeId, quantity, price, fee, feeCurrency, filledAt).orElseThrow();
        return new FillResult(updated, mapFill(row), false);
    }

    /**
     * Records that we asked the venue to cancel the order: NEW or PARTIALLY_FILLED becomes PENDING_CANCEL. Fills may
     * still arrive; {@link #confirmCancel} or the fill that completes the order ends it. Asking again, or asking for
     * an order already CANCELLED, returns the order unchanged.
     *
     * @throws NotFoundException                if there is no such order
     * @throws InvalidStateTransitionException if the order is FILLED or REJECTED
     */
    public Order cancel(long orderId) {
        var db = tx.dslForWrite("orders().cancel");
        OrdersRecord order = load(db, orderId);
        if (order.getStatus() == OrderStatus.PENDING_CANCEL || order.getStatus() == OrderStatus.CANCELLED) {
            return map(order);
        }
        requireTransition(order, OrderStatus.PENDING_CANCEL, "cancel");
        return conditionalUpdate(db, order, db.update(ORDERS).set(ORDERS.STATUS, OrderStatus.PENDING_CANCEL));
    }

    /**
     * Records the venue's word that the order is cancelled: PENDING_CANCEL, and also NEW or PARTIALLY_FILLED (a venue
     * cancels on its own: expiry, self-trade prevention), become CANCELLED; what was filled stays filled, and later
     * fills are still accepted ({@link #fill}). Confirming again returns the order unchanged.
     *
     * @throws NotFoundException                if there is no such order
     * @throws InvalidStateTransitionException if the order is FILLED or REJECTED
     */
    public Order confirmCancel(long orderId) {
        var db = tx.dslForWrite("orders().confirmCancel");
        OrdersRecord order = load(db, orderId);
        if (order.getStatus() == OrderStatus.CANCELLED) {
            return map(order);
        }
        requireTransition(order, OrderStatus.CANCELLED, "confirm the cancel of");
        return conditionalUpdate(db, order, db.update(ORDERS).set(ORDERS.STATUS, OrderStatus.CANCELLED));
    }

    /**
     * Records the venue's refusal of our cancel request ("too late to cancel", "unknown order"): a PENDING_CANCEL
     * order is working again, NEW if nothing was filled, else PARTIALLY_FILLED. In any other status the refusal
     * changes nothing and the order is returned as it is: a cancel refused because the order has filled meanwhile
     * is consistent with FILLED, and a second request refused after the first was confirmed with CANCELLED.
     *
     * @throws NotFoundException if there is no such order
     */
    public Order cancelRejected(long orderId) {
        var db = tx.dslForWrite("orders().cancelRejected");
        OrdersRecord order = load(db, orderId);
        if (order.getStatus() != OrderStatus.PENDING_CANCEL) {
            return map(order);
        }
        OrderStatus working = order.getFilledQuantity().signum() == 0 ? OrderStatus.NEW : OrderStatus.PARTIALLY_FILLED;
        return conditionalUpdate(db, order, db.update(ORDERS).set(ORDERS.STATUS, working));
    }

    /**
     * Marks an order the venue refused as rejected: a NEW order, or one whose cancel we requested before the
     * venue's refusal of the order itself arrived (PENDING_CANCEL with nothing filled).
     *
     * @param reason why (1-256 characters, no control characters)
     * @throws NotFoundException                if there is no such order
     * @throws InvalidStateTransitionException if the order is neither NEW nor an unfilled PENDING_CANCEL
     */
    public Order reject(long orderId, String reason) {
        Check.text("orders.reject_reason", reason, 256);
        var db = tx.dslForWrite("orders().reject");
        OrdersRecord order = load(db, orderId);
        requireTransition(order, OrderStatus.REJECTED, "reject");
        if (order.getFilledQuantity().signum() != 0) {
            throw new InvalidStateTransitionException("cannot reject order " + order.getClientOrderId() + ": it is "
                    + order.getStatus() + " with " + order.getFilledQuantity().toPlainString() + " of "
                    + order.getQuantity().toPlainString() + " filled");
        }
        return conditionalUpdate(db, order, db.update(ORDERS)
                .set(ORDERS.STATUS, OrderStatus.REJECTED)
                .set(ORDERS.REJECT_REASON, reason));
    }

    /**
     * The order. In a write unit on PostgreSQL its row is locked until the unit ends (decision 0017), so what you
     * decide on it stays true until you commit, as on SQLite; in a read unit, a plain read.
     */
    public Optional<Order> find(long id) {
        var db = tx.dsl();
        return FIND.fetchOptional(db, tx.writable() ? "write" : "read",
                () -> RowLocks.inWriteUnit(tx, db, db.selectFrom(ORDERS).where(ORDERS.ID.eq(id))),
                DSL.val(id, ORDERS.ID)).map(OrderDao::map);
    }

    /** A hot read, rendered once (RenderedQuery). */
    private static final RenderedQuery<OrdersRecord> FIND = new RenderedQuery<>(ORDERS);

    /**
     * The order placed under {@code clientOrderId}. In a write unit on PostgreSQL the id stays as this call saw it
     * until the unit ends, found or not (a row lock, and a lock on the id that {@link #place} takes too), so "look
     * it up, place it if it is not there" cannot meet a concurrent placement of the same id, as on SQLite.
     */
    public Optional<Order> findByClientOrderId(String clientOrderId) {
        Check.notNull("clientOrderId", clientOrderId);
        var db = tx.dsl();
        if (tx.writable()) {
            // Found or not, the key stays as seen until the unit ends: a unit that finds nothing and then places
            // the order cannot meet a concurrent placement of the same id (decision 0017; place takes the same lock).
            RowLocks.named(db, clientOrderIdLock(clientOrderId));
        }
        return RowLocks.inWriteUnit(tx, db, db.selectFrom(ORDERS).where(ORDERS.CLIENT_ORDER_ID.eq(clientOrderId)))
                .fetchOptional(OrderDao::map);
    }

    /**
     * One page of the orders in {@code status}, oldest first (created_at, then id: ix_orders_status_created_at_id).
     * Decision 0012: FILLED and CANCELLED grow with history.
     */
    public Page<Order> byStatus(OrderStatus status, PageRequest page) {
        Check.notNull("status", status);
        return page(ORDERS.STATUS.eq(status), ORDERS.CREATED_AT, ORDERS.ID, null, null, page);
    }

    /**
     * One page of the orders for {@code symbol} created in {@code [from, to)}, oldest first (created_at, then id):
     * what reconciliation with the venue walks (ix_orders_symbol_created_at_id).
     */
    public Page<Order> bySymbol(String symbol, Instant from, Instant to, PageRequest page) {
        Check.symbol("symbol", symbol);
        Check.window(from, to);
        return page(ORDERS.SYMBOL.eq(symbol), ORDERS.CREATED_AT, ORDERS.ID, from, to, page);
    }

    private Page<Order> page(Condition condition, org.jooq.Field<Instant> time, org.jooq.Field<Long> id, Instant from,
                             Instant to, PageRequest page) {
        Check.notNull("page", page);
        List<Order> rows = tx.dsl().selectFrom(ORDERS)
                .where(condition, Keyset.from(time, id, from, page), to == null ? DSL.noCondition() : time.lt(to))
                .orderBy(time, id)
                .limit(Keyset.fetchSize(page))
                .fetch(OrderDao::map);
        return Keyset.page(rows, page, Order::createdAt, Order::id);
    }

    /** The orders of a position, oldest first. */
    public List<Order> byPosition(long positionId) {
        return oldestFirst(ORDERS.POSITION_ID.eq(positionId));
    }

    /** Open orders (every status whose {@link OrderStatus#isOpen()} holds), oldest first. */
    public List<Order> listOpen() {
        // One ix_orders_status_created_at_id range per status, merged in order (SQLite: MERGE (UNION ALL)). No
        // index returns "status IN (several values)" in one time order, so that form sorted every open order. The
        // branches come from isOpen() so that a status made open later is listed without editing this query.
        var db = tx.dsl();
        return Arrays.stream(OrderStatus.values())
                .filter(OrderStatus::isOpen)
                .<SelectOrderByStep<OrdersRecord>>map(status -> db.selectFrom(ORDERS).where(ORDERS.STATUS.eq(status)))
                .reduce(SelectOrderByStep::unionAll)
                .orElseThrow(() -> new IllegalStateException("no OrderStatus is open"))
                .orderBy(ORDERS.CREATED_AT, ORDERS.ID)
                .fetch(OrderDao::map);
    }

    /** Orders matching {@code condition} by creation time, ties by id so the order is total on both databases. */
    private List<Order> oldestFirst(Condition condition) {
        return tx.dsl().selectFrom(ORDERS)
                .where(condition)
                .orderBy(ORDERS.CREATED_AT, ORDERS.ID)
                .fetch(OrderDao::map);
    }

    /** The fills of an order in time order (by filled_at, then in the order they were recorded). */
    public List<Fill> fills(long orderId) {
        return tx.dsl().selectFrom(ORDER_FILLS)
                .where(ORDER_FILLS.ORDER_ID.eq(orderId))
                .orderBy(ORDER_FILLS.FILLED_AT, ORDER_FILLS.ID)
                .fetch(OrderDao::mapFill);
    }

    /**
     * One page of the fills of every order executed in {@code [from, to)} by the venue's time, in time order
     * (filled_at, then id: ix_order_fills_filled_at_id): reconciliation with the venue's trade history.
     */
    public Page<Fill> fillsBetween(Instant from, Instant to, PageRequest page) {
        Check.window(from, to);
        Check.notNull("page", page);
        List<Fill> rows = tx.dsl().selectFrom(ORDER_FILLS)
                .where(Keyset.from(ORDER_FILLS.FILLED_AT, ORDER_FILLS.ID, from, page), ORDER_FILLS.FILLED_AT.lt(to))
                .orderBy(ORDER_FILLS.FILLED_AT, ORDER_FILLS.ID)
                .limit(Keyset.fetchSize(page))
                .fetch(OrderDao::mapFill);
        return Keyset.page(rows, page, Fill::filledAt, Fill::id);
    }

    /** The fill the venue reported for this order under {@code tradeId}, if it was recorded. */
    public Optional<Fill> findFill(long orderId, String tradeId) {
        Check.text("order_fills.trade_id", tradeId, NewFill.TRADE_ID_MAX);
        return tx.dsl().selectFrom(ORDER_FILLS)
                .where(ORDER_FILLS.ORDER_ID.eq(orderId), ORDER_FILLS.TRADE_ID.eq(tradeId))
                .fetchOptional(OrderDao::mapFill);
    }

    /**
     * The fees the order paid, one total per currency (exact sums, in the DAO: SQLite cannot add the decimal BLOBs),
     * by currency name, fees recorded before release 5 (no currency) first. Fills without a fee do not appear.
     */
    public List<FeeTotal> fees(long orderId) {
        Map<String, BigDecimal> totals = FeeTotal.byCurrency();
        for (Record2<BigDecimal, String> f : tx.dsl().select(ORDER_FILLS.FEE, ORDER_FILLS.FEE_CURRENCY)
                .from(ORDER_FILLS)
                .where(ORDER_FILLS.ORDER_ID.eq(orderId))
                .fetch()) {
            if (f.value1().signum() != 0) {
                totals.merge(f.value2(), f.value1(), BigDecimal::add);
            }
        }
        return FeeTotal.list(totals);
    }

    /** sum(q x p) / sum(q) over the stored fills plus the new one; products and sums are exact. */
    private static BigDecimal averagePrice(DSLContext db, long orderId, BigDecimal quantity, BigDecimal price) {
        BigDecimal notional = quantity.multiply(price);
        BigDecimal total = quantity;
        for (Record2<BigDecimal, BigDecimal> f : db.select(ORDER_FILLS.QUANTITY, ORDER_FILLS.PRICE)
                .from(ORDER_FILLS).where(ORDER_FILLS.ORDER_ID.eq(orderId)).fetch()) {
            notional = notional.add(f.value1().multiply(f.value2()));
            total = total.add(f.value1());
        }
        return Derived.quotient("orders.average_fill_price", notional, total);
    }

    /** Applies {@code change} plus the version bump and updated_at, if the row is still at the version read. */
    private Order conditionalUpdate(DSLContext db, OrdersRecord order, UpdateSetMoreStep<OrdersRecord> change) {
        long id = order.getId();
        long version = order.getVersion();
        return change
                .set(ORDERS.UPDATED_AT, Derived.touched(tx.now(), order.getUpdatedAt()))
                .set(ORDERS.VERSION, version + 1)
                .where(ORDERS.ID.eq(id), ORDERS.VERSION.eq(version))
                .returning()
                .fetchOptional(OrderDao::map)
                .orElseThrow(() -> new OptimisticLockException("order \"" + order.getClientOrderId() + "\" (id " + id
                        + ") changed while this unit of work was updating it: read at version " + version + ", now at "
                        + db.select(ORDERS.VERSION).from(ORDERS).where(ORDERS.ID.eq(id)).fetchOne(ORDERS.VERSION)
                        + "; re-read it and decide again"));
    }

    private static void requireTransition(OrdersRecord order, OrderStatus target, String verb) {
        if (!order.getStatus().canMoveTo(target)) {
            throw new InvalidStateTransitionException("cannot " + verb + " order " + order.getClientOrderId()
                    + ": it is " + order.getStatus());
        }
    }

    /** The order to change, locked until the unit ends: the order row orders every writer of it and its fills. */
    private static OrdersRecord load(DSLContext db, long id) {
        OrdersRecord order = LOAD.fetchOptional(db, "locked",
                () -> RowLocks.forWrite(db, db.selectFrom(ORDERS).where(ORDERS.ID.eq(id))), DSL.val(id, ORDERS.ID))
                .orElse(null);
        if (order == null) {
            throw new NotFoundException("no order with id " + id);
        }
        return order;
    }

    /** The parameters that make an order; decimals compared by value, so 1.5 and 1.50000000 are the same. */
    private static List<String> differences(OrdersRecord stored, NewOrder o) {
        List<String> d = new ArrayList<>();
        differ(d, "position_id", stored.getPositionId(), o.positionId(),
                Objects.equals(stored.getPositionId(), o.positionId()));
        differ(d, "symbol", stored.getSymbol(), o.symbol(), stored.getSymbol().equals(o.symbol()));
        differ(d, "side", stored.getSide(), o.side(), stored.getSide() == o.side());
        differ(d, "order_type", stored.getOrderType(), o.type(), stored.getOrderType() == o.type());
        differ(d, "quantity", stored.getQuantity(), o.quantity(), sameValue(stored.getQuantity(), o.quantity()));
        differ(d, "limit_price", stored.getLimitPrice(), o.limitPrice(),
                sameValue(stored.getLimitPrice(), o.limitPrice()));
        differ(d, "stop_price", stored.getStopPrice(), o.stopPrice(), sameValue(stored.getStopPrice(), o.stopPrice()));
        return d;
    }

    /** A re-sent execution report must repeat the stored one; decimals compared by value. */
    private static List<String> differences(OrderFillsRecord stored, NewFill f) {
        List<String> d = new ArrayList<>();
        differ(d, "quantity", stored.getQuantity(), f.quantity(), sameValue(stored.getQuantity(), f.quantity()));
        differ(d, "price", stored.getPrice(), f.price(), sameValue(stored.getPrice(), f.price()));
        differ(d, "fee", stored.getFee(), f.fee(), sameValue(stored.getFee(), f.fee()));
        differ(d, "fee_currency", stored.getFeeCurrency(), f.feeCurrency(),
                Objects.equals(stored.getFeeCurrency(), f.feeCurrency()));
        differ(d, "filled_at", stored.getFilledAt(), f.filledAt(), stored.getFilledAt().equals(f.filledAt()));
        return d;
    }

    private static void differ(List<String> differences, String column, Object stored, Object requested,
                               boolean same) {
        if (!same) {
            differences.add(column + " " + show(stored) + " (stored) vs " + show(requested) + " (requested)");
        }
    }

    private static String show(Object value) {
        return value instanceof BigDecimal d ? d.stripTrailingZeros().toPlainString() : String.valueOf(value);
    }

    private static boolean sameValue(BigDecimal a, BigDecimal b) {
        return a == null ? b == null : b != null && a.compareTo(b) == 0;
    }

    private static Order map(OrdersRecord r) {
        return new Order(r.getId(), r.getClientOrderId(), r.getPositionId(), r.getSymbol(), r.getSide(),
                r.getOrderType(), r.getStatus(), r.getQuantity(), r.getLimitPrice(), r.getStopPrice(),
                r.getFilledQuantity(), r.getAverageFillPrice(), r.getRejectReason(), r.getCreatedAt(),
                r.getUpdatedAt(), r.getLastFillAt(), r.getVersion());
    }

    private static Fill mapFill(OrderFillsRecord r) {
        return new Fill(r.getId(), r.getOrderId(), r.getTradeId(), r.getQuantity(), r.getPrice(), r.getFee(),
                r.getFeeCurrency(), r.getFilledAt());
    }
}
