package io.tradestore.internal.copy;

import io.tradestore.CopyOptions;
import org.postgresql.PGConnection;

import java.io.StringReader;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Collections;
import java.util.stream.Collectors;

/** Writes rows of one table to PostgreSQL a batch at a time; the caller commits after {@link #flush}. */
abstract class BatchWriter implements AutoCloseable {
    protected final TableSpec table;
    protected int pending;

    BatchWriter(TableSpec table) {
        this.table = table;
    }

    static BatchWriter of(CopyOptions.Method method, Connection target, TableSpec table) throws SQLException {
        return method == CopyOptions.Method.COPY ? new Copy(target, table) : new Insert(target, table);
    }

    abstract void add(Object[] row) throws SQLException;

    /** Sends the pending rows; returns how many. */
    abstract int flush() throws SQLException;

    int pending() {
        return pending;
    }

    @Override
    public void close() throws SQLException {
    }

    /** COPY FROM STDIN, text format: values as their canonical text, escaped; null as \N. */
    private static final class Copy extends BatchWriter {
        private final PGConnection pg;
        private final String sql;
        private final StringBuilder buffer = new StringBuilder(1 << 16);

        Copy(Connection target, TableSpec table) throws SQLException {
            super(table);
            this.pg = target.unwrap(PGConnection.class);
            this.sql = "COPY " + table.postgresName() + " (" + table.columnList() + ") FROM STDIN";
        }

        @Override
        void add(Object[] row) {
            for (int i = 0; i < row.length; i++) {
                if (i > 0) {
                    buffer.append('\t');
                }
                Object v = row[i];
                if (v == null) {
                    buffer.append("\\N");
                } else if (v instanceof String s) {
                    escape(s);
                } else {
                    buffer.append(Values.text(v)); // digits, '-', '.', true/false: nothing to escape
                }
            }
            buffer.append('\n');
            pending++;
        }

        private void escape(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '\\' -> buffer.append("\\\\");
                    case '\t' -> buffer.append("\\t");
                    case '\n' -> buffer.append("\\n");
                    case '\r' -> buffer.append("\\r");
                    default -> buffer.append(c);
                }
            }
        }

        @Override
        int flush() throws SQLException {
            int n = pending;
            if (n > 0) {
                try {
                    pg.getCopyAPI().copyIn(sql, new StringReader(buffer.toString()));
                } catch (java.io.IOException e) {
                    throw new SQLException("COPY into " + table.qualified() + " failed: " + e.getMessage(), "08006", e);
                }
                buffer.setLength(0);
                pending = 0;
            }
            return n;
        }
    }

    /** Batched INSERTs with bound parameters; pgjdbc rewrites them into multi-row INSERTs (reWriteBatchedInserts). */
    private static final class Insert extends BatchWriter {
        private final PreparedStatement statement;

        Insert(Connection target, TableSpec table) throws SQLException {
            super(table);
            // OVERRIDING SYSTEM VALUE: ids are copied as they are, also into a GENERATED ALWAYS identity.
            this.statement = target.prepareStatement("INSERT INTO " + table.postgresName() + " (" + table.columnList()
                    + ")" + (table.identityColumns().isEmpty() ? "" : " OVERRIDING SYSTEM VALUE") + " VALUES ("
                    + String.join(", ", Collections.nCopies(table.columns().size(), "?")) + ")");
        }

        @Override
        void add(Object[] row) throws SQLException {
            for (int i = 0; i < row.length; i++) {
                Object v = row[i];
                int p = i + 1;
                switch (table.columns().get(i).type()) {
                    case DECIMAL -> statement.setBigDecimal(p, (BigDecimal) v);
                    case INTEGER -> {
                        if (v == null) {
                            statement.setNull(p, Types.BIGINT);
                        } else {
                            statement.setLong(p, (Long) v);
                        }
                    }
                    case BOOLEAN -> {
                        if (v == null) {
                            statement.setNull(p, Types.BOOLEAN);
                        } else {
                            statement.setBoolean(p, (Boolean) v);
                        }
                    }
                    case TEXT -> statement.setString(p, (String) v);
                }
            }
            statement.addBatch();
            pending++;
        }

        @Override
        int flush() throws SQLException {
            int n = pending;
            if (n > 0) {
                statement.executeBatch();
                pending = 0;
            }
            return n;
        }

        @Override
        public void close() throws SQLException {
            statement.close();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + " " + table.qualified() + " (" + table.columns().stream().map(Column::name)
                .collect(Collectors.joining(", ")) + ")";
    }
}
