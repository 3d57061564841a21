package io.tradestore.bench;

import io.tradestore.Page;
import io.tradestore.PageRequest;
import io.tradestore.Tradestore;
import io.tradestore.analytics.CachedPattern;
import io.tradestore.analytics.ExecutionEvent;
import io.tradestore.analytics.NewExecutionEvent;
import io.tradestore.internal.EpochMicros;
import io.tradestore.market.Candle;
import io.tradestore.market.SeriesInfo;
import io.tradestore.market.Timeframe;
import io.tradestore.trading.Fill;
import io.tradestore.trading.FillResult;
import io.tradestore.trading.NewFill;
import io.tradestore.trading.NewOrder;
import io.tradestore.trading.Order;
import io.tradestore.trading.OrderSide;
import io.tradestore.trading.Position;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Before every trial of {@link HotPathsBench}: each raw path returns what its DAO returns, on the trial's own copy
 * of the database, so that a raw variant that skipped work (a column, a statement, the metadata) cannot pass for a
 * fast one. Reads are compared on the same rows; writes on twin inputs, ignoring only ids, client ids and clock
 * times. Fails the trial with the first difference.
 */
final class HotPathsCheck {
    private static final String SYMBOL = HotPathsTemplate.SYMBOL;
    private static final Timeframe M1 = HotPathsTemplate.TIMEFRAME;

    private HotPathsCheck() {
    }

    static void run(Tradestore dao, RawSqlite raw, HotPathsBench.Ids ids, int series, BenchData data)
            throws SQLException {
        for (long start : new long[] {0, series / 2, series - 1_000}) {
            Instant from = EpochMicros.fromMicros(BenchData.openTime(start));
            Instant to = from.plus(Duration.ofMinutes(1_000));
            same("range at " + start, dao.read(uow -> uow.candlesticks().range(SYMBOL, M1, from, to,
                    HotPathsBench.RANGE_PAGE)), raw.read(c -> RawHotPaths.range(c, SYMBOL, M1, from, to,
                    HotPathsBench.RANGE_PAGE)));
        }
        // A window longer than the page: the next page's cursor must agree too.
        Instant from = EpochMicros.fromMicros(BenchData.openTime(1_234));
        Instant to = from.plus(Duration.ofMinutes(2_500));
        Page<Candle> first = dao.read(uow -> uow.candlesticks().range(SYMBOL, M1, from, to, HotPathsBench.RANGE_PAGE));
        same("range with a next page", first, raw.read(c -> RawHotPaths.range(c, SYMBOL, M1, from, to,
                HotPathsBench.RANGE_PAGE)));
        if (first.next() == null) {
            throw new IllegalStateException("self-check: a 2,500-minute window gave no next page");
        }
        same("second page", dao.read(uow -> uow.candlesticks().range(SYMBOL, M1, from, to, first.next())),
                raw.read(c -> RawHotPaths.range(c, SYMBOL, M1, from, to, first.next())));

        for (int i : new int[] {0, ids.positions.length / 2, ids.positions.length - 1}) {
            long id = ids.positions[i];
            Optional<Position> expected = dao.read(uow -> uow.positions().find(id));
            same("position " + id, present(expected), raw.read(c -> RawHotPaths.position(c, id)));
        }
        for (int i : new int[] {0, ids.lookupOrders.length - 1}) {
            long id = ids.lookupOrders[i];
            same("order " + id, present(dao.read(uow -> uow.orders().find(id))),
                    raw.read(c -> RawHotPaths.order(c, id)));
        }
        for (long id : new long[] {ids.daoFillOrders[0], ids.rawFillOrders[0]}) {
            same("filled order " + id, present(dao.read(uow -> uow.orders().find(id))),
                    raw.read(c -> RawHotPaths.order(c, id)));
        }
        Instant now = HotPathsBench.now();
        for (String key : new String[] {ids.patternKeys[0], ids.patternKeys[ids.patternKeys.length - 1]}) {
            Optional<CachedPattern> expected = dao.read(uow -> uow.patternCache().get(key));
            same("pattern " + key, present(expected), raw.read(c -> RawHotPaths.patternGet(c, key, now)));
        }
        same("absent pattern", dao.read(uow -> uow.patternCache().get(ids.absentKeys[0])),
                raw.read(c -> RawHotPaths.patternGet(c, ids.absentKeys[0], now)));

        // (d) twin placements
        Order daoOrder = dao.inTransaction(uow -> uow.orders().place(NewOrder.market("check-dao", SYMBOL,
                OrderSide.BUY, HotPathsBench.ORDER_QUANTITY)));
        Order rawOrder = raw.write(c -> RawHotPaths.place(c, NewOrder.market("check-raw", SYMBOL, OrderSide.BUY,
                HotPathsBench.ORDER_QUANTITY), HotPathsBench.now()));
        same("placed order", anonymous(daoOrder), anonymous(rawOrder));
        same("placed order read back", dao.read(uow -> uow.orders().find(rawOrder.id())).orElseThrow(), rawOrder);
        same("placing again", daoOrder, raw.write(c -> RawHotPaths.place(c, NewOrder.market("check-dao", SYMBOL,
                OrderSide.BUY, HotPathsBench.ORDER_QUANTITY), HotPathsBench.now())));
        Instant loggedAt = HotPathsBench.now();
        ExecutionEvent daoEvent = dao.inTransaction(uow -> uow.executionLog().record(new NewExecutionEvent(
                daoOrder.id(), "check-dao", "NEW", 850L, loggedAt, null)));
        ExecutionEvent rawEvent = raw.write(c -> RawHotPaths.record(c, new NewExecutionEvent(rawOrder.id(),
                "check-raw", "NEW", 850L, loggedAt, null)));
        same("execution event", anonymous(daoEvent), anonymous(rawEvent));

        // (f) the same fill on twin orders with the same 100 fills
        Instant filledAt = HotPathsBench.now();
        NewFill fill = NewFill.of("check-fill", new BigDecimal("0.013"), new BigDecimal("23177.31"), filledAt);
        FillResult daoFill = dao.inTransaction(uow -> uow.orders().fill(ids.daoFillOrders[0], fill));
        FillResult rawFill = raw.write(c -> RawHotPaths.fill(c, ids.rawFillOrders[0], fill, HotPathsBench.now()));
        same("fill", anonymous(daoFill), anonymous(rawFill));
        FillResult daoAgain = dao.inTransaction(uow -> uow.orders().fill(ids.daoFillOrders[0], fill));
        FillResult rawAgain = raw.write(c -> RawHotPaths.fill(c, ids.rawFillOrders[0], fill, HotPathsBench.now()));
        same("fill again (duplicate)", anonymous(daoAgain), anonymous(rawAgain));
        same("filled order read back", dao.read(uow -> uow.orders().find(ids.rawFillOrders[0])).orElseThrow(),
                rawFill.order());

        // (a) and (g): twin series, new keys, then half of them again with other values, then single candles
        candles(dao, raw, data, 0, 1_000, 0);
        candles(dao, raw, data, 10_500, 1_000, -10_000);
        candles(dao, raw, data, 20_000, 1, -18_500);
        candles(dao, raw, data, 30_000, 1, -28_500);
    }

