package io.tradestore.analytics;

import io.tradestore.Json;
import io.tradestore.ValidationException;
import io.tradestore.market.Timeframe;
import io.tradestore.testing.MutableClock;
import io.tradestore.testing.OnEachEngine;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.api.function.Executable;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@OnEachEngine
class PatternCacheDaoTest {
    @Parameter
    TestEngine engine;
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Json PAYLOAD = Json.of("{\"neckline\": 23150.77, \"points\": [1, 2, 3]}");

    MutableClock clock = new MutableClock(T0);
    @RegisterExtension
    final TempStore store = new TempStore(clock);

    @Test
    void putStoresTheEntryExactlyAndGetReturnsIt() {
        CachedPattern stored = store.inTransaction(uow -> uow.patternCache().put(pattern("k1", "0.876543210987654321"), HOUR).entry());

        assertThat(stored.id()).isPositive();
        assertThat(stored).isEqualTo(new CachedPattern(stored.id(), "k1", "BTCUSDT", Timeframe.H1,
                "head_and_shoulders", new BigDecimal("0.876543210987654321"), PAYLOAD, T0.minusSeconds(30), T0.plus(HOUR)));
        assertThat(stored.payload().text()).isEqualTo("{\"neckline\": 23150.77, \"points\": [1, 2, 3]}");
        assertThat(get("k1")).contains(stored);
    }

    @Test
    void replacingAKeyReturnsThatKeysRowEvenWhenAnotherKeyWasInsertedLast() {
        store.useTransaction(uow -> uow.patternCache().put(pattern("k1", "0.5"), HOUR));
        store.useTransaction(uow -> uow.patternCache().put(pattern("k2", "0.6"), HOUR));
        CachedPattern replaced = store.inTransaction(uow -> uow.patternCache().put(pattern("k1", "0.7"), HOUR).entry());
        assertThat(replaced.cacheKey()).isEqualTo("k1");
        assertThat(replaced.confidence()).isEqualByComparingTo("0.7");
    }

    @Test
    void getOfAnUnknownKeyIsAMiss() {
        store.useTransaction(uow -> uow.patternCache().put(pattern("k1", "0.5"), HOUR));

        assertThat(get("k2")).isEmpty();
    }

    @Test
    void putReplacesAnExistingKeyAndRestartsItsTtl() {
        CachedPattern first = store.inTransaction(uow -> uow.patternCache().put(pattern("k1", "0.5"), HOUR).entry());
        clock.advance(Duration.ofMinutes(50));
        NewCachedPattern revised = new NewCachedPattern("k1", "ETHUSDT", Timeframe.M15, "double_top",
                new BigDecimal("0.900"), Json.of("[]"), T0.plus(Duration.ofMinutes(49)));

        CachedPattern second = store.inTransaction(uow -> uow.patternCache().put(revised, HOUR).entry());

        assertThat(second).isEqualTo(new CachedPattern(first.id(), "k1", "ETHUSDT", Timeframe.M15, "double_top",
                new BigDecimal("0.9"), Json.of("[]"), T0.plus(Duration.ofMinutes(49)), // 0.900 normalized
                T0.plus(Duration.ofMinutes(110))));
        clock.advance(Duration.ofMinutes(30)); // past the first expiry, before the second
        assertThat(get("k1")).contains(second);
        List<CachedPattern> old = store.read(uow -> uow.patternCache().bySymbol("BTCUSDT"));
        assertThat(old).isEmpty();
    }

    @Test
    void putBringsAnExpiredKeyBackToLife() {
        store.useTransaction(uow -> uow.patternCache().put(pattern("k1", "0.5"), HOUR));
        clock.advance(Duration.ofHours(2));
        assertThat(get("k1")).isEmpty();

        store.useTransaction(uow -> uow.patternCache().put(pattern("k1", "0.6"), HOUR));

        assertThat(get("k1")).map(CachedPattern::confidence).contains(new BigDecimal("0.6"));
    }

