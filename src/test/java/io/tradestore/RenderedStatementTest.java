package io.tradestore;

import io.tradestore.internal.RenderedStatement;
import io.tradestore.testing.OnEachEngine;
import io.tradestore.testing.TempStore;
import io.tradestore.testing.TestEngine;
import org.jooq.DSLContext;
import org.jooq.Param;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.Parameter;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import static io.tradestore.internal.db.Tables.SENTIMENT_SCORES;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A write kept as rendered SQL (internal/RenderedStatement) is still a write to the statement listeners: a constraint
 * violation becomes the typed exception, and on PostgreSQL the per-statement savepoint rolls back only that
 * statement, so the unit carries on and commits. Without the savepoint, PostgreSQL would refuse every later
 * statement of the unit ("current transaction is aborted").
 */
@OnEachEngine
class RenderedStatementTest {
    @Parameter
    TestEngine engine;
    @RegisterExtension
    final TempStore store = new TempStore();

    private static final Instant T0 = Instant.parse("2023-03-01T00:00:00Z");

    /** A sentiment score written past the DAO, through kept SQL; (symbol, scored_at) is unique. */
    private static int insert(DSLContext db, RenderedStatement kept, int minute, String score) {
        Param<String> symbol = DSL.val("BTCUSDT", SENTIMENT_SCORES.SYMBOL);
        Param<Instant> at = DSL.val(T0.plusSeconds(60L * minute), SENTIMENT_SCORES.SCORED_AT);
        Param<BigDecimal> value = DSL.val(new BigDecimal(score), SENTIMENT_SCORES.SCORE);
        Param<BigDecimal> confidence = DSL.val(new BigDecimal("0.5"), SENTIMENT_SCORES.CONFIDENCE);
        Param<Integer> news = DSL.val(3, SENTIMENT_SCORES.NEWS_COUNT);
        return kept.execute(db, "one row", () -> db.insertInto(SENTIMENT_SCORES, SENTIMENT_SCORES.SYMBOL,
                        SENTIMENT_SCORES.SCORED_AT, SENTIMENT_SCORES.SCORE, SENTIMENT_SCORES.CONFIDENCE,
                        SENTIMENT_SCORES.NEWS_COUNT).values(symbol, at, value, confidence, news),
                symbol, at, value, confidence, news);
    }

    @Test
    void aKeptWriteThatViolatesAConstraintLeavesTheUnitUsable() {
        RenderedStatement kept = new RenderedStatement();
        store.useTransaction(uow -> {
            DSLContext db = uow.jooq();
            assertThat(insert(db, kept, 1, "0.25")).isOne(); // rendered
            assertThat(insert(db, kept, 2, "-0.5")).isOne(); // kept SQL from here on
            assertThatThrownBy(() -> insert(db, kept, 1, "0.75")).isInstanceOf(ConflictException.class);
            assertThat(insert(db, kept, 3, "0.125")).isOne();
        });
        List<String> rows = store.read(uow -> uow.sentiment().range("BTCUSDT", T0, T0.plusSeconds(3600),
                PageRequest.first(10)).items().stream().map(x -> x.score().toPlainString()).toList());
        assertThat(rows).containsExactly("0.25", "-0.5", "0.125");
    }
}
