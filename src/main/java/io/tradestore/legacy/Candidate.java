package io.tradestore.legacy;

import io.tradestore.analytics.Direction;
import io.tradestore.legacy.ConsolidationReport.Fate;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.PositionSide;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One legacy row on its way: what it converts to, its natural key and, once decided, its fate. Mutable on purpose:
 * the stages (convert, link, merge, compare with the target, write) each fill in what they learn.
 */
final class Candidate {
    final LegacyKind kind;
    final LegacySources.File file;
    final String table;
    final LegacySources.Row row;
    final String label;

    /** The converted value: NewPrediction, OutcomeValue, PositionValue or NewSentimentScore; null if rejected. */
    Object value;
    Object key;
    /** The legacy created_at, for --prefer newest only. */
    Instant createdAt;
    /** predictions: their own legacy id; outcomes: the id of the prediction they evaluate. */
    String legacyPredictionId;
    /** positions: the stored float P&L, compared with the recomputed one. */
    BigDecimal storedPnl;

    Fate fate;
    String target;
    String detail;
    /** For a rejection: the reason it is grouped under, "<column>: <rule>". */
    String reason;

    Candidate(LegacyKind kind, LegacySources.File file, String table, LegacySources.Row row, String label) {
        this.kind = kind;
        this.file = file;
        this.table = table;
        this.row = row;
        this.label = label;
    }

    void reject(String reason, String detail) {
        this.fate = Fate.REJECTED;
        this.reason = reason;
        this.detail = detail;
        this.value = null;
    }

    /** Where the row came from, as the report names it: {@code paper-trading-app/trading.db positions id 7}. */
    String origin() {
        return file.name() + " " + table + " " + label;
    }

    long rowOrder() {
        return row.rowid() == null ? row.number() : row.rowid();
    }

    /** The natural key of a prediction, and of the outcome that evaluates it. */
    record PredictionKey(String symbol, Instant at) {
        @Override
        public String toString() {
            return symbol + " at " + at;
        }
    }

    record SentimentKey(String symbol, Instant at) {
        @Override
        public String toString() {
            return symbol + " at " + at;
        }
    }

    /** k counts identical (symbol, entry, side, quantity, price) rows within one file, so a file's repeats stay apart. */
    record PositionKey(String symbol, Instant entryTime, PositionSide side, BigDecimal quantity, BigDecimal entryPrice,
                       int k) {
        PositionKey base() {
            return new PositionKey(symbol, entryTime, side, quantity, entryPrice, 0);
        }

        @Override
        public String toString() {
            return symbol + " " + side + " " + quantity.toPlainString() + " @ " + entryPrice.toPlainString() + " at "
                    + entryTime + (k == 0 ? "" : " (repeat " + k + ")");
        }
    }

    /** An outcome as converted; its prediction id and correctness are known only against the target. */
    record OutcomeValue(Instant evaluationTimestamp, BigDecimal actualReturn, Direction actualDirection,
                        BigDecimal exitPrice) {
    }

    /** A position as converted: how it opens and, when the legacy row has an exit, how it closes. */
    record PositionValue(NewPosition open, BigDecimal exitPrice, Instant exitTime, String exitReason) {
        boolean closed() {
            return exitTime != null;
        }
    }
}
