package io.tradestore.internal;

import org.jooq.ExecuteContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** What a statement does, judged by its rendered SQL. Not API. */
final class SqlText {
    /** A data-modifying statement inside a WITH (PostgreSQL allows {@code WITH d AS (DELETE ...) SELECT ...}). */
    private static final Pattern WRITE_KEYWORD = Pattern.compile("\\b(insert|update|delete|merge|create|drop|alter"
            + "|truncate)\\b");
    private static final Pattern INTO = Pattern.compile("\\binto\\b");
    /**
     * A locking read: it writes row locks, can fail on a lock timeout or deadlock (aborting a PostgreSQL
     * transaction), and is refused in a read-only one, so it is treated as a write.
     */
    private static final Pattern LOCKING = Pattern.compile("\\bfor\\s+(update|no\\s+key\\s+update|share"
            + "|key\\s+share)\\b|\\bpg_advisory_xact_lock\\b");

    private SqlText() {
    }

    /** The statement and, in a batch, every statement of it (jOOQ moves {@code sql()} along the batch). */
    static List<String> statements(ExecuteContext ctx) {
        List<String> all = new ArrayList<>();
        if (ctx.sql() != null) {
            all.add(ctx.sql());
        }
        for (String sql : ctx.batchSQL()) {
            if (sql != null) {
                all.add(sql);
            }
        }
        return all;
    }

    /**
     * By the rendered SQL, not by jOOQ's classification: plain SQL and INSERT ... RETURNING reach a listener as
     * result queries too. Only what starts as a query passes; anything else (including what this cannot classify,
     * such as a routine call) counts as a write.
     */
    static boolean readsOnly(String sql) {
        String s = sql.stripLeading().toLowerCase(Locale.ROOT);
        // SELECT ... INTO creates and fills a table on PostgreSQL (found by review); the keyword is looked for
        // outside quoted text, so a literal or a quoted name that contains it does not count.
        String code = unquoted(s);
        if (INTO.matcher(code).find() || LOCKING.matcher(code).find()) {
            return false;
        }
        if (s.startsWith("select") || s.startsWith("values")) {
            return true;
        }
        return s.startsWith("with") && !WRITE_KEYWORD.matcher(s).find();
    }

    /**
     * {@code sql} with the contents of '...', "..." and `...` and its comments ({@code -- ...} to the end of the line,
     * {@code /* ... *}{@code /}) blanked, so keywords are found only in SQL text: a comment that says "for update" is
     * not a locking read.
     */
    private static String unquoted(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        char quote = 0;
        boolean lineComment = false;
        boolean blockComment = false;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            char next = i + 1 < sql.length() ? sql.charAt(i + 1) : 0;
            if (lineComment) {
                lineComment = c != '\n';
                out.append(' ');
            } else if (blockComment) {
                if (c == '*' && next == '/') {
                    blockComment = false;
                    out.append(' ');
                    i++;
                }
                out.append(' ');
            } else if (quote == 0 && c == '-' && next == '-') {
                lineComment = true;
                out.append(' ');
            } else if (quote == 0 && c == '/' && next == '*') {
                blockComment = true;
                out.append(' ');
            } else if (quote == 0 && (c == '\'' || c == '"' || c == '`')) {
                quote = c;
                out.append(' ');
            } else if (quote != 0 && c == quote) {
                quote = 0;
                out.append(' ');
            } else {
                out.append(quote == 0 ? c : ' ');
            }
        }
        return out.toString();
    }
}
