package io.tradestore.cli;

import io.tradestore.SchemaStatus;
import io.tradestore.Tradestore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code status}: the database's schema version against this build's, pending changesets, tags. Reads only. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Schema version of the database and of this build, pending changesets, tags.")
final class StatusCommand extends CliCommand {
    @Mixin
    DatabaseOptions database;

    @Override
    public Integer call() {
        SchemaStatus s = Tradestore.status(database.config());
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("database", database.describe());
        result.put("databaseVersion", s.databaseVersion());
        result.put("buildVersion", s.buildVersion());
        result.put("upToDate", s.upToDate());
        result.put("pending", s.pendingChangesets());
        result.put("tags", s.tags());
        report(result, text(s));
        return 0;
    }

    private String text(SchemaStatus s) {
        String state = s.upToDate() ? "up to date"
                : s.databaseVersion() > s.buildVersion() ? "NEWER than this build: upgrade tradestore-cli"
                : "behind: run tradestore-cli migrate";
        StringBuilder sb = new StringBuilder()
                .append("database  ").append(database.describe()).append('\n')
                .append("schema    ").append(s.databaseVersion()).append(" (this build: ").append(s.buildVersion())
                .append("), ").append(state).append('\n')
                .append("pending   ").append(s.pendingChangesets().isEmpty() ? "none"
                        : s.pendingChangesets().size() + " changesets");
        for (String id : s.pendingChangesets()) {
            sb.append("\n  ").append(id);
        }
        sb.append('\n').append("tags      ").append(s.tags().isEmpty() ? "none" : String.join(" ", s.tags()));
        return sb.toString();
    }
}
