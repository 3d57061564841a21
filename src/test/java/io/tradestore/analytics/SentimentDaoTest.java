package io.tradestore.analytics;

import io.tradestore.testing.Pages;

import io.tradestore.ConflictException;
import io.tradestore.ValidationException;
import io.tradestore.testing.OnEachEngine;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static io.tradestore.testing.Stores.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@OnEachEngine
class SentimentDaoTest {
    @Parameter
    TestEngine engine;
    static final Instant FAR = Instant.parse("2100-01-01T00:00:00Z");

    @RegisterExtension
    final TempStore store = new TempStore();

    @Test
    void recordedScoreComesBackExactlyWithItsId() {
        SentimentScore stored = store.inTransaction(uow -> uow.sentiment().record(new NewSentimentScore("BTCUSDT",
                T0, new BigDecimal("-0.123456789012345678"), new BigDecimal("0.90"), 17, "newsapi")));

        assertThat(stored.id()).isPositive();
        assertThat(stored.symbol()).isEqualTo("BTCUSDT");
        assertThat(stored.scoredAt()).isEqualTo(T0);
        assertThat(stored.score()).isEqualTo(new BigDecimal("-0.123456789012345678"));
        assertThat(stored.confidence()).isEqualTo(new BigDecimal("0.9")); // 0.90 normalized
        assertThat(stored.newsCount()).isEqualTo(17);
        assertThat(stored.source()).isEqualTo("newsapi");
        Optional<SentimentScore> latest = store.read(uow -> uow.sentiment().latest("BTCUSDT"));
        assertThat(latest).contains(stored);
    }

    @Test
    void theExtremesAreValidScoresAndTheSourceMayBeAbsent() {
        SentimentScore bearish = store.inTransaction(uow -> uow.sentiment().record(
                new NewSentimentScore("BTCUSDT", T0, new BigDecimal("-1"), BigDecimal.ZERO, 0, null)));
        SentimentScore bullish = store.inTransaction(uow -> uow.sentiment().record(
                new NewSentimentScore("BTCUSDT", T0.plusSeconds(1), BigDecimal.ONE, BigDecimal.ONE, 0, null)));
        assertThat(bearish.score()).isEqualByComparingTo("-1");
        assertThat(bullish.score()).isEqualByComparingTo("1");
        assertThat(bearish.source()).isNull();
    }

    @Test
    void aSecondScoreForTheSameSymbolAndInstantIsAConflict() {
        SentimentScore first = store.inTransaction(uow -> uow.sentiment().record(score("BTCUSDT", T0, "0.5")));

        assertThatThrownBy(() -> store.useTransaction(uow -> {
            uow.sentiment().record(score("BTCUSDT", T0.plusSeconds(1), "0.1"));
            uow.sentiment().record(score("BTCUSDT", T0, "-0.5"));
        })).isInstanceOf(ConflictException.class)
                .hasMessageStartingWith("a sentiment score for BTCUSDT at " + T0 + " already exists")
                .satisfies(e -> assertThat(((ConflictException) e).sqlState()).isEqualTo("23505"))
                .hasCauseInstanceOf(ConflictException.class);

        List<SentimentScore> kept = store.read(uow -> Pages.all(page ->
                uow.sentiment().range("BTCUSDT", T0, FAR, page)));
        assertThat(kept).containsExactly(first);
    }

    @Test
    void rangeIsHalfOpenInTimeOrderAndOnlyForThatSymbol() {
        store.useTransaction(uow -> {
            for (int i = 4; i >= 0; i--) {
                uow.sentiment().record(score("BTCUSDT", T0.plusSeconds(i), "0." + i));
            }
            uow.sentiment().record(score("ETHUSDT", T0.plusSeconds(2), "0.9"));
        });
        List<SentimentScore> range = store.read(uow -> Pages.all(page ->
                uow.sentiment().range("BTCUSDT", T0.plusSeconds(1), T0.plusSeconds(3), page)));
        assertThat(range).extracting(SentimentScore::scoredAt).containsExactly(T0.plusSeconds(1), T0.plusSeconds(2));
        assertThat(range).extracting(SentimentScore::symbol).containsOnly("BTCUSDT");
    }

    @Test
    void latestIsTheMostRecentScoreOfThatSymbolNotTheLastRecorded() {
        store.useTransaction(uow -> {
            uow.sentiment().record(score("BTCUSDT", T0.plusSeconds(60), "0.6"));
            uow.sentiment().record(score("BTCUSDT", T0, "0.1"));
            uow.sentiment().record(score("ETHUSDT", T0.plusSeconds(120), "0.9"));
        });
        SentimentScore latest = store.read(uow -> uow.sentiment().latest("BTCUSDT")).orElseThrow();
        assertThat(latest.scoredAt()).isEqualTo(T0.plusSeconds(60));
        Optional<SentimentScore> unknown = store.read(uow -> uow.sentiment().latest("SOLUSDT"));
        assertThat(unknown).isEmpty();
    }

    @Test
    void invalidScoresAreRejectedBeforeAnySql() {
        BigDecimal one = BigDecimal.ONE;
        assertThatThrownBy(() -> new NewSentimentScore("", T0, one, one, 0, null))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("sentiment_scores.symbol:");
        assertThatThrownBy(() -> new NewSentimentScore("BTCUSDT", null, one, one, 0, null))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("sentiment_scores.scored_at: must not be null");
        assertThatThrownBy(() -> new NewSentimentScore("BTCUSDT", T0, new BigDecimal("1.000000000000000001"), one, 0, null))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("sentiment_scores.score: must be within [-1, 1]");
        assertThatThrownBy(() -> new NewSentimentScore("BTCUSDT", T0, new BigDecimal("-1.000000000000000001"), one, 0, null))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("sentiment_scores.score: must be within [-1, 1]");
        assertThatThrownBy(() -> new NewSentimentScore("BTCUSDT", T0, one, new BigDecimal("-0.1"), 0, null))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("sentiment_scores.confidence: must be within [0, 1]");
        assertThatThrownBy(() -> new NewSentimentScore("BTCUSDT", T0, one, one, -1, null))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("sentiment_scores.news_count: must be >= 0");
        assertThatThrownBy(() -> new NewSentimentScore("BTCUSDT", T0, one, one, 0, ""))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("sentiment_scores.source: must not be blank");
        assertThatThrownBy(() -> new NewSentimentScore("BTCUSDT", T0, one, one, 0, "s".repeat(65)))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("sentiment_scores.source: must be at most 64 characters");
        assertThatThrownBy(() -> store.read(uow -> uow.sentiment().latest(null)))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("symbol: must not be null");
        assertThatThrownBy(() -> store.read(uow -> Pages.all(page -> uow.sentiment().range("BTCUSDT", FAR, T0, page))))
                .isInstanceOf(ValidationException.class).hasMessageStartingWith("to: must not be before from");
    }

    @Test
    void recordingInsideAReadUnitIsRefused() {
        assertThatThrownBy(() -> store.read(uow -> uow.sentiment().record(score("BTCUSDT", T0, "0"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sentiment().record")
                .hasMessageContaining("read-only unit of work");
    }

    static NewSentimentScore score(String symbol, Instant at, String score) {
        return new NewSentimentScore(symbol, at, new BigDecimal(score), new BigDecimal("0.8"), 3, "test");
    }
}
