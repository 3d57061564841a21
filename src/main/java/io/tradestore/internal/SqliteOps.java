package io.tradestore.internal;

import io.tradestore.BackupReport;
import io.tradestore.Health;
import io.tradestore.Health.Check;
import io.tradestore.Health.Status;
import io.tradestore.HealthOptions;
import io.tradestore.MaintenanceException;
import io.tradestore.OptimizeReport;
import io.tradestore.RestoreReport;
import org.sqlite.SQLiteConfig;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.tradestore.internal.HealthChecks.bytes;
import static io.tradestore.internal.HealthChecks.one;

/** Health, backup, restore and optimize of a SQLite database (docs/operations.md). */
public final class SqliteOps {
    /** Problems quick_check and integrity_check list at most; the first few go into the message. */
    private static final int MAX_PROBLEMS = 100;
    private static final int SHOWN = 3;
    private static final long WAL_HEADER = 32;
    private static final long FRAME_HEADER = 24;

    private SqliteOps() {
    }

    public static Health health(SqliteEngine engine, HealthOptions o) throws SQLException {
        Path file = engine.file();
        List<Check> checks = engine.inspect(c -> {
            List<Check> list = new ArrayList<>();
            list.add(integrity(c, o.fullIntegrityCheck()));
            list.add(foreignKeys(c));
            list.add(HealthChecks.schemaVersion(c));
            long pageSize = one(c, "PRAGMA page_size");
            long pages = one(c, "PRAGMA page_count");
            long free = one(c, "PRAGMA freelist_count");
            list.add(new Check("file_size", Status.OK, bytes(size(file)), null,
                    pages + " pages of " + pageSize + " bytes"));
            long freePercent = pages == 0 ? 0 : free * 100 / pages;
            list.add(HealthChecks.warnAbove("freelist", free * 100, o.freelistWarnPercent() * pages,
                    free + " of " + pages + " pages (" + freePercent + " %)", "WARN above "
                            + o.freelistWarnPercent() + " %", "free pages are reused by later writes",
                    "a large share of the file is free pages (deleted data): tradestore-cli optimize --vacuum"
                            + " returns them to the file system"));
            long wal = size(wal(file));
            list.add(HealthChecks.warnAbove("wal_size", wal, o.walWarnBytes(), bytes(wal), "WARN above "
                            + bytes(o.walWarnBytes()), "checkpoints keep up with the writes",
                    "the WAL outgrew what a completed checkpoint truncates it to: a long-lived reader (a read unit or"
                            + " a connection of another process) keeps checkpoints from finishing; find it, then"
                            + " tradestore-cli optimize"));
            list.add(checkpoint(wal, pageSize));
            return list;
        });
        checks.addAll(HealthChecks.pools(engine.pools()));
        return Health.of(checks);
    }

