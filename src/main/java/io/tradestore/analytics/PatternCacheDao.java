package io.tradestore.analytics;

import io.tradestore.ValidationException;
import io.tradestore.internal.Check;
import io.tradestore.internal.RenderedQuery;
import io.tradestore.internal.RowLocks;
import io.tradestore.internal.Tx;
import io.tradestore.internal.db.tables.records.PatternCacheRecord;
import io.tradestore.market.Timeframe;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static io.tradestore.internal.db.Tables.PATTERN_CACHE;
import static org.jooq.impl.DSL.excluded;

/**
 * analytics.pattern_cache. Obtain from {@link io.tradestore.UnitOfWork#patternCache()}.
 *
 * <p>Expiry is decided by the store's clock ({@link io.tradestore.TradestoreConfig#withClock}), never the
 * database's, so tests and replays control it. An entry whose expires_at has been reached is a miss at once,
 * whether or not {@link #purgeExpired} has run yet: purging only reclaims space and is never needed for
 * correctness.
 */
public final class PatternCacheDao {
    /** Longest TTL accepted: a cache entry meant to outlive ten years is a bug, not a cache entry. */
    public static final Duration MAX_TTL = Duration.ofDays(3650);

    private final Tx tx;

    public PatternCacheDao(Tx tx) {
        this.tx = tx;
    }

    /**
     * Caches {@code pattern} until now + {@code ttl} unless the key already holds a newer detection: the newest
     * detection wins. If the stored entry's detectedAt is later than the pattern's, nothing changes (not even its
     * TTL) and the result says so ({@link CachePut#stale()}), with the stored entry; otherwise (no entry, an older
     * one, or one detected at the same instant, where the later write wins) every field of the entry is replaced,
     * keeping its id, so putting a key again also restarts its TTL. An expired entry counts too: a slow detector's
     * old result does not come back after a newer one expired.
     *
     * <p>No check-then-write race: the replacement is a conditional {@code UPDATE ... WHERE cache_key = ? AND
     * detected_at <= ?}, and a key not stored yet is inserted by a conditional upsert ({@code ON CONFLICT ... DO
     * UPDATE ... WHERE stored detected_at <= new}), so detectors racing on the same key on PostgreSQL, where writers
     * run concurrently, cannot both win: each statement waits for a unit writing the same key and then checks its
     * condition against the row that unit committed (decision 0017). A stale put is an answer, not an error: a pipeline whose detectors finish out
     * of order does nothing wrong (decision 0011).
     *
     * @throws ValidationException if ttl is not within (0, {@link #MAX_TTL}] in whole microseconds, or if the
     *                             entry would expire before the pattern's detectedAt
     */
    public CachePut put(NewCachedPattern pattern, Duration ttl) {
        Check.notNull("pattern", pattern);
        checkTtl(ttl);
        var db = tx.dslForWrite("patternCache().put");
        Instant now = tx.now();
        Instant expiresAt = Check.timestamp("pattern_cache.expires_at", now.plus(ttl));
        if (expiresAt.isBefore(pattern.detectedAt())) {
            throw new ValidationException("pattern_cache.expires_at", "must not be before detected_at ("
                    + pattern.detectedAt() + "): now (" + now + ") + ttl (" + ttl + ") ends before the pattern was"
                    + " detected; is detected_at in the future?", expiresAt);
        }
        // Row counts are the answer: 1 when this put wrote the entry, 0 when a newer detection kept it.
        int written = replace(db, pattern, expiresAt);
        if (written == 0) {
            // Locked and read again: on PostgreSQL (READ COMMITTED) the UPDATE may have found no row that a unit
            // committed just after it, older than this put; only a stored entry detected after this one keeps it.
            Optional<CachedPattern> current = stored(db, pattern.cacheKey(), true);
            if (current.isPresent() && current.get().detectedAt().isAfter(pattern.detectedAt())) {
                // Not an INSERT that conflicts and does nothing: on SQLite even that advances the AUTOINCREMENT
                // counter in sqlite_sequence, and a stale put must change nothing.
                return new CachePut(current.get(), false);
            }
            written = current.isPresent()
                    // Detected no later than this put, and locked by this unit now: the replacement applies.
                    ? replace(db, pattern, expiresAt)
                    : insert(db, pattern, expiresAt);
        }
        // Read back by key, not with returning(): the rule of decision 0007 (the RETURNING emulation jOOQ used on
        // SQLite returned another key's row after the DO UPDATE path; the store now sends native RETURNING).
        return new CachePut(stored(db, pattern.cacheKey(), false).orElseThrow(), written == 1);
    }

    /** Replaces the stored entry if it was detected no later than {@code pattern}; the row count. */
    private static int replace(DSLContext db, NewCachedPattern pattern, Instant expiresAt) {
        return db.update(PATTERN_CACHE)
                .set(PATTERN_CACHE.SYMBOL, pattern.symbol())
                .set(PATTERN_CACHE.TIMEFRAME, pattern.timeframe())
                .set(PATTERN_CACHE.PATTERN_TYPE, pattern.patternType())
                .set(PATTERN_CACHE.CONFIDENCE, pattern.confidence())
                .set(PATTERN_CACHE.PAYLOAD, pattern.payload())
                .set(PATTERN_CACHE.DETECTED_AT, pattern.detectedAt())
                .set(PATTERN_CACHE.EXPIRES_AT, expiresAt)
                .where(PATTERN_CACHE.CACHE_KEY.eq(pattern.cacheKey()),
                        PATTERN_CACHE.DETECTED_AT.le(pattern.detectedAt()))
                .execute();
    }

