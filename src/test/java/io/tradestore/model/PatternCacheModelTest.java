package io.tradestore.model;

import io.tradestore.Json;
import io.tradestore.ValidationException;
import io.tradestore.analytics.CachePut;
import io.tradestore.analytics.CachedPattern;
import io.tradestore.analytics.NewCachedPattern;
import io.tradestore.analytics.PatternCacheDao;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
 * Model-based property of the pattern cache under a controllable clock: random chains of puts (keys from a
 * small pool, so entries are replaced; valid and invalid TTLs; detection times before and after now), clock
 * moves (by random amounts, exactly onto an entry's expiry instant, one microsecond either side of it, and
 * backwards), gets, purges and symbol queries, run against a real SQLite store and a map key -> (entry,
 * expiresAt) where an entry with expiresAt <= now is a miss. After every action every key's get, every symbol
 * query and the rows physically in the file equal the model; purgeExpired returns the count the model
 * predicts; a refused put changes nothing; the newest detection wins: a put detected before the stored row (live or
 * expired but unpurged) changes nothing and reports itself stale, one detected at the same instant replaces it. Confidences span the new decimal range (issue 8: up to 18 places) and
 * come back normalized (0.50 is 0.5, 1.000000000000000000 is 1); in the file they are the documented BLOB
 * encoding, byte for byte.
 */
class PatternCacheModelTest {
    static final List<String> KEYS = List.of("k0", "k1", "k2", "k3", "k4");
    static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT");
    static final List<Timeframe> TIMEFRAMES = List.of(Timeframe.M1, Timeframe.H1);
    static final Duration MICRO = Duration.of(1, ChronoUnit.MICROS);

    static final Tally OUTCOMES = new Tally("pattern cache: action -> outcome");

    @EachEngine
    void patternCacheFollowsTheModel(TestEngine engine) {
        ModelChains.check(engine, 45, cacheChains(), () -> new CacheWorld(engine),
                CacheWorld::assertStoreMatchesModel);
        OUTCOMES.report();
    }

    /** Independent actions: everything relative (detection time, "the expiry of k2") is resolved when run. */
    static Gen<List<Step>> cacheChains() {
        Gen<Step> action = weighted(
                w(5, puts()),
                w(1, invalidPuts()),
                w(5, clockMoves()),
                w(3, pick(KEYS.toArray(String[]::new)).map(Get::new)),
                w(2, pick(new Purge())),
                w(1, bySymbolQueries()));
        return lists().of(action).ofSizeBetween(1, 30);
    }

    interface Step extends ModelChains.Step<CacheWorld> {
    }

    /** Rows in the file, unexpired or not: what a correct cache holds. */
    record Entry(long id, NewCachedPattern pattern, Instant expiresAt) {
        CachedPattern expected() {
            return new CachedPattern(id, pattern.cacheKey(), pattern.symbol(), pattern.timeframe(),
                    pattern.patternType(), Decimals.stored(pattern.confidence()), pattern.payload(),
                    pattern.detectedAt(), expiresAt);
        }

        /**
         * The row as stored (docs/schema.md, decision 0009): the decimal as its BLOB encoding in hex, timestamps in
         * epoch microseconds, codes. Compared with {@link #storedRows}.
         */
        List<String> storedRow(TestEngine engine) {
            return List.of(String.valueOf(id), pattern.cacheKey(), pattern.symbol(), pattern.timeframe().code(),
                    pattern.patternType(), engine == TestEngine.SQLITE ? Decimals.sqliteHex(pattern.confidence())
                            : Decimals.stored(pattern.confidence()).toPlainString(),
                    pattern.payload().text(), String.valueOf(micros(pattern.detectedAt())),
                    String.valueOf(micros(expiresAt)));
        }

        /**
         * Every pattern_cache row in the file, by id, the decimal column as hex() of its bytes on SQLite; on
         * PostgreSQL, NUMERIC(38,18), as its value normalized (trim_scale).
         */
        static String storedRows(TestEngine engine) {
            return "SELECT id, cache_key, symbol, timeframe, pattern_type, " + (engine == TestEngine.SQLITE
                    ? "hex(confidence)" : "trim_scale(confidence)::text")
                    + ", payload, detected_at, expires_at FROM pattern_cache ORDER BY id";
        }
    }

