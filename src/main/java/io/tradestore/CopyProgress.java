package io.tradestore;

/**
 * Where a {@link SqliteToPostgres#copy} stands after a committed batch: everything counted here is committed on
 * the target.
 *
 * @param table       the table being copied, schema-qualified ({@code trading.orders})
 * @param tableRows   rows of that table in the source
 * @param tableCopied rows of that table now on the target (including rows an earlier, interrupted run copied)
 * @param tableIndex  1-based position of the table in the copy order (parents before children)
 * @param tableCount  number of tables
 * @param totalRows   rows of every table in the source
 * @param totalCopied rows of every table now on the target
 */
public record CopyProgress(String table, long tableRows, long tableCopied, int tableIndex, int tableCount,
                           long totalRows, long totalCopied) {
}
