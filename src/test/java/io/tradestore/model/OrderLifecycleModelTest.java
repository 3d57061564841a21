package io.tradestore.model;

import io.tradestore.testing.Pages;

import io.tradestore.testing.Fills;

import io.tradestore.ConflictException;
import io.tradestore.ForeignKeyViolationException;
import io.tradestore.InvalidStateTransitionException;
import io.tradestore.NotFoundException;
import io.tradestore.OptimisticLockException;
import io.tradestore.UnitOfWork;
import io.tradestore.ValidationException;
import io.tradestore.model.TradingModel.ModelFill;
import io.tradestore.model.TradingModel.ModelOrder;
import io.tradestore.model.TradingModel.ModelPosition;
import io.tradestore.testing.MutableClock;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import io.tradestore.testing.Snapshot;
import io.tradestore.trading.Fill;
import io.tradestore.trading.NewOrder;
import java.util.Optional;
import io.tradestore.trading.FillResult;
import io.tradestore.trading.NewFill;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.Order;
import io.tradestore.trading.OrderDao;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.OrderStatus;
import io.tradestore.trading.OrderType;
import io.tradestore.trading.Position;
import io.tradestore.trading.PositionDao;
import io.tradestore.trading.PositionEvent;
import io.tradestore.trading.PositionEventKind;
import io.tradestore.trading.PositionSide;
import io.tradestore.trading.PositionStatus;
import io.tradestore.testing.Props.Tally;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static io.tradestore.testing.Gens.decimals;
import static io.tradestore.testing.Gens.orNull;
import static io.tradestore.testing.Gens.pick;
import static io.tradestore.testing.Gens.pickDecimals;
import static io.tradestore.testing.Gens.w;
import static io.tradestore.testing.Gens.weighted;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * Model-based property of orders, fills and positions: random chains of places (new, repeated and conflicting
 * client order ids), fills (within, exactly at and beyond the remaining quantity), cancels, rejects, position
 * opens, closes (versioned, stale, repeated, before the entry, with a P&L or return beyond the storage range), stop
 * updates, an atomic "enter" unit spanning positions, orders and fills, arguments that do not fit DECIMAL(38,18),
 * clock steps (backwards too) and window queries, each action one unit of work, run against a real SQLite store
 * and {@link TradingModel}. After every action the store's whole observable state equals the model's, decimals
 * normalized as they read back (issue 8: 1.50 is 1.5, 100 is 100, derived values rounded half-even to 18 places),
 * and every action the model predicts to fail throws exactly the documented exception (for a decimal that does not
 * fit, the documented message naming the column) and leaves every row of the file as it was (a {@link Snapshot} of
 * every table, sqlite_sequence included, decimals by their stored bytes). Query windows come in either order: a
 * reversed one must be refused (ReversedPositionWindowTest keeps the defect this once was as a regression).
 *
 * <p>Values span the new range: prices and quantities with 10 to 18 decimals, steps of one unit of the 18th decimal
 * (moves of that unit times a half quantity end exactly on a half unit: the half-even tie), values above the old
 * limit of 92 billion, up to the largest storable value, and values written with trailing zeros or an exponent.
 */
class OrderLifecycleModelTest {
    static final List<String> CLIENT_IDS = List.of("c-0", "c-1", "c-2", "c-3", "c-4", "c-5", "c-6", "c-7");
    static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT");
    /** Ids no row has: a reference that resolves to nothing uses these. */
    static final long MISSING_POSITION_ID = 900_000_000L;
    static final long MISSING_ORDER_ID = 900_000_000L;
    static final Instant END = Instant.parse("9999-12-31T23:59:59.999999Z");
    /** One unit of the 18th decimal place: the smallest step between storable values. */
    static final BigDecimal ULP = Decimals.ULP;

    /** What the chains exercised, action by outcome; logged after the property. */
    static final Tally OUTCOMES = new Tally("order lifecycle: action -> outcome");

    @EachEngine
    void ordersFillsAndPositionsFollowTheModel(TestEngine engine) {
        ModelChains.check(engine, 35, tradingChains(), () -> new TradingWorld(engine),
                TradingWorld::assertStoreMatchesModel);
        OUTCOMES.report();
    }