    static final class CacheWorld {
        final MutableClock clock = new MutableClock(T0);
        final ModelStores.OpenStore db;
        /** key -> entry, including expired entries nobody has purged yet (their rows still exist). */
        final Map<String, Entry> rows = new LinkedHashMap<>();
        /** Ids are never reused (AUTOINCREMENT): a key put again after a purge gets a new one. */
        long maxIdEver;

        final TestEngine engine;

        CacheWorld(TestEngine engine) {
            this.engine = engine;
            db = ModelStores.open(engine, clock);
        }

        Instant now() {
            return clock.instant();
        }

        boolean live(Entry e) {
            return e.expiresAt().isAfter(now());
        }

        Optional<CachedPattern> expectedGet(String key) {
            Entry e = rows.get(key);
            return e != null && live(e) ? Optional.of(e.expected()) : Optional.empty();
        }

        /** Unexpired entries matching, most recently detected first, then newest id first. */
        List<CachedPattern> expectedBySymbol(String symbol, Timeframe timeframeOrNull) {
            return rows.values().stream()
                    .filter(this::live)
                    .filter(e -> e.pattern().symbol().equals(symbol))
                    .filter(e -> timeframeOrNull == null || e.pattern().timeframe() == timeframeOrNull)
                    .sorted(Comparator.comparing((Entry e) -> e.pattern().detectedAt())
                            .thenComparingLong(Entry::id).reversed())
                    .map(Entry::expected)
                    .toList();
        }

        void assertStoreMatchesModel() {
            db.store().read(uow -> {
                PatternCacheDao cache = uow.patternCache();
                for (String key : KEYS) {
                    assertThat(cache.get(key)).as("get(%s) at %s", key, now()).isEqualTo(expectedGet(key));
                }
                for (String symbol : SYMBOLS) {
                    assertThat(cache.bySymbol(symbol)).as("bySymbol(%s) at %s", symbol, now())
                            .isEqualTo(expectedBySymbol(symbol, null));
                    for (Timeframe tf : TIMEFRAMES) {
                        assertThat(cache.bySymbol(symbol, tf)).as("bySymbol(%s, %s) at %s", symbol, tf, now())
                                .isEqualTo(expectedBySymbol(symbol, tf));
                    }
                }
                return null;
            });
            List<List<String>> stored = rows.values().stream().sorted(Comparator.comparingLong(Entry::id))
                    .map(e -> e.storedRow(engine)).toList();
            assertThat(db.rows(Entry.storedRows(engine))).as("rows in the file (expired ones until purged)")
                    .isEqualTo(stored);
        }

