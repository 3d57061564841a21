package io.tradestore.analytics;

/**
 * What {@link PatternCacheDao#put} did. {@code entry} is the entry stored under the key after the put, whether or not
 * this put wrote it; {@code applied} is false when the put was ignored because the stored entry was detected later
 * (its detectedAt is newer than the put's): then {@code entry} is that newer entry, unchanged.
 */
public record CachePut(CachedPattern entry, boolean applied) {
    public CachePut {
        if (entry == null) {
            throw new IllegalArgumentException("a put always leaves an entry under its key");
        }
    }

    /** True when the put changed nothing because a newer detection was already stored. */
    public boolean stale() {
        return !applied;
    }
}
