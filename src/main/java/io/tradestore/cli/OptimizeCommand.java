package io.tradestore.cli;

import io.tradestore.OptimizeReport;
import io.tradestore.OptimizeReport.Sizes;
import io.tradestore.Tradestore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** {@code optimize}: statistics, free pages, WAL truncation (SQLite); VACUUM (ANALYZE) as the owner (PostgreSQL). */
@Command(name = "optimize", mixinStandardHelpOptions = true,
        description = {"SQLite: PRAGMA optimize, incremental_vacuum, wal_checkpoint(TRUNCATE);"
        + " writes wait meanwhile. PostgreSQL: VACUUM (ANALYZE), as the tables' owner.",
        "Reports sizes before and after."})
final class OptimizeCommand extends CliCommand {
    @Mixin
    DatabaseOptions database;

    @Option(names = "--vacuum", description = "SQLite: also a full VACUUM, which rewrites the file without its free"
            + " pages (writes wait until it ends).")
    boolean vacuum;

    @Override
    public Integer call() {
        OptimizeReport r;
        try (Tradestore store = database.open()) {
            r = store.optimize(vacuum);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("database", database.describe());
        result.put("steps", r.steps());
        result.put("before", sizes(r.before()));
        result.put("after", sizes(r.after()));
        result.put("millis", r.millis());
        StringBuilder text = new StringBuilder("optimized ").append(database.describe()).append(" in ")
                .append(r.millis()).append(" ms");
        r.steps().forEach(s -> text.append("\n  ").append(s));
        text.append("\nbefore  ").append(text(r.before())).append("\nafter   ").append(text(r.after()));
        report(result, text.toString());
        return 0;
    }

    private Map<String, Object> sizes(Sizes s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("databaseBytes", s.databaseBytes());
        if (database.postgres()) {
            m.put("deadTuples", s.deadTuples());
        } else {
            m.put("walBytes", s.walBytes());
            m.put("freePages", s.freePages());
        }
        return m;
    }

    private String text(Sizes s) {
        return "database " + bytes(s.databaseBytes()) + (database.postgres() ? ", dead tuples " + s.deadTuples()
                : ", WAL " + bytes(s.walBytes()) + ", free pages " + s.freePages());
    }

    static String bytes(long n) {
        return n < 1024 ? n + " B" : n < 1024 * 1024 ? String.format(Locale.ROOT, "%.1f KiB", n / 1024.0)
                : String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
    }
}
