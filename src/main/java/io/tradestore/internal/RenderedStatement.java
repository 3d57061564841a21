package io.tradestore.internal;

import org.jooq.DSLContext;
import org.jooq.Param;
import org.jooq.Query;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A hot write rendered once per dialect and variant, then bound again on every call: {@link RenderedQuery} for
 * statements that return a row count. The kept SQL runs as plain SQL with the same bind values, each bound through
 * its column's binding. Its text is what jOOQ rendered, so the statement listeners treat it as they treat the
 * original: SqlText sees a write, and on PostgreSQL StatementSavepoints wraps it in its savepoint.
 *
 * <p>The caller's {@code query} must be built from {@code binds}, in the order jOOQ renders them, and its SQL text
 * must depend only on the dialect and the variant (a multi-row VALUES names its row count in the variant).
 */
public final class RenderedStatement {
    private final Map<String, String> sql = new ConcurrentHashMap<>();

    public int execute(DSLContext db, String variant, Supplier<? extends Query> query, Param<?>... binds) {
        String key = db.dialect().name() + '\u0000' + variant;
        String text = sql.get(key);
        if (text == null) {
            Query q = query.get();
            sql.putIfAbsent(key, db.render(q));
            return q.execute();
        }
        return db.query(text, (Object[]) binds).execute();
    }
}
