package io.tradestore.model;

import io.tradestore.testing.Pages;

import io.tradestore.ValidationException;
import io.tradestore.market.Candle;
import io.tradestore.market.CandlestickDao;
import io.tradestore.market.SeriesInfo;
import io.tradestore.market.Timeframe;
import io.tradestore.testing.MutableClock;
import io.tradestore.testing.TestEngine;
import io.tradestore.testing.TestEngine.EachEngine;
import io.tradestore.testing.Snapshot;
import io.tradestore.testing.Props.Tally;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

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
 * Model-based property of candle upserts and series metadata: random batches (two symbols, two timeframes, open
 * times on the grid of a window of a few candles, so most writes overwrite; empty batches; now and then a bulk
 * batch of about {@value #CHUNK} candles, around the DAO's chunk size) and refused batches (a key twice, a null
 * element), interleaved with clock moves and range/latest/series queries, run against a real SQLite store and a
 * map (symbol, timeframe, openTime) -> candle where the last write wins. After every action every series' candles,
 * latest candles and metadata (first/last open time, count, updated_at of the last batch touching it) equal the
 * model, and a refused batch changes nothing. Prices and volumes span the new decimal range (issue 8): up to 18
 * places, above the old limit of 92 billion, up to the largest storable value, written with trailing zeros; a
 * {@link Candle} is normalized on construction, so the records compare as the numbers they are.
 */
class CandleUpsertModelTest {
    static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT");
    static final List<Timeframe> TIMEFRAMES = List.of(Timeframe.M1, Timeframe.M5);
    /** Grid points per series in the window most batches write to. */
    static final int WINDOW = 8;
    /** CandlestickDao.CHUNK_SIZE (package-private there): bulk batches straddle it. */
    static final int CHUNK = 500;
    static final Instant END = Instant.parse("9999-12-31T23:59:59.999999Z");

    static final Tally BATCHES = new Tally("candle upserts: batches");
    static final Tally BULK = new Tally("candle upserts: bulk batches against the chunk size");

    @EachEngine
    void candleUpsertsFollowTheModel(TestEngine engine) {
        ModelChains.check(engine, 30, candleChains(), () -> new CandleWorld(engine),
                CandleWorld::assertStoreMatchesModel);
        BATCHES.report();
        BULK.report();
    }

    static Gen<List<Step>> candleChains() {
        Gen<Step> action = weighted(
                w(8, batches().map(Upsert::new)),
                w(1, bulkBatches()),
                w(2, refusedBatches()),
                w(2, clockMoves()),
                w(2, rangeQueries()),
                w(1, latestQueries()));
        return lists().of(action).ofSizeBetween(1, 25);
    }

    interface Step extends ModelChains.Step<CandleWorld> {
    }

    record SeriesKey(String symbol, Timeframe timeframe) {
    }

    static final class CandleWorld {
        final MutableClock clock = new MutableClock(T0);
        final ModelStores.OpenStore db;
        /** Per series: open time -> the candle last written there. */
        final Map<SeriesKey, TreeMap<Instant, Candle>> candles = new HashMap<>();
        /** Per series: the store's clock when a batch last touched it (SeriesInfo.updatedAt). */
        final Map<SeriesKey, Instant> touchedAt = new HashMap<>();

        CandleWorld(TestEngine engine) {
            db = ModelStores.open(engine, clock);
        }

        Instant now() {
            return clock.instant();
        }

        TreeMap<Instant, Candle> series(String symbol, Timeframe tf) {
            return candles.getOrDefault(new SeriesKey(symbol, tf), new TreeMap<>());
        }

        /** Applies a batch the model expects to be accepted: each candle replaces what its key held. */
        void apply(List<Candle> batch) {
            for (Candle c : batch) {
                SeriesKey key = new SeriesKey(c.symbol(), c.timeframe());
                candles.computeIfAbsent(key, k -> new TreeMap<>()).put(c.openTime(), c);
                touchedAt.put(key, now());
            }
        }

        Optional<SeriesInfo> expectedInfo(String symbol, Timeframe tf) {
            TreeMap<Instant, Candle> s = series(symbol, tf);
            return s.isEmpty() ? Optional.empty() : Optional.of(new SeriesInfo(symbol, tf, s.firstKey(), s.lastKey(),
                    s.size(), touchedAt.get(new SeriesKey(symbol, tf))));
        }

        List<Candle> expectedRange(String symbol, Timeframe tf, Instant from, Instant to) {
            return List.copyOf(series(symbol, tf).subMap(from, true, to, false).values());
        }

        List<Candle> expectedLatest(String symbol, Timeframe tf, int n) {
            List<Candle> all = List.copyOf(series(symbol, tf).values());
            return all.subList(Math.max(0, all.size() - n), all.size());
        }

        /** Every series with candles, by symbol, then timeframe duration. */
        List<SeriesInfo> expectedAllSeries() {
            return candles.keySet().stream()
                    .sorted(Comparator.comparing(SeriesKey::symbol)
                            .thenComparing(k -> k.timeframe().duration()))
                    .map(k -> expectedInfo(k.symbol(), k.timeframe()).orElseThrow())
                    .toList();
        }

        void assertStoreMatchesModel() {
            db.store().read(uow -> {
                CandlestickDao dao = uow.candlesticks();
                for (String symbol : SYMBOLS) {
                    for (Timeframe tf : TIMEFRAMES) {
                        assertThat(dao.series(symbol, tf)).as("series(%s, %s)", symbol, tf)
                                .isEqualTo(expectedInfo(symbol, tf));
                        assertThat(Pages.all(page ->
                                dao.range(symbol, tf, Instant.EPOCH, END, page))).as("all candles of %s %s", symbol, tf)
                                .isEqualTo(expectedRange(symbol, tf, Instant.EPOCH, END));
                        assertThat(dao.latest(symbol, tf, 3)).as("latest(%s, %s, 3)", symbol, tf)
                                .isEqualTo(expectedLatest(symbol, tf, 3));
                    }
                }
                assertThat(dao.series()).as("series()").isEqualTo(expectedAllSeries());
                return null;
            });
        }

        @Override
        public String toString() {
            return "CandleWorld[" + candles.values().stream().mapToInt(Map::size).sum() + " candles in "
                    + candles.size() + " series, now " + now() + "]";
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Actions

    record Upsert(List<Candle> batch) implements Step {
        @Override
        public void run(CandleWorld w) {
            long overwrites = batch.stream()
                    .filter(c -> w.series(c.symbol(), c.timeframe()).containsKey(c.openTime())).count();
            int written = w.db.store().inTransaction(uow -> uow.candlesticks().upsert(batch));
            assertThat(written).as("%s returns the batch size", this).isEqualTo(batch.size());
            w.apply(batch);
            BATCHES.add(batch.isEmpty() ? "empty"
                    : overwrites == 0 ? "only new keys" : overwrites == batch.size() ? "only overwrites" : "mixed");
        }

        @Override
        public String toString() {
            return "upsert" + batch.stream().map(CandleUpsertModelTest::show).collect(Collectors.joining(", ", "[", "]"));
        }
    }

    /**
     * {@code size} consecutive 1m candles of one symbol from {@code start} grid points after T0 (overlapping the
     * small window), values derived from their index: a batch around the chunk size of 500.
     */
    record Bulk(String symbol, int start, int size, BigDecimal base) implements Step {
        List<Candle> batch() {
            List<Candle> out = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                BigDecimal low = base.add(BigDecimal.valueOf(i % 7, 2));
                out.add(new Candle(symbol, Timeframe.M1, T0.plus(Duration.ofMinutes(start + i)), low.add(BigDecimal.ONE),
                        low.add(BigDecimal.TEN), low, low.add(BigDecimal.valueOf(i % 3)), BigDecimal.valueOf(i, 3)));
            }
            return out;
        }

        @Override
        public void run(CandleWorld w) {
            new Upsert(batch()).run(w);
            BULK.add(size < CHUNK ? "< chunk" : size == CHUNK ? "= chunk" : "> chunk");
        }

        @Override
        public String toString() {
            return "upsertBulk(" + size + " x " + symbol + " 1m from +" + start + "m, lows from " + base.toPlainString()
                    + ")";
        }
    }

    /** A batch with a key twice (or a null element): refused before any SQL, nothing written. */
    record Refused(List<Candle> batch, String why) implements Step {
        @Override
        public void run(CandleWorld w) {
            Snapshot before = w.db.snapshot();
            assertThatThrownBy(() -> w.db.store().inTransaction(uow -> uow.candlesticks().upsert(batch)))
                    .as("%s must be refused", this).isExactlyInstanceOf(ValidationException.class);
            assertThat(w.db.snapshot()).as("%s must change nothing", this).isEqualTo(before);
        }

        @Override
        public String toString() {
            return "upsert" + batch.stream().map(c -> c == null ? "null" : show(c))
                    .collect(Collectors.joining(", ", "[", "]")) + " /* " + why + " */";
        }
    }

    record Tick(Duration by) implements Step {
        @Override
        public void run(CandleWorld w) {
            w.clock.advance(by);
        }

        @Override
        public String toString() {
            return "clock" + (by.isNegative() ? "-" : "+") + by.abs().toString().substring(2).toLowerCase();
        }
    }

    /** range(symbol, tf, from, to) for grid-relative bounds (on the grid, or 1s off it); reversed is refused. */
    record Range(String symbol, Timeframe tf, Instant from, Instant to) implements Step {
        @Override
        public void run(CandleWorld w) {
            if (to.isBefore(from)) {
                assertThatThrownBy(() -> w.db.store().read(uow -> Pages.all(page ->
                        uow.candlesticks().range(symbol, tf, from, to, page))))
                        .as("%s: a reversed window is refused", this).isExactlyInstanceOf(ValidationException.class);
                return;
            }
            List<Candle> got = w.db.store().read(uow -> Pages.all(page ->
                    uow.candlesticks().range(symbol, tf, from, to, page)));
            assertThat(got).as("%s", this).isEqualTo(w.expectedRange(symbol, tf, from, to));
        }

        @Override
        public String toString() {
            return "range(" + symbol + ", " + tf + ", " + offset(from) + ", " + offset(to) + ")";
        }
    }

    record Latest(String symbol, Timeframe tf, int n) implements Step {
        @Override
        public void run(CandleWorld w) {
            if (n < 1) {
                assertThatThrownBy(() -> w.db.store().read(uow -> uow.candlesticks().latest(symbol, tf, n)))
                        .as("%s is refused", this).isExactlyInstanceOf(ValidationException.class);
                return;
            }
            List<Candle> got = w.db.store().read(uow -> uow.candlesticks().latest(symbol, tf, n));
            assertThat(got).as("%s", this).isEqualTo(w.expectedLatest(symbol, tf, n));
        }

        @Override
        public String toString() {
            return "latest(" + symbol + ", " + tf + ", " + n + ")";
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Generators

    /**
     * A candle at grid point k (0 .. WINDOW-1) of its timeframe after T0; values from small pools. The largest low
     * leaves room for two deltas of at most 1, so the high is at most the largest storable value.
     */
    static Gen<Candle> candles() {
        Gen<BigDecimal> low = weighted(
                w(3, pickDecimals("100", "99.5", "0.000000000000000001", "100.000000000000000000",
                        "92233720368.5477580800", "99999999999999999997.999999999999999999")),
                w(1, decimals("0.01", "1000", 2)),
                w(1, decimals("0.000000000000000001", "10", 18)),
                w(1, decimals("0.0000000001", "1000000000000", 10)));
        Gen<BigDecimal> delta = pickDecimals("0", "0.5", "1", "0.000000000000000001", "0.0000000001");
        Gen<BigDecimal> volume = weighted(
                w(2, pickDecimals("0", "1.5", "12345.6789", "1.500000000000000000",
                        "99999999999999999999.999999999999999999", "0.000000000000000001")),
                w(1, decimals("0", "1000000", 18)));
        Gen<String> symbol = pick(SYMBOLS.toArray(String[]::new));
        Gen<Timeframe> timeframe = pick(TIMEFRAMES.toArray(Timeframe[]::new));
        Gen<Integer> k = integers().between(0, WINDOW - 1);
        return in -> {
            String s = symbol.generate(in);
            Timeframe tf = timeframe.generate(in);
            int at = k.generate(in);
            BigDecimal l = low.generate(in);
            BigDecimal open = l.add(delta.generate(in));
            BigDecimal close = l.add(delta.generate(in));
            return new Candle(s, tf, T0.plus(tf.duration().multipliedBy(at)), open,
                    open.max(close).add(delta.generate(in)), l, close, volume.generate(in));
        };
    }

    /** Up to 8 candles with distinct keys (a later candle with a key already drawn is dropped). */
    static Gen<List<Candle>> batches() {
        return lists().of(candles()).ofSizeBetween(0, 8).map(list -> {
            Map<List<Object>, Candle> byKey = new LinkedHashMap<>();
            list.forEach(c -> byKey.putIfAbsent(List.of(c.symbol(), c.timeframe(), c.openTime()), c));
            return List.copyOf(byKey.values());
        });
    }

    static Gen<Bulk> bulkBatches() {
        return pick(SYMBOLS.toArray(String[]::new)).zip(integers().between(0, 5),
                pick(CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 1),
                pickDecimals("100", "250.5", "123456789012.123456789012345678"), Bulk::new);
    }

    /** A valid batch with one of its candles repeated (same key, maybe other values) or a null inserted. */
    static Gen<Refused> refusedBatches() {
        Gen<Refused> duplicate = batches().assuming(b -> !b.isEmpty()).zip(candles(), integers().between(0, 8),
                pick(true, false), (batch, other, pos, sameValues) -> {
                    Candle first = batch.get(0);
                    Candle twin = sameValues ? first : new Candle(first.symbol(), first.timeframe(), first.openTime(),
                            other.open(), other.high(), other.low(), other.close(), other.volume());
                    List<Candle> b = new ArrayList<>(batch);
                    b.add(Math.min(pos, b.size()), twin);
                    return new Refused(b, "a key twice");
                });
        Gen<Refused> withNull = batches().zip(integers().between(0, 8), (batch, pos) -> {
            List<Candle> b = new ArrayList<>(batch);
            b.add(Math.min(pos, b.size()), null);
            return new Refused(Collections.unmodifiableList(b), "a null element");
        });
        return weighted(w(3, duplicate), w(1, withNull));
    }

    static Gen<Tick> clockMoves() {
        return weighted(
                w(3, pick(Duration.of(1, ChronoUnit.MICROS), Duration.ofSeconds(1), Duration.ofMinutes(7))),
                w(1, pick(Duration.ofSeconds(-1), Duration.ofHours(-1))))
                .map(Tick::new);
    }

    /** Bounds at grid point k of the timeframe (-1 .. WINDOW), on the grid or one second off it. */
    static Gen<Range> rangeQueries() {
        Gen<Integer> k = integers().between(-1, WINDOW);
        Gen<Duration> off = pick(Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(-1));
        Gen<String> symbol = pick(SYMBOLS.toArray(String[]::new));
        Gen<Timeframe> timeframe = pick(TIMEFRAMES.toArray(Timeframe[]::new));
        return in -> {
            String s = symbol.generate(in);
            Timeframe tf = timeframe.generate(in);
            Instant from = T0.plus(tf.duration().multipliedBy(k.generate(in))).plus(off.generate(in));
            Instant to = T0.plus(tf.duration().multipliedBy(k.generate(in))).plus(off.generate(in));
            return new Range(s, tf, from, to);
        };
    }

    static Gen<Latest> latestQueries() {
        return pick(SYMBOLS.toArray(String[]::new)).zip(pick(TIMEFRAMES.toArray(Timeframe[]::new)),
                weighted(w(6, integers().between(1, WINDOW + 2)), w(1, pick(0))), Latest::new);
    }

    // ---------------------------------------------------------------------------------------------------------

    /** "BTCUSDT 5m +10m 100/101/99.5/100.5 v1.5": symbol, timeframe, open time after T0, OHLC, volume. */
    static String show(Candle c) {
        return c.symbol() + " " + c.timeframe() + " " + offset(c.openTime()) + " " + plain(c.open()) + "/"
                + plain(c.high()) + "/" + plain(c.low()) + "/" + plain(c.close()) + " v" + plain(c.volume());
    }

    static String offset(Instant t) {
        Duration d = Duration.between(T0, t);
        return (d.isNegative() ? "-" : "+") + d.abs().toString().substring(2).toLowerCase();
    }

    static String plain(BigDecimal d) {
        return d.stripTrailingZeros().toPlainString();
    }
}
