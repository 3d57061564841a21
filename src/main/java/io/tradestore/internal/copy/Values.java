package io.tradestore.internal.copy;

import io.tradestore.ValidationException;
import io.tradestore.internal.Decimal18;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Reads a row from either engine into the same Java values: {@link Long}, normalized {@link BigDecimal},
 * {@link Boolean}, {@link String} or null. Those values are what is written and what {@link RowDigest} digests,
 * so a digest compares the numbers, not their storage. Never a double.
 */
final class Values {
    private Values() {
    }

    /**
     * A SQLite row, strictly: each cell must have the storage class tradestore writes for its column (a decimal is a
     * valid Decimal18 BLOB, an integer an INTEGER, a boolean 0 or 1, text TEXT without U+0000, which PostgreSQL text
     * cannot hold). SQLite's flexible typing would accept anything; a cell that breaks this is refused, naming the
     * column and the row, rather than converted.
     */
    static Object[] fromSqlite(ResultSet rs, TableSpec table) throws SQLException {
        Object[] row = new Object[table.columns().size()];
        for (int i = 0; i < row.length; i++) {
            Object cell = rs.getObject(i + 1);
            row[i] = cell == null ? null : sqliteValue(table, table.columns().get(i), cell, rs);
        }
        return row;
    }

    private static Object sqliteValue(TableSpec table, Column column, Object cell, ResultSet rs) throws SQLException {
        switch (column.type()) {
            case DECIMAL -> {
                if (cell instanceof byte[] bytes) {
                    try {
                        return Decimal18.decode(bytes);
                    } catch (IllegalStateException corrupt) {
                        throw refuse(table, column, rs, corrupt.getMessage(), cell);
                    }
                }
            }
            case INTEGER -> {
                if (cell instanceof Integer || cell instanceof Long) {
                    return ((Number) cell).longValue();
                }
            }
            case BOOLEAN -> {
                if ((cell instanceof Integer || cell instanceof Long) && ((Number) cell).longValue() >>> 1 == 0) {
                    return ((Number) cell).longValue() == 1;
                }
            }
            case TEXT -> {
                if (cell instanceof String s) {
                    if (s.indexOf('\0') >= 0) {
                        throw refuse(table, column, rs, "contains U+0000, which PostgreSQL text cannot store", s);
                    }
                    return s;
                }
            }
        }
        throw refuse(table, column, rs, "must hold " + expected(column.type()) + " as tradestore writes it, not a "
                + cell.getClass().getSimpleName(), cell instanceof byte[] b ? b.length + " bytes" : cell);
    }

    private static String expected(ColumnType type) {
        return switch (type) {
            case DECIMAL -> "a decimal BLOB";
            case INTEGER -> "an INTEGER";
            case BOOLEAN -> "0 or 1";
            case TEXT -> "TEXT";
        };
    }

    private static ValidationException refuse(TableSpec table, Column column, ResultSet rs, String rule, Object value)
            throws SQLException {
        StringBuilder key = new StringBuilder();
        for (String k : table.primaryKey()) {
            key.append(key.length() == 0 ? "" : ", ").append(k).append('=').append(rs.getString(k));
        }
        return new ValidationException(table.qualified() + "." + column.name(), rule + " (source row " + key
                + "); fix the row in the SQLite file and run the copy again, it resumes", value);
    }

    /** A PostgreSQL row, read by each column's type. */
    static Object[] fromPostgres(ResultSet rs, TableSpec table) throws SQLException {
        Object[] row = new Object[table.columns().size()];
        for (int i = 0; i < row.length; i++) {
            int c = i + 1;
            Object v = switch (table.columns().get(i).type()) {
                case DECIMAL -> Decimal18.normalize(rs.getBigDecimal(c));
                case INTEGER -> rs.getLong(c);
                case BOOLEAN -> rs.getBoolean(c);
                case TEXT -> rs.getString(c);
            };
            row[i] = rs.wasNull() ? null : v;
        }
        return row;
    }

    /** The canonical text of a value: decimals as plain, normalized numbers ({@code 0.000000000000000001}). */
    static String text(Object value) {
        return value instanceof BigDecimal d ? d.toPlainString() : String.valueOf(value);
    }
}