    private static Check integrity(Connection c, boolean full) {
        String pragma = full ? "integrity_check" : "quick_check";
        String threshold = "FAIL unless ok";
        List<String> problems = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA " + pragma + "(" + MAX_PROBLEMS + ")")) {
            while (rs.next()) {
                problems.add(rs.getString(1));
            }
        } catch (SQLException e) {
            return new Check(pragma, Status.FAIL, "error", threshold, "the file is damaged: PRAGMA " + pragma
                    + " could not read it (" + e.getMessage() + "); restore the last good backup (tradestore-cli"
                    + " restore)");
        }
        if (problems.equals(List.of("ok"))) {
            return new Check(pragma, Status.OK, "ok", threshold, full ? "every page, index entry and constraint"
                    + " checked" : "pages and B-trees are well formed (indexes against tables: --full)");
        }
        return new Check(pragma, Status.FAIL, problems.size() + (problems.size() >= MAX_PROBLEMS ? "+" : "")
                + " problems", threshold, "the file is damaged: " + String.join("; ",
                problems.subList(0, Math.min(SHOWN, problems.size()))) + "; restore the last good backup"
                + " (tradestore-cli restore)");
    }

    private static Check foreignKeys(Connection c) throws SQLException {
        Map<String, Integer> byReference = new LinkedHashMap<>();
        int rows = 0;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA foreign_key_check")) {
            while (rs.next()) {
                rows++;
                byReference.merge(rs.getString(1) + " -> " + rs.getString(3), 1, Integer::sum);
            }
        }
        String threshold = "FAIL above 0";
        if (rows == 0) {
            return new Check("foreign_key_check", Status.OK, "0 rows", threshold, "every reference has its row");
        }
        List<String> shown = new ArrayList<>();
        byReference.forEach((ref, n) -> shown.add(ref + ": " + n));
        return new Check("foreign_key_check", Status.FAIL, rows + " rows", threshold, "rows refer to missing rows ("
                + String.join(", ", shown) + "), written with foreign keys off (by a tool other than tradestore);"
                + " restore a backup or repair them by hand");
    }

    /**
     * The WAL's length in frames since it was last reset. SQLite keeps no time of the last checkpoint, and the exact
     * count of frames not yet copied back (mxFrame less nBackfill) lives only in the -shm file, which this process
     * must not open: closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's
     * included (measured: the store's close then stalled for its whole busy timeout). The WAL file holds no locks,
     * so its size is safe to read; a checkpoint that reset the WAL shows as 0 frames.
     */
    static Check checkpoint(long walBytes, long pageSize) {
        long frames = walBytes <= WAL_HEADER ? 0 : (walBytes - WAL_HEADER) / (pageSize + FRAME_HEADER);
        return new Check("checkpoint", Status.OK, frames + " WAL frames since the last reset", null,
                frames == 0 ? "the WAL is empty: every commit is in the database file"
                        : "SQLite checkpoints every 1000 pages and resets the WAL when no reader holds an older"
                        + " snapshot; tradestore-cli optimize checkpoints and truncates it now");
    }

    public static BackupReport backup(SqliteEngine engine, Path target) throws SQLException {
        long start = System.nanoTime();
        Path t = target.toAbsolutePath();
        refuseExisting(t);
        createParent(t);
        Path tmp = t.resolveSibling(t.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            // One read transaction on a reader: a consistent snapshot, writers go on (decision 0020).
            engine.inspect(c -> {
                try (PreparedStatement ps = c.prepareStatement("VACUUM INTO ?")) {
                    ps.setString(1, tmp.toString());
                    ps.execute();
                }
                return null;
            });
            fsync(tmp);
            int version = verify(tmp);
            publish(tmp, t);
            return new BackupReport(t, size(t), version, "VACUUM INTO", millisSince(start));
        } finally {
            deleteQuietly(tmp);
        }
    }

    /**
     * The backup's schema version, after {@code PRAGMA quick_check} found it well formed; a file that is not a
     * readable tradestore database is refused, naming it.
     */
    public static int verify(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new MaintenanceException("backup " + file + " does not exist or is not a file");
        }
        SQLiteConfig look = new SQLiteConfig();
        look.setReadOnly(true);
        try (Connection c = look.createConnection("jdbc:sqlite:" + file)) {
            List<String> problems = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA quick_check(" + SHOWN
                    + ")")) {
                while (rs.next()) {
                    problems.add(rs.getString(1));
                }
            }
            if (!problems.equals(List.of("ok"))) {
                throw new MaintenanceException("backup " + file + " is corrupt: PRAGMA quick_check reports "
                        + String.join("; ", problems));
            }
            if (one(c, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_versions'") == 0) {
                throw new MaintenanceException("backup " + file + " is not a tradestore database: it has no"
                        + " schema_versions table");
            }
            return (int) one(c, "SELECT COALESCE(MAX(version), 0) FROM schema_versions");
        } catch (SQLException e) {
            throw new MaintenanceException("backup " + file + " is corrupt or not a SQLite database: "
                    + e.getMessage(), e);
        }
    }

    public static RestoreReport restore(Path backup, Path database) {
        long start = System.nanoTime();
        Path b = backup.toAbsolutePath();
        Path db = database.toAbsolutePath();
        int version = verify(b);
        int build = SchemaGate.buildVersion();
        if (version > build) {
            throw new MaintenanceException("backup " + b + " holds schema " + version + ", newer than this build's "
                    + build + "; restore it with a tradestore build of schema " + version + " or newer");
        }
        createParent(db);
        Path tmp = db.resolveSibling(db.getFileName() + ".restore-" + UUID.randomUUID());
        try {
            Files.copy(b, tmp);
            fsync(tmp);
            try (Connection lock = lockUnused(db)) {
                // Held until after the move: no connection can start on the old file while it is replaced.
                Files.move(tmp, db, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                // A stale -wal would be replayed into the restored file; nobody uses it (checked above).
                for (String suffix : new String[] {"-wal", "-shm", "-journal"}) {
                    Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
                }
                fsync(db.getParent());
            }
            return new RestoreReport(b, db.toString(), version, size(b), millisSince(start));
        } catch (IOException | SQLException e) {
            throw new MaintenanceException("restore of " + b + " into " + db + " failed: " + e.getMessage()
                    + "; the database was not replaced", e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /**
     * A connection holding {@code db} exclusively, or null if there is no file. Leaving WAL mode needs every other
     * connection closed (SQLite checks it under its own locks, across processes and within this one): any store,
     * tool or process that has the file open makes it fail at once, and the restore is refused.
     */
    private static Connection lockUnused(Path db) throws SQLException {
        if (!Files.exists(db)) {
            return null;
        }
        SQLiteConfig probe = new SQLiteConfig();
        probe.setBusyTimeout(0);
        Connection c = probe.createConnection("jdbc:sqlite:" + db);
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode = DELETE");
            st.execute("BEGIN EXCLUSIVE");
            return c;
        } catch (SQLException e) {
            c.close();
            String m = String.valueOf(e.getMessage());
            if (m.contains("SQLITE_BUSY") || m.contains("locked")) {
                throw new MaintenanceException("refusing to restore over " + db + ": it is in use (another"
                        + " connection has it open: a running application, tradestore-cli or sqlite3); stop it"
                        + " first. Nothing was replaced.", e);
            }
            throw new MaintenanceException("refusing to restore over " + db + ": cannot tell whether it is in use ("
                    + m + "); if it is damaged, stop every user of it, move it away and restore again", e);
        }
    }

    public static OptimizeReport optimize(SqliteEngine engine, boolean vacuum) throws SQLException {
        long start = System.nanoTime();
        OptimizeReport.Sizes before = sizes(engine);
        List<String> steps = engine.maintenance(c -> {
            List<String> done = new ArrayList<>();
            // 0x10002: analyze every table whose statistics are missing or stale, not only those this (new)
            // connection queried, which is what a bare PRAGMA optimize looks at.
            exec(c, "PRAGMA optimize = 0x10002");
            done.add("PRAGMA optimize = 0x10002: statistics refreshed where stale (ANALYZE)");
            long autoVacuum = one(c, "PRAGMA auto_vacuum");
            if (autoVacuum == 2) {
                long free = one(c, "PRAGMA freelist_count");
                exec(c, "PRAGMA incremental_vacuum");
                done.add("PRAGMA incremental_vacuum: " + (free - one(c, "PRAGMA freelist_count"))
                        + " free pages returned to the file system");
            } else {
                done.add("incremental_vacuum skipped: auto_vacuum is " + (autoVacuum == 1 ? "FULL" : "NONE")
                        + (vacuum ? "" : "; free pages stay in the file for later writes (--vacuum rebuilds it)"));
            }
            if (vacuum) {
                exec(c, "VACUUM");
                done.add("VACUUM: the file rebuilt without free pages");
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                rs.next();
                done.add("PRAGMA wal_checkpoint(TRUNCATE): " + rs.getLong(3) + " of " + rs.getLong(2) + " frames"
                        + " checkpointed" + (rs.getInt(1) == 0 ? ", WAL truncated"
                        : ", WAL NOT truncated: a reader holds an older snapshot"));
            }
            return done;
        });
        return new OptimizeReport(steps, before, sizes(engine), millisSince(start));
    }

    private static OptimizeReport.Sizes sizes(SqliteEngine engine) throws SQLException {
        long free = engine.inspect(c -> one(c, "PRAGMA freelist_count"));
        return new OptimizeReport.Sizes(size(engine.file()), size(wal(engine.file())), free, 0);
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    static Path wal(Path file) {
        return file.resolveSibling(file.getFileName() + "-wal");
    }

    static long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0; // removed between the two calls: a checkpointed WAL
        }
    }

    static void refuseExisting(Path target) {
        if (Files.exists(target)) {
            throw new MaintenanceException("backup target " + target + " exists; refusing to overwrite it (choose a"
                    + " new file name or move the old one away)");
        }
    }

    /**
     * Gives the verified temporary file its name, refusing one that appeared meanwhile: a hard link fails on an
     * existing name, where a rename would replace it; where links are not supported, a plain move that checks.
     */
    static void publish(Path tmp, Path target) {
        try {
            try {
                Files.createLink(target, tmp);
            } catch (UnsupportedOperationException | IOException linkNotSupported) {
                if (linkNotSupported instanceof FileAlreadyExistsException) {
                    throw linkNotSupported;
                }
                Files.move(tmp, target);
            }
            fsync(target.getParent());
        } catch (FileAlreadyExistsException e) {
            refuseExisting(target);
            throw new MaintenanceException("backup target " + target + " exists", e);
        } catch (IOException e) {
            throw new MaintenanceException("cannot name the backup " + target + ": " + e.getMessage(), e);
        }
    }

    static void createParent(Path file) {
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new MaintenanceException("cannot create the directory " + file.getParent() + ": " + e.getMessage(), e);
        }
    }

    /** Forces a file's or a directory's content to disk: VACUUM INTO does not fsync what it writes. */
    static void fsync(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            if (!Files.isDirectory(path)) {
                throw new MaintenanceException("cannot fsync " + path + ": " + e.getMessage(), e);
            }
            // Some file systems refuse to open a directory for fsync; the rename is then as durable as they make it.
        }
    }

    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a temporary file left behind is named .tmp- and harmless
        }
    }

    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
