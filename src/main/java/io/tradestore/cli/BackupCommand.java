package io.tradestore.cli;

import io.tradestore.BackupReport;
import io.tradestore.Tradestore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** {@code backup --to FILE}: an online, verified backup into a new file (SQLite VACUUM INTO, PostgreSQL pg_dump). */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Online, consistent backup into a new file while writers run, verified"
        + " before it gets its name.", "SQLite: VACUUM INTO (a SQLite file); PostgreSQL: pg_dump -Fc (must be on the"
        + " PATH)."})
final class BackupCommand extends CliCommand {
    @Mixin
    DatabaseOptions database;

    @Option(names = "--to", required = true, paramLabel = "<file>", description = "The backup file; must not exist.")
    Path to;

    @Override
    public Integer call() {
        BackupReport r;
        // The backup is one statement (VACUUM INTO) or one pg_dump run; its progress is the size of the file it is
        // writing (<to>.tmp-<uuid> until verified), against the database file's size on SQLite (unknown on PostgreSQL).
        long total = database.postgres() ? -1 : sizeOf(database.config().file());
        ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r1 -> {
            Thread t = new Thread(r1, "tradestore-cli-backup-progress");
            t.setDaemon(true);
            return t;
        });
        try (Tradestore store = database.open(); Progress progress = progress("backup", total, "bytes")) {
            watcher.scheduleAtFixedRate(() -> progress.to(written()), 250, 250, TimeUnit.MILLISECONDS);
            r = store.backup(to);
            watcher.shutdownNow();
            progress.to(r.bytes());
        } finally {
            watcher.shutdownNow();
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("database", database.describe());
        result.put("file", r.file().toString());
        result.put("bytes", r.bytes());
        result.put("schemaVersion", r.schemaVersion());
        result.put("method", r.method());
        result.put("millis", r.millis());
        report(result, "backed up " + database.describe() + " to " + r.file() + ": " + OptimizeCommand.bytes(r.bytes())
                + ", schema " + r.schemaVersion() + ", " + r.method() + ", verified, " + r.millis() + " ms");
        return 0;
    }

    /** Bytes of the backup file being written, found by the name the backup gives it until it is verified. */
    private long written() {
        Path dir = to.toAbsolutePath().getParent();
        String prefix = to.getFileName() + ".tmp-";
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).mapToLong(BackupCommand::sizeOf)
                    .sum();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException gone) {
            return 0;
        }
    }
}
