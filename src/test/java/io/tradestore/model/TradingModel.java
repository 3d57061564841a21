package io.tradestore.model;

import io.tradestore.trading.DailyPnl;
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
     * Per UTC day of exit_time: the exact sum of the stored (rounded, normalized) realized P&L and the number of
     * closes; the sum normalized, as every decimal the store returns.
     */
    List<DailyPnl> dailyRealizedPnl(Instant from, Instant to) {
        TreeMap<LocalDate, List<ModelPosition>> days = new TreeMap<>();
        for (ModelPosition p : closedIn(from, to)) {
            days.computeIfAbsent(LocalDate.ofInstant(p.exitTime, ZoneOffset.UTC), d -> new ArrayList<>()).add(p);
        }
        List<DailyPnl> out = new ArrayList<>();
        days.forEach((day, closes) -> out.add(new DailyPnl(day, Decimals.normalized(
                closes.stream().map(p -> p.realizedPnl).reduce(BigDecimal.ZERO, BigDecimal::add)), closes.size())));
        return out;
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

    /** A position as the model knows it. */
    static final class ModelPosition {
        final long id;
        final NewPosition spec;
        final Instant createdAt;
        PositionStatus status = PositionStatus.OPEN;
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
        }

        void touch(Instant now) {
            version++;
            updatedAt = now.isAfter(updatedAt) ? now : updatedAt;
        }

        /**
         * Closes: LONG (exit - entry) x qty, SHORT (entry - exit) x qty, rounded half-even to 18 places; return % =
         * exact P&L / (entry x qty) x 100, the exact quotient rounded once half-even to 18 places; both normalized.
         */
        void close(BigDecimal exit, Instant at, String reason, Instant now) {
            status = PositionStatus.CLOSED;
            exitPrice = exit;
            exitTime = at;
            exitReason = reason;
            realizedPnl = realizedPnl(exit);
            returnPct = returnPct(exit);
            touch(now);
        }

        BigDecimal realizedPnl(BigDecimal exit) {
            return exactPnl(spec.side(), spec.entryPrice(), exit, spec.quantity()).derived();
        }

        BigDecimal returnPct(BigDecimal exit) {
            Rational invested = Rational.of(spec.entryPrice()).times(Rational.of(spec.quantity()));
            return exactPnl(spec.side(), spec.entryPrice(), exit, spec.quantity()).times(Rational.of(100))
                    .dividedBy(invested).derived();
        }

        /**
         * The column a close at {@code exit} is refused for, because its rounded P&L or return does not fit
         * DECIMAL(38,18) (the P&L is derived, and checked, first); null if both fit.
         */
        String unstorableDerivedColumn(BigDecimal exit) {
            return !Decimals.storable(realizedPnl(exit)) ? "positions.realized_pnl"
                    : !Decimals.storable(returnPct(exit)) ? "positions.return_pct" : null;
        }

        static Rational exactPnl(PositionSide side, BigDecimal entry, BigDecimal exit, BigDecimal quantity) {
            Rational move = side == PositionSide.LONG ? Rational.of(exit).minus(Rational.of(entry))
                    : Rational.of(entry).minus(Rational.of(exit));
            return move.times(Rational.of(quantity));
        }

        Position expected() {
            return new Position(id, spec.symbol(), spec.side(), status, stored(spec.quantity()),
                    stored(spec.entryPrice()), spec.entryTime(), stored(stopLoss), stored(takeProfit),
                    stored(exitPrice), exitTime, exitReason, realizedPnl, returnPct, spec.strategy(),
                    stored(spec.mlConfidence()), stored(spec.sentimentScore()), createdAt, updatedAt, version);
        }
    }

    private static boolean sameValue(BigDecimal a, BigDecimal b) {
        return a == null ? b == null : b != null && a.compareTo(b) == 0;
    }
}
