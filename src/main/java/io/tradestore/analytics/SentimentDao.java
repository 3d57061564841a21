package io.tradestore.analytics;

import io.tradestore.ConflictException;
import io.tradestore.Page;
import io.tradestore.PageRequest;
import io.tradestore.internal.Check;
import io.tradestore.internal.Keyset;
import io.tradestore.internal.Tx;
import io.tradestore.internal.db.tables.records.SentimentScoresRecord;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static io.tradestore.internal.db.Tables.SENTIMENT_SCORES;

/**
 * analytics.sentiment_scores: one score per symbol and instant. Obtain from
 * {@link io.tradestore.UnitOfWork#sentiment()}.
 */
public final class SentimentDao {
    private final Tx tx;

    public SentimentDao(Tx tx) {
        this.tx = tx;
    }

    /**
     * Records a score and returns it as stored.
     *
     * @throws ConflictException if the symbol already has a score at the same instant
     */
    public SentimentScore record(NewSentimentScore s) {
        Check.notNull("sentimentScore", s);
        var db = tx.dslForWrite("sentiment().record");
        try {
            return map(db.insertInto(SENTIMENT_SCORES)
                    .set(SENTIMENT_SCORES.SYMBOL, s.symbol())
                    .set(SENTIMENT_SCORES.SCORED_AT, s.scoredAt())
                    .set(SENTIMENT_SCORES.SCORE, s.score())
                    .set(SENTIMENT_SCORES.CONFIDENCE, s.confidence())
                    .set(SENTIMENT_SCORES.NEWS_COUNT, s.newsCount())
                    .set(SENTIMENT_SCORES.SOURCE, s.source())
                    .returning()
                    .fetchSingle());
        } catch (ConflictException e) {
            throw new ConflictException("a sentiment score for " + s.symbol() + " at " + s.scoredAt()
                    + " already exists; scores are keyed by (symbol, scored_at)", e.sqlState(), e);
        }
    }

    /**
     * One page of the scores of {@code symbol} with {@code from <= scored_at < to}, oldest first (one score per
     * symbol and instant; ties, were there any, by id). Decision 0012.
     */
    public Page<SentimentScore> range(String symbol, Instant from, Instant to, PageRequest page) {
        Check.symbol("symbol", symbol);
        Check.window(from, to);
        Check.notNull("page", page);
        List<SentimentScore> rows = tx.dsl().selectFrom(SENTIMENT_SCORES)
                .where(SENTIMENT_SCORES.SYMBOL.eq(symbol),
                        Keyset.from(SENTIMENT_SCORES.SCORED_AT, SENTIMENT_SCORES.ID, from, page),
                        SENTIMENT_SCORES.SCORED_AT.lt(to))
                .orderBy(SENTIMENT_SCORES.SCORED_AT, SENTIMENT_SCORES.ID)
                .limit(Keyset.fetchSize(page))
                .fetch(SentimentDao::map);
        return Keyset.page(rows, page, SentimentScore::scoredAt, SentimentScore::id);
    }

    /** The most recent score of {@code symbol} by scored_at, if any. */
    public Optional<SentimentScore> latest(String symbol) {
        Check.symbol("symbol", symbol);
        return tx.dsl().selectFrom(SENTIMENT_SCORES)
                .where(SENTIMENT_SCORES.SYMBOL.eq(symbol))
                .orderBy(SENTIMENT_SCORES.SCORED_AT.desc())
                .limit(1)
                .fetchOptional(SentimentDao::map);
    }

    static SentimentScore map(SentimentScoresRecord r) {
        return new SentimentScore(r.getId(), r.getSymbol(), r.getScoredAt(), r.getScore(), r.getConfidence(),
                r.getNewsCount(), r.getSource());
    }
}