    /**
     * Chains of up to 40 actions. Every action's arguments are independent of the state: the orders and positions
     * it addresses are references ("the 2nd open order", "c-3", "position #1") resolved against the model when it
     * runs, so a chain that QuickTheories shrinks (shorter, with simpler actions) still means something.
     */
    static Gen<List<Step>> tradingChains() {
        Gen<Step> action = weighted(
                w(4, placeNew()),
                w(2, placeAgain()),
                w(6, fills()),
                w(2, cancels()),
                w(2, confirmCancels()),
                w(1, cancelRejections()),
                w(2, redeliveries()),
                w(1, rejects()),
                w(3, opens()),
                w(3, closes()),
                w(3, increases()),
                w(4, reductions()),
                w(1, stopUpdates()),
                w(2, enters()),
                w(1, unstorables()),
                w(2, clockMoves()),
                w(1, windows()));
        return lists().of(action).ofSizeBetween(1, 40);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The world: a store on its own database (SQLite or PostgreSQL), its clock, and the model.

    static final class TradingWorld {
        final MutableClock clock = new MutableClock(T0);
        final ModelStores.OpenStore db;
        final TradingModel model = new TradingModel();
        private int tradeIds;

        TradingWorld(TestEngine engine) {
            db = ModelStores.open(engine, clock);
        }

        /** A trade id no fill of this chain has had: the venue's execution ids are unique. */
        String nextTradeId() {
            return "T-" + (++tradeIds);
        }
        /** The store's clock; it only ever moves in whole microseconds here, so this is tx.now() exactly. */
        Instant now() {
            return clock.instant();
        }

        /** One unit of work that the model expects to succeed. */
        <T> T write(Function<UnitOfWork, T> work) {
            return db.store().inTransaction(work);
        }

        /** The unit fails with exactly {@code type} and the database file is as it was. */
        void expectFailure(String action, Class<? extends Exception> type, Consumer<UnitOfWork> work) {
            expectUnchanged(action, () -> assertThatThrownBy(() -> db.store().useTransaction(work))
                    .as("%s must fail", action)
                    .isExactlyInstanceOf(type));
            outcome(action, type.getSimpleName());
        }

        /** The unit fails with a ValidationException saying exactly {@code message}; the file is as it was. */
        void expectRefusal(String action, String message, String outcome, Consumer<UnitOfWork> work) {
            expectUnchanged(action, () -> assertThatThrownBy(() -> db.store().useTransaction(work))
                    .as("%s must be refused", action)
                    .isExactlyInstanceOf(ValidationException.class)
                    .hasMessage(message));
            outcome(action, outcome);
        }

        /** Counts what the chains exercised. */
        static void outcome(String action, String outcome) {
            int end = action.indexOf('(');
            OUTCOMES.add((end < 0 ? action : action.substring(0, end)) + " -> " + outcome);
        }

        void expectUnchanged(String action, Runnable run) {
            Snapshot before = db.snapshot();
            run.run();
            Snapshot after = db.snapshot();
            assertThat(after.differencesFrom(before)).as("%s must change nothing", action).isEmpty();
            assertThat(after).as("%s must change nothing", action).isEqualTo(before);
        }

        /** Everything the DAOs can tell about orders and positions, in one read unit, equals the model. */
        void assertStoreMatchesModel() {
            db.store().read(uow -> {
                OrderDao orders = uow.orders();
                PositionDao positions = uow.positions();
                for (ModelOrder m : model.orders.values()) {
                    Order expected = m.expected();
                    String cid = m.placed.clientOrderId();
                    assertThat(orders.find(m.id)).as("order %s by id", cid).contains(expected);
                    assertThat(orders.findByClientOrderId(cid)).as("order %s by client id", cid).contains(expected);
                    List<Fill> fills = orders.fills(m.id);
                    assertThat(fills).as("fills of %s belong to it", cid).allMatch(f -> f.orderId() == m.id);
                    assertThat(fills.stream().map(ModelFill::of).toList())
                            .as("fills of %s in time order, decimals normalized", cid).isEqualTo(m.fillsInTimeOrder());
                }
                for (String cid : CLIENT_IDS) {
                    if (!model.orders.containsKey(cid)) {
                        assertThat(orders.findByClientOrderId(cid)).as("order %s was never placed", cid).isEmpty();
                    }
                }
                for (OrderStatus s : OrderStatus.values()) {
                    assertThat(Pages.all(page ->
                            orders.byStatus(s, page))).as("byStatus(%s)", s).isEqualTo(model.byStatus(s));
                }
                assertThat(orders.listOpen()).as("open orders").isEqualTo(model.openOrders());
                for (ModelPosition p : model.positions) {
                    assertThat(positions.find(p.id)).as("position %d", p.id).contains(p.expected());
                    List<PositionEvent> events = positions.events(p.id);
                    assertThat(events.stream().map(TradingModel.ModelEvent::of).toList())
                            .as("events of position %d", p.id).isEqualTo(p.events);
                    assertThat(events).as("events of position %d belong to it, ids increasing", p.id)
                            .allMatch(e -> e.positionId() == p.id)
                            .isSortedAccordingTo(Comparator.comparingLong(PositionEvent::id));
                    // Recomputed from the events alone: realized P&L is exactly the sum of the REDUCE events.
                    List<BigDecimal> reduced = events.stream().filter(e -> e.kind() == PositionEventKind.REDUCE)
                            .map(PositionEvent::realizedPnl).toList();
                    Position stored = positions.find(p.id).orElseThrow();
                    if (reduced.isEmpty()) {
                        assertThat(stored.realizedPnl()).as("position %d was never reduced", p.id).isNull();
                    } else {
                        assertThat(stored.realizedPnl()).as("position %d: P&L = sum of its REDUCE events", p.id)
                                .isEqualByComparingTo(reduced.stream().reduce(BigDecimal.ZERO, BigDecimal::add));
                    }
                    assertThat(positions.pnl(p.id)).as("gross and net P&L of position %d", p.id)
                            .isEqualTo(model.pnl(p));
                    assertThat(orders.byPosition(p.id)).as("orders of position %d", p.id)
                            .isEqualTo(model.ordersOfPosition(p.id));
                }
                assertThat(positions.listOpen()).as("open positions").isEqualTo(model.openPositions(null));
                for (String symbol : SYMBOLS) {
                    assertThat(positions.listOpen(symbol)).as("open positions of %s", symbol)
                            .isEqualTo(model.openPositions(symbol));
                }
                assertThat(Pages.all(page -> positions.closed(Instant.EPOCH, END, page))).as("closed positions")
                        .isEqualTo(model.closedPositions(Instant.EPOCH, END));
                assertThat(positions.dailyRealizedPnl(Instant.EPOCH, END)).as("daily realized P&L")
                        .isEqualTo(model.dailyRealizedPnl(Instant.EPOCH, END));
                return null;
            });
        }

        @Override
        public String toString() {
            return "TradingWorld[" + model.orders.size() + " orders, " + model.positions.size() + " positions, now "
                    + now() + "]";
        }
    }

    /** One action: its toString is what a (shrunk) counterexample shows. */
    interface Step extends ModelChains.Step<TradingWorld> {
    }

    // ---------------------------------------------------------------------------------------------------------
    // References, resolved against the model when an action runs

    /**
     * An order: by client id ("c-3", maybe never placed), or the k-th open order ("open#k", oldest first, k taken
     * modulo their number; any order if none is open), or the k-th order placed ("order#k").
     */
    record OrderRef(String kind, int k, String clientId) {
        static OrderRef id(String clientId) {
            return new OrderRef("id", 0, clientId);
        }

        ModelOrder resolve(TradingModel m) {
            List<ModelOrder> all = List.copyOf(m.orders.values());
            List<ModelOrder> open = all.stream().filter(o -> o.status.isOpen()).toList();
            return switch (kind) {
                case "id" -> m.orders.get(clientId);
                case "open" -> !open.isEmpty() ? open.get(k % open.size()) : all.isEmpty() ? null : all.get(k % all.size());
                case "any" -> all.isEmpty() ? null : all.get(k % all.size());
                default -> throw new IllegalStateException(kind);
            };
        }

        @Override
        public String toString() {
            return switch (kind) {
                case "id" -> clientId;
                case "open" -> "open#" + k;
                default -> "order#" + k;
            };
        }
    }

    /**
     * A position: the k-th open one ("open-pos#k", in opening order, modulo their number; any position if none
     * is open), the k-th opened ("pos#k", modulo), or none at all ("no-pos", an id no row has).
     */
    record PosRef(String kind, int k) {
        ModelPosition resolve(TradingModel m) {
            List<ModelPosition> all = m.positions;
            List<ModelPosition> open = all.stream().filter(p -> p.status == PositionStatus.OPEN).toList();
            return switch (kind) {
                case "open" -> !open.isEmpty() ? open.get(k % open.size()) : all.isEmpty() ? null : all.get(k % all.size());
                case "any" -> all.isEmpty() ? null : all.get(k % all.size());
                case "none" -> null;
                default -> throw new IllegalStateException(kind);
            };
        }

        long resolveId(TradingModel m) {
            ModelPosition p = resolve(m);
            return p == null ? MISSING_POSITION_ID : p.id;
        }

        @Override
        public String toString() {
            return switch (kind) {
                case "open" -> "open-pos#" + k;
                case "any" -> "pos#" + k;
                default -> "no-pos";
            };
        }
    }

    static String describe(ModelOrder o) {
        return o == null ? "no such order" : o.placed.clientOrderId() + " " + o.status + " " + plain(o.filledQuantity())
                + "/" + plain(o.placed.quantity());
    }

    static String describe(ModelPosition p) {
        return p == null ? "no such position" : "position " + p.id + " " + p.spec.side() + " " + p.status + " v"
                + p.version + " entry " + plain(p.spec.entryPrice()) + " x " + plain(p.spec.quantity());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Orders

    /** An order request; its position (if any) is a reference, resolved when the action runs. */
    record OrderSpec(String clientId, PosRef position, String symbol, OrderSide side, OrderType type,
                     BigDecimal quantity, BigDecimal price) {
        NewOrder resolve(TradingModel m) {
            NewOrder o = switch (type) {
                case MARKET -> NewOrder.market(clientId, symbol, side, quantity);
                case LIMIT -> NewOrder.limit(clientId, symbol, side, quantity, price);
                case STOP -> NewOrder.stop(clientId, symbol, side, quantity, price);
            };
            return position == null ? o : o.forPosition(position.resolveId(m));
        }

        @Override
        public String toString() {
            return clientId + ", " + side + " " + type + " " + plain(quantity)
                    + (price == null ? "" : " @ " + plain(price)) + (position == null ? "" : ", " + position);
        }
    }

    /** Places {@code o}; the model decides: new order, the same order again, a conflict, or no such position. */
    static void place(TradingWorld w, String action, NewOrder o) {
        ModelOrder existing = w.model.orders.get(o.clientOrderId());
        if (existing != null && existing.sameParameters(o)) {
            // Idempotent: the stored order, whatever its status, and no write at all.
            w.expectUnchanged(action, () -> {
                Order again = w.db.store().inTransaction(uow -> uow.orders().place(o));
                assertThat(again).as("%s returns the stored order", action).isEqualTo(existing.expected());
            });
            TradingWorld.outcome(action, "same order again");
        } else if (existing != null) {
            w.expectFailure(action + " [" + describe(existing) + "]", ConflictException.class,
                    uow -> uow.orders().place(o));
        } else if (o.positionId() != null && w.model.positionById(o.positionId()).isEmpty()) {
            w.expectFailure(action, ForeignKeyViolationException.class, uow -> uow.orders().place(o));
        } else {
            long previousMax = w.model.maxOrderId();
            Order placed = w.write(uow -> uow.orders().place(o));
            assertThat(placed.id()).as("%s: a new order's id is new", action).isGreaterThan(previousMax);
            ModelOrder m = new ModelOrder(placed.id(), o, w.now());
            w.model.orders.put(o.clientOrderId(), m);
            assertThat(placed).as("%s returns the new order", action).isEqualTo(m.expected());
            TradingWorld.outcome(action, "new order");
        }
    }

    record Place(OrderSpec spec) implements Step {
        @Override
        public void run(TradingWorld w) {
            place(w, toString(), spec.resolve(w.model));
        }

        @Override
        public String toString() {
            return "place(" + spec + ")";
        }
    }

    /**
     * An existing order's request again: the same (maybe with its quantity at another scale, 18 places or no
     * trailing zeros at all, 1E+2 for 100: still the same) or with one parameter changed (a conflict), the quantity
     * by one unit of the 18th decimal. With no order yet, places {@code otherwise}.
     */
    record PlaceAgain(OrderRef ref, String variant, BigDecimal price, OrderSpec otherwise) implements Step {
        @Override
        public void run(TradingWorld w) {
            ModelOrder m = ref.resolve(w.model);
            if (m == null) {
                place(w, "place(" + otherwise + ")", otherwise.resolve(w.model));
                return;
            }
            NewOrder o = m.placed;
            BigDecimal q = o.quantity();
            Long pos = o.positionId();
            NewOrder again = switch (variant) {
                case "same" -> o;
                case "quantity at scale 18" -> with(o, o.side(), o.type(), q.setScale(18), o.limitPrice(),
                        o.stopPrice(), pos);
                case "quantity stripped" -> with(o, o.side(), o.type(), q.stripTrailingZeros(), o.limitPrice(),
                        o.stopPrice(), pos);
                // One unit more, or less where more would not fit (the quantity is the largest storable value).
                case "quantity+1e-18" -> with(o, o.side(), o.type(),
                        q.add(ULP).compareTo(Decimals.MAX) <= 0 ? q.add(ULP) : q.subtract(ULP), o.limitPrice(),
                        o.stopPrice(), pos);
                case "other side" -> with(o, o.side() == OrderSide.BUY ? OrderSide.SELL : OrderSide.BUY, o.type(), q,
                        o.limitPrice(), o.stopPrice(), pos);
                case "as LIMIT" -> with(o, o.side(), OrderType.LIMIT, q, price, null, pos);
                case "other position" -> with(o, o.side(), o.type(), q, o.limitPrice(), o.stopPrice(),
                        pos != null ? null : w.model.positions.isEmpty() ? MISSING_POSITION_ID
                                : w.model.positions.get(0).id);
                default -> throw new IllegalStateException(variant);
            };
            place(w, this + " [" + describe(m) + "]", again);
        }

        private static NewOrder with(NewOrder o, OrderSide side, OrderType type, BigDecimal q, BigDecimal limit,
                                     BigDecimal stop, Long positionId) {
            return new NewOrder(o.clientOrderId(), positionId, o.symbol(), side, type, q, limit, stop);
        }

        @Override
        public String toString() {
            return "placeAgain(" + ref + ", " + variant + (variant.equals("as LIMIT") ? " @ " + plain(price) : "")
                    + ")";
        }
    }

    /** How much to fill, decided against the order's remaining quantity when the action runs. */
    record FillQuantity(String kind, BigDecimal amount) {
        static FillQuantity fixed(BigDecimal q) {
            return new FillQuantity("fixed", q);
        }

        BigDecimal resolve(BigDecimal remaining) {
            return switch (kind) {
                case "fixed" -> amount;
                case "all" -> remaining.signum() > 0 ? remaining : amount;
                case "half" -> {
                    BigDecimal half = remaining.divide(BigDecimal.valueOf(2), Decimals.SCALE, RoundingMode.DOWN);
                    yield half.signum() > 0 ? half : amount;
                }
                case "all+" -> remaining.add(amount);
                default -> throw new IllegalStateException(kind);
            };
        }

        @Override
        public String toString() {
            return switch (kind) {
                case "fixed" -> plain(amount);
                case "all+" -> "remaining+" + plain(amount);
                default -> kind + " remaining";
            };
        }
    }

    /**
     * The fill price: a price, or the order's average fill price so far (100 before its first fill) plus a few
     * units of the 18th decimal, so two equal fills an odd number of units apart average exactly onto a tie (kept
     * within (0, MAX]).
     */
    record FillPrice(BigDecimal price, int ticks) {
        BigDecimal resolve(ModelOrder m) {
            if (price != null) {
                return price;
            }
            BigDecimal average = m == null || m.fills.isEmpty() ? BigDecimal.valueOf(100) : m.averageFillPrice();
            return ticked(average, ticks);
        }

        @Override
        public String toString() {
            return price != null ? plain(price) : "avg" + (ticks < 0 ? "" : "+") + ticks + "e-18";
        }
    }

    /**
     * A new execution report (a fresh trade id) for an order in any status: the venue's fills arrive in its order,
     * so one may follow our cancel request, or the venue's confirmation of it.
     */
    record FillStep(OrderRef ref, FillQuantity quantity, FillPrice fillPrice, BigDecimal fee, String feeCurrency,
                    Instant at) implements Step {
        @Override
        public void run(TradingWorld w) {
            ModelOrder m = ref.resolve(w.model);
            BigDecimal price = fillPrice.resolve(m);
            BigDecimal q = quantity.resolve(m == null ? BigDecimal.ONE : m.remaining());
            String action = this + " [" + describe(m) + ", quantity " + plain(q) + " @ " + plain(price) + "]";
            String tradeId = w.nextTradeId();
            String currency = fee.signum() == 0 ? null : feeCurrency;
            if (!Decimals.storable(q)) {
                // remaining + something beyond the largest value: the argument is refused before the order is read.
                long id = m == null ? MISSING_ORDER_ID : m.id;
                w.expectRefusal(action, "order_fills.quantity: " + Decimals.refusal(q) + " (was " + Decimals.shown(q)
                        + ")", "refused: quantity out of range",
                        uow -> uow.orders().fill(id, new NewFill(tradeId, q, price, fee, currency, at)));
                return;
            }
            NewFill report = new NewFill(tradeId, q, price, fee, currency, at);
            if (m == null) {
                w.expectFailure(toString(), NotFoundException.class,
                        uow -> uow.orders().fill(MISSING_ORDER_ID, report));
            } else {
                applyNew(w, m, report, action);
            }
        }

        /** The model's rule for a trade id the order has not seen: the oracle the DAO is held to. */
        static void applyNew(TradingWorld w, ModelOrder m, NewFill report, String action) {
            if (m.status == OrderStatus.FILLED || m.status == OrderStatus.REJECTED) {
                w.expectFailure(action, InvalidStateTransitionException.class, uow -> uow.orders().fill(m.id, report));
            } else if (report.quantity().compareTo(m.remaining()) > 0) {
                w.expectFailure(action, ValidationException.class, uow -> uow.orders().fill(m.id, report));
            } else {
                OrderStatus before = m.status;
                FillResult result = w.write(uow -> uow.orders().fill(m.id, report));
                m.fills.add(ModelFill.recorded(report));
                m.status = m.remaining().signum() == 0 ? OrderStatus.FILLED
                        : before == OrderStatus.NEW ? OrderStatus.PARTIALLY_FILLED : before;
                m.touch(w.now());
                assertThat(result.duplicate()).as("%s is a new execution", action).isFalse();
                assertThat(result.order()).as("%s returns the updated order", action).isEqualTo(m.expected());
                assertThat(ModelFill.of(result.fill())).as("%s returns the stored fill", action)
                        .isEqualTo(ModelFill.recorded(report));
                TradingWorld.outcome(action, before + " -> " + m.status.name());
            }
        }

        @Override
        public String toString() {
            return "fill(" + ref + ", " + quantity + " @ " + fillPrice
                    + (fee.signum() == 0 ? "" : ", fee " + plain(fee) + " " + feeCurrency) + ", at " + at + ")";
        }
    }

    /**
     * The venue delivers again the k-th fill it reported for an order (after a reconnect): as it was, in another
     * spelling of the same values, or altered (another quantity, price, fee, currency or time: a conflict).
     */
    record Redeliver(OrderRef ref, int k, String variant) implements Step {
        @Override
        public void run(TradingWorld w) {
            ModelOrder m = ref.resolve(w.model);
            String action = this + " [" + describe(m) + "]";
            if (m == null || m.fills.isEmpty()) {
                TradingWorld.outcome(action, "nothing to redeliver");
                return;
            }
            ModelFill f = m.fills.get(k % m.fills.size());
            NewFill report = switch (variant) {
                case "as stored" -> new NewFill(f.tradeId(), f.quantity(), f.price(), f.fee(), f.feeCurrency(),
                        f.filledAt());
                case "at scale 18" -> new NewFill(f.tradeId(), f.quantity().setScale(18), f.price().setScale(18),
                        f.fee().setScale(18), f.feeCurrency(), f.filledAt());
                case "quantity+1e-18" -> new NewFill(f.tradeId(), f.quantity().add(ULP), f.price(), f.fee(),
                        f.feeCurrency(), f.filledAt());
                case "price-1e-18" -> new NewFill(f.tradeId(), f.quantity(), f.price().subtract(ULP).signum() > 0
                        ? f.price().subtract(ULP) : f.price().add(ULP), f.fee(), f.feeCurrency(), f.filledAt());
                case "fee in BNB" -> new NewFill(f.tradeId(), f.quantity(), f.price(), f.fee().add(ULP), "BNB",
                        f.filledAt());
                case "a microsecond later" -> new NewFill(f.tradeId(), f.quantity(), f.price(), f.fee(),
                        f.feeCurrency(), f.filledAt().plus(1, ChronoUnit.MICROS));
                default -> throw new IllegalStateException(variant);
            };
            Optional<ModelFill> stored = m.fill(report.tradeId());
            assertThat(stored).as("the model knows the trade id it redelivers").isPresent();
            if (stored.get().sameExecution(report)) {
                Order before = m.expected();
                FillResult result = w.write(uow -> uow.orders().fill(m.id, report));
                assertThat(result).as("%s returns the stored fill, unchanged", action)
                        .isEqualTo(new FillResult(before, fillAsStored(w, m, f), true));
                TradingWorld.outcome(action, "duplicate");
            } else {
                w.expectFailure(action, ConflictException.class, uow -> uow.orders().fill(m.id, report));
            }
        }

        private static Fill fillAsStored(TradingWorld w, ModelOrder m, ModelFill f) {
            return w.db.store().read(uow -> uow.orders().findFill(m.id, f.tradeId())).orElseThrow();
        }

        @Override
        public String toString() {
            return "redeliver(" + ref + ", fill#" + k + ", " + variant + ")";
        }
    }

    /** Our cancel request: NEW and PARTIALLY_FILLED become PENDING_CANCEL; asking again changes nothing. */
    record Cancel(OrderRef ref) implements Step {
        @Override
        public void run(TradingWorld w) {
            ModelOrder m = ref.resolve(w.model);
            String action = this + " [" + describe(m) + "]";
            if (m == null) {
                w.expectFailure(action, NotFoundException.class, uow -> uow.orders().cancel(MISSING_ORDER_ID));
            } else if (m.status == OrderStatus.FILLED || m.status == OrderStatus.REJECTED) {
                w.expectFailure(action, InvalidStateTransitionException.class, uow -> uow.orders().cancel(m.id));
            } else if (m.status == OrderStatus.PENDING_CANCEL || m.status == OrderStatus.CANCELLED) {
                Order same = w.write(uow -> uow.orders().cancel(m.id));
                assertThat(same).as("%s changes nothing", action).isEqualTo(m.expected());
                TradingWorld.outcome(action, m.status + " unchanged");
            } else {
                Order pending = w.write(uow -> uow.orders().cancel(m.id));
                m.status = OrderStatus.PENDING_CANCEL;
                m.touch(w.now());
                assertThat(pending).as("%s returns the order awaiting the venue", action).isEqualTo(m.expected());
                TradingWorld.outcome(action, "PENDING_CANCEL");
            }
        }

        @Override
        public String toString() {
            return "cancel(" + ref + ")";
        }
    }

    /** The venue refuses our cancel request: PENDING_CANCEL works again; any other status is left as it is. */
    record CancelRejected(OrderRef ref) implements Step {
        @Override
        public void run(TradingWorld w) {
            ModelOrder m = ref.resolve(w.model);
            String action = this + " [" + describe(m) + "]";
            if (m == null) {
                w.expectFailure(action, NotFoundException.class, uow -> uow.orders().cancelRejected(MISSING_ORDER_ID));
            } else if (m.status != OrderStatus.PENDING_CANCEL) {
                Order same = w.write(uow -> uow.orders().cancelRejected(m.id));
                assertThat(same).as("%s changes nothing", action).isEqualTo(m.expected());
                TradingWorld.outcome(action, m.status + " unchanged");
            } else {
                Order working = w.write(uow -> uow.orders().cancelRejected(m.id));
                m.status = m.fills.isEmpty() ? OrderStatus.NEW : OrderStatus.PARTIALLY_FILLED;
                m.touch(w.now());
                assertThat(working).as("%s returns the working order", action).isEqualTo(m.expected());
                TradingWorld.outcome(action, "PENDING_CANCEL -> " + m.status);
            }
        }

        @Override
        public String toString() {
            return "cancelRejected(" + ref + ")";
        }
    }

    /** The venue's cancel confirmation (or its own cancel): every open status becomes CANCELLED. */
    record ConfirmCancel(OrderRef ref) implements Step {
        @Override
        public void run(TradingWorld w) {
            ModelOrder m = ref.resolve(w.model);
            String action = this + " [" + describe(m) + "]";
            if (m == null) {
                w.expectFailure(action, NotFoundException.class, uow -> uow.orders().confirmCancel(MISSING_ORDER_ID));
            } else if (m.status == OrderStatus.FILLED || m.status == OrderStatus.REJECTED) {
                w.expectFailure(action, InvalidStateTransitionException.class,
                        uow -> uow.orders().confirmCancel(m.id));
            } else if (m.status == OrderStatus.CANCELLED) {
                Order same = w.write(uow -> uow.orders().confirmCancel(m.id));
                assertThat(same).as("%s changes nothing", action).isEqualTo(m.expected());
                TradingWorld.outcome(action, "CANCELLED unchanged");
            } else {
                OrderStatus before = m.status;
                Order cancelled = w.write(uow -> uow.orders().confirmCancel(m.id));
                m.status = OrderStatus.CANCELLED;
                m.touch(w.now());
                assertThat(cancelled).as("%s returns the cancelled order", action).isEqualTo(m.expected());
                TradingWorld.outcome(action, before + " -> CANCELLED");
            }
        }

        @Override
        public String toString() {
            return "confirmCancel(" + ref + ")";
        }
    }

    record Reject(OrderRef ref, String reason) implements Step {
        @Override
        public void run(TradingWorld w) {
            ModelOrder m = ref.resolve(w.model);
            String action = this + " [" + describe(m) + "]";
            if (m == null) {
                w.expectFailure(action, NotFoundException.class, uow -> uow.orders().reject(MISSING_ORDER_ID, reason));
            } else if (!(m.status == OrderStatus.NEW
                    || (m.status == OrderStatus.PENDING_CANCEL && m.fills.isEmpty()))) {
                w.expectFailure(action, InvalidStateTransitionException.class,
                        uow -> uow.orders().reject(m.id, reason));
            } else {
                Order rejected = w.write(uow -> uow.orders().reject(m.id, reason));
                TradingWorld.outcome(action, m.status + " -> REJECTED");
                m.status = OrderStatus.REJECTED;
                m.rejectReason = reason;
                m.touch(w.now());
                assertThat(rejected).as("%s returns the rejected order", action).isEqualTo(m.expected());
            }
        }

        @Override
        public String toString() {
            return "reject(" + ref + ", \"" + reason + "\")";
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Positions

    record OpenSpec(String symbol, PositionSide side, BigDecimal quantity, BigDecimal entryPrice, Instant entryTime,
                    BigDecimal stopLoss, String strategy, String quoteCurrency) {
        NewPosition toNew() {
            return NewPosition.of(symbol, side, quantity, entryPrice, entryTime).withStopLoss(stopLoss)
                    .withStrategy(strategy).withQuoteCurrency(quoteCurrency);
        }

        @Override
        public String toString() {
            return symbol + " " + side + " " + plain(quantity) + " @ " + plain(entryPrice) + " at " + entryTime
                    + (stopLoss == null ? "" : ", sl " + plain(stopLoss))
                    + (strategy == null ? "" : ", " + strategy)
                    + (quoteCurrency == null ? "" : ", quote " + quoteCurrency);
        }
    }

    record Open(OpenSpec spec) implements Step {
        @Override
        public void run(TradingWorld w) {
            NewPosition p = spec.toNew();
            long previousMax = w.model.maxPositionId();
            Position opened = w.write(uow -> uow.positions().open(p));
            assertThat(opened.id()).as("%s: a new position's id is new", this).isGreaterThan(previousMax);
            ModelPosition m = new ModelPosition(opened.id(), p, w.now());
            w.model.positions.add(m);
            assertThat(opened).as("%s returns the new position", this).isEqualTo(m.expected());
            TradingWorld.outcome(toString(), "OPEN");
        }

        @Override
        public String toString() {
            return "open(" + spec + ")";
        }
    }

    enum VersionMode { NONE, CURRENT, STALE }

    /** The exit price: a price, or the entry price plus a few units of the 18th decimal (rounding ties). */
    record ExitPrice(BigDecimal price, int ticks) {
        BigDecimal resolve(BigDecimal entry) {
            if (price != null) {
                return price;
            }
            return ticked(entry, ticks);
        }

        @Override
        public String toString() {
            return price != null ? plain(price) : "entry" + (ticks < 0 ? "" : "+") + ticks + "e-18";
        }
    }

    /** The exit time relative to the position's entry time, resolved when the action runs. */
    record ExitTime(String kind, Duration offset, int days) {
        Instant resolve(Instant entry) {
            Instant midnight = entry.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(days));
            return switch (kind) {
                case "entry" -> entry.plus(offset);
                case "midnight" -> midnight.plus(offset);
                default -> throw new IllegalStateException(kind);
            };
        }

        @Override
        public String toString() {
            String off = offset.isZero() ? "" : signed(offset);
            return kind.equals("entry") ? "entry" + off : "midnight+" + days + "d" + off;
        }
    }

    record Close(PosRef ref, ExitPrice exitPrice, ExitTime exit, String reason, VersionMode mode)
            implements Step {
        @Override
        public void run(TradingWorld w) {
            ModelPosition m = ref.resolve(w.model);
            if (m == null) {
                Instant at = exit.resolve(T0);
                BigDecimal price = exitPrice.resolve(BigDecimal.ONE);
                w.expectFailure(this + " [no such position]", NotFoundException.class,
                        uow -> close(uow, MISSING_POSITION_ID, price, at, 0));
                return;
            }
            Instant at = exit.resolve(m.spec.entryTime());
            BigDecimal price = exitPrice.resolve(m.entryPrice);
            long version = mode == VersionMode.STALE ? (m.version == 0 ? 1 : m.version - 1) : m.version;
            String action = this + " [" + describe(m) + ", exit " + plain(price) + " at " + at + "]";
            if (m.status == PositionStatus.CLOSED) {
                w.expectFailure(action, InvalidStateTransitionException.class,
                        uow -> close(uow, m.id, price, at, version));
            } else if (at.isBefore(m.spec.entryTime())) {
                w.expectFailure(action, ValidationException.class, uow -> close(uow, m.id, price, at, version));
            } else if (m.unstorableDerivedColumn(price) != null) {
                // Refused, never rounded into range: the message names the derived column and its rounded value.
                String column = m.unstorableDerivedColumn(price);
                BigDecimal value = column.equals("positions.realized_pnl") ? m.realizedPnl(price) : m.returnPct(price);
                w.expectRefusal(action + " [" + column + " " + value.toPlainString() + "]",
                        column + ": " + Decimals.DERIVED_OUT_OF_RANGE + " (was "
                                + Decimals.shown(value.setScale(Decimals.SCALE)) + ")",
                        "refused: " + column + " out of range", uow -> close(uow, m.id, price, at, version));
            } else if (mode == VersionMode.STALE) {
                w.expectFailure(action, OptimisticLockException.class, uow -> close(uow, m.id, price, at, version));
            } else {
                Position closed = w.write(uow -> close(uow, m.id, price, at, version));
                m.close(price, at, reason, w.now());
                assertThat(closed).as("%s returns the closed position", action).isEqualTo(m.expected());
                TradingWorld.outcome(action, "CLOSED");
            }
        }

        private Position close(UnitOfWork uow, long id, BigDecimal price, Instant at, long version) {
            return mode == VersionMode.NONE
                    ? uow.positions().close(id, price, at, reason)
                    : uow.positions().close(id, price, at, reason, version);
        }

        @Override
        public String toString() {
            return "close(" + ref + " @ " + exitPrice + ", at " + exit
                    + (reason == null ? "" : ", \"" + reason + "\"")
                    + (mode == VersionMode.NONE ? "" : ", " + mode.name().toLowerCase() + " version") + ")";
        }
    }

    /** The quantity of a reduction, resolved against the open quantity when it runs. */
    record ReduceQuantity(String kind, BigDecimal fixed) {
        BigDecimal resolve(BigDecimal open) {
            return switch (kind) {
                case "fixed" -> fixed;
                case "half" -> open.divide(BigDecimal.valueOf(2), Decimals.SCALE, RoundingMode.DOWN).max(ULP);
                case "all" -> open;
                case "all+" -> open.add(ULP);
                default -> throw new IllegalStateException(kind);
            };
        }

        @Override
        public String toString() {
            return kind.equals("fixed") ? plain(fixed) : kind;
        }
    }

    /** Scale in: NotFound, CLOSED, before the entry, a total quantity that does not fit, or the new average. */
    record Increase(PosRef ref, BigDecimal quantity, ExitPrice price, ExitTime time) implements Step {
        @Override
        public void run(TradingWorld w) {
            ModelPosition m = ref.resolve(w.model);
            if (m == null) {
                w.expectFailure(this + " [no such position]", NotFoundException.class, uow -> uow.positions()
                        .increase(MISSING_POSITION_ID, quantity, price.resolve(BigDecimal.ONE), time.resolve(T0)));
                return;
            }
            BigDecimal p = price.resolve(m.entryPrice);
            Instant at = time.resolve(m.spec.entryTime());
            String action = this + " [" + describe(m) + ", " + plain(quantity) + " @ " + plain(p) + " at " + at + "]";
            Consumer<UnitOfWork> unit = uow -> uow.positions().increase(m.id, quantity, p, at);
            if (m.status == PositionStatus.CLOSED) {
                w.expectFailure(action, InvalidStateTransitionException.class, unit);
            } else if (at.isBefore(m.spec.entryTime())) {
                w.expectFailure(action, ValidationException.class, unit);
            } else if (!Decimals.storable(m.quantity.add(quantity))) {
                w.expectFailure(action + " [positions.quantity out of range]", ValidationException.class, unit);
            } else {
                Position increased = w.write(uow -> uow.positions().increase(m.id, quantity, p, at));
                m.increase(quantity, p, at, w.now());
                assertThat(increased).as("%s returns the increased position", action).isEqualTo(m.expected());
                TradingWorld.outcome(action, "increased");
            }
        }

        @Override
        public String toString() {
            return "increase(" + ref + " by " + plain(quantity) + " @ " + price + ", at " + time + ")";
        }
    }

    /**
     * Scale out: NotFound, CLOSED, before the entry, more than is open, a P&L or return that does not fit, or the
     * realized part (the position CLOSED when it was all that was open).
     */
    record Reduce(PosRef ref, ReduceQuantity portion, ExitPrice exitPrice, ExitTime exit, String reason)
            implements Step {
        @Override
        public void run(TradingWorld w) {
            ModelPosition m = ref.resolve(w.model);
            if (m == null) {
                w.expectFailure(this + " [no such position]", NotFoundException.class, uow -> uow.positions()
                        .reduce(MISSING_POSITION_ID, portion.resolve(BigDecimal.ONE), exitPrice.resolve(BigDecimal.ONE),
                                exit.resolve(T0), reason));
                return;
            }
            BigDecimal q = portion.resolve(m.openQuantity.signum() > 0 ? m.openQuantity : m.quantity);
            BigDecimal price = exitPrice.resolve(m.entryPrice);
            Instant at = exit.resolve(m.spec.entryTime());
            String action = this + " [" + describe(m) + ", " + plain(q) + " @ " + plain(price) + " at " + at + "]";
            Consumer<UnitOfWork> unit = uow -> uow.positions().reduce(m.id, q, price, at, reason);
            if (!Decimals.storable(q)) {
                // one unit more than the largest storable quantity: refused as an argument, before any read
                w.expectFailure(action + " [quantity out of range]", ValidationException.class, unit);
            } else if (m.status == PositionStatus.CLOSED) {
                w.expectFailure(action, InvalidStateTransitionException.class, unit);
            } else if (at.isBefore(m.spec.entryTime())) {
                w.expectFailure(action, ValidationException.class, unit);
            } else if (q.compareTo(m.openQuantity) > 0) {
                w.expectRefusal(action, "position_events.quantity: must not exceed the open quantity "
                        + plain(m.openQuantity) + " of position " + m.id + " (" + plain(m.quantity) + " entered) (was "
                        + Decimals.shown(q) + ")", "refused: more than is open", unit);
            } else if (m.unstorableDerivedColumn(q, price) != null) {
                w.expectFailure(action + " [" + m.unstorableDerivedColumn(q, price) + " out of range]",
                        ValidationException.class, unit);
            } else {
                Position reduced = w.write(uow -> uow.positions().reduce(m.id, q, price, at, reason));
                m.reduce(q, price, at, reason, w.now());
                assertThat(reduced).as("%s returns the reduced position", action).isEqualTo(m.expected());
                TradingWorld.outcome(action, m.status == PositionStatus.CLOSED ? "CLOSED" : "reduced");
            }
        }

        @Override
        public String toString() {
            return "reduce(" + ref + " by " + portion + " @ " + exitPrice + ", at " + exit
                    + (reason == null ? "" : ", \"" + reason + "\"") + ")";
        }
    }

    record Stops(PosRef ref, BigDecimal stopLoss, BigDecimal takeProfit, boolean stale) implements Step {
        @Override
        public void run(TradingWorld w) {
            ModelPosition m = ref.resolve(w.model);
            String action = this + " [" + describe(m) + "]";
            if (m == null) {
                w.expectFailure(action, NotFoundException.class, uow -> uow.positions()
                        .updateStops(MISSING_POSITION_ID, stopLoss, takeProfit, 0));
                return;
            }
            long version = stale ? m.version + 1 : m.version;
            if (m.status == PositionStatus.CLOSED) {
                w.expectFailure(action, InvalidStateTransitionException.class,
                        uow -> uow.positions().updateStops(m.id, stopLoss, takeProfit, version));
            } else if (stale) {
                w.expectFailure(action, OptimisticLockException.class,
                        uow -> uow.positions().updateStops(m.id, stopLoss, takeProfit, version));
            } else {
                Position updated = w.write(uow -> uow.positions().updateStops(m.id, stopLoss, takeProfit, version));
                m.stopLoss = stopLoss;
                m.takeProfit = takeProfit;
                m.touch(w.now());
                assertThat(updated).as("%s returns the updated position", action).isEqualTo(m.expected());
                TradingWorld.outcome(action, "updated");
            }
        }

        @Override
        public String toString() {
            return "updateStops(" + ref + ", sl " + (stopLoss == null ? "-" : plain(stopLoss)) + ", tp "
                    + (takeProfit == null ? "-" : plain(takeProfit)) + (stale ? ", stale version" : "") + ")";
        }
    }

    /**
     * One unit across positions, orders and fills: open a position, place a market order for it and fill it in
     * two halves, at the entry price and at {@code fillPrice} (two equal fills: their average is a rounding tie
     * whenever the prices differ by an odd number of units of the 18th decimal). A taken client id (a conflict:
     * the new position makes the parameters differ) or an overfill of the second half makes the unit fail, and
     * then nothing of it may remain, the position included.
     */
    record Enter(OpenSpec spec, String clientId, BigDecimal fillPrice, boolean overfill) implements Step {
        @Override
        public void run(TradingWorld w) {
            NewPosition p = spec.toNew();
            OrderSide side = spec.side() == PositionSide.LONG ? OrderSide.BUY : OrderSide.SELL;
            BigDecimal firstQty = spec.quantity().divide(BigDecimal.valueOf(2), Decimals.SCALE, RoundingMode.DOWN);
            BigDecimal secondQty = spec.quantity().subtract(firstQty).add(overfill ? ULP : BigDecimal.ZERO);
            Instant now = w.now();
            NewFill first = firstQty.signum() > 0 ? NewFill.of(w.nextTradeId(), firstQty, spec.entryPrice(), now) : null;
            NewFill second = NewFill.of(w.nextTradeId(), secondQty, fillPrice, now);
            Function<UnitOfWork, Order> unit = uow -> {
                Position opened = uow.positions().open(p);
                Order placed = uow.orders().place(NewOrder.market(clientId, spec.symbol(), side, spec.quantity())
                        .forPosition(opened.id()));
                if (firstQty.signum() > 0) {
                    uow.orders().fill(placed.id(), first);
                }
                return uow.orders().fill(placed.id(), second).order();
            };
            if (w.model.orders.containsKey(clientId)) {
                w.expectFailure(toString(), ConflictException.class, unit::apply);
            } else if (overfill) {
                w.expectFailure(toString(), ValidationException.class, unit::apply);
            } else {
                long previousMaxPosition = w.model.maxPositionId();
                long previousMaxOrder = w.model.maxOrderId();
                Order filled = w.write(unit);
                assertThat(filled.positionId()).as("the order's position is new").isGreaterThan(previousMaxPosition);
                assertThat(filled.id()).as("a new order's id is new").isGreaterThan(previousMaxOrder);
                ModelPosition position = new ModelPosition(filled.positionId(), p, now);
                w.model.positions.add(position);
                ModelOrder m = new ModelOrder(filled.id(), NewOrder.market(clientId, spec.symbol(), side,
                        spec.quantity()).forPosition(position.id), now);
                if (firstQty.signum() > 0) {
                    m.fills.add(ModelFill.recorded(first));
                    m.touch(now);
                }
                m.fills.add(ModelFill.recorded(second));
                m.status = OrderStatus.FILLED;
                m.touch(now);
                w.model.orders.put(clientId, m);
                assertThat(filled).as("%s returns the filled order", this).isEqualTo(m.expected());
                TradingWorld.outcome(toString(), "committed");
            }
        }

        @Override
        public String toString() {
            return "enter(" + spec + "; market " + clientId + ", fill half @ entry, "
                    + (overfill ? "half+1e-18" : "half") + " @ " + plain(fillPrice) + ")";
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Decimals that do not fit

    /**
     * One argument that does not fit DECIMAL(38,18) (more than 18 decimal places, or magnitude 10^20 or more),
     * every other argument valid: refused with a ValidationException naming the column and the rule, never
     * rounded into range, whatever state the order or position is in, and nothing is written. The unit builds the
     * request itself (NewOrder and NewPosition check on construction), so the refusal happens inside it.
     */
    record Unstorable(String column, BigDecimal value, OrderRef order, PosRef position) implements Step {
        static final List<String> COLUMNS = List.of("orders.quantity", "orders.limit_price", "order_fills.quantity",
                "order_fills.price", "order_fills.fee", "positions.quantity", "positions.entry_price",
                "positions.stop_loss", "positions.exit_price", "positions.take_profit");

        @Override
        public void run(TradingWorld w) {
            ModelOrder o = order.resolve(w.model);
            long orderId = o == null ? MISSING_ORDER_ID : o.id;
            long positionId = position.resolveId(w.model);
            BigDecimal one = BigDecimal.ONE;
            Consumer<UnitOfWork> unit = switch (column) {
                case "orders.quantity" -> uow -> uow.orders().place(NewOrder.market("c-x", "BTCUSDT", OrderSide.BUY,
                        value));
                case "orders.limit_price" -> uow -> uow.orders().place(NewOrder.limit("c-x", "BTCUSDT", OrderSide.BUY,
                        one, value));
                case "order_fills.quantity" -> uow -> uow.orders().fill(orderId, Fills.of(value, one, BigDecimal.ZERO, T0)).order();
                case "order_fills.price" -> uow -> uow.orders().fill(orderId, Fills.of(ULP, value, BigDecimal.ZERO, T0)).order();
                case "order_fills.fee" -> uow -> uow.orders().fill(orderId, Fills.of(ULP, one, value, T0)).order();
                case "positions.quantity" -> uow -> uow.positions().open(NewPosition.of("BTCUSDT",
                        PositionSide.LONG, value, one, T0));
                case "positions.entry_price" -> uow -> uow.positions().open(NewPosition.of("BTCUSDT",
                        PositionSide.LONG, one, value, T0));
                case "positions.stop_loss" -> uow -> uow.positions().open(NewPosition.of("BTCUSDT",
                        PositionSide.LONG, one, one, T0).withStopLoss(value));
                case "positions.exit_price" -> uow -> uow.positions().close(positionId, value, T0.plusSeconds(1),
                        null);
                case "positions.take_profit" -> uow -> uow.positions().updateStops(positionId, null, value, 0);
                default -> throw new IllegalStateException(column);
            };
            String rule = Decimals.refusal(value);
            assertThat(rule).as("%s: the pool holds only unstorable values", this).isNotNull();
            String target = column.startsWith("order_fills.") ? describe(o)
                    : column.equals("positions.exit_price") || column.equals("positions.take_profit")
                    ? describe(position.resolve(w.model)) : "a new row";
            w.expectRefusal(this + " [" + target + "]", column + ": " + rule + " (was " + Decimals.shown(value) + ")",
                    rule.equals(Decimals.OUT_OF_RANGE) ? "refused: 10^20 or more" : "refused: more than 18 places",
                    unit);
        }

        @Override
        public String toString() {
            return "unstorable(" + column + " = " + value + ")";
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Clock and queries

    record Tick(Duration by) implements Step {
        @Override
        public void run(TradingWorld w) {
            w.clock.advance(by);
        }

        @Override
        public String toString() {
            return "clock" + signed(by);
        }
    }

    /**
     * closed(from, to) and dailyRealizedPnl(from, to) for a window [from, to) with midnight-ish boundaries; a
     * reversed window (to before from) is refused with a ValidationException, never answered with nothing.
     */
    record Window(Instant from, Instant to) implements Step {
        @Override
        public void run(TradingWorld w) {
            if (to.isBefore(from)) {
                for (Function<UnitOfWork, Object> query : List.<Function<UnitOfWork, Object>>of(
                        uow -> Pages.all(page -> uow.positions().closed(from, to, page)),
                        uow -> uow.positions().dailyRealizedPnl(from, to))) {
                    assertThatThrownBy(() -> w.db.store().read(query)).as("%s must be refused", this)
                            .isExactlyInstanceOf(ValidationException.class)
                            .hasMessageStartingWith("to: must not be before from");
                }
                TradingWorld.outcome("window(", "refused: reversed");
                return;
            }
            w.db.store().read(uow -> {
                assertThat(Pages.all(page -> uow.positions().closed(from, to, page))).as("%s: closed", this)
                        .isEqualTo(w.model.closedPositions(from, to));
                assertThat(uow.positions().dailyRealizedPnl(from, to)).as("%s: daily realized P&L", this)
                        .isEqualTo(w.model.dailyRealizedPnl(from, to));
                return null;
            });
            TradingWorld.outcome("window(", "answered");
        }

        @Override
        public String toString() {
            return "query[" + from + ", " + to + ")";
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Actions: small pools, so that client ids collide, times tie and P&L lands on rounding ties.

    static Gen<Place> placeNew() {
        return orderSpecs().map(Place::new);
    }

    static Gen<PlaceAgain> placeAgain() {
        Gen<String> variant = weighted(
                w(3, pick("same")),
                w(2, pick("quantity at scale 18", "quantity stripped")),
                w(1, pick("quantity+1e-18", "other side", "as LIMIT", "other position")));
        Gen<OrderRef> ref = orderRefs("any");
        Gen<BigDecimal> price = prices();
        Gen<OrderSpec> otherwise = orderSpecs();
        return in -> new PlaceAgain(ref.generate(in), variant.generate(in), price.generate(in), otherwise.generate(in));
    }

    static Gen<FillStep> fills() {
        Gen<FillQuantity> quantity = weighted(
                w(3, quantities().map(FillQuantity::fixed)),
                w(3, pick(new FillQuantity("all", BigDecimal.ONE))),
                w(2, pick(new FillQuantity("half", ULP))),
                w(2, pick(ULP, new BigDecimal("0.5"), BigDecimal.ONE).map(d -> new FillQuantity("all+", d))));
        Gen<BigDecimal> fee = weighted(
                w(3, pick(BigDecimal.ZERO)),
                w(1, decimals("0", "1", 18)),
                w(1, pickDecimals("0.0000000001", "0.000000000000000001", "12.340000000000000000")));
        Gen<FillPrice> price = weighted(
                w(1, prices().map(p -> new FillPrice(p, 0))),
                w(1, integers().between(-3, 3).map(t -> new FillPrice(null, t))));
        // Mostly open orders; one in four any order, so late fills meet PENDING_CANCEL and CANCELLED orders.
        Gen<OrderRef> ref = weighted(w(3, orderRefs("open")), w(1, orderRefs("any")));
        Gen<String> currency = pick("USDT", "USDT", "BNB");
        Gen<Instant> at = fillTimes();
        return in -> new FillStep(ref.generate(in), quantity.generate(in), price.generate(in), fee.generate(in),
                currency.generate(in), at.generate(in));
    }

    static Gen<Cancel> cancels() {
        return weighted(w(3, orderRefs("open")), w(1, orderRefs("any"))).map(Cancel::new);
    }

    static Gen<CancelRejected> cancelRejections() {
        return weighted(w(3, orderRefs("open")), w(1, orderRefs("any"))).map(CancelRejected::new);
    }

    static Gen<ConfirmCancel> confirmCancels() {
        return weighted(w(3, orderRefs("open")), w(1, orderRefs("any"))).map(ConfirmCancel::new);
    }

    static Gen<Redeliver> redeliveries() {
        Gen<String> variant = weighted(
                w(3, pick("as stored", "at scale 18")),
                w(1, pick("quantity+1e-18", "price-1e-18", "fee in BNB", "a microsecond later")));
        return orderRefs("any").zip(integers().between(0, 3), variant, Redeliver::new);
    }

    static Gen<Reject> rejects() {
        return orderRefs("open").zip(pick("insufficient margin", "price out of band"), Reject::new);
    }

    static Gen<Open> opens() {
        return openSpecs().map(Open::new);
    }

    static Gen<Close> closes() {
        Gen<ExitPrice> exitPrice = weighted(
                w(2, prices().map(p -> new ExitPrice(p, 0))),
                w(2, integers().between(-3, 3).map(t -> new ExitPrice(null, t))));
        Gen<ExitTime> exit = weighted(
                w(4, durations(Duration.ZERO, Duration.ofDays(3)).map(d -> new ExitTime("entry", d, 0))),
                w(1, pick(new ExitTime("entry", Duration.ZERO, 0))),
                w(1, pick(Duration.of(-1, ChronoUnit.MICROS), Duration.ofHours(-1))
                        .map(d -> new ExitTime("entry", d, 0))),
                w(2, integers().between(1, 3).zip(pick(Duration.ZERO, Duration.of(-1, ChronoUnit.MICROS)),
                        (days, off) -> new ExitTime("midnight", off, days))));
        Gen<VersionMode> mode = weighted(
                w(5, pick(VersionMode.NONE)), w(3, pick(VersionMode.CURRENT)), w(1, pick(VersionMode.STALE)));
        Gen<PosRef> ref = posRefs();
        Gen<String> reason = orNull(pick("take profit", "stop hit"), 30);
        return in -> new Close(ref.generate(in), exitPrice.generate(in), exit.generate(in), reason.generate(in),
                mode.generate(in));
    }

    static Gen<Increase> increases() {
        Gen<ExitPrice> price = weighted(
                w(2, prices().map(p -> new ExitPrice(p, 0))),
                w(2, integers().between(-3, 3).map(t -> new ExitPrice(null, t))));
        Gen<ExitTime> at = weighted(
                w(5, durations(Duration.ZERO, Duration.ofDays(2)).map(d -> new ExitTime("entry", d, 0))),
                w(1, pick(Duration.of(-1, ChronoUnit.MICROS)).map(d -> new ExitTime("entry", d, 0))));
        return posRefs().zip(quantities(), price, at, Increase::new);
    }

    static Gen<Reduce> reductions() {
        Gen<ReduceQuantity> portion = weighted(
                w(3, quantities().map(q -> new ReduceQuantity("fixed", q))),
                w(3, pick(new ReduceQuantity("half", null))),
                w(1, pick(new ReduceQuantity("all", null))),
                w(1, pick(new ReduceQuantity("all+", null))));
        Gen<ExitPrice> exitPrice = weighted(
                w(2, prices().map(p -> new ExitPrice(p, 0))),
                w(2, integers().between(-3, 3).map(t -> new ExitPrice(null, t))));
        Gen<ExitTime> exit = weighted(
                w(4, durations(Duration.ZERO, Duration.ofDays(3)).map(d -> new ExitTime("entry", d, 0))),
                w(1, pick(Duration.of(-1, ChronoUnit.MICROS)).map(d -> new ExitTime("entry", d, 0))),
                w(2, integers().between(1, 3).zip(pick(Duration.ZERO, Duration.of(-1, ChronoUnit.MICROS)),
                        (days, off) -> new ExitTime("midnight", off, days))));
        Gen<PosRef> ref = posRefs();
        Gen<String> reason = orNull(pick("scale out", "trim"), 50);
        return in -> new Reduce(ref.generate(in), portion.generate(in), exitPrice.generate(in), exit.generate(in),
                reason.generate(in));
    }

    static Gen<Stops> stopUpdates() {
        Gen<BigDecimal> level = orNull(prices(), 30);
        return posRefs().zip(level, level, pick(false, false, false, true), Stops::new);
    }

    static Gen<Enter> enters() {
        return openSpecs().zip(pick(CLIENT_IDS.toArray(String[]::new)), prices(), pick(false, false, false, true),
                Enter::new);
    }

    /**
     * Values a decimal column must refuse: 19 decimal places (one that half-even would round up to exactly 10^20,
     * one that rounds to 0), 10^20 written three ways, and more than 10^20 with a fraction.
     */
    static Gen<Unstorable> unstorables() {
        Gen<BigDecimal> value = pickDecimals("100.0000000000000000001", "0.0000000000000000001",
                "99999999999999999999.9999999999999999995", "12.3456789012345678901", "100000000000000000000",
                "1E+20", "100000000000000000000.000000000000000000", "123456789012345678901.5");
        return pick(Unstorable.COLUMNS.toArray(String[]::new)).zip(value, orderRefs("any"), posRefs(),
                Unstorable::new);
    }

    static Gen<Tick> clockMoves() {
        return weighted(
                w(1, pick(Duration.of(1, ChronoUnit.MICROS))),
                w(4, durations(Duration.ofSeconds(1), Duration.ofHours(6))),
                w(1, durations(Duration.ofHours(1), Duration.ofHours(2)).map(Duration::negated))
        ).map(Tick::new);
    }

    static Gen<Window> windows() {
        Gen<Instant> boundary = integers().between(-1, 4).zip(pick(Duration.ZERO, Duration.ZERO,
                        Duration.of(1, ChronoUnit.MICROS), Duration.of(-1, ChronoUnit.MICROS), Duration.ofHours(7)),
                (days, off) -> T0.plus(Duration.ofDays(days)).plus(off));
        // Mostly in order; one in five as drawn, which is reversed about half the time.
        return boundary.zip(boundary, pick(false, false, false, false, true),
                (a, b, asDrawn) -> asDrawn || !a.isAfter(b) ? new Window(a, b) : new Window(b, a));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Values

    /** Mostly "the k-th open (or, for {@code kind} any, placed) order", sometimes a client id of the pool. */
    static Gen<OrderRef> orderRefs(String kind) {
        return weighted(
                w(5, pick(0, 0, 0, 0, 1, 1, 2, 3).map(k -> new OrderRef(kind, k, null))),
                w(1, pick(CLIENT_IDS.toArray(String[]::new)).map(OrderRef::id)));
    }

    /** Mostly an open position, sometimes any opened one, rarely none. */
    static Gen<PosRef> posRefs() {
        return weighted(
                w(6, integers().between(0, 3).map(k -> new PosRef("open", k))),
                w(2, integers().between(0, 5).map(k -> new PosRef("any", k))),
                w(1, pick(new PosRef("none", 0))));
    }

    /**
     * Prices: a pool around 100 with 1e-18 steps (so moves of 1e-18 times a half quantity end exactly on a half
     * unit of the 18th decimal: the half-even tie), entries like 200, 40 and 8 (where a 1e-18 move is a return of
     * 5e-19, 2.5e-18 or 1.25e-17 percent: ties again), 100000000000 (where a move of 2.5e-9 is a return of 2.5e-18
     * percent), 10-decimal prices above the old limit of 92 billion, the smallest and the largest storable price
     * (between them a P&L or return can reach 10^20: the close is refused), values written with trailing zeros or
     * an exponent, plus random prices of scale 2, 10 and 18.
     */
    static Gen<BigDecimal> prices() {
        return weighted(
                w(6, pickDecimals("100", "100.000000000000000001", "99.999999999999999999", "100.000000000000000003",
                        "101.25", "100.5", "0.000000000000000001", "250.123456789012345679", "200", "40", "8",
                        "100.000000000000000000000", "1E+2")),
                w(2, pickDecimals("100000000000", "100000000000.0000000025", "92233720368.5477580800",
                        "123456789012.3456789012", "99999999999999999999.999999999999999999",
                        "12345678901234567890.123456789012345678")),
                w(1, decimals("0.01", "1000", 2)),
                w(1, decimals("0.0000000001", "200000000000", 10)),
                w(1, decimals("0.000000000000000001", "1000", 18)));
    }

    /**
     * Quantities: halves and quarters (rounding ties), the smallest unit, 10- and 18-decimal ones, one above 92
     * billion and the largest storable, trailing zeros and an exponent, and random ones of scale 3, 10 and 18.
     */
    static Gen<BigDecimal> quantities() {
        return weighted(
                w(5, pickDecimals("0.5", "1", "1.5", "2.5", "0.25", "0.125", "3", "0.000000000000000001", "1.50",
                        "0.0000000001", "0.333333333333333333", "1.500000000000000000000", "1E+2")),
                w(1, pickDecimals("123456789012.3456789012", "99999999999999999999.999999999999999999")),
                w(1, decimals("0.001", "10", 3)),
                w(1, decimals("0.0000000001", "10", 10)),
                w(1, decimals("0.000000000000000001", "10", 18)));
    }

    /** Fill times on a one-minute grid around T0 (ties are common, some precede the orders), or with micros. */
    static Gen<Instant> fillTimes() {
        return weighted(
                w(3, integers().between(-30, 30).map(m -> T0.plus(Duration.ofMinutes(m)))),
                w(1, durations(Duration.ofHours(-1), Duration.ofDays(2)).map(d -> T0.plus(d))));
    }

    /** Whole microseconds in [min, max]. */
    static Gen<Duration> durations(Duration min, Duration max) {
        long lo = min.toNanos() / 1_000;
        long hi = max.toNanos() / 1_000;
        return longs().between(lo, hi).map(us -> Duration.of(us, ChronoUnit.MICROS));
    }

    static Gen<OrderSpec> orderSpecs() {
        Gen<PosRef> position = weighted(
                w(6, pick((PosRef) null)),
                w(3, integers().between(0, 5).map(k -> new PosRef("any", k))),
                w(1, pick(new PosRef("none", 0))));
        Gen<String> cid = pick(CLIENT_IDS.toArray(String[]::new));
        Gen<String> symbol = pick(SYMBOLS.toArray(String[]::new));
        Gen<OrderSide> side = pick(OrderSide.values());
        Gen<OrderType> type = pick(OrderType.values());
        Gen<BigDecimal> quantity = quantities();
        Gen<BigDecimal> price = prices();
        return in -> {
            OrderType t = type.generate(in);
            return new OrderSpec(cid.generate(in), position.generate(in), symbol.generate(in), side.generate(in), t,
                    quantity.generate(in), t == OrderType.MARKET ? null : price.generate(in));
        };
    }

    static Gen<OpenSpec> openSpecs() {
        Gen<Instant> entry = weighted(
                w(3, integers().between(0, 4 * 48).map(q -> T0.plus(Duration.ofMinutes(15L * q)))),
                w(1, durations(Duration.ZERO, Duration.ofDays(2)).map(d -> T0.plus(d))));
        Gen<String> symbol = pick(SYMBOLS.toArray(String[]::new));
        Gen<PositionSide> side = pick(PositionSide.values());
        Gen<BigDecimal> quantity = quantities();
        Gen<BigDecimal> price = prices();
        Gen<BigDecimal> stopLoss = orNull(prices(), 60);
        Gen<String> strategy = orNull(pick("ma-cross"), 50);
        Gen<String> quote = orNull(pick("USDT", "USDT", "BNB"), 30);
        return in -> new OpenSpec(symbol.generate(in), side.generate(in), quantity.generate(in), price.generate(in),
                entry.generate(in), stopLoss.generate(in), strategy.generate(in), quote.generate(in));
    }

    /** {@code base} plus {@code ticks} units of the 18th decimal, kept within [1e-18, MAX] (a storable price). */
    static BigDecimal ticked(BigDecimal base, int ticks) {
        BigDecimal p = base.add(ULP.multiply(BigDecimal.valueOf(ticks)));
        return p.signum() <= 0 ? ULP : p.min(Decimals.MAX);
    }

    static String plain(BigDecimal d) {
        return d.stripTrailingZeros().toPlainString();
    }

    /** "+1h2m3.000004s", "-1µs"-style: readable in action descriptions. */
    static String signed(Duration d) {
        String abs = d.abs().toString().substring(2).toLowerCase();
        return (d.isNegative() ? "-" : "+") + abs;
    }
}
