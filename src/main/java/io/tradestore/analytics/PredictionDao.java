package io.tradestore.analytics;

import io.tradestore.ConflictException;
import io.tradestore.Page;
import io.tradestore.PageRequest;
import io.tradestore.internal.Check;
import io.tradestore.internal.Decimal18;
import io.tradestore.internal.EpochMicros;
import io.tradestore.internal.Keyset;
import io.tradestore.internal.Tx;
import io.tradestore.internal.db.tables.records.PredictionsRecord;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record4;
import org.jooq.ResultQuery;
import org.jooq.SQLDialect;
import org.jooq.SelectForUpdateStep;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static io.tradestore.internal.db.Tables.OUTCOMES;
import static io.tradestore.internal.db.Tables.PREDICTIONS;

/**
 * analytics.predictions, and the accuracy of predictions measured against their outcomes. Obtain from
 * {@link io.tradestore.UnitOfWork#predictions()}.
 */
public final class PredictionDao {
    private static final int MODEL_VERSION_MAX = 64;

    private final Tx tx;

    public PredictionDao(Tx tx) {
        this.tx = tx;
    }

    /**
     * Records a prediction and returns it as stored, with createdAt from the store's clock.
     *
     * @throws ConflictException if a prediction for the same symbol and prediction timestamp exists; the
     *                           message names both and the existing prediction's id
     */
    public Prediction record(NewPrediction p) {
        Check.notNull("prediction", p);
        var db = tx.dslForWrite("predictions().record");
        // Looked up first rather than read after a failed insert: on PostgreSQL a failed statement aborts the
        // transaction, so the existing row could no longer be named. (ON CONFLICT DO NOTHING is no way out either:
        // it returns no row on a conflict, so the existing one would still have to be looked up.)
        Optional<Long> existing = db.select(PREDICTIONS.ID).from(PREDICTIONS)
                .where(PREDICTIONS.SYMBOL.eq(p.symbol()), PREDICTIONS.PREDICTION_TIMESTAMP.eq(p.predictionTimestamp()))
                .fetchOptional(PREDICTIONS.ID);
        if (existing.isPresent()) {
            throw new ConflictException(duplicate(p, existing.get()));
        }
        try {
            return map(db.insertInto(PREDICTIONS)
                    .set(PREDICTIONS.SYMBOL, p.symbol())
                    .set(PREDICTIONS.PREDICTION_TIMESTAMP, p.predictionTimestamp())
                    .set(PREDICTIONS.ACTION, p.action())
                    .set(PREDICTIONS.CONFIDENCE, p.confidence())
                    .set(PREDICTIONS.DIRECTION, p.direction())
                    .set(PREDICTIONS.MAGNITUDE, p.magnitude())
                    .set(PREDICTIONS.FEATURE_VECTOR, p.featureVector())
                    .set(PREDICTIONS.MODEL_VERSION, p.modelVersion())
                    .set(PREDICTIONS.ENTRY_PRICE, p.entryPrice())
                    .set(PREDICTIONS.MARKET_CONTEXT, p.marketContext())
                    .set(PREDICTIONS.CREATED_AT, tx.now())
                    .returning()
                    .fetchSingle());
        } catch (ConflictException e) {
            // A concurrent unit (PostgreSQL) recorded it after our lookup; the insert waited for it to commit, so at
            // READ COMMITTED the next statement sees its id (under serializable writes PostgreSQL reports 40001).
            Long theirs = db.select(PREDICTIONS.ID).from(PREDICTIONS)
                    .where(PREDICTIONS.SYMBOL.eq(p.symbol()),
                            PREDICTIONS.PREDICTION_TIMESTAMP.eq(p.predictionTimestamp()))
                    .fetchOne(PREDICTIONS.ID);
            throw new ConflictException(duplicate(p, theirs), e.sqlState(), e);
        }
    }

    private static String duplicate(NewPrediction p, Long existingId) {
        return "a prediction for " + p.symbol() + " at " + p.predictionTimestamp() + " already exists"
                + (existingId == null ? "" : " (prediction " + existingId + ")")
                + "; predictions are keyed by (symbol, prediction_timestamp)";
    }

    public Optional<Prediction> find(long id) {
        return tx.dsl().selectFrom(PREDICTIONS).where(PREDICTIONS.ID.eq(id)).fetchOptional(PredictionDao::map);
    }

    /**
     * One page of the predictions for {@code symbol} with {@code from <= prediction_timestamp < to}, oldest first
     * (a symbol has one prediction per timestamp; ties, were there any, by id). Decision 0012.
     */
    public Page<Prediction> bySymbol(String symbol, Instant from, Instant to, PageRequest page) {
        Check.symbol("symbol", symbol);
        Check.window(from, to);
        Check.notNull("page", page);
        List<Prediction> rows = tx.dsl().selectFrom(PREDICTIONS)
                .where(PREDICTIONS.SYMBOL.eq(symbol),
                        Keyset.from(PREDICTIONS.PREDICTION_TIMESTAMP, PREDICTIONS.ID, from, page),
                        PREDICTIONS.PREDICTION_TIMESTAMP.lt(to))
                .orderBy(PREDICTIONS.PREDICTION_TIMESTAMP, PREDICTIONS.ID)
                .limit(Keyset.fetchSize(page))
                .fetch(PredictionDao::map);
        return Keyset.page(rows, page, Prediction::predictionTimestamp, Prediction::id);
    }