        @Override
        public String toString() {
            return "CacheWorld[" + rows.size() + " rows, now " + now() + "]";
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Actions

    /**
     * put(key, ttl) of a pattern detected {@code detectedAgo} before now (negative: in the future). Refused when
     * the TTL is not in (0, 3650 days] in whole microseconds, or when now + ttl is before the detection time.
     */
    record Put(String key, String symbol, Timeframe timeframe, String patternType, BigDecimal confidence,
               String payload, Duration detectedAgo, Duration ttl) implements Step {
        @Override
        public void run(CacheWorld w) {
            Instant now = w.now();
            NewCachedPattern p = new NewCachedPattern(key, symbol, timeframe, patternType, confidence,
                    Json.of(payload), now.minus(detectedAgo));
            boolean ttlValid = ttl.compareTo(Duration.ZERO) > 0 && ttl.compareTo(PatternCacheDao.MAX_TTL) <= 0
                    && ttl.getNano() % 1_000 == 0;
            if (!ttlValid || now.plus(ttl).isBefore(p.detectedAt())) {
                Snapshot before = w.db.snapshot();
                assertThatThrownBy(() -> w.db.store().inTransaction(uow -> uow.patternCache().put(p, ttl)))
                        .as("%s at %s must be refused", this, now).isExactlyInstanceOf(ValidationException.class);
                assertThat(w.db.snapshot()).as("%s must change nothing", this).isEqualTo(before);
                outcome("put", ttlValid ? "refused: expires before detected" : "refused: ttl");
                return;
            }
            Entry previous = w.rows.get(key);
            CachePut put = w.db.store().inTransaction(uow -> uow.patternCache().put(p, ttl));
            CachedPattern stored = put.entry();
            // The newest detection wins: a put detected before the stored row (live or expired, until purged)
            // changes nothing and says so; the same instant is replaced by the later write.
            if (previous != null && previous.pattern().detectedAt().isAfter(p.detectedAt())) {
                assertThat(put.applied()).as("%s: older than the stored detection, so ignored", this).isFalse();
                assertThat(stored).as("%s returns the stored, newer entry", this).isEqualTo(previous.expected());
                outcome("put", w.live(previous) ? "ignored: older than a live entry"
                        : "ignored: older than an expired, unpurged entry");
                return;
            }
            assertThat(put.applied()).as("%s: applied", this).isTrue();
            long id;
            if (previous != null) {
                id = previous.id();
                outcome("put", previous.pattern().detectedAt().equals(p.detectedAt()) ? "replaced: same detection time"
                        : w.live(previous) ? "replaced a live entry" : "replaced an expired, unpurged entry");
            } else {
                assertThat(stored.id()).as("%s: a new entry's id is new (ids are never reused)", this)
                        .isGreaterThan(w.maxIdEver);
                id = stored.id();
                outcome("put", "new entry");
            }
            w.maxIdEver = Math.max(w.maxIdEver, id);
            Entry e = new Entry(id, p, now.plus(ttl));
            w.rows.put(key, e);
            assertThat(stored).as("%s returns the entry as stored", this).isEqualTo(e.expected());
        }

        @Override
        public String toString() {
            return "put(" + key + ", " + symbol + " " + timeframe + " " + patternType + " "
                    + confidence.toPlainString() + ", detected now" + (detectedAgo.isZero() ? "" : signed(detectedAgo.negated()))
                    + ", ttl " + human(ttl) + ")";
        }
    }

    /** Moves the clock by a duration, or onto an entry's expiry instant plus an offset (exactly, +-1us). */
    record MoveClock(Duration by, String toExpiryOf, Duration offset) implements Step {
        @Override
        public void run(CacheWorld w) {
            if (toExpiryOf == null) {
                w.clock.advance(by);
            } else {
                Entry e = w.rows.get(toExpiryOf);
                if (e == null) {
                    w.clock.advance(offset.abs());
                } else {
                    w.clock.set(e.expiresAt().plus(offset));
                }
            }
            if (w.rows.values().stream().anyMatch(e -> e.expiresAt().equals(w.now()))) {
                outcome("clock", "now exactly an entry's expiry");
            }
        }

        @Override
        public String toString() {
            if (toExpiryOf == null) {
                return "clock" + signed(by);
            }
            return "clock to expiry of " + toExpiryOf + (offset.isZero() ? "" : signed(offset));
        }
    }

    record Get(String key) implements Step {
        @Override
        public void run(CacheWorld w) {
            Optional<CachedPattern> got = w.db.store().read(uow -> uow.patternCache().get(key));
            assertThat(got).as("%s at %s", this, w.now()).isEqualTo(w.expectedGet(key));
            Entry e = w.rows.get(key);
            outcome("get", got.isPresent() ? "hit"
                    : e == null ? "miss: absent" : e.expiresAt().equals(w.now()) ? "miss: expires exactly now"
                    : "miss: expired");
        }

        @Override
        public String toString() {
            return "get(" + key + ")";
        }
    }

    record Purge() implements Step {
        @Override
        public void run(CacheWorld w) {
            List<String> expired = w.rows.values().stream().filter(e -> !w.live(e))
                    .map(e -> e.pattern().cacheKey()).toList();
            int purged = w.db.store().inTransaction(uow -> uow.patternCache().purgeExpired());
            assertThat(purged).as("purgeExpired() at %s: the expired entries %s", w.now(), expired)
                    .isEqualTo(expired.size());
            expired.forEach(w.rows::remove);
            outcome("purgeExpired", purged == 0 ? "0" : purged == 1 ? "1" : ">1");
        }

        @Override
        public String toString() {
            return "purgeExpired()";
        }
    }

    record BySymbol(String symbol, Timeframe timeframe) implements Step {
        @Override
        public void run(CacheWorld w) {
            List<CachedPattern> got = w.db.store().read(uow -> timeframe == null
                    ? uow.patternCache().bySymbol(symbol) : uow.patternCache().bySymbol(symbol, timeframe));
            assertThat(got).as("%s at %s", this, w.now()).isEqualTo(w.expectedBySymbol(symbol, timeframe));
        }

        @Override
        public String toString() {
            return "bySymbol(" + symbol + (timeframe == null ? "" : ", " + timeframe) + ")";
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Generators

    static Gen<Put> puts() {
        Gen<Duration> ttl = weighted(
                w(4, pick(MICRO, Duration.ofSeconds(1), Duration.ofSeconds(59), Duration.ofMinutes(1),
                        Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofDays(1))),
                w(2, longs().between(1, Duration.ofHours(2).toNanos() / 1_000)
                        .map(us -> Duration.of(us, ChronoUnit.MICROS))),
                w(1, pick(PatternCacheDao.MAX_TTL)));
        return puts(ttl);
    }

    /** Puts with a TTL the DAO must refuse: zero, negative, above the maximum, or finer than a microsecond. */
    static Gen<Put> invalidPuts() {
        return puts(pick(Duration.ZERO, Duration.ofSeconds(-1), PatternCacheDao.MAX_TTL.plus(MICRO),
                Duration.ofNanos(1), Duration.ofMinutes(1).plusNanos(500)));
    }

    private static Gen<Put> puts(Gen<Duration> ttl) {
        // Edges of [0, 1] and of the 18 places: 0 and 1 written at scale 18, 1e-18, 1 - 1e-18, 10 and 18 places.
        Gen<BigDecimal> confidence = weighted(
                w(1, pickDecimals("0", "1", "0.5", "0.87654321", "0.50", "1.000000000000000000",
                        "0.000000000000000000", "0.000000000000000001", "0.999999999999999999", "0.0000000001",
                        "0.123456789012345678", "1E+0", "0.05")),
                w(1, decimals("0", "1", 10)),
                w(1, decimals("0", "1", 18)));
        // How long before now the pattern was detected; negative = in the future (refused if beyond the TTL).
        Gen<Duration> detectedAgo = weighted(
                w(6, pick(Duration.ZERO, MICRO, Duration.ofSeconds(30), Duration.ofHours(2))),
                w(1, pick(MICRO.negated(), Duration.ofMinutes(-10))));
        Gen<String> key = pick(KEYS.toArray(String[]::new));
        Gen<String> symbol = pick(SYMBOLS.toArray(String[]::new));
        Gen<Timeframe> timeframe = pick(TIMEFRAMES.toArray(Timeframe[]::new));
        Gen<String> type = pick("double_top", "head_and_shoulders");
        Gen<String> payload = pick("{}", "{\"neckline\": 23150.77}", "[1, 2, 3]");
        return in -> new Put(key.generate(in), symbol.generate(in), timeframe.generate(in), type.generate(in),
                confidence.generate(in), payload.generate(in), detectedAgo.generate(in), ttl.generate(in));
    }

    static Gen<MoveClock> clockMoves() {
        return weighted(
                w(2, pick(MICRO, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofMinutes(1))
                        .map(d -> new MoveClock(d, null, Duration.ZERO))),
                w(2, longs().between(1, Duration.ofHours(3).toNanos() / 1_000)
                        .map(us -> new MoveClock(Duration.of(us, ChronoUnit.MICROS), null, Duration.ZERO))),
                w(1, pick(Duration.ofSeconds(-1), Duration.ofMinutes(-30))
                        .map(d -> new MoveClock(d, null, Duration.ZERO))),
                w(4, pick(KEYS.toArray(String[]::new)).zip(pick(Duration.ZERO, Duration.ZERO, MICRO, MICRO.negated()),
                        (key, off) -> new MoveClock(Duration.ZERO, key, off))));
    }

    static Gen<BySymbol> bySymbolQueries() {
        return pick(SYMBOLS.toArray(String[]::new)).zip(orNull(pick(TIMEFRAMES.toArray(Timeframe[]::new)), 50),
                BySymbol::new);
    }

    // ---------------------------------------------------------------------------------------------------------

    static void outcome(String action, String outcome) {
        OUTCOMES.add(action + " -> " + outcome);
    }

    static long micros(Instant t) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }

    static String human(Duration d) {
        return d.equals(PatternCacheDao.MAX_TTL) ? "MAX_TTL" : d.toString().substring(2).toLowerCase();
    }

    static String signed(Duration d) {
        return (d.isNegative() ? "-" : "+") + d.abs().toString().substring(2).toLowerCase();
    }
}
