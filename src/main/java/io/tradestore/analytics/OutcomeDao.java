package io.tradestore.analytics;

import io.tradestore.ConflictException;
import io.tradestore.NotFoundException;
import io.tradestore.Page;
import io.tradestore.PageRequest;
import io.tradestore.ValidationException;
import io.tradestore.internal.Check;
import io.tradestore.internal.Keyset;
import io.tradestore.internal.Tx;
import io.tradestore.internal.db.tables.records.OutcomesRecord;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static io.tradestore.internal.db.Tables.OUTCOMES;
import static io.tradestore.internal.db.Tables.PREDICTIONS;

/** analytics.outcomes: at most one per prediction. Obtain from {@link io.tradestore.UnitOfWork#outcomes()}. */
public final class OutcomeDao {
    private final Tx tx;

    public OutcomeDao(Tx tx) {
        this.tx = tx;
    }

    /**
     * Records the outcome of a prediction and returns it as stored, with createdAt from the store's clock. In the
     * same unit the prediction stops awaiting an outcome ({@link PredictionDao#awaitingOutcome}).
     *
     * @throws NotFoundException                  if the prediction does not exist
     * @throws io.tradestore.ValidationException if evaluationTimestamp is before the prediction's timestamp, or
     *                                            {@code correct} contradicts the prediction's direction and the
     *                                            actual direction (see {@link NewOutcome})
     * @throws ConflictException                  if the prediction already has an outcome
     */
    public Outcome record(NewOutcome o) {
        Check.notNull("outcome", o);
        var db = tx.dslForWrite("outcomes().record");
        // One lookup answers every question (exists? when? which direction? already evaluated?) before the insert,
        // so the caller gets a precise error instead of a foreign key, CHECK or unique violation from the database.
        var prediction = db.select(PREDICTIONS.PREDICTION_TIMESTAMP, OUTCOMES.ID, PREDICTIONS.DIRECTION)
                .from(PREDICTIONS)
                .leftJoin(OUTCOMES).on(OUTCOMES.PREDICTION_ID.eq(PREDICTIONS.ID))
                .where(PREDICTIONS.ID.eq(o.predictionId()))
                .fetchOptional()
                .orElseThrow(() -> new NotFoundException("prediction " + o.predictionId() + " does not exist;"
                        + " record the prediction before its outcome"));
        Check.notBefore("outcomes.evaluation_timestamp", o.evaluationTimestamp(),
                "the prediction_timestamp of prediction " + o.predictionId(), prediction.value1());
        Direction predicted = prediction.value3();
        if (o.correct() != (predicted == o.actualDirection())) {
            throw new ValidationException("outcomes.correct", "must be true exactly when the prediction's direction"
                    + " equals actual_direction: prediction " + o.predictionId() + " predicted " + predicted
                    + " and actual_return " + o.actualReturn().toPlainString() + " is " + o.actualDirection()
                    + ", so correct must be " + !o.correct(), o.correct());
        }
        if (prediction.value2() != null) {
            throw new ConflictException(alreadyEvaluated(o.predictionId(), prediction.value2()));
        }
        try {
            Outcome stored = map(db.insertInto(OUTCOMES)
                    .set(OUTCOMES.PREDICTION_ID, o.predictionId())
                    .set(OUTCOMES.EVALUATION_TIMESTAMP, o.evaluationTimestamp())
                    .set(OUTCOMES.ACTUAL_RETURN, o.actualReturn())
                    .set(OUTCOMES.ACTUAL_DIRECTION, o.actualDirection())
                    .set(OUTCOMES.EXIT_PRICE, o.exitPrice())
                    .set(OUTCOMES.CORRECT, o.correct())
                    .set(OUTCOMES.CREATED_AT, tx.now())
                    .returning()
                    .fetchSingle());
            // The unique outcome above is what makes this flag exact: it is set once, in the unit that records the
            // outcome, and rolls back with it.
            db.update(PREDICTIONS).set(PREDICTIONS.HAS_OUTCOME, true)
                    .where(PREDICTIONS.ID.eq(o.predictionId()))
                    .execute();
            return stored;
        } catch (ConflictException e) {
            // A concurrent unit (PostgreSQL) recorded an outcome for it after our lookup; the insert waited for it to
            // commit, so at READ COMMITTED the next statement sees it (under serializable writes: 40001 instead).
            Long theirs = db.select(OUTCOMES.ID).from(OUTCOMES).where(OUTCOMES.PREDICTION_ID.eq(o.predictionId()))
                    .fetchOne(OUTCOMES.ID);
            throw new ConflictException(alreadyEvaluated(o.predictionId(), theirs), e.sqlState(), e);
        }
    }

    /** The outcome of prediction {@code predictionId}, if it has been evaluated. */
    public Optional<Outcome> forPrediction(long predictionId) {
        return tx.dsl().selectFrom(OUTCOMES).where(OUTCOMES.PREDICTION_ID.eq(predictionId))
                .fetchOptional(OutcomeDao::map);
    }

    /**
     * One page of the outcomes with {@code from <= evaluation_timestamp < to}, in evaluation order (ties by id).
     * Decision 0012.
     */
    public Page<Outcome> evaluatedBetween(Instant from, Instant to, PageRequest page) {
        Check.window(from, to);
        Check.notNull("page", page);
        List<Outcome> rows = tx.dsl().selectFrom(OUTCOMES)
                .where(Keyset.from(OUTCOMES.EVALUATION_TIMESTAMP, OUTCOMES.ID, from, page),
                        OUTCOMES.EVALUATION_TIMESTAMP.lt(to))
                .orderBy(OUTCOMES.EVALUATION_TIMESTAMP, OUTCOMES.ID)
                .limit(Keyset.fetchSize(page))
                .fetch(OutcomeDao::map);
        return Keyset.page(rows, page, Outcome::evaluationTimestamp, Outcome::id);
    }

    private static String alreadyEvaluated(long predictionId, Long outcomeId) {
        return "prediction " + predictionId + " already has an outcome"
                + (outcomeId == null ? "" : " (outcome " + outcomeId + ")")
                + "; a prediction has at most one outcome";
    }

    static Outcome map(OutcomesRecord r) {
        return new Outcome(r.getId(), r.getPredictionId(), r.getEvaluationTimestamp(), r.getActualReturn(),
                r.getActualDirection(), r.getExitPrice(), r.getCorrect(), r.getCreatedAt());
    }
}
