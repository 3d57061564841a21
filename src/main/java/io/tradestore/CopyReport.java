package io.tradestore;

import java.util.List;

/**
 * What {@link SqliteToPostgres#copy} did, table by table in the order it copied them. Every table listed was
 * verified: the same row count and checksum on both sides.
 *
 * @param tables       one entry per table, parents before children
 * @param schemaVersion the schema version both databases are at
 * @param millis       wall time of the whole call (checks, copy, verification, sequences)
 */
public record CopyReport(List<TableReport> tables, int schemaVersion, long millis) {

    public CopyReport {
        tables = List.copyOf(tables);
    }

    /**
     * One table.
     *
     * @param table      schema-qualified name, e.g. {@code market.candlesticks}
     * @param rows       rows in the source, and now on the target
     * @param resumed    rows an earlier, interrupted run had already copied (0 on a fresh copy)
     * @param checksum   SHA-256 (hex) over every row in primary-key order, computed alike on both sides
     *                   (see docs/postgresql.md ("Moving from SQLite"))
     * @param millis     time spent on this table: copying and verifying it
     */
    public record TableReport(String table, long rows, long resumed, String checksum, long millis) {
    }

    /** Rows in every table. */
    public long rows() {
        return tables.stream().mapToLong(TableReport::rows).sum();
    }

    /** Rows this call wrote: {@link #rows()} less what earlier runs had copied. */
    public long rowsWritten() {
        return tables.stream().mapToLong(t -> t.rows() - t.resumed()).sum();
    }

    /** Rows written per second of the whole call (verification included). */
    public long rowsPerSecond() {
        return millis == 0 ? rowsWritten() * 1000 : rowsWritten() * 1000 / millis;
    }

    /** The entry of {@code table} (schema-qualified), or an IllegalArgumentException naming the tables there are. */
    public TableReport table(String table) {
        return tables.stream().filter(t -> t.table().equals(table)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no table " + table + " in this report; it has "
                        + tables.stream().map(TableReport::table).toList()));
    }
}
