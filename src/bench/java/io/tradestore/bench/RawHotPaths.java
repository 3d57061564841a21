package io.tradestore.bench;

import io.tradestore.ConflictException;
import io.tradestore.InvalidStateTransitionException;
import io.tradestore.Json;
import io.tradestore.NotFoundException;
import io.tradestore.OptimisticLockException;
import io.tradestore.Page;
import io.tradestore.PageRequest;
import io.tradestore.ValidationException;
import io.tradestore.analytics.CachedPattern;
import io.tradestore.analytics.ExecutionEvent;
import io.tradestore.analytics.NewExecutionEvent;
import io.tradestore.internal.Decimal18;
import io.tradestore.internal.EpochMicros;
import io.tradestore.market.Candle;
import io.tradestore.market.Timeframe;
import io.tradestore.trading.Fill;
import io.tradestore.trading.FillResult;
import io.tradestore.trading.NewFill;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.Order;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.OrderStatus;
import io.tradestore.trading.OrderType;
import io.tradestore.trading.Position;
import io.tradestore.trading.PositionSide;
import io.tradestore.trading.PositionStatus;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The hot paths of the DAOs written by hand against sqlite-jdbc, for {@link HotPathsBench}: the same rows read
 * and written, the same decisions in Java (idempotent placement, duplicate fills, the exact average fill price, the
 * metadata of a candle series), and the same result records the DAOs return, built the way their {@code map}
 * methods build them (decimals through {@link Decimal18#decode}, timestamps as epoch microseconds through
 * {@link EpochMicros}). What a hand-written layer does differently, and only that: statements prepared once per
 * connection ({@link RawSqlite.Conn#prepared}) with bind parameters, native {@code RETURNING} for inserts, and one
 * JDBC batch of a one-row statement for a batch of candles.
 *
 * <p>Every method runs inside a unit of {@link RawSqlite} and is given its connection.
 */
public final class RawHotPaths {
    private RawHotPaths() {
    }

    // -------------------------------------------------------------------------------------------------- candles

    private static final String CANDLE_INSERT = "INSERT INTO candlesticks (symbol, timeframe, open_time, open, high,"
            + " low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String CANDLE_INSERT_NEW = CANDLE_INSERT
            + " ON CONFLICT (symbol, timeframe, open_time) DO NOTHING";
    private static final String CANDLE_REPLACE = CANDLE_INSERT + " ON CONFLICT (symbol, timeframe, open_time) DO"
            + " UPDATE SET open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close,"
            + " volume = excluded.volume";
    /** CandlestickDao.growMetadata, a batch that added candles: the statement jOOQ renders, with the same binds. */
    private static final String METADATA_GROW = "INSERT INTO candlestick_metadata (symbol, timeframe,"
            + " first_open_time, last_open_time, candle_count, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (symbol, timeframe) DO UPDATE SET"
            + " first_open_time = min(candlestick_metadata.first_open_time, excluded.first_open_time),"
            + " last_open_time = max(candlestick_metadata.last_open_time, excluded.last_open_time),"
            + " candle_count = (candlestick_metadata.candle_count + excluded.candle_count),"
            + " updated_at = excluded.updated_at";
    /** CandlestickDao.growMetadata, a batch of stored keys only. */
    private static final String METADATA_TOUCH = "UPDATE candlestick_metadata SET"
            + " first_open_time = min(candlestick_metadata.first_open_time, ?),"
            + " last_open_time = max(candlestick_metadata.last_open_time, ?), updated_at = ?"
            + " WHERE candlestick_metadata.symbol = ? AND candlestick_metadata.timeframe = ?";
    private static final String CANDLE_RANGE = "SELECT open_time, open, high, low, close, volume FROM candlesticks"
            + " WHERE symbol = ? AND timeframe = ? AND open_time >= ? AND open_time < ? ORDER BY open_time LIMIT ?";
    private static final String CANDLE_RANGE_AFTER = "SELECT open_time, open, high, low, close, volume"
            + " FROM candlesticks WHERE symbol = ? AND timeframe = ? AND open_time >= ? AND open_time > ?"
            + " AND open_time < ? ORDER BY open_time LIMIT ?";

    /**
     * CandlestickDao.upsert for a batch of one series, as a JDBC batch of one prepared one-row statement: every
     * candle is first offered with {@code ON CONFLICT DO NOTHING}, whose per-row counts say which keys were new; only
     * the rows that met a stored key are written again with {@code DO UPDATE} (the DAO rewrites whole 500-row
     * chunks); then the series' metadata grows by the new rows, in the statement the DAO uses. The DAO's checks that
     * no key repeats are not repeated here: a batch of one prepared statement lets the last copy win, deterministically.
     */
    public static int upsertCandles(RawSqlite.Conn c, List<Candle> candles, Instant now) throws SQLException {
        if (candles.isEmpty()) {
            return 0;
        }
        String symbol = candles.get(0).symbol();
        Timeframe timeframe = candles.get(0).timeframe();
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        PreparedStatement insert = c.prepared(CANDLE_INSERT_NEW);
        for (Candle k : candles) {
            if (!k.symbol().equals(symbol) || k.timeframe() != timeframe) {
                throw new IllegalArgumentException("one series per batch in this benchmark");
            }
            long t = EpochMicros.toMicros("candlesticks.open_time", k.openTime());
            first = Math.min(first, t);
            last = Math.max(last, t);
            bindCandle(insert, k, t);
            insert.addBatch();
        }
        int[] counts = insert.executeBatch();
        long added = 0;
        PreparedStatement replace = null;
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                added += counts[i];
            } else {
                if (replace == null) {
                    replace = c.prepared(CANDLE_REPLACE);
                }
                Candle k = candles.get(i);
                bindCandle(replace, k, EpochMicros.toMicros("candlesticks.open_time", k.openTime()));
                replace.addBatch();
            }
        }
        if (replace != null) {
            replace.executeBatch();
        }
        growMetadata(c, symbol, timeframe, first, last, added, now);
        return candles.size();
    }

    /** CandlestickDao.upsert of one candle, the live-feed case: one-row statements, no batch. */
    public static int upsertCandle(RawSqlite.Conn c, Candle k, Instant now) throws SQLException {
        long t = EpochMicros.toMicros("candlesticks.open_time", k.openTime());
        PreparedStatement insert = c.prepared(CANDLE_INSERT_NEW);
        bindCandle(insert, k, t);
        int added = insert.executeUpdate();
        if (added == 0) {
            PreparedStatement replace = c.prepared(CANDLE_REPLACE);
            bindCandle(replace, k, t);
            replace.executeUpdate();
        }
        growMetadata(c, k.symbol(), k.timeframe(), t, t, added, now);
        return 1;
    }

    private static void bindCandle(PreparedStatement ps, Candle k, long openTime) throws SQLException {
        ps.setString(1, k.symbol());
        ps.setString(2, k.timeframe().code());
        ps.setLong(3, openTime);
        ps.setBytes(4, Decimal18.encode(k.open()));
        ps.setBytes(5, Decimal18.encode(k.high()));
        ps.setBytes(6, Decimal18.encode(k.low()));
        ps.setBytes(7, Decimal18.encode(k.close()));
        ps.setBytes(8, Decimal18.encode(k.volume()));
    }

    private static void growMetadata(RawSqlite.Conn c, String symbol, Timeframe timeframe, long first, long last,
                                     long added, Instant now) throws SQLException {
        long updatedAt = EpochMicros.toMicros("candlestick_metadata.updated_at", now);
        if (added == 0) {
            PreparedStatement ps = c.prepared(METADATA_TOUCH);
            ps.setLong(1, first);
            ps.setLong(2, last);
            ps.setLong(3, updatedAt);
            ps.setString(4, symbol);
            ps.setString(5, timeframe.code());
            ps.executeUpdate();
            return;
        }
        PreparedStatement ps = c.prepared(METADATA_GROW);
        ps.setString(1, symbol);
        ps.setString(2, timeframe.code());
        ps.setLong(3, first);
        ps.setLong(4, last);
        ps.setLong(5, added);
        ps.setLong(6, updatedAt);
        ps.executeUpdate();
    }

    /** CandlestickDao.range: the page's rows plus one, to know whether another page follows (Keyset.fetchSize). */
    public static Page<Candle> range(RawSqlite.Conn c, String symbol, Timeframe timeframe, Instant from, Instant to,
                                     PageRequest page) throws SQLException {
        PreparedStatement ps;
        if (page.isFirst()) {
            ps = c.prepared(CANDLE_RANGE);
            ps.setString(1, symbol);
            ps.setString(2, timeframe.code());
            ps.setLong(3, EpochMicros.toMicros("from", from));
            ps.setLong(4, EpochMicros.toMicros("to", to));
            ps.setInt(5, page.limit() + 1);
        } else {
            ps = c.prepared(CANDLE_RANGE_AFTER);
            ps.setString(1, symbol);
            ps.setString(2, timeframe.code());
            ps.setLong(3, EpochMicros.toMicros("from", from));
            ps.setLong(4, EpochMicros.toMicros("page.afterTime", page.afterTime()));
            ps.setLong(5, EpochMicros.toMicros("to", to));
            ps.setInt(6, page.limit() + 1);
        }
        List<Candle> rows = new ArrayList<>(page.limit() + 1);
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(new Candle(symbol, timeframe, EpochMicros.fromMicros(rs.getLong(1)),
                        Decimal18.decode(rs.getBytes(2)), Decimal18.decode(rs.getBytes(3)),
                        Decimal18.decode(rs.getBytes(4)), Decimal18.decode(rs.getBytes(5)),
                        Decimal18.decode(rs.getBytes(6))));
            }
        }
        if (rows.size() <= page.limit()) {
            return new Page<>(rows, null);
        }
        List<Candle> items = rows.subList(0, page.limit());
        return new Page<>(items, PageRequest.after(items.get(items.size() - 1).openTime(), 0, page.limit()));
    }

    // ------------------------------------------------------------------------------------------------ positions

    private static final String POSITION_COLUMNS = "id, symbol, side, status, quantity, open_quantity, entry_price,"
            + " entry_time, stop_loss, take_profit, exit_price, exit_time, exit_reason, realized_pnl, return_pct,"
            + " strategy, ml_confidence, sentiment_score, quote_currency, created_at, updated_at, version";
    private static final String POSITION_BY_ID = "SELECT " + POSITION_COLUMNS + " FROM positions WHERE id = ?";

    /** PositionDao.find in a read unit. */
    public static Optional<Position> position(RawSqlite.Conn c, long id) throws SQLException {
        PreparedStatement ps = c.prepared(POSITION_BY_ID);
        ps.setLong(1, id);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(position(rs)) : Optional.empty();
        }
    }

    private static Position position(ResultSet rs) throws SQLException {
        return new Position(rs.getLong(1), rs.getString(2), PositionSide.valueOf(rs.getString(3)),
                PositionStatus.valueOf(rs.getString(4)), decimal(rs, 5), decimal(rs, 6), decimal(rs, 7),
                instant(rs, 8), decimal(rs, 9), decimal(rs, 10), decimal(rs, 11), instant(rs, 12), rs.getString(13),
                decimal(rs, 14), decimal(rs, 15), rs.getString(16), decimal(rs, 17), decimal(rs, 18),
                rs.getString(19), instant(rs, 20), instant(rs, 21), rs.getLong(22));
    }

    // --------------------------------------------------------------------------------------------------- orders

    private static final String ORDER_COLUMNS = "id, client_order_id, position_id, symbol, side, order_type, status,"
            + " quantity, limit_price, stop_price, filled_quantity, average_fill_price, reject_reason, created_at,"
            + " updated_at, last_fill_at, version";
    private static final String ORDER_BY_ID = "SELECT " + ORDER_COLUMNS + " FROM orders WHERE id = ?";
    private static final String ORDER_BY_CLIENT_ID = "SELECT " + ORDER_COLUMNS + " FROM orders"
            + " WHERE client_order_id = ?";
    private static final String ORDER_INSERT = "INSERT INTO orders (client_order_id, position_id, symbol, side,"
            + " order_type, status, quantity, limit_price, stop_price, filled_quantity, created_at, updated_at,"
            + " version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING " + ORDER_COLUMNS;
    private static final String ORDER_FILL_UPDATE = "UPDATE orders SET status = ?, filled_quantity = ?,"
            + " average_fill_price = ?, last_fill_at = ?, updated_at = ?, version = ? WHERE id = ? AND version = ?"
            + " RETURNING " + ORDER_COLUMNS;
    private static final String FILL_COLUMNS = "id, order_id, trade_id, quantity, price, fee, fee_currency, filled_at";
    private static final String FILL_BY_TRADE_ID = "SELECT " + FILL_COLUMNS + " FROM order_fills"
            + " WHERE order_id = ? AND trade_id = ?";
    private static final String FILL_AMOUNTS = "SELECT quantity, price FROM order_fills WHERE order_id = ?";
    private static final String FILL_INSERT = "INSERT INTO order_fills (order_id, trade_id, quantity, price, fee,"
            + " fee_currency, filled_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING " + FILL_COLUMNS;

    /** OrderDao.find in a read unit. */
    public static Optional<Order> order(RawSqlite.Conn c, long id) throws SQLException {
        PreparedStatement ps = c.prepared(ORDER_BY_ID);
        ps.setLong(1, id);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(order(rs)) : Optional.empty();
        }
    }

    /**
     * OrderDao.place on SQLite: the order stored under the client order id if there is one (the same, or a
     * conflict), else the new order, read back by the insert itself.
     */
    public static Order place(RawSqlite.Conn c, NewOrder o, Instant now) throws SQLException {
        PreparedStatement find = c.prepared(ORDER_BY_CLIENT_ID);
        find.setString(1, o.clientOrderId());
        try (ResultSet rs = find.executeQuery()) {
            if (rs.next()) {
                Order existing = order(rs);
                if (!sameParameters(existing, o)) {
                    throw new ConflictException("client order id \"" + o.clientOrderId() + "\" is already used by"
                            + " order " + existing.id() + " with different parameters", "23505", null);
                }
                return existing;
            }
        }
        long micros = EpochMicros.toMicros("orders.created_at", now);
        PreparedStatement ps = c.prepared(ORDER_INSERT);
        ps.setString(1, o.clientOrderId());
        setLong(ps, 2, o.positionId());
        ps.setString(3, o.symbol());
        ps.setString(4, o.side().name());
        ps.setString(5, o.type().name());
        ps.setString(6, OrderStatus.NEW.name());
        setDecimal(ps, 7, o.quantity());
        setDecimal(ps, 8, o.limitPrice());
        setDecimal(ps, 9, o.stopPrice());
        setDecimal(ps, 10, BigDecimal.ZERO);
        ps.setLong(11, micros);
        ps.setLong(12, micros);
        ps.setLong(13, 0L);
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return order(rs);
        }
    }

    private static boolean sameParameters(Order stored, NewOrder o) {
        return java.util.Objects.equals(stored.positionId(), o.positionId()) && stored.symbol().equals(o.symbol())
                && stored.side() == o.side() && stored.type() == o.type() && sameValue(stored.quantity(), o.quantity())
                && sameValue(stored.limitPrice(), o.limitPrice()) && sameValue(stored.stopPrice(), o.stopPrice());
    }

    /**
     * OrderDao.fill on SQLite, statement for statement except the last (native RETURNING): the order, the fill stored
     * under the trade id if any (a duplicate report returns it), every stored fill's quantity and price for the exact
     * average, the conditional update of the order returning it, the new fill returning itself.
     */
    public static FillResult fill(RawSqlite.Conn c, long orderId, NewFill fill, Instant now) throws SQLException {
        PreparedStatement load = c.prepared(ORDER_BY_ID);
        load.setLong(1, orderId);
        Order order;
        try (ResultSet rs = load.executeQuery()) {
            if (!rs.next()) {
                throw new NotFoundException("no order with id " + orderId);
            }
            order = order(rs);
        }
        PreparedStatement byTradeId = c.prepared(FILL_BY_TRADE_ID);
        byTradeId.setLong(1, orderId);
        byTradeId.setString(2, fill.tradeId());
        try (ResultSet rs = byTradeId.executeQuery()) {
            if (rs.next()) {
                Fill stored = fill(rs);
                if (!sameValue(stored.quantity(), fill.quantity()) || !sameValue(stored.price(), fill.price())
                        || !sameValue(stored.fee(), fill.fee())
                        || !java.util.Objects.equals(stored.feeCurrency(), fill.feeCurrency())
                        || !stored.filledAt().equals(fill.filledAt())) {
                    throw new ConflictException("trade id \"" + fill.tradeId() + "\" of order \""
                            + order.clientOrderId() + "\" is already recorded as fill " + stored.id()
                            + " with different values", "23505", null);
                }
                return new FillResult(order, stored, true);
            }
        }
        if (!order.status().acceptsFills()) {
            throw new InvalidStateTransitionException("cannot fill order " + order.clientOrderId() + ": it is "
                    + order.status() + " (trade id \"" + fill.tradeId() + "\")");
        }
        BigDecimal remaining = Decimal18.normalize(order.quantity().subtract(order.filledQuantity()));
        if (fill.quantity().compareTo(remaining) > 0) {
            throw new ValidationException("order_fills.quantity", "must not exceed the remaining quantity "
                    + remaining.toPlainString(), fill.quantity());
        }
        BigDecimal filled = order.filledQuantity().add(fill.quantity());
        OrderStatus target = filled.compareTo(order.quantity()) == 0 ? OrderStatus.FILLED
                : order.status() == OrderStatus.NEW ? OrderStatus.PARTIALLY_FILLED : order.status();
        Instant lastFillAt = order.lastFillAt() == null || fill.filledAt().isAfter(order.lastFillAt())
                ? fill.filledAt() : order.lastFillAt();

        BigDecimal notional = fill.quantity().multiply(fill.price());
        BigDecimal total = fill.quantity();
        PreparedStatement amounts = c.prepared(FILL_AMOUNTS);
        amounts.setLong(1, orderId);
        try (ResultSet rs = amounts.executeQuery()) {
            while (rs.next()) {
                BigDecimal q = Decimal18.decode(rs.getBytes(1));
                notional = notional.add(q.multiply(Decimal18.decode(rs.getBytes(2))));
                total = total.add(q);
            }
        }
        BigDecimal average = Decimal18.rounded("orders.average_fill_price",
                notional.divide(total, Decimal18.SCALE, RoundingMode.HALF_EVEN));

        Instant updatedAt = now.isBefore(order.updatedAt()) ? order.updatedAt() : now;
        PreparedStatement update = c.prepared(ORDER_FILL_UPDATE);
        update.setString(1, target.name());
        setDecimal(update, 2, filled);
        setDecimal(update, 3, average);
        update.setLong(4, EpochMicros.toMicros("orders.last_fill_at", lastFillAt));
        update.setLong(5, EpochMicros.toMicros("orders.updated_at", updatedAt));
        update.setLong(6, order.version() + 1);
        update.setLong(7, orderId);
        update.setLong(8, order.version());
        Order updated;
        try (ResultSet rs = update.executeQuery()) {
            if (!rs.next()) {
                throw new OptimisticLockException("order \"" + order.clientOrderId() + "\" changed while this unit"
                        + " of work was updating it");
            }
            updated = order(rs);
        }
        PreparedStatement insert = c.prepared(FILL_INSERT);
        insert.setLong(1, orderId);
        insert.setString(2, fill.tradeId());
        setDecimal(insert, 3, fill.quantity());
        setDecimal(insert, 4, fill.price());
        setDecimal(insert, 5, fill.fee());
        insert.setString(6, fill.feeCurrency());
        insert.setLong(7, EpochMicros.toMicros("order_fills.filled_at", fill.filledAt()));
        try (ResultSet rs = insert.executeQuery()) {
            rs.next();
            return new FillResult(updated, fill(rs), false);
        }
    }

    private static Order order(ResultSet rs) throws SQLException {
        return new Order(rs.getLong(1), rs.getString(2), nullableLong(rs, 3), rs.getString(4),
                OrderSide.valueOf(rs.getString(5)), OrderType.valueOf(rs.getString(6)),
                OrderStatus.valueOf(rs.getString(7)), decimal(rs, 8), decimal(rs, 9), decimal(rs, 10),
                decimal(rs, 11), decimal(rs, 12), rs.getString(13), instant(rs, 14), instant(rs, 15),
                instant(rs, 16), rs.getLong(17));
    }

    private static Fill fill(ResultSet rs) throws SQLException {
        return new Fill(rs.getLong(1), rs.getLong(2), rs.getString(3), decimal(rs, 4), decimal(rs, 5),
                decimal(rs, 6), rs.getString(7), instant(rs, 8));
    }

    // -------------------------------------------------------------------------------------------- execution log

    private static final String EVENT_COLUMNS = "id, order_id, client_order_id, event, latency_micros, logged_at,"
            + " details";
    private static final String EVENT_INSERT = "INSERT INTO trade_execution_log (order_id, client_order_id, event,"
            + " latency_micros, logged_at, details) VALUES (?, ?, ?, ?, ?, ?) RETURNING " + EVENT_COLUMNS;

    /** ExecutionLogDao.record. */
    public static ExecutionEvent record(RawSqlite.Conn c, NewExecutionEvent e) throws SQLException {
        PreparedStatement ps = c.prepared(EVENT_INSERT);
        setLong(ps, 1, e.orderId());
        ps.setString(2, e.clientOrderId());
        ps.setString(3, e.event());
        setLong(ps, 4, e.latencyMicros());
        ps.setLong(5, EpochMicros.toMicros("trade_execution_log.logged_at", e.loggedAt()));
        ps.setString(6, e.details() == null ? null : e.details().text());
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            String details = rs.getString(7);
            return new ExecutionEvent(rs.getLong(1), nullableLong(rs, 2), rs.getString(3), rs.getString(4),
                    nullableLong(rs, 5), instant(rs, 6), details == null ? null : new Json(details));
        }
    }

    // -------------------------------------------------------------------------------------------- pattern cache

    private static final String PATTERN_GET = "SELECT id, cache_key, symbol, timeframe, pattern_type, confidence,"
            + " payload, detected_at, expires_at FROM pattern_cache WHERE cache_key = ? AND expires_at > ?";

    /**
     * PatternCacheDao.get: the unexpired entry by the store's clock. The payload is re-validated as JSON, as the
     * DAO's converter does: {@link Json} has no unchecked constructor, so the same record costs the same here.
     */
    public static Optional<CachedPattern> patternGet(RawSqlite.Conn c, String cacheKey, Instant now)
            throws SQLException {
        PreparedStatement ps = c.prepared(PATTERN_GET);
        ps.setString(1, cacheKey);
        ps.setLong(2, EpochMicros.toMicros("now", now));
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new CachedPattern(rs.getLong(1), rs.getString(2), rs.getString(3),
                    Timeframe.fromCode(rs.getString(4)), rs.getString(5), decimal(rs, 6), new Json(rs.getString(7)),
                    instant(rs, 8), instant(rs, 9)));
        }
    }

    // ------------------------------------------------------------------------------------------------- columns

    private static BigDecimal decimal(ResultSet rs, int index) throws SQLException {
        byte[] b = rs.getBytes(index);
        return b == null ? null : Decimal18.decode(b);
    }

    private static Instant instant(ResultSet rs, int index) throws SQLException {
        long v = rs.getLong(index);
        return rs.wasNull() ? null : EpochMicros.fromMicros(v);
    }

    private static Long nullableLong(ResultSet rs, int index) throws SQLException {
        long v = rs.getLong(index);
        return rs.wasNull() ? null : v;
    }

    private static void setDecimal(PreparedStatement ps, int index, BigDecimal v) throws SQLException {
        if (v == null) {
            ps.setNull(index, Types.BLOB);
        } else {
            ps.setBytes(index, Decimal18.encode(v));
        }
    }

    private static void setLong(PreparedStatement ps, int index, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, v);
        }
    }

    private static boolean sameValue(BigDecimal a, BigDecimal b) {
        return a == null ? b == null : b != null && a.compareTo(b) == 0;
    }
}