    private static void candles(Tradestore dao, RawSqlite raw, BenchData data, long from, int n, long minuteOffset)
            throws SQLException {
        List<Candle> daoBatch = HotPathsTemplate.candles(data, "CHECKDAO", from, n, minuteOffset);
        List<Candle> rawBatch = HotPathsTemplate.candles(data, "CHECKRAW", from, n, minuteOffset);
        dao.useTransaction(uow -> uow.candlesticks().upsert(daoBatch));
        if (n == 1) {
            raw.write(c -> RawHotPaths.upsertCandle(c, rawBatch.get(0), HotPathsBench.now()));
        } else {
            raw.write(c -> RawHotPaths.upsertCandles(c, rawBatch, HotPathsBench.now()));
        }
        SeriesInfo daoSeries = dao.read(uow -> uow.candlesticks().series("CHECKDAO", M1)).orElseThrow(
                () -> new IllegalStateException("self-check: the DAO's batch left no series metadata"));
        SeriesInfo rawSeries = dao.read(uow -> uow.candlesticks().series("CHECKRAW", M1)).orElseThrow(
                () -> new IllegalStateException("self-check: the raw batch left no series metadata"));
        same("series metadata after " + n + " candles from " + from,
                List.of(daoSeries.firstOpenTime(), daoSeries.lastOpenTime(), daoSeries.candleCount()),
                List.of(rawSeries.firstOpenTime(), rawSeries.lastOpenTime(), rawSeries.candleCount()));
        Instant first = daoSeries.firstOpenTime();
        Instant end = daoSeries.lastOpenTime().plusSeconds(60);
        List<Candle> daoStored = dao.read(uow -> uow.candlesticks().range("CHECKDAO", M1, first, end,
                PageRequest.first(PageRequest.MAX_LIMIT))).items();
        List<Candle> rawStored = dao.read(uow -> uow.candlesticks().range("CHECKRAW", M1, first, end,
                PageRequest.first(PageRequest.MAX_LIMIT))).items();
        same("stored candles after " + n + " from " + from, daoStored.stream().map(HotPathsCheck::values).toList(),
                rawStored.stream().map(HotPathsCheck::values).toList());
        if (daoStored.size() != daoSeries.candleCount()) {
            throw new IllegalStateException("self-check: metadata counts " + daoSeries.candleCount() + " candles, "
                    + daoStored.size() + " stored");
        }
    }

    private static List<Object> values(Candle c) {
        return List.of(c.openTime(), c.open(), c.high(), c.low(), c.close(), c.volume());
    }

    private static <T> Optional<T> present(Optional<T> value) {
        if (value.isEmpty()) {
            throw new IllegalStateException("self-check: the DAO found nothing");
        }
        return value;
    }

    private static Order anonymous(Order o) {
        return new Order(0, "", o.positionId(), o.symbol(), o.side(), o.type(), o.status(), o.quantity(),
                o.limitPrice(), o.stopPrice(), o.filledQuantity(), o.averageFillPrice(), o.rejectReason(),
                Instant.EPOCH, Instant.EPOCH, o.lastFillAt(), o.version());
    }

    private static ExecutionEvent anonymous(ExecutionEvent e) {
        return new ExecutionEvent(0, null, "", e.event(), e.latencyMicros(), e.loggedAt(), e.details());
    }

    private static FillResult anonymous(FillResult r) {
        Fill f = r.fill();
        return new FillResult(anonymous(r.order()), new Fill(0, 0, f.tradeId(), f.quantity(), f.price(), f.fee(),
                f.feeCurrency(), f.filledAt()), r.duplicate());
    }

    private static void same(String what, Object dao, Object raw) {
        if (!Objects.equals(dao, raw)) {
            throw new IllegalStateException("self-check: " + what + " differs\n  DAO: " + dao + "\n  raw: " + raw);
        }
    }
}