    /** Inserts a key not stored yet, or applies the same rule to a concurrent unit's insert of it; the row count. */
    private static int insert(DSLContext db, NewCachedPattern pattern, Instant expiresAt) {
        return db.insertInto(PATTERN_CACHE)
                    .set(PATTERN_CACHE.CACHE_KEY, pattern.cacheKey())
                    .set(PATTERN_CACHE.SYMBOL, pattern.symbol())
                    .set(PATTERN_CACHE.TIMEFRAME, pattern.timeframe())
                    .set(PATTERN_CACHE.PATTERN_TYPE, pattern.patternType())
                    .set(PATTERN_CACHE.CONFIDENCE, pattern.confidence())
                    .set(PATTERN_CACHE.PAYLOAD, pattern.payload())
                    .set(PATTERN_CACHE.DETECTED_AT, pattern.detectedAt())
                    .set(PATTERN_CACHE.EXPIRES_AT, expiresAt)
                    // A concurrent unit (PostgreSQL) may have inserted the key since our UPDATE: the same rule then.
                    .onConflict(PATTERN_CACHE.CACHE_KEY)
                    .doUpdate()
                    .set(PATTERN_CACHE.SYMBOL, excluded(PATTERN_CACHE.SYMBOL))
                    .set(PATTERN_CACHE.TIMEFRAME, excluded(PATTERN_CACHE.TIMEFRAME))
                    .set(PATTERN_CACHE.PATTERN_TYPE, excluded(PATTERN_CACHE.PATTERN_TYPE))
                    .set(PATTERN_CACHE.CONFIDENCE, excluded(PATTERN_CACHE.CONFIDENCE))
                    .set(PATTERN_CACHE.PAYLOAD, excluded(PATTERN_CACHE.PAYLOAD))
                    .set(PATTERN_CACHE.DETECTED_AT, excluded(PATTERN_CACHE.DETECTED_AT))
                    .set(PATTERN_CACHE.EXPIRES_AT, excluded(PATTERN_CACHE.EXPIRES_AT))
                    .where(PATTERN_CACHE.DETECTED_AT.le(excluded(PATTERN_CACHE.DETECTED_AT)))
                    .execute();
    }

    /** The entry under {@code cacheKey}, expired or not, read in the writing unit. */
    private static Optional<CachedPattern> stored(DSLContext db, String cacheKey, boolean lock) {
        var query = db.selectFrom(PATTERN_CACHE).where(PATTERN_CACHE.CACHE_KEY.eq(cacheKey));
        return (lock ? RowLocks.forWrite(db, query) : query).fetchOptional(PatternCacheDao::map);
    }

    /** The unexpired entry under {@code cacheKey}; empty if there is none or it has expired. */
    public Optional<CachedPattern> get(String cacheKey) {
        Check.text("cacheKey", cacheKey, NewCachedPattern.CACHE_KEY_MAX);
        var db = tx.dsl();
        Instant now = tx.now();
        return GET.fetchOptional(db, "read", () -> db.selectFrom(PATTERN_CACHE)
                        .where(PATTERN_CACHE.CACHE_KEY.eq(cacheKey), PATTERN_CACHE.EXPIRES_AT.gt(now)),
                DSL.val(cacheKey, PATTERN_CACHE.CACHE_KEY), DSL.val(now, PATTERN_CACHE.EXPIRES_AT))
                .map(PatternCacheDao::map);
    }

    /** The cache's hot read, rendered once (RenderedQuery). */
    private static final RenderedQuery<PatternCacheRecord> GET = new RenderedQuery<>(PATTERN_CACHE);

    /** Deletes every expired entry (expires_at at or before now) and returns how many there were. */
    public int purgeExpired() {
        var db = tx.dslForWrite("patternCache().purgeExpired");
        return db.deleteFrom(PATTERN_CACHE)
                .where(PATTERN_CACHE.EXPIRES_AT.le(tx.now()))
                .execute();
    }

    /** The unexpired entries of {@code symbol} in any timeframe, most recently detected first. */
    public List<CachedPattern> bySymbol(String symbol) {
        Check.symbol("symbol", symbol);
        return unexpiredWhere(PATTERN_CACHE.SYMBOL.eq(symbol));
    }

    /** The unexpired entries of {@code symbol} in {@code timeframe}, most recently detected first. */
    public List<CachedPattern> bySymbol(String symbol, Timeframe timeframe) {
        Check.symbol("symbol", symbol);
        Check.notNull("timeframe", timeframe);
        return unexpiredWhere(PATTERN_CACHE.SYMBOL.eq(symbol).and(PATTERN_CACHE.TIMEFRAME.eq(timeframe)));
    }

    private List<CachedPattern> unexpiredWhere(Condition condition) {
        return tx.dsl().selectFrom(PATTERN_CACHE)
                .where(condition, unexpired())
                // id breaks ties so equal detection times come back in a stable order: newest entry first.
                .orderBy(PATTERN_CACHE.DETECTED_AT.desc(), PATTERN_CACHE.ID.desc())
                .fetch(PatternCacheDao::map);
    }

    private Condition unexpired() {
        return PATTERN_CACHE.EXPIRES_AT.gt(tx.now());
    }

    private static void checkTtl(Duration ttl) {
        Check.notNull("ttl", ttl);
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new ValidationException("ttl", "must be > 0 and at most " + MAX_TTL.toDays() + " days", ttl);
        }
        if (ttl.getNano() % 1_000 != 0) {
            throw new ValidationException("ttl", "must be whole microseconds, the storage precision of expires_at",
                    ttl);
        }
    }

    private static CachedPattern map(PatternCacheRecord r) {
        return new CachedPattern(r.getId(), r.getCacheKey(), r.getSymbol(), r.getTimeframe(), r.getPatternType(),
                r.getConfidence(), r.getPayload(), r.getDetectedAt(), r.getExpiresAt());
    }
}