    @Test
    void anOlderDetectionChangesNothingAndSaysSo() {
        CachePut newer = store.inTransaction(uow -> uow.patternCache().put(pattern("k1", Timeframe.H1, T0), HOUR));
        clock.advance(Duration.ofMinutes(10));
        NewCachedPattern slow = new NewCachedPattern("k1", "ETHUSDT", Timeframe.M5, "flag", new BigDecimal("0.9"),
                Json.of("[]"), T0.minusNanos(1_000)); // one microsecond older than the stored detection

        CachePut late = store.inTransaction(uow -> uow.patternCache().put(slow, Duration.ofHours(5)));

        assertThat(newer.applied()).isTrue();
        assertThat(late.stale()).isTrue();
        assertThat(late.applied()).isFalse();
        assertThat(late.entry()).as("the stored entry, TTL not restarted").isEqualTo(newer.entry());
        assertThat(get("k1")).contains(newer.entry());
    }

    @Test
    void anEqualDetectionTimeIsReplacedByTheLaterWrite() {
        CachePut first = store.inTransaction(uow -> uow.patternCache().put(pattern("k1", Timeframe.H1, T0), HOUR));
        clock.advance(Duration.ofMinutes(10));
        NewCachedPattern again = new NewCachedPattern("k1", "BTCUSDT", Timeframe.H1, "flag", new BigDecimal("0.9"),
                Json.of("[]"), T0);

        CachePut second = store.inTransaction(uow -> uow.patternCache().put(again, HOUR));

        assertThat(second.applied()).isTrue();
        assertThat(second.entry()).isEqualTo(new CachedPattern(first.entry().id(), "k1", "BTCUSDT", Timeframe.H1,
                "flag", new BigDecimal("0.9"), Json.of("[]"), T0, T0.plus(Duration.ofMinutes(70))));
    }

    @Test
    void anOlderDetectionDoesNotComeBackAfterTheNewerOneExpired() {
        CachePut newer = store.inTransaction(uow -> uow.patternCache().put(pattern("k1", Timeframe.H1, T0), HOUR));
        clock.advance(Duration.ofHours(2));

        CachePut late = store.inTransaction(uow -> uow.patternCache()
                .put(pattern("k1", Timeframe.H1, T0.minusSeconds(1)), HOUR));

        assertThat(late.stale()).isTrue();
        assertThat(late.entry()).isEqualTo(newer.entry());
        assertThat(get("k1")).as("still the expired newer entry: a miss").isEmpty();
    }

    @Test
    void anEntryIsAHitUntilTheInstantItExpires() {
        store.useTransaction(uow -> uow.patternCache().put(pattern("k1", "0.5"), HOUR));

        clock.set(T0.plus(HOUR).minusNanos(1_000));
        assertThat(get("k1")).isPresent();
        clock.set(T0.plus(HOUR));
        assertThat(get("k1")).isEmpty();
    }

    @Test
    void anExpiredEntryIsAMissBeforeItIsPurged() {
        store.useTransaction(uow -> uow.patternCache().put(pattern("k1", "0.5"), HOUR));
        clock.advance(HOUR.plusSeconds(1));

        Optional<CachedPattern> hit = get("k1");
        List<CachedPattern> listed = store.read(uow -> uow.patternCache().bySymbol("BTCUSDT"));

        assertThat(hit).isEmpty();
        assertThat(listed).isEmpty();
        int purged = store.inTransaction(uow -> uow.patternCache().purgeExpired());
        assertThat(purged).as("the expired row was still stored").isEqualTo(1);
    }

    @Test
    void purgeRemovesOnlyExpiredEntriesAndCountsThem() {
        store.useTransaction(uow -> {
            uow.patternCache().put(pattern("short-1", "0.1"), Duration.ofMinutes(10));
            uow.patternCache().put(pattern("short-2", "0.2"), Duration.ofMinutes(20));
            uow.patternCache().put(pattern("exact", "0.3"), Duration.ofMinutes(30));
            uow.patternCache().put(pattern("long", "0.4"), Duration.ofMinutes(31));
        });
        clock.advance(Duration.ofMinutes(30));

        int purged = store.inTransaction(uow -> uow.patternCache().purgeExpired());
        int again = store.inTransaction(uow -> uow.patternCache().purgeExpired());

        assertThat(purged).isEqualTo(3);
        assertThat(again).isZero();
        clock.set(T0); // rewind: whatever was purged is gone for good, whatever was kept is back
        List<CachedPattern> left = store.read(uow -> uow.patternCache().bySymbol("BTCUSDT"));
        assertThat(left).extracting(CachedPattern::cacheKey).containsExactly("long");
    }

