package io.tradestore.model;

import io.tradestore.trading.DailyPnl;
import io.tradestore.trading.FeeTotal;
import io.tradestore.trading.PositionEvent;
import io.tradestore.trading.PositionEventKind;
import io.tradestore.trading.PositionPnl;
import io.tradestore.trading.Fill;
import io.tradestore.trading.NewFill;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.Order;
import io.tradestore.trading.OrderStatus;
import io.tradestore.trading.Position;
import io.tradestore.trading.PositionSide;
import io.tradestore.trading.PositionStatus;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The in-memory reference for orders, fills and positions: what a correct store holds after the same successful
 * actions. Written from the documentation (docs/schema.md, the DAOs' javadoc, decision 0007), not from the DAOs'
 * code; its arithmetic (P&L, return, average fill price) is exact {@link Rational} arithmetic with its own
 * half-even rounding to 18 places, so a formula or rounding mistake in the DAO is not repeated here.
 * TradingArithmeticTest pins both to hand-computed cases. Every decimal it expects is normalized, as every value
 * reads back (issue 8: 1.50 reads back as 1.5, 100 as 100), by {@link Decimals}, not by the library's code. Ids are
 * the one thing taken from the store (surrogate keys it assigns); the tests check those are new and increasing.
 */
final class TradingModel {
    /** Orders by client order id, in the order they were placed. */
    final Map<String, ModelOrder> orders = new LinkedHashMap<>();
    /** Positions in the order they were opened (the order "pos#k" and "open-pos#k" references count in). */
    final List<ModelPosition> positions = new ArrayList<>();

    /** A value as its column reads it back: normalized (the model only ever holds storable values). */
    static BigDecimal stored(BigDecimal v) {
        return Decimals.stored(v);
    }

    Optional<ModelPosition> positionById(long id) {
        return positions.stream().filter(p -> p.id == id).findFirst();
    }

    long maxOrderId() {
        return orders.values().stream().mapToLong(o -> o.id).max().orElse(0);
    }

    long maxPositionId() {
        return positions.stream().mapToLong(p -> p.id).max().orElse(0);
    }

    /** Orders in {@code status}, oldest first: by created_at, then id (documented order of byStatus/listOpen). */
    List<Order> byStatus(OrderStatus status) {
        return orders.values().stream().filter(o -> o.status == status)
                .sorted(ModelOrder.CREATION_ORDER).map(ModelOrder::expected).toList();
    }

    List<Order> openOrders() {
        return orders.values().stream().filter(o -> o.status.isOpen())
                .sorted(ModelOrder.CREATION_ORDER).map(ModelOrder::expected).toList();
    }

    List<Order> ordersOfPosition(long positionId) {
        return orders.values().stream().filter(o -> Objects.equals(o.positionId, positionId))
                .sorted(ModelOrder.CREATION_ORDER).map(ModelOrder::expected).toList();
    }

    /** OPEN positions (optionally of one symbol), oldest entry first: by entry_time, then id. */
    List<Position> openPositions(String symbolOrNull) {
        return positions.stream()
                .filter(p -> p.status == PositionStatus.OPEN)
                .filter(p -> symbolOrNull == null || p.spec.symbol().equals(symbolOrNull))
                .sorted(Comparator.comparing((ModelPosition p) -> p.spec.entryTime()).thenComparingLong(p -> p.id))
                .map(ModelPosition::expected).toList();
    }

    /** CLOSED positions with from <= exit_time < to, by exit_time, then id. */
    List<Position> closedPositions(Instant from, Instant to) {
        return closedIn(from, to).stream()
                .sorted(Comparator.comparing((ModelPosition p) -> p.exitTime).thenComparingLong(p -> p.id))
                .map(ModelPosition::expected).toList();
    }

    /**
     * Per UTC day: gross is the sum of the stored P&L of the REDUCE events of that day (partial ones on their own
     * day), net subtracts that day's fees of fills of orders placed for a position, paid in the position's quote
     * currency; other fees are totalled per currency. Days with a reduction or a non-zero fee only.
     */
    List<DailyPnl> dailyRealizedPnl(Instant from, Instant to) {
        TreeMap<LocalDate, List<ModelEvent>> reductions = new TreeMap<>();
        TreeMap<LocalDate, List<Object[]>> fees = new TreeMap<>();
        for (ModelPosition p : positions) {
            for (ModelEvent e : p.events) {
                if (e.kind() == PositionEventKind.REDUCE && within(e.occurredAt(), from, to)) {
                    reductions.computeIfAbsent(day(e.occurredAt()), d -> new ArrayList<>()).add(e);
                }
            }
        }
        for (ModelOrder o : orders.values()) {
            if (o.positionId == null) {
                continue;
            }
            String quote = positionById(o.positionId).orElseThrow().spec.quoteCurrency();
            for (ModelFill f : o.fills) {
                if (f.fee().signum() != 0 && within(f.filledAt(), from, to)) {
                    fees.computeIfAbsent(day(f.filledAt()), d -> new ArrayList<>()).add(new Object[]{f, quote});
                }
            }
        }
        TreeMap<LocalDate, DailyPnl> out = new TreeMap<>();
        java.util.TreeSet<LocalDate> days = new java.util.TreeSet<>(reductions.keySet());
        days.addAll(fees.keySet());
        for (LocalDate day : days) {
            BigDecimal gross = reductions.getOrDefault(day, List.of()).stream().map(ModelEvent::realizedPnl)
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            BigDecimal quoteFees = BigDecimal.ZERO;
            Map<String, BigDecimal> other = new TreeMap<>(Comparator.nullsFirst(Comparator.naturalOrder()));
            for (Object[] fq : fees.getOrDefault(day, List.of())) {
                ModelFill f = (ModelFill) fq[0];
                if (fq[1] != null && fq[1].equals(f.feeCurrency())) {
                    quoteFees = quoteFees.add(f.fee());
                } else {
                    other.merge(f.feeCurrency(), f.fee(), BigDecimal::add);
                }
            }
            out.put(day, new DailyPnl(day, Decimals.normalized(gross), reductions.getOrDefault(day, List.of()).size(),
                    Decimals.normalized(quoteFees), Decimals.normalized(gross.subtract(quoteFees)), totals(other)));
        }
        return List.copyOf(out.values());
    }

    /** What pnl(positionId) reports: gross, quote-currency fees netted, the other fees per currency. */
    PositionPnl pnl(ModelPosition p) {
        String quote = p.spec.quoteCurrency();
        BigDecimal quoteFees = BigDecimal.ZERO;
        Map<String, BigDecimal> other = new TreeMap<>(Comparator.nullsFirst(Comparator.naturalOrder()));
        for (ModelOrder o : orders.values()) {
            if (!Objects.equals(o.positionId, p.id)) {
                continue;
            }
            for (ModelFill f : o.fills) {
                if (f.fee().signum() == 0) {
                    continue;
                }
                if (quote != null && quote.equals(f.feeCurrency())) {
                    quoteFees = quoteFees.add(f.fee());
                } else {
                    other.merge(f.feeCurrency(), f.fee(), BigDecimal::add);
                }
            }
        }
        BigDecimal gross = p.realizedPnl == null ? BigDecimal.ZERO : p.realizedPnl;
        return new PositionPnl(p.id, quote, gross, Decimals.normalized(quoteFees),
                Decimals.normalized(gross.subtract(quoteFees)), totals(other));
    }

    private static List<FeeTotal> totals(Map<String, BigDecimal> totals) {
        List<FeeTotal> out = new ArrayList<>();
        totals.forEach((c, t) -> out.add(new FeeTotal(c, Decimals.normalized(t))));
        return out;
    }

    private static boolean within(Instant t, Instant from, Instant to) {
        return !t.isBefore(from) && t.isBefore(to);
    }

    private static LocalDate day(Instant t) {
        return LocalDate.ofInstant(t, ZoneOffset.UTC);
    }

    private List<ModelPosition> closedIn(Instant from, Instant to) {
        return positions.stream()
                .filter(p -> p.status == PositionStatus.CLOSED)
                .filter(p -> !p.exitTime.isBefore(from) && p.exitTime.isBefore(to))
                .toList();
    }

    /** An order as the model knows it. */
    static final class ModelOrder {
        static final Comparator<ModelOrder> CREATION_ORDER =
                Comparator.comparing((ModelOrder o) -> o.createdAt).thenComparingLong(o -> o.id);

        final long id;
        final NewOrder placed;
        final Long positionId;
        final Instant createdAt;
        final List<ModelFill> fills = new ArrayList<>();
        OrderStatus status = OrderStatus.NEW;
        String rejectReason;
        Instant updatedAt;
        long version;

        ModelOrder(long id, NewOrder placed, Instant createdAt) {
            this.id = id;
            this.placed = placed;
            this.positionId = placed.positionId();
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
        }

        BigDecimal filledQuantity() {
            return fills.stream().map(ModelFill::quantity).reduce(BigDecimal.ZERO, BigDecimal::add);
        }

        BigDecimal remaining() {
            return placed.quantity().subtract(filledQuantity());
        }

        /**
         * Sum(q x p) / sum(q) over all fills, exact, then rounded once half-even to 18 places and normalized; null
         * with no fill.
         */
        BigDecimal averageFillPrice() {
            if (fills.isEmpty()) {
                return null;
            }
            Rational notional = Rational.ZERO;
            Rational quantity = Rational.ZERO;
            for (ModelFill f : fills) {
                notional = notional.plus(Rational.of(f.quantity()).times(Rational.of(f.price())));
                quantity = quantity.plus(Rational.of(f.quantity()));
            }
            return notional.dividedBy(quantity).derived();
        }

        Instant lastFillAt() {
            return fills.stream().map(ModelFill::filledAt).max(Comparator.naturalOrder()).orElse(null);
        }

        Optional<ModelFill> fill(String tradeId) {
            return fills.stream().filter(f -> f.tradeId().equals(tradeId)).findFirst();
        }

        /** Fills by filled_at; equal times in the order they were recorded (a stable sort). */
        List<ModelFill> fillsInTimeOrder() {
            return fills.stream().sorted(Comparator.comparing(ModelFill::filledAt)).toList();
        }

        /** A change through the DAO: version + 1, updated_at = max(now, previous) (never moves backwards). */
        void touch(Instant now) {
            version++;
            updatedAt = now.isAfter(updatedAt) ? now : updatedAt;
        }

        /** Same parameters as {@code o}, decimals by value: placing o again returns this order. */
        boolean sameParameters(NewOrder o) {
            return Objects.equals(positionId, o.positionId())
                    && placed.symbol().equals(o.symbol())
                    && placed.side() == o.side()
                    && placed.type() == o.type()
                    && sameValue(placed.quantity(), o.quantity())
                    && sameValue(placed.limitPrice(), o.limitPrice())
                    && sameValue(placed.stopPrice(), o.stopPrice());
        }

        Order expected() {
            return new Order(id, placed.clientOrderId(), positionId, placed.symbol(), placed.side(), placed.type(),
                    status, stored(placed.quantity()), stored(placed.limitPrice()), stored(placed.stopPrice()),
                    stored(filledQuantity()), averageFillPrice(), rejectReason, createdAt, updatedAt, lastFillAt(),
                    version);
        }
    }

    /**
     * One fill. The model records fills with {@link #recorded} (decimals normalized, as read back); {@link #of}
     * copies a fill the store returned as it is, so comparing the two also compares the representation.
     */
    record ModelFill(String tradeId, BigDecimal quantity, BigDecimal price, BigDecimal fee, String feeCurrency,
                     Instant filledAt) {
        static ModelFill recorded(NewFill f) {
            return new ModelFill(f.tradeId(), stored(f.quantity()), stored(f.price()), stored(f.fee()),
                    f.feeCurrency(), f.filledAt());
        }

        static ModelFill of(Fill f) {
            return new ModelFill(f.tradeId(), f.quantity(), f.price(), f.fee(), f.feeCurrency(), f.filledAt());
        }

        /** The same execution reported again: every value equal, decimals by value. */
        boolean sameExecution(NewFill f) {
            return tradeId.equals(f.tradeId()) && quantity.compareTo(f.quantity()) == 0
                    && price.compareTo(f.price()) == 0 && fee.compareTo(f.fee()) == 0
                    && Objects.equals(feeCurrency, f.feeCurrency()) && filledAt.equals(f.filledAt());
        }

        @Override
        public String toString() {
            return tradeId + ": " + quantity.stripTrailingZeros().toPlainString() + " @ "
                    + price.stripTrailingZeros().toPlainString() + " fee " + fee.stripTrailingZeros().toPlainString()
                    + (feeCurrency == null ? "" : " " + feeCurrency) + " at " + filledAt;
        }
    }

    /** A step of a position as the model expects events() to report it (the id is the store's). */
    record ModelEvent(PositionEventKind kind, BigDecimal quantity, BigDecimal price, BigDecimal realizedPnl,
                      Instant occurredAt, String reason, Instant createdAt) {
        static ModelEvent of(PositionEvent e) {
            return new ModelEvent(e.kind(), e.quantity(), e.price(), e.realizedPnl(), e.occurredAt(), e.reason(),
                    e.createdAt());
        }
    }

    /**
     * A position as the model knows it: its events and the summary the documentation derives from them. quantity is
     * all that was entered (entry + increases), openQuantity what is left, entryPrice the exact quantity-weighted
     * mean of the entry and increases rounded once, realizedPnl the sum of the reductions' rounded P&L.
     */
    static final class ModelPosition {
        final long id;
        final NewPosition spec;
        final Instant createdAt;
        final List<ModelEvent> events = new ArrayList<>();
        PositionStatus status = PositionStatus.OPEN;
        BigDecimal quantity;
        BigDecimal openQuantity;
        BigDecimal entryPrice;
        BigDecimal stopLoss;
        BigDecimal takeProfit;
        BigDecimal exitPrice;
        Instant exitTime;
        String exitReason;
        BigDecimal realizedPnl;
        BigDecimal returnPct;
        Instant updatedAt;
        long version;

        ModelPosition(long id, NewPosition spec, Instant createdAt) {
            this.id = id;
            this.spec = spec;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
            this.stopLoss = spec.stopLoss();
            this.takeProfit = spec.takeProfit();
            this.quantity = stored(spec.quantity());
            this.openQuantity = quantity;
            this.entryPrice = stored(spec.entryPrice());
            events.add(new ModelEvent(PositionEventKind.ENTRY, quantity, entryPrice, null, spec.entryTime(), null,
                    createdAt));
        }

        void touch(Instant now) {
            version++;
            updatedAt = now.isAfter(updatedAt) ? now : updatedAt;
        }

        /** Sum(q x p) / sum(q) over the entry and the increases, with {@code q @ p} added, exact, rounded once. */
        BigDecimal averageWith(BigDecimal q, BigDecimal p) {
            Rational notional = Rational.of(q).times(Rational.of(p));
            Rational total = Rational.of(q);
            for (ModelEvent e : events) {
                if (e.kind() != PositionEventKind.REDUCE) {
                    notional = notional.plus(Rational.of(e.quantity()).times(Rational.of(e.price())));
                    total = total.plus(Rational.of(e.quantity()));
                }
            }
            return notional.dividedBy(total).derived();
        }

        void increase(BigDecimal q, BigDecimal p, Instant at, Instant now) {
            entryPrice = averageWith(q, p);
            quantity = Decimals.normalized(quantity.add(q));
            openQuantity = Decimals.normalized(openQuantity.add(q));
            events.add(new ModelEvent(PositionEventKind.INCREASE, stored(q), stored(p), null, at, null, now));
            touch(now);
        }

        /** The P&L of reducing {@code q} at {@code exit}: against the entry price as stored, rounded once. */
        BigDecimal reductionPnl(BigDecimal q, BigDecimal exit) {
            return exactPnl(spec.side(), entryPrice, exit, q).derived();
        }

        Rational realizedSoFar() {
            return realizedPnl == null ? Rational.ZERO : Rational.of(realizedPnl);
        }

        /** The realized P&L after reducing {@code q}: what was realized before plus this part, both as stored. */
        BigDecimal realizedAfter(BigDecimal q, BigDecimal exit) {
            return realizedSoFar().plus(Rational.of(reductionPnl(q, exit))).derived();
        }

        /** Return % of the closing reduction: (P&L realized before + this part exact) / (entry x quantity) x 100. */
        BigDecimal returnPct(BigDecimal exit) {
            Rational invested = Rational.of(entryPrice).times(Rational.of(quantity));
            return realizedSoFar().plus(exactPnl(spec.side(), entryPrice, exit, openQuantity))
                    .times(Rational.of(100)).dividedBy(invested).derived();
        }

        void reduce(BigDecimal q, BigDecimal exit, Instant at, String reason, Instant now) {
            BigDecimal pnl = reductionPnl(q, exit);
            boolean closing = q.compareTo(openQuantity) == 0;
            if (closing) {
                returnPct = returnPct(exit);
                status = PositionStatus.CLOSED;
                exitPrice = exit;
                // closed when its last part was, by the venue's time: reports may arrive out of order
                exitTime = events.stream().filter(e -> e.kind() == PositionEventKind.REDUCE).map(ModelEvent::occurredAt)
                        .reduce(at, (x, y) -> x.isAfter(y) ? x : y);
                exitReason = reason;
            }
            realizedPnl = realizedAfter(q, exit);
            openQuantity = Decimals.normalized(openQuantity.subtract(q));
            events.add(new ModelEvent(PositionEventKind.REDUCE, stored(q), stored(exit), pnl, at, reason, now));
            touch(now);
        }

        void close(BigDecimal exit, Instant at, String reason, Instant now) {
            reduce(openQuantity, exit, at, reason, now);
        }

        /** The realized P&L a close at {@code exit} leaves (used to name a refused value). */
        BigDecimal realizedPnl(BigDecimal exit) {
            return !Decimals.storable(reductionPnl(openQuantity, exit)) ? reductionPnl(openQuantity, exit)
                    : realizedAfter(openQuantity, exit);
        }

        /**
         * The column a reduction of {@code q} at {@code exit} is refused for, because its rounded P&L, the realized
         * total or (closing) the return does not fit DECIMAL(38,18), checked in that order; null if all fit.
         */
        String unstorableDerivedColumn(BigDecimal q, BigDecimal exit) {
            if (!Decimals.storable(reductionPnl(q, exit)) || !Decimals.storable(realizedAfter(q, exit))) {
                return "positions.realized_pnl";
            }
            return q.compareTo(openQuantity) == 0 && !Decimals.storable(returnPct(exit)) ? "positions.return_pct"
                    : null;
        }

        String unstorableDerivedColumn(BigDecimal exit) {
            return unstorableDerivedColumn(openQuantity, exit);
        }

        static Rational exactPnl(PositionSide side, BigDecimal entry, BigDecimal exit, BigDecimal quantity) {
            Rational move = side == PositionSide.LONG ? Rational.of(exit).minus(Rational.of(entry))
                    : Rational.of(entry).minus(Rational.of(exit));
            return move.times(Rational.of(quantity));
        }

        Position expected() {
            return new Position(id, spec.symbol(), spec.side(), status, quantity, openQuantity, entryPrice,
                    spec.entryTime(), stored(stopLoss), stored(takeProfit), stored(exitPrice), exitTime, exitReason,
                    realizedPnl, returnPct, spec.strategy(), stored(spec.mlConfidence()), stored(spec.sentimentScore()),
                    spec.quoteCurrency(), createdAt, updatedAt, version);
        }
    }

    private static boolean sameValue(BigDecimal a, BigDecimal b) {
        return a == null ? b == null : b != null && a.compareTo(b) == 0;
    }
}
