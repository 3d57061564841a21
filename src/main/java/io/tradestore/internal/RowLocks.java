package io.tradestore.internal;

import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.SQLDialect;
import org.jooq.SelectForUpdateStep;

/**
 * The read at the start of a read-modify-write. On PostgreSQL, where write units run READ COMMITTED (decision
 * 0017), the rows it returns are locked until the unit ends ({@code FOR NO KEY UPDATE}: it blocks other writers of
 * the row but not inserts of rows that reference it), so a second writer waits and then reads what the first
 * committed, as it would have on SQLite. On SQLite the query is unchanged: the single writer holds the whole
 * database for the unit already. Not API.
 */
public final class RowLocks {
    private RowLocks() {
    }

    public static <R extends Record> ResultQuery<R> forWrite(DSLContext db, SelectForUpdateStep<R> query) {
        return db.dialect().family() == SQLDialect.POSTGRES ? query.forNoKeyUpdate() : query;
    }

    /**
     * A point read a caller may decide a write on ({@code find}): locked in a write unit, plain in a read unit. Code
     * that reads an order in a write unit and then acts on what it saw (cancel it unless it is already cancelled)
     * is thereby as safe as on SQLite, without knowing about isolation levels.
     */
    public static <R extends Record> ResultQuery<R> inWriteUnit(Tx tx, DSLContext db, SelectForUpdateStep<R> query) {
        return tx.writable() ? forWrite(db, query) : query;
    }

    /**
     * Takes the lock {@code name} until the unit ends (PostgreSQL: a transaction-level advisory lock on a 64-bit
     * hash of the name; SQLite: nothing, its writer is serial already). What a row lock cannot do: it covers a key
     * that has no row yet, so a unit that looked a natural key up and found nothing still finds nothing, or its own
     * row, until it commits.
     */
    public static void named(DSLContext db, String name) {
        if (db.dialect().family() == SQLDialect.POSTGRES) {
            db.fetch("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", name);
        }
    }
}
