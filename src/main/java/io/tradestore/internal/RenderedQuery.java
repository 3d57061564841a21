package io.tradestore.internal;

import org.jooq.DSLContext;
import org.jooq.Param;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.SQLDialect;
import org.jooq.Table;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A hot query rendered once per dialect and variant, then bound again on every call (issue 13). jOOQ renders a query
 * anew each time it runs; for a point read that was the largest cost left once SQLite kept its compiled statements
 * (on SQLite jOOQ checks every identifier against a regular expression and the keyword list, whatever the settings).
 * The SQL is rendered from the real query, with the store's settings, the first time; later calls run it as plain
 * SQL with the same bind values, each bound through its column's binding (decimals, instants), and read the row
 * through the table's fields and converters. The SQL is the same string every call, so StatementCache reuses the
 * compiled statement.
 *
 * <p>For queries whose SQL text depends only on the dialect and the variant, never on the values (no IN lists, no
 * optional clauses): the caller's {@code query} and {@code binds} must name the same values in the same order.
 */
public final class RenderedQuery<R extends Record> {
    private final Table<R> table;
    private final Map<String, String> sql = new ConcurrentHashMap<>();

    public RenderedQuery(Table<R> table) {
        this.table = table;
    }

    /**
     * The row {@code query} finds, if any. {@code variant} tells apart SQL that differs beyond the dialect (a locking
     * read in a write unit on PostgreSQL).
     */
    public Optional<R> fetchOptional(DSLContext db, String variant, Supplier<? extends ResultQuery<R>> query,
                                     Param<?>... binds) {
        SQLDialect dialect = db.dialect();
        String key = dialect.name() + '\u0000' + variant;
        String text = sql.get(key);
        if (text == null) {
            // First call for this dialect and variant: run the query itself, and keep its SQL for the next calls.
            ResultQuery<R> q = query.get();
            sql.putIfAbsent(key, db.render(q));
            return q.fetchOptional();
        }
        return db.resultQuery(text, (Object[]) binds).coerce(table).fetchOptional();
    }
}
