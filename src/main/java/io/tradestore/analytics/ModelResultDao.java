package io.tradestore.analytics;

import io.tradestore.ConflictException;
import io.tradestore.Page;
import io.tradestore.PageRequest;
import io.tradestore.internal.Check;
import io.tradestore.internal.Keyset;
import io.tradestore.internal.Tx;
import io.tradestore.internal.db.tables.records.MlModelResultsRecord;
import org.jooq.Condition;

import java.util.List;
import java.util.Optional;

import static io.tradestore.internal.db.Tables.ML_MODEL_RESULTS;

/** analytics.ml_model_results. Obtain from {@link io.tradestore.UnitOfWork#modelResults()}. */
public final class ModelResultDao {
    private static final int NAME_MAX = 64;
    private final Tx tx;

    public ModelResultDao(Tx tx) {
        this.tx = tx;
    }

    /**
     * Records an evaluation and returns it as stored.
     *
     * @throws ConflictException if this model version already has a result evaluated at the same instant
     */
    public ModelResult record(NewModelResult m) {
        Check.notNull("modelResult", m);
        var db = tx.dslForWrite("modelResults().record");
        try {
            return map(db.insertInto(ML_MODEL_RESULTS)
                    .set(ML_MODEL_RESULTS.MODEL_NAME, m.modelName())
                    .set(ML_MODEL_RESULTS.MODEL_VERSION, m.modelVersion())
                    .set(ML_MODEL_RESULTS.EVALUATED_AT, m.evaluatedAt())
                    .set(ML_MODEL_RESULTS.WINDOW_START_TIME, m.windowStart())
                    .set(ML_MODEL_RESULTS.WINDOW_END_TIME, m.windowEnd())
                    .set(ML_MODEL_RESULTS.SAMPLE_COUNT, m.sampleCount())
                    .set(ML_MODEL_RESULTS.ACCURACY, m.accuracy())
                    .set(ML_MODEL_RESULTS.PRECISION_SCORE, m.precision())
                    .set(ML_MODEL_RESULTS.RECALL_SCORE, m.recall())
                    .set(ML_MODEL_RESULTS.F1_SCORE, m.f1())
                    .set(ML_MODEL_RESULTS.PARAMETERS, m.parameters())
                    .returning()
                    .fetchSingle());
        } catch (ConflictException e) {
            throw new ConflictException("a result for model " + m.modelName() + " version " + m.modelVersion()
                    + " evaluated at " + m.evaluatedAt() + " already exists; results are keyed by"
                    + " (model_name, model_version, evaluated_at)", e.sqlState(), e);
        }
    }

    /** The most recently evaluated result of any version of the model (ties by id), if any. */
    public Optional<ModelResult> latest(String modelName) {
        return latest(ofModel(modelName));
    }

    /** The most recently evaluated result of one version of the model, if any. */
    public Optional<ModelResult> latest(String modelName, String modelVersion) {
        return latest(ofVersion(modelName, modelVersion));
    }

    /** One page of the results of the model, all versions, oldest evaluation first (ties by id). Decision 0012. */
    public Page<ModelResult> history(String modelName, PageRequest page) {
        return history(ofModel(modelName), page);
    }

    /** One page of the results of one version of the model, oldest evaluation first (ties by id). */
    public Page<ModelResult> history(String modelName, String modelVersion, PageRequest page) {
        return history(ofVersion(modelName, modelVersion), page);
    }

    private Optional<ModelResult> latest(Condition which) {
        return tx.dsl().selectFrom(ML_MODEL_RESULTS).where(which)
                .orderBy(ML_MODEL_RESULTS.EVALUATED_AT.desc(), ML_MODEL_RESULTS.ID.desc())
                .limit(1)
                .fetchOptional(ModelResultDao::map);
    }

    private Page<ModelResult> history(Condition which, PageRequest page) {
        Check.notNull("page", page);
        List<ModelResult> rows = tx.dsl().selectFrom(ML_MODEL_RESULTS)
                .where(which, Keyset.from(ML_MODEL_RESULTS.EVALUATED_AT, ML_MODEL_RESULTS.ID, null, page))
                .orderBy(ML_MODEL_RESULTS.EVALUATED_AT, ML_MODEL_RESULTS.ID)
                .limit(Keyset.fetchSize(page))
                .fetch(ModelResultDao::map);
        return Keyset.page(rows, page, ModelResult::evaluatedAt, ModelResult::id);
    }

    private static Condition ofModel(String modelName) {
        return ML_MODEL_RESULTS.MODEL_NAME.eq(Check.text("modelName", modelName, NAME_MAX));
    }

    private static Condition ofVersion(String modelName, String modelVersion) {
        return ofModel(modelName)
                .and(ML_MODEL_RESULTS.MODEL_VERSION.eq(Check.text("modelVersion", modelVersion, NAME_MAX)));
    }

    static ModelResult map(MlModelResultsRecord r) {
        return new ModelResult(r.getId(), r.getModelName(), r.getModelVersion(), r.getEvaluatedAt(),
                r.getWindowStartTime(), r.getWindowEndTime(), r.getSampleCount(), r.getAccuracy(),
                r.getPrecisionScore(), r.getRecallScore(), r.getF1Score(), r.getParameters());
    }
}