    @Test
    void bySymbolListsUnexpiredEntriesMostRecentlyDetectedFirst() {
        store.useTransaction(uow -> {
            uow.patternCache().put(pattern("a", Timeframe.H1, T0.minusSeconds(300)), HOUR);
            uow.patternCache().put(pattern("b", Timeframe.M5, T0.minusSeconds(100)), HOUR);
            uow.patternCache().put(pattern("c", Timeframe.H1, T0.minusSeconds(200)), HOUR);
            uow.patternCache().put(pattern("expired", Timeframe.H1, T0.minusSeconds(50)), Duration.ofMinutes(1));
            uow.patternCache().put(new NewCachedPattern("other", "ETHUSDT", Timeframe.H1, "flag", BigDecimal.ONE,
                    PAYLOAD, T0), HOUR);
        });
        clock.advance(Duration.ofMinutes(1));

        List<CachedPattern> all = store.read(uow -> uow.patternCache().bySymbol("BTCUSDT"));
        List<CachedPattern> hourly = store.read(uow -> uow.patternCache().bySymbol("BTCUSDT", Timeframe.H1));
        List<CachedPattern> daily = store.read(uow -> uow.patternCache().bySymbol("BTCUSDT", Timeframe.D1));

        assertThat(all).extracting(CachedPattern::cacheKey).containsExactly("b", "c", "a");
        assertThat(hourly).extracting(CachedPattern::cacheKey).containsExactly("c", "a");
        assertThat(daily).isEmpty();
    }

    @Test
    void ttlMustBePositiveAtMostTenYearsAndInWholeMicroseconds() {
        CachedPattern kept = store.inTransaction(uow -> uow.patternCache().put(pattern("k1", "0.5"), HOUR).entry());

        assertRejected(() -> putReplacement(Duration.ZERO), "ttl: must be > 0 and at most 3650 days (was PT0S)");
        assertRejected(() -> putReplacement(Duration.ofSeconds(-1)), "ttl: must be > 0 and at most 3650 days (was PT-1S)");
        assertRejected(() -> putReplacement(Duration.ofDays(3651)), "ttl: must be > 0 and at most 3650 days (was PT87624H)");
        assertRejected(() -> putReplacement(Duration.ofNanos(1_500)),
                "ttl: must be whole microseconds, the storage precision of expires_at (was PT0.0000015S)");
        assertRejected(() -> putReplacement(null), "ttl: must not be null (was null)");

        assertThat(get("k1")).contains(kept);
        CachedPattern longest = store.inTransaction(uow -> uow.patternCache().put(pattern("k2", "0.5"),
                PatternCacheDao.MAX_TTL).entry());
        assertThat(longest.expiresAt()).isEqualTo(T0.plus(Duration.ofDays(3650)));
    }

    @Test
    void anExpiryBeforeDetectionIsRejected() {
        CachedPattern kept = store.inTransaction(uow -> uow.patternCache().put(pattern("k1", "0.5"), HOUR).entry());
        NewCachedPattern fromTheFuture = pattern("k1", Timeframe.H1, T0.plus(Duration.ofHours(2)));

        store.useTransaction(uow -> assertThatThrownBy(() -> uow.patternCache().put(fromTheFuture, HOUR))
                .isInstanceOf(ValidationException.class)
                .hasMessage("pattern_cache.expires_at: must not be before detected_at (2023-03-01T02:00:00Z): now"
                        + " (2023-03-01T00:00:00Z) + ttl (PT1H) ends before the pattern was detected; is detected_at"
                        + " in the future? (was 2023-03-01T01:00:00Z)"));

        assertThat(get("k1")).contains(kept);
        CachedPattern expiringAsDetected = store.inTransaction(uow -> uow.patternCache()
                .put(pattern("k2", Timeframe.H1, T0.plus(HOUR)), HOUR).entry());
        assertThat(expiringAsDetected.expiresAt()).isEqualTo(expiringAsDetected.detectedAt());
    }

