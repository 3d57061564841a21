package io.tradestore.model;

import io.tradestore.Tradestore;
import io.tradestore.testing.Snapshot;
import io.tradestore.testing.SqliteFiles;
import io.tradestore.testing.Stores;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Real SQLite stores for model-based properties: one fresh database file per action chain, in its own temporary
 * directory, closed and deleted by {@link #closeAll()} when the property's try (or shrinking attempt) ends.
 *
 * <p>Migrating a new database runs Liquibase (hundreds of milliseconds), and a property opens one store per
 * chain, shrinking included. So the schema is migrated once per JVM into a template file, and every chain starts
 * from a byte copy of it: {@code Tradestore.open} then finds the current schema version and migrates nothing.
 */
final class ModelStores {
    private static final List<OpenStore> OPEN = new ArrayList<>();
    private static Path templateDir;
    private static Path template;

    private ModelStores() {
    }

    /** A store on a fresh copy of the migrated template, whose clock is {@code clock}. */
    static synchronized OpenStore open(Clock clock) {
        Path dir = null;
        try {
            Path template = template();
            dir = Files.createTempDirectory("tradestore-model-");
            Path file = dir.resolve("tradestore.db");
            Files.copy(template, file);
            OpenStore open = new OpenStore(dir, file, Stores.open(dir, clock));
            OPEN.add(open);
            return open;
        } catch (IOException | RuntimeException e) {
            if (dir != null) {
                delete(dir);
            }
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** Closes every store opened since the last call and deletes its directory. */
    static synchronized void closeAll() {
        RuntimeException failure = null;
        for (OpenStore s : OPEN) {
            try {
                s.store().close();
                delete(s.dir());
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        OPEN.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private static Path template() throws IOException {
        if (template == null) {
            templateDir = Files.createTempDirectory("tradestore-model-template-");
            // Opening migrates; closing checkpoints the WAL into the main file, so the file alone is complete.
            Stores.open(templateDir).close();
            template = Stores.config(templateDir).file();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(templateDir)));
        }
        return template;
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One open store on its own file. */
    record OpenStore(Path dir, Path file, Tradestore store) {
        /**
         * Every row of the file as committed (Liquibase's tables and sqlite_sequence included), every value as SQL
         * literal ({@code quote()}): decimal columns are BLOBs (decision 0009), and {@link Snapshot#of} reads them
         * as text, which turns most of their bytes (0x80 and above are not UTF-8 on their own) into the same U+FFFD,
         * so a changed price could look unchanged there. Here a BLOB is its bytes in hex, {@code X'8523140480'}.
         */
        Snapshot snapshot() {
            try (Connection c = SqliteFiles.open(file)) {
                Map<String, List<List<String>>> tables = new LinkedHashMap<>();
                for (List<String> table : SqliteFiles.rows(c, "SELECT name FROM sqlite_master WHERE type = 'table'"
                        + " ORDER BY name")) {
                    String name = table.get(0);
                    List<String> columns = SqliteFiles.rows(c, "SELECT name FROM pragma_table_info('" + name
                            + "') ORDER BY cid").stream().map(r -> "\"" + r.get(0) + "\"").toList();
                    tables.put(name, SqliteFiles.rows(c, "SELECT " + String.join(", ", columns.stream()
                            .map(col -> "quote(" + col + ")").toList()) + " FROM \"" + name + "\" ORDER BY "
                            + String.join(", ", columns)));
                }
                return new Snapshot(tables);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot snapshot " + file, e);
            }
        }

        /** The rows of {@code sql} on the file as committed, each value as SQLite's text of it. */
        List<List<String>> rows(String sql) {
            try (Connection c = SqliteFiles.open(file)) {
                return SqliteFiles.rows(c, sql);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot query " + file, e);
            }
        }
    }
}
