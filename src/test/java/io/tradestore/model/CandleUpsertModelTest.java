package io.tradestore.model;

import io.tradestore.ValidationException;
import io.tradestore.market.Candle;
import io.tradestore.market.CandlestickDao;
import io.tradestore.market.SeriesInfo;
import io.tradestore.market.Timeframe;
import io.tradestore.testing.MutableClock;
import io.tradestore.testing.Snapshot;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.ChangeDetector;
import net.jqwik.api.state.Transformer;
import net.jqwik.api.statistics.Statistics;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Model-based property of candle upserts and series metadata: random batches (two symbols, two timeframes, open
 * times on the grid of a window of a few candles, so most writes overwrite; empty batches; now and then a bulk
 * batch of about {@value #CHUNK} candles, around the DAO's chunk size) and refused batches (a key twice, a null
 * element), interleaved with clock moves and range/latest/series queries, run against a real SQLite store and a
 * map (symbol, timeframe, openTime) -> candle where the last write wins. After every action every series' candles,
 * latest candles and metadata (first/last open time, count, updated_at of the last batch touching it) equal the
 * model, and a refused batch changes nothing.
 */
@AddLifecycleHook(SoakMode.class)
class CandleUpsertModelTest {
    static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT");
    static final List<Timeframe> TIMEFRAMES = List.of(Timeframe.M1, Timeframe.M5);
    /** Grid points per series in the window most batches write to. */
    static final int WINDOW = 8;
    /** CandlestickDao.CHUNK_SIZE (package-private there): bulk batches straddle it. */
    static final int CHUNK = 500;
    static final Instant END = Instant.parse("9999-12-31T23:59:59.999999Z");

    @Property(tries = 40)
    void candleUpsertsFollowTheModel(@ForAll("candleChains") ActionChain<CandleWorld> chain) {
        try {
            chain.withInvariant("candles equal model", CandleWorld::assertStoreMatchesModel).run();
        } finally {
            ModelStores.closeAll();
        }
    }

    @Provide
    Arbitrary<ActionChain<CandleWorld>> candleChains() {
        return ActionChain.startWith(CandleWorld::new)
                .withAction(8, independent(batches().map(Upsert::new)))
                .withAction(1, independent(bulkBatches()))
                .withAction(2, independent(refusedBatches()))
                .withAction(2, independent(clockMoves()))
                .withAction(2, independent(rangeQueries()))
                .withAction(1, independent(latestQueries()))
                .withMaxTransformations(25)
                .improveShrinkingWith(Changes::new);
    }

    static Action.Independent<CandleWorld> independent(Arbitrary<? extends Step> steps) {
        return () -> steps.map(s -> Transformer.mutate(s.toString(), s::run));
    }

    interface Step {
        void run(CandleWorld w);
    }

    record SeriesKey(String symbol, Timeframe timeframe) {
    }

    static final class CandleWorld {
        final MutableClock clock = new MutableClock(T0);
        final ModelStores.OpenStore db = ModelStores.open(clock);
        /** Per series: open time -> the candle last written there. */
        final Map<SeriesKey, TreeMap<Instant, Candle>> candles = new HashMap<>();
        /** Per series: the store's clock when a batch last touched it (SeriesInfo.updatedAt). */
        final Map<SeriesKey, Instant> touchedAt = new HashMap<>();
        long changes;

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
                        assertThat(dao.range(symbol, tf, Instant.EPOCH, END)).as("all candles of %s %s", symbol, tf)
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

    static final class Changes implements ChangeDetector<CandleWorld> {
        private long before;

        @Override
        public void before(CandleWorld w) {
            before = w.changes;
        }

        @Override
        public boolean hasChanged(CandleWorld w) {
            return w.changes != before;
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
            w.changes++;
            Statistics.label("batches").collect(batch.isEmpty() ? "empty"
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
            Statistics.label("bulk").collect(size < CHUNK ? "< chunk" : size == CHUNK ? "= chunk" : "> chunk");
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
            w.changes++;
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
                assertThatThrownBy(() -> w.db.store().read(uow -> uow.candlesticks().range(symbol, tf, from, to)))
                        .as("%s: a reversed window is refused", this).isExactlyInstanceOf(ValidationException.class);
                return;
            }
            List<Candle> got = w.db.store().read(uow -> uow.candlesticks().range(symbol, tf, from, to));
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

    /** A candle at grid point k (0 .. WINDOW-1) of its timeframe after T0; values from small pools. */
    static Arbitrary<Candle> candles() {
        Arbitrary<BigDecimal> low = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of("100", "99.5", "0.00000001").map(BigDecimal::new)),
                Tuple.of(1, Arbitraries.bigDecimals().between(new BigDecimal("0.01"), new BigDecimal("1000")).ofScale(2)),
                Tuple.of(1, Arbitraries.bigDecimals().between(new BigDecimal("0.00000001"), BigDecimal.TEN).ofScale(8)));
        Arbitrary<BigDecimal> delta = Arbitraries.of("0", "0.5", "1", "0.00000001").map(BigDecimal::new);
        Arbitrary<BigDecimal> volume = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.of("0", "1.5", "12345.6789").map(BigDecimal::new)),
                Tuple.of(1, Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("1000000")).ofScale(8)));
        return Combinators.combine(Arbitraries.of(SYMBOLS), Arbitraries.of(TIMEFRAMES),
                        Arbitraries.integers().between(0, WINDOW - 1), low, delta, delta, delta, volume)
                .as((symbol, tf, k, l, a, b, c, v) -> {
                    BigDecimal open = l.add(a);
                    BigDecimal close = l.add(b);
                    return new Candle(symbol, tf, T0.plus(tf.duration().multipliedBy(k)), open,
                            open.max(close).add(c), l, close, v);
                });
    }

    static Arbitrary<List<Candle>> batches() {
        return candles().list().ofMinSize(0).ofMaxSize(8)
                .uniqueElements(c -> List.of(c.symbol(), c.timeframe(), c.openTime()));
    }

    static Arbitrary<Bulk> bulkBatches() {
        return Combinators.combine(Arbitraries.of(SYMBOLS), Arbitraries.integers().between(0, 5),
                        Arbitraries.of(CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 1),
                        Arbitraries.of(new BigDecimal("100"), new BigDecimal("250.5")))
                .as(Bulk::new);
    }

    /** A valid batch with one of its candles repeated (same key, maybe other values) or a null inserted. */
    static Arbitrary<Refused> refusedBatches() {
        Arbitrary<Refused> duplicate = Combinators.combine(batches().filter(b -> !b.isEmpty()), candles(),
                        Arbitraries.integers().between(0, 8), Arbitraries.of(true, false))
                .as((batch, other, pos, sameValues) -> {
                    Candle first = batch.get(0);
                    Candle twin = sameValues ? first : new Candle(first.symbol(), first.timeframe(), first.openTime(),
                            other.open(), other.high(), other.low(), other.close(), other.volume());
                    List<Candle> b = new ArrayList<>(batch);
                    b.add(Math.min(pos, b.size()), twin);
                    return new Refused(b, "a key twice");
                });
        Arbitrary<Refused> withNull = Combinators.combine(batches(), Arbitraries.integers().between(0, 8))
                .as((batch, pos) -> {
                    List<Candle> b = new ArrayList<>(batch);
                    b.add(Math.min(pos, b.size()), null);
                    return new Refused(Collections.unmodifiableList(b), "a null element");
                });
        return Arbitraries.frequencyOf(Tuple.of(3, duplicate), Tuple.of(1, withNull));
    }

    static Arbitrary<Tick> clockMoves() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(Duration.of(1, ChronoUnit.MICROS), Duration.ofSeconds(1), Duration.ofMinutes(7))),
                Tuple.of(1, Arbitraries.of(Duration.ofSeconds(-1), Duration.ofHours(-1))))
                .map(Tick::new);
    }

    /** Bounds at grid point k of the timeframe (-1 .. WINDOW), on the grid or one second off it. */
    static Arbitrary<Range> rangeQueries() {
        Arbitrary<Integer> k = Arbitraries.integers().between(-1, WINDOW);
        Arbitrary<Duration> off = Arbitraries.of(Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1),
                Duration.ofSeconds(-1));
        return Combinators.combine(Arbitraries.of(SYMBOLS), Arbitraries.of(TIMEFRAMES), k, off, k, off)
                .as((symbol, tf, k1, o1, k2, o2) -> new Range(symbol, tf,
                        T0.plus(tf.duration().multipliedBy(k1)).plus(o1), T0.plus(tf.duration().multipliedBy(k2)).plus(o2)));
    }

    static Arbitrary<Latest> latestQueries() {
        return Combinators.combine(Arbitraries.of(SYMBOLS), Arbitraries.of(TIMEFRAMES),
                        Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.integers().between(1, WINDOW + 2)),
                                Tuple.of(1, Arbitraries.just(0))))
                .as(Latest::new);
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
