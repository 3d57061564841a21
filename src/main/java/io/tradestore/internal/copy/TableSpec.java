package io.tradestore.internal.copy;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One table as the copy sees it: its PostgreSQL schema and name (the SQLite table has the same name, without a
 * schema), its columns in PostgreSQL's order, its primary key (the order rows are copied, digested and resumed in),
 * its identity columns (whose sequences are reset afterwards) and the tables its foreign keys reference.
 */
record TableSpec(String schema, String name, List<Column> columns, List<String> primaryKey,
                 List<String> identityColumns, Set<String> parents) {

    TableSpec {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        identityColumns = List.copyOf(identityColumns);
        parents = Set.copyOf(parents);
    }

    /** {@code trading.orders}: how messages, reports and progress name the table. */
    String qualified() {
        return schema + "." + name;
    }

    String columnList() {
        return columns.stream().map(Column::quoted).collect(Collectors.joining(", "));
    }

    /** Rows in primary-key order on SQLite: text compares by its bytes there (BINARY). */
    String sqliteSelect() {
        return "SELECT " + columnList() + " FROM \"" + name + "\" ORDER BY "
                + primaryKey.stream().map(c -> '"' + c + '"').collect(Collectors.joining(", "));
    }

    /**
     * Rows in primary-key order on PostgreSQL, text compared by its bytes (COLLATE "C"), as SQLite's BINARY does for
     * UTF-8: the digests of both sides must see the rows in one order, whatever the database's collation.
     */
    String postgresSelect() {
        return "SELECT " + columnList() + " FROM " + postgresName() + " ORDER BY " + primaryKey.stream()
                .map(c -> '"' + c + '"' + (type(c) == ColumnType.TEXT ? " COLLATE \"C\"" : ""))
                .collect(Collectors.joining(", "));
    }

    String postgresName() {
        return '"' + schema + "\".\"" + name + '"';
    }

    ColumnType type(String column) {
        return columns.stream().filter(c -> c.name().equals(column)).findFirst().orElseThrow().type();
    }

    /** {@code id=5} or {@code symbol=BTCUSDT, timeframe=1m, open_time=1677628800000000}, for messages. */
    String key(Object[] row) {
        StringBuilder s = new StringBuilder();
        for (String k : primaryKey) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equals(k)) {
                    s.append(s.length() == 0 ? "" : ", ").append(k).append('=').append(Values.text(row[i]));
                }
            }
        }
        return s.toString();
    }
}
