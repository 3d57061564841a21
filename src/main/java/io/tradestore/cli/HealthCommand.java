package io.tradestore.cli;

import io.tradestore.Health;
import io.tradestore.HealthOptions;
import io.tradestore.Tradestore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code health}: every check of {@link Tradestore#health}, exit 0 OK, 3 WARN, 4 FAIL. Reads only. */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = {"Integrity, foreign keys, sizes, WAL and checkpoint, schema version, pools"
        + " (PostgreSQL: connections, size, dead tuples, long transactions).",
        "Exit code: 0 OK, 3 WARN, 4 FAIL (thresholds: docs/operations.md)."})
final class HealthCommand extends CliCommand {
    @Mixin
    DatabaseOptions database;

    @Option(names = "--full", description = "SQLite: PRAGMA integrity_check (every index against its table; slow on"
            + " a large file) instead of quick_check.")
    boolean full;

    @Override
    public Integer call() {
        Health health;
        try (Tradestore store = database.open()) {
            health = store.health(HealthOptions.defaults().withFullIntegrityCheck(full));
        }
        List<Map<String, Object>> checks = new ArrayList<>();
        StringBuilder text = new StringBuilder("database  ").append(database.describe()).append('\n')
                .append("health    ").append(health.status());
        for (Health.Check c : health.checks()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("status", c.status());
            m.put("value", c.value());
            m.put("threshold", c.threshold());
            m.put("message", c.message());
            checks.add(m);
            text.append('\n').append(String.format(Locale.ROOT, "%-4s  %-26s %s", c.status(), c.name(), c.value()));
            if (c.threshold() != null) {
                text.append("  (").append(c.threshold()).append(')');
            }
            if (c.status() != Health.Status.OK || output.verbose) {
                text.append("\n      ").append(c.message());
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("database", database.describe());
        result.put("status", health.status());
        result.put("checks", checks);
        report(result, text.toString());
        return switch (health.status()) {
            case OK -> 0;
            case WARN -> Main.WARN;
            case FAIL -> Main.FAIL;
        };
    }
}