    @Test
    void invalidPatternsAreRejectedNamingTheColumnAndRule() {
        assertRejected(() -> pattern("k", "1.000000000000000001"),
                "pattern_cache.confidence: must be within [0, 1] (was 1.000000000000000001)");
        assertRejected(() -> pattern("k", "-0.1"), "pattern_cache.confidence: must be within [0, 1] (was -0.1)");
        assertRejected(() -> pattern("k", "0.1234567890123456789"),
                "pattern_cache.confidence: has more than 18 decimal places");
        assertRejected(() -> pattern(" ", "0.5"), "pattern_cache.cache_key: must not be blank");
        assertRejected(() -> pattern("k".repeat(257), "0.5"), "pattern_cache.cache_key: must be at most 256 characters");
        assertRejected(() -> new NewCachedPattern("k", "BTC USDT", Timeframe.H1, "flag", BigDecimal.ONE, PAYLOAD, T0),
                "pattern_cache.symbol: must be 1-32 characters");
        assertRejected(() -> new NewCachedPattern("k", "BTCUSDT", null, "flag", BigDecimal.ONE, PAYLOAD, T0),
                "pattern_cache.timeframe: must not be null");
        assertRejected(() -> new NewCachedPattern("k", "BTCUSDT", Timeframe.H1, "f".repeat(65), BigDecimal.ONE,
                PAYLOAD, T0), "pattern_cache.pattern_type: must be at most 64 characters");
        assertRejected(() -> new NewCachedPattern("k", "BTCUSDT", Timeframe.H1, "flag", BigDecimal.ONE, null, T0),
                "pattern_cache.payload: must not be null");
        assertRejected(() -> pattern("k", Timeframe.H1, Instant.parse("1969-12-31T23:59:59Z")),
                "pattern_cache.detected_at: must be within [1970-01-01T00:00:00Z,");
        assertRejected(() -> store.inTransaction(uow -> uow.patternCache().put(null, HOUR)),
                "pattern: must not be null");
        assertRejected(() -> store.read(uow -> uow.patternCache().get("")), "cacheKey: must not be blank");
        assertRejected(() -> store.read(uow -> uow.patternCache().bySymbol("")), "symbol: must be 1-32 characters");
        assertRejected(() -> store.read(uow -> uow.patternCache().bySymbol("BTCUSDT", null)),
                "timeframe: must not be null");

        assertThat(List.of(pattern("k", "0"), pattern("k", "1"))).as("the bounds of [0, 1]").hasSize(2);
        int purged = store.inTransaction(uow -> uow.patternCache().purgeExpired());
        assertThat(purged).isZero();
        List<CachedPattern> none = store.read(uow -> uow.patternCache().bySymbol("BTCUSDT"));
        assertThat(none).isEmpty();
    }

    @Test
    void writesInsideAReadUnitAreRefused() {
        assertThatThrownBy(() -> store.read(uow -> uow.patternCache().put(pattern("k1", "0.5"), HOUR)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("patternCache().put writes, but this is a read-only unit of work");
        assertThatThrownBy(() -> store.read(uow -> uow.patternCache().purgeExpired()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("patternCache().purgeExpired writes, but this is a read-only unit of work");
        assertThat(get("k1")).isEmpty();
    }

    private void putReplacement(Duration ttl) {
        store.useTransaction(uow -> uow.patternCache().put(pattern("k1", "0.9"), ttl));
    }

    private Optional<CachedPattern> get(String key) {
        return store.read(uow -> uow.patternCache().get(key));
    }

    private static void assertRejected(Executable call, String messageStart) {
        assertThatThrownBy(call::execute).isInstanceOf(ValidationException.class).hasMessageStartingWith(messageStart);
    }

    static NewCachedPattern pattern(String key, String confidence) {
        return new NewCachedPattern(key, "BTCUSDT", Timeframe.H1, "head_and_shoulders", new BigDecimal(confidence),
                PAYLOAD, T0.minusSeconds(30));
    }

    static NewCachedPattern pattern(String key, Timeframe tf, Instant detectedAt) {
        return new NewCachedPattern(key, "BTCUSDT", tf, "head_and_shoulders", new BigDecimal("0.5"), PAYLOAD,
                detectedAt);
    }
}
