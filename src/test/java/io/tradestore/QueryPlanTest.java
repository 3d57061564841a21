package io.tradestore;

import io.tradestore.market.Timeframe;
import io.tradestore.testing.SqliteFiles;
import io.tradestore.trading.OrderStatus;
import io.tradestore.trading.PositionStatus;
import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import static io.tradestore.internal.db.Tables.CANDLESTICKS;
import static io.tradestore.internal.db.Tables.ORDERS;
import static io.tradestore.internal.db.Tables.OUTCOMES;
import static io.tradestore.internal.db.Tables.PATTERN_CACHE;
import static io.tradestore.internal.db.Tables.POSITIONS;
import static io.tradestore.internal.db.Tables.PREDICTIONS;
import static org.assertj.core.api.Assertions.assertThat;

/** The key lookups use their index: SEARCH ... USING INDEX, never a full SCAN or a temporary sort. */
class QueryPlanTest {
    private static final Instant FROM = Instant.parse("2023-03-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2023-03-02T00:00:00Z");

    @TempDir
    Path dir;
    Connection connection;
    DSLContext db;

    @BeforeEach
    void open() throws Exception {
        connection = SqliteFiles.open(SqliteFiles.migrated(dir));
        db = DSL.using(connection, SQLDialect.SQLITE);
    }

    @AfterEach
    void close() throws Exception {
        connection.close();
    }

    @Test
    void candlesBySymbolTimeframeAndTimeRangeSearchTheClusteredPrimaryKey() throws Exception {
        String plan = plan(db.selectFrom(CANDLESTICKS)
                .where(CANDLESTICKS.SYMBOL.eq("BTCUSDT"), CANDLESTICKS.TIMEFRAME.eq(Timeframe.M1),
                        CANDLESTICKS.OPEN_TIME.ge(FROM), CANDLESTICKS.OPEN_TIME.lt(TO))
                .orderBy(CANDLESTICKS.OPEN_TIME));
        assertThat(plan).contains("SEARCH candlesticks USING PRIMARY KEY (symbol=? AND timeframe=? AND open_time>? AND open_time<?)")
                .doesNotContain("TEMP B-TREE");
    }

    @Test
    void predictionsBySymbolAndTimeSearchTheirUniqueKey() throws Exception {
        String plan = plan(db.selectFrom(PREDICTIONS)
                .where(PREDICTIONS.SYMBOL.eq("BTCUSDT"), PREDICTIONS.PREDICTION_TIMESTAMP.between(FROM, TO))
                .orderBy(PREDICTIONS.PREDICTION_TIMESTAMP));
        // uq_predictions_symbol_prediction_timestamp is backed by SQLite's automatic index for the UNIQUE constraint.
        assertThat(plan).contains("SEARCH predictions USING INDEX sqlite_autoindex_predictions_1 (symbol=? AND prediction_timestamp>? AND prediction_timestamp<?)")
                .doesNotContain("TEMP B-TREE");
    }

    @Test
    void expiredPatternCacheEntriesAreFoundThroughTheExpiryIndex() throws Exception {
        String plan = plan(db.deleteFrom(PATTERN_CACHE).where(PATTERN_CACHE.EXPIRES_AT.le(TO)));
        assertThat(plan).contains("SEARCH pattern_cache USING INDEX ix_pattern_cache_expires_at (expires_at<?)");
    }

    @Test
    void ordersByStatusComeFromTheStatusIndexAlreadySortedByCreationTime() throws Exception {
        String plan = plan(db.selectFrom(ORDERS).where(ORDERS.STATUS.eq(OrderStatus.NEW)).orderBy(ORDERS.CREATED_AT));
        assertThat(plan).contains("SEARCH orders USING INDEX ix_orders_status_created_at (status=?)")
                .doesNotContain("TEMP B-TREE");
    }

    @Test
    void openPositionsBySymbolSearchTheSymbolStatusIndex() throws Exception {
        String plan = plan(db.selectFrom(POSITIONS)
                .where(POSITIONS.SYMBOL.eq("BTCUSDT"), POSITIONS.STATUS.eq(PositionStatus.OPEN)));
        assertThat(plan).contains("SEARCH positions USING INDEX ix_positions_symbol_status (symbol=? AND status=?)");
    }

    @Test
    void outcomesAreFoundByEvaluationTimeAndByPrediction() throws Exception {
        assertThat(plan(db.selectFrom(OUTCOMES).where(OUTCOMES.EVALUATION_TIMESTAMP.between(FROM, TO))))
                .contains("SEARCH outcomes USING INDEX ix_outcomes_evaluation_timestamp (evaluation_timestamp>? AND evaluation_timestamp<?)");
        assertThat(plan(db.selectFrom(OUTCOMES).where(OUTCOMES.PREDICTION_ID.eq(1L))))
                .contains("SEARCH outcomes USING INDEX sqlite_autoindex_outcomes_1 (prediction_id=?)");
    }

    private String plan(Query query) throws Exception {
        List<List<String>> rows = SqliteFiles.rows(connection, "EXPLAIN QUERY PLAN " + db.renderInlined(query));
        String plan = rows.stream().map(r -> r.get(3)).collect(Collectors.joining("\n"));
        assertThat(plan).as("plan of %s", query).doesNotContainPattern("(?m)^SCAN ");
        return plan;
    }
}
