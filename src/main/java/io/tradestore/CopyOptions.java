package io.tradestore;

import java.util.function.Consumer;

/**
 * How {@link SqliteToPostgres#copy} copies: rows per committed batch, how they are written, and who hears about
 * progress. Immutable; every {@code with...} method validates its value at once.
 *
 * @param batchSize rows per PostgreSQL transaction (1 to {@value #MAX_BATCH_SIZE}): what an interruption can
 *                  lose and a resume repeats
 * @param method    {@link Method#COPY} (default, fastest) or {@link Method#INSERT}
 * @param progress  called on the calling thread after every committed batch; if it throws, the copy stops there
 *                  (what was committed stays, and the next run resumes after it) and the exception reaches the caller
 */
public record CopyOptions(int batchSize, Method method, Consumer<CopyProgress> progress) {
    public static final int DEFAULT_BATCH_SIZE = 10_000;
    public static final int MAX_BATCH_SIZE = 1_000_000;

    /** How the rows reach PostgreSQL; both write the same values (see docs/postgresql.md ("Moving from SQLite") for the rates). */
    public enum Method {
        /** {@code COPY ... FROM STDIN} in PostgreSQL's text format. */
        COPY,
        /** Batched {@code INSERT}s with bound parameters ({@code reWriteBatchedInserts}). */
        INSERT
    }

    public CopyOptions {
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new ValidationException("batchSize", "must be between 1 and " + MAX_BATCH_SIZE, batchSize);
        }
        if (method == null) {
            throw new ValidationException("method", "must not be null", null);
        }
        if (progress == null) {
            throw new ValidationException("progress", "must not be null (use p -> { } for none)", null);
        }
    }

    /** Batches of {@value #DEFAULT_BATCH_SIZE} rows through COPY, no listener. */
    public static CopyOptions defaults() {
        return new CopyOptions(DEFAULT_BATCH_SIZE, Method.COPY, p -> { });
    }

    public CopyOptions withBatchSize(int batchSize) {
        return new CopyOptions(batchSize, method, progress);
    }

    public CopyOptions withMethod(Method method) {
        return new CopyOptions(batchSize, method, progress);
    }

    public CopyOptions withProgress(Consumer<CopyProgress> progress) {
        return new CopyOptions(batchSize, method, progress);
    }
}