    /**
     * The oldest {@code limit} predictions still without an outcome whose prediction_timestamp is at least
     * {@code horizon} before the store's clock, i.e. those whose outcome is due. Oldest first (ties by id), so a
     * worker that evaluates them in batches makes progress from the back of the queue.
     *
     * <p>Bounded on purpose (there is no unlimited overload): the queue can grow without bound when the evaluator
     * falls behind. The cost of a call grows with {@code limit}, not with history: only predictions awaiting an
     * outcome are in the index it reads (has_outcome, set by {@link OutcomeDao#record}; decision 0011).
     *
     * @throws io.tradestore.ValidationException if horizon is null or negative, or limit is not positive
     */
    public List<Prediction> awaitingOutcome(Duration horizon, int limit) {
        return awaiting(tx.dsl(), horizon, limit, false);
    }

    /**
     * {@link #awaitingOutcome}, claimed for this unit of work: the same validation, predictions and order, but on
     * PostgreSQL the rows are locked ({@code FOR UPDATE SKIP LOCKED}) until the unit ends, and rows another unit has
     * claimed are skipped. Several workers can therefore share the queue without two evaluating the same
     * prediction, as long as each runs its whole loop step in one write unit: claim, evaluate, record each outcome
     * ({@link OutcomeDao#record}), commit. Committing records the outcomes and releases the claim; a unit that fails
     * (or is retried after a serialization failure) releases its claim with nothing recorded, and the predictions
     * are claimed again. On SQLite the single writer already runs such units one after another, so the statement
     * is the plain query (SQLite has no {@code FOR UPDATE}).
     *
     * <p>A claim is a row lock, not a lease: it does not outlive the unit, so a worker must not claim in one unit
     * and record in another. Under serializable writes ({@code withSerializableWrites}), a claiming unit can still
     * fail with a serialization failure when another worker records outcomes next to its claim; the store's retry
     * runs it again (docs/analytics.md).
     *
     * @throws IllegalStateException              in a read unit of work (store.read)
     * @throws io.tradestore.ValidationException if horizon is null or negative, or limit is not positive
     */
    public List<Prediction> claimAwaitingOutcome(Duration horizon, int limit) {
        return awaiting(tx.dslForWrite("predictions().claimAwaitingOutcome"), horizon, limit, true);
    }

    private List<Prediction> awaiting(DSLContext db, Duration horizon, int limit, boolean claim) {
        Check.notNull("horizon", horizon);
        Check.that(!horizon.isNegative(), "horizon", "must not be negative", horizon);
        // as a page: a limit of Integer.MAX_VALUE would bring back the unbounded call (found by review)
        Check.that(limit >= 1 && limit <= PageRequest.MAX_LIMIT, "limit",
                "must be within [1, " + PageRequest.MAX_LIMIT + "]", limit);
        Instant now = tx.now();
        if (horizon.compareTo(Duration.between(EpochMicros.MIN, now)) > 0) {
            return List.of(); // the cutoff lies before the epoch: nothing stored can be that old
        }
        // Stored timestamps are whole microseconds, so flooring a finer cutoff keeps "<=" exact.
        Instant cutoff = now.minus(horizon).truncatedTo(ChronoUnit.MICROS);
        // isFalse() renders the literal the partial index's WHERE is written with (has_outcome = 0 on SQLite), so the
        // planner matches it from the SQL text alone, whatever it knows of bound values.
        SelectForUpdateStep<PredictionsRecord> query = db.selectFrom(PREDICTIONS)
                .where(PREDICTIONS.HAS_OUTCOME.isFalse(), PREDICTIONS.PREDICTION_TIMESTAMP.le(cutoff))
                .orderBy(PREDICTIONS.PREDICTION_TIMESTAMP, PREDICTIONS.ID)
                .limit(limit);
        // jOOQ renders FOR UPDATE for SQLite too, which SQLite cannot parse; there the writer lock is the claim.
        boolean lockRows = claim && db.dialect().family() == SQLDialect.POSTGRES;
        return (lockRows ? query.forUpdate().skipLocked() : query).fetch(PredictionDao::map);
    }

    /**
     * Accuracy of one model version over the predictions made in {@code [from, to)} (by prediction_timestamp).
     * Only predictions with an outcome count; see {@link Accuracy} for the exact arithmetic.
     */
    public Accuracy accuracyByModel(String modelVersion, Instant from, Instant to) {
        Check.text("modelVersion", modelVersion, MODEL_VERSION_MAX);
        Check.window(from, to);
        return accuracy(PREDICTIONS.MODEL_VERSION.eq(modelVersion), from, to);
    }

