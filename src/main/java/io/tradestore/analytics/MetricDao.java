package io.tradestore.analytics;

import io.tradestore.Page;
import io.tradestore.PageRequest;
import io.tradestore.internal.Check;
import io.tradestore.internal.Keyset;
import io.tradestore.internal.Tx;
import io.tradestore.internal.db.tables.records.AnalyticsMetricsRecord;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static io.tradestore.internal.db.Tables.ANALYTICS_METRICS;

/**
 * analytics.analytics_metrics: named numeric time series. A series may hold several values at one instant
 * (one per set of dimensions), so nothing here is unique. Obtain from {@link io.tradestore.UnitOfWork#metrics()}.
 */
public final class MetricDao {
    private static final int NAME_MAX = 128;
    private final Tx tx;

    public MetricDao(Tx tx) {
        this.tx = tx;
    }

    /** Records a value and returns it as stored. */
    public Metric record(NewMetric m) {
        Check.notNull("metric", m);
        return map(tx.dslForWrite("metrics().record").insertInto(ANALYTICS_METRICS)
                .set(ANALYTICS_METRICS.NAME, m.name())
                .set(ANALYTICS_METRICS.VALUE, m.value())
                .set(ANALYTICS_METRICS.COMPUTED_AT, m.computedAt())
                .set(ANALYTICS_METRICS.DIMENSIONS, m.dimensions())
                .returning()
                .fetchSingle());
    }

    /** One page of the values of the metric with {@code from <= computed_at < to}, oldest first (ties by id). */
    public Page<Metric> series(String name, Instant from, Instant to, PageRequest page) {
        Check.text("name", name, NAME_MAX);
        Check.window(from, to);
        Check.notNull("page", page);
        List<Metric> rows = tx.dsl().selectFrom(ANALYTICS_METRICS)
                .where(ANALYTICS_METRICS.NAME.eq(name),
                        Keyset.from(ANALYTICS_METRICS.COMPUTED_AT, ANALYTICS_METRICS.ID, from, page),
                        ANALYTICS_METRICS.COMPUTED_AT.lt(to))
                .orderBy(ANALYTICS_METRICS.COMPUTED_AT, ANALYTICS_METRICS.ID)
                .limit(Keyset.fetchSize(page))
                .fetch(MetricDao::map);
        return Keyset.page(rows, page, Metric::computedAt, Metric::id);
    }

    /**
     * The most recently computed value of the metric, whatever its dimensions; of several at that instant, the
     * last recorded.
     */
    public Optional<Metric> latest(String name) {
        Check.text("name", name, NAME_MAX);
        return tx.dsl().selectFrom(ANALYTICS_METRICS)
                .where(ANALYTICS_METRICS.NAME.eq(name))
                .orderBy(ANALYTICS_METRICS.COMPUTED_AT.desc(), ANALYTICS_METRICS.ID.desc())
                .limit(1)
                .fetchOptional(MetricDao::map);
    }

    static Metric map(AnalyticsMetricsRecord r) {
        return new Metric(r.getId(), r.getName(), r.getValue(), r.getComputedAt(), r.getDimensions());
    }
}