    /** Accuracy of all predictions for {@code symbol} made in {@code [from, to)}, whatever the model. */
    public Accuracy accuracyBySymbol(String symbol, Instant from, Instant to) {
        Check.symbol("symbol", symbol);
        Check.window(from, to);
        return accuracy(PREDICTIONS.SYMBOL.eq(symbol), from, to);
    }

    /**
     * {@link #accuracyByModel} for every model version with at least one evaluated prediction made in
     * {@code [from, to)}, ordered by model version (by UTF-16 code unit, in Java: SQL ORDER BY on text follows the
     * database's collation, which differs between SQLite and PostgreSQL).
     */
    public List<ModelAccuracy> accuracyPerModel(Instant from, Instant to) {
        Check.window(from, to);
        // Summed here, not by SQL SUM: SQLite stores decimals as BLOBs it cannot add (decision 0009), and one code
        // path for both engines keeps their answers identical. TreeMap: ordered by model version in Java.
        Map<String, Tally> tallies = new TreeMap<>();
        evaluated(inWindow(from, to))
                .forEach(r -> tallies.computeIfAbsent(r.value1(), k -> new Tally()).add(r.value2(), r.value3(), r.value4()));
        return tallies.entrySet().stream()
                .map(e -> new ModelAccuracy(e.getKey(), e.getValue().accuracy()))
                .toList();
    }

    private Accuracy accuracy(Condition subject, Instant from, Instant to) {
        Tally tally = new Tally();
        evaluated(subject.and(inWindow(from, to)))
                .forEach(r -> tally.add(r.value2(), r.value3(), r.value4()));
        return tally.accuracy();
    }

    /**
     * One row per evaluated prediction in the window: its model version, whether it was correct, its actual return
     * and its predicted direction. In time order: that order is an index's (by window, model or symbol), so the join
     * is driven from the window's predictions instead of reading every outcome (QueryPlanTest).
     */
    private ResultQuery<Record4<String, Boolean, BigDecimal, Direction>> evaluated(Condition where) {
        return tx.dsl().select(PREDICTIONS.MODEL_VERSION, OUTCOMES.CORRECT, OUTCOMES.ACTUAL_RETURN, PREDICTIONS.DIRECTION)
                .from(PREDICTIONS)
                .join(OUTCOMES).on(OUTCOMES.PREDICTION_ID.eq(PREDICTIONS.ID))
                .where(where)
                .orderBy(PREDICTIONS.PREDICTION_TIMESTAMP);
    }

    private static Condition inWindow(Instant from, Instant to) {
        return PREDICTIONS.PREDICTION_TIMESTAMP.ge(from).and(PREDICTIONS.PREDICTION_TIMESTAMP.lt(to));
    }

    /** Counts and exact BigDecimal sums; the quotients are rounded once, in {@link #accuracy(long, long, BigDecimal, BigDecimal)}. */
    private static final class Tally {
        long evaluated;
        long correct;
        BigDecimal returnSum = BigDecimal.ZERO;
        BigDecimal followedSum = BigDecimal.ZERO;

        void add(Boolean wasCorrect, BigDecimal actualReturn, Direction predicted) {
            evaluated++;
            if (Boolean.TRUE.equals(wasCorrect)) {
                correct++;
            }
            returnSum = returnSum.add(actualReturn);
            followedSum = followedSum.add(predicted.followedReturn(actualReturn));
        }

        Accuracy accuracy() {
            return PredictionDao.accuracy(evaluated, correct, returnSum, followedSum);
        }
    }

    /** The one place the quotients are rounded: exact quotients, half-even to 18 places, normalized. */
    static Accuracy accuracy(long evaluated, long correct, BigDecimal returnSum, BigDecimal followedSum) {
        if (evaluated == 0) {
            return new Accuracy(0, 0, null, null, null);
        }
        BigDecimal n = BigDecimal.valueOf(evaluated);
        BigDecimal hitRate = Decimal18.rounded("hit_rate", BigDecimal.valueOf(correct).divide(n, Decimal18.SCALE, RoundingMode.HALF_EVEN));
        BigDecimal meanReturn = Decimal18.rounded("mean_return", returnSum.divide(n, Decimal18.SCALE, RoundingMode.HALF_EVEN));
        BigDecimal meanFollowed = Decimal18.rounded("mean_followed_return",
                followedSum.divide(n, Decimal18.SCALE, RoundingMode.HALF_EVEN));
        return new Accuracy(evaluated, correct, hitRate, meanReturn, meanFollowed);
    }

    static Prediction map(PredictionsRecord r) {
        return new Prediction(r.getId(), r.getSymbol(), r.getPredictionTimestamp(), r.getAction(), r.getConfidence(),
                r.getDirection(), r.getMagnitude(), r.getFeatureVector(), r.getModelVersion(), r.getEntryPrice(),
                r.getMarketContext(), r.getCreatedAt());
    }
}
