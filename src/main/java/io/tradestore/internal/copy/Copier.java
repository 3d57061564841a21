package io.tradestore.internal.copy;

import io.tradestore.CopyOptions;
import io.tradestore.CopyProgress;
import io.tradestore.CopyRefusedException;
import io.tradestore.CopyReport;
import io.tradestore.CopyVerificationException;
import io.tradestore.SchemaVersionException;
import io.tradestore.TradestoreConfig;
import io.tradestore.ValidationException;
import io.tradestore.internal.SchemaGate;
import io.tradestore.internal.SqlErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The copy behind {@link io.tradestore.SqliteToPostgres}. One read transaction on the source for the whole run (one
 * snapshot, even if a process still writes to the file); on the target one connection, one transaction per batch.
 *
 * <ol>
 *   <li>Check: both databases at the build's schema version, the same tables and columns; the target holds, in each
 *   table, a prefix of the source's rows in primary-key order (nothing, on a fresh copy), proven by equal digests.
 *   Nothing is written before these pass.</li>
 *   <li>Copy: table by table, parents first; the rows after the prefix, in key order, a committed batch at a time.</li>
 *   <li>Verify each table right after it: row count and digest of the target's rows, read back, against the
 *   source's.</li>
 *   <li>Reset every identity sequence past the largest id either side ever handed out.</li>
 * </ol>
 */
public final class Copier {
    private static final Logger log = LoggerFactory.getLogger(Copier.class);
    /** Session-level advisory lock key ("tscopy" in ASCII): one copy into a database at a time. */
    private static final long LOCK_KEY = 0x7473636f7079L;

    private final Path sourceFile;
    private final TradestoreConfig target;
    private final CopyOptions options;

    private Copier(Path sourceFile, TradestoreConfig target, CopyOptions options) {
        this.sourceFile = sourceFile;
        this.target = target;
        this.options = options;
    }

    public static CopyReport run(Path sqliteFile, TradestoreConfig target, CopyOptions options) {
        if (sqliteFile == null) {
            throw new ValidationException("sqliteFile", "must not be null", null);
        }
        if (!Files.isRegularFile(sqliteFile)) {
            throw new ValidationException("sqliteFile", "must be an existing tradestore SQLite file", sqliteFile);
        }
        if (target == null || target.engine() != TradestoreConfig.Engine.POSTGRES) {
            throw new ValidationException("target", "must be a PostgreSQL config (TradestoreConfig.postgres)", target);
        }
        if (options == null) {
            throw new ValidationException("options", "must not be null (use CopyOptions.defaults())", null);
        }
        return new Copier(sqliteFile, target, options).run();
    }

    private CopyReport run() {
        long started = System.nanoTime();
        try (Connection source = openSource(); Connection pg = openTarget()) {
            lock(pg);
            int version = versions(source, pg);
            List<TableSpec> tables = Schemas.discover(source, pg, sourceFile.toString(), target.jdbcUrl());
            pg.commit();
            List<Long> sourceRows = new ArrayList<>();
            List<Long> present = new ArrayList<>();
            for (TableSpec t : tables) {
                sourceRows.add(count(source, "\"" + t.name() + "\""));
                present.add(count(pg, t.postgresName()));
            }
            pg.commit();
            checkPrefixes(source, pg, tables, sourceRows, present);
            long totalRows = sourceRows.stream().mapToLong(Long::longValue).sum();
            long totalCopied = present.stream().mapToLong(Long::longValue).sum();
            log.info("copying {} ({} rows in {} tables) into {}: {}", sourceFile, totalRows, tables.size(),
                    target.jdbcUrl(), totalCopied == 0 ? "empty target" : "resuming after " + totalCopied
                            + " rows an earlier run copied");
            List<CopyReport.TableReport> reports = new ArrayList<>();
            for (int i = 0; i < tables.size(); i++) {
                TableSpec t = tables.get(i);
                long tableStart = System.nanoTime();
                long[] progress = {totalCopied};
                RowDigest digest = copyTable(source, pg, t, present.get(i), sourceRows.get(i), i + 1, tables.size(),
                        totalRows, progress);
                totalCopied = progress[0];
                verify(pg, t, digest);
                long ms = (System.nanoTime() - tableStart) / 1_000_000;
                log.info("{}: {} rows ({} resumed) copied and verified in {} ms", t.qualified(), digest.rows(),
                        present.get(i), ms);
                reports.add(new CopyReport.TableReport(t.qualified(), digest.rows(), present.get(i), digest.hex(), ms));
            }
            resetSequences(source, pg, tables);
            CopyReport report = new CopyReport(reports, version, (System.nanoTime() - started) / 1_000_000);
            log.info("copied {} rows of {} into {} in {} ms ({} rows/s)", report.rows(), sourceFile,
                    target.jdbcUrl(), report.millis(), report.rowsPerSecond());
            return report;
        } catch (SQLException e) {
            throw SqlErrors.translate(e);
        }
    }

    private Connection openSource() {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        try {
            Connection c = config.createConnection("jdbc:sqlite:" + sourceFile.toAbsolutePath());
            c.setAutoCommit(false);
            return c;
        } catch (SQLException e) {
            throw new SchemaVersionException(sourceFile + " cannot be read as a SQLite database (" + e.getMessage()
                    + "); nothing was copied", e);
        }
    }

    private Connection openTarget() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", target.user());
        if (target.password() != null) {
            p.setProperty("password", target.password());
        }
        p.setProperty("reWriteBatchedInserts", "true");
        p.setProperty("ApplicationName", "tradestore-copy");
        Connection c = DriverManager.getConnection(target.jdbcUrl(), p);
        c.setAutoCommit(false);
        return c;
    }

    /** Held by this session until it ends: a second copy into the same database would interleave its batches. */
    private void lock(Connection pg) throws SQLException {
        try (PreparedStatement st = pg.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            st.setLong(1, LOCK_KEY);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new CopyRefusedException(null, "another copy into " + target.jdbcUrl() + " is running"
                            + " (it holds advisory lock " + LOCK_KEY + "); wait for it to end");
                }
            }
        }
        pg.commit();
    }

    private int versions(Connection source, Connection pg) throws SQLException {
        int sourceVersion = version(source, sourceFile.toString(), "open it once with Tradestore.open (auto-migrate)");
        int targetVersion = version(pg, target.jdbcUrl(), "migrate it first: Tradestore.open(config) with"
                + " auto-migrate, or mvn liquibase:update -Dliquibase.url=" + target.jdbcUrl());
        int build = SchemaGate.buildVersion();
        if (sourceVersion != targetVersion) {
            throw new SchemaVersionException("the source " + sourceFile + " is at schema version " + sourceVersion
                    + " but the target " + target.jdbcUrl() + " is at " + targetVersion + "; both must be at the same"
                    + " version (this build's is " + build + "): migrate the older one first; nothing was copied");
        }
        if (sourceVersion != build) {
            throw new SchemaVersionException("the source " + sourceFile + " and the target " + target.jdbcUrl()
                    + " are at schema version " + sourceVersion + ", not this build's " + build + "; migrate both"
                    + " to " + build + " (Tradestore.open with auto-migrate) and copy again; nothing was copied");
        }
        return sourceVersion;
    }

    private static int version(Connection c, String where, String remedy) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT MAX(version) FROM schema_versions");
             ResultSet rs = st.executeQuery()) {
            rs.next();
            int v = rs.getInt(1);
            if (rs.wasNull()) {
                throw new SchemaVersionException(where + " has no schema version recorded; " + remedy);
            }
            return v;
        } catch (SQLException e) {
            if (SqlErrors.isBusy(e)) {
                throw e;
            }
            c.rollback();
            throw new SchemaVersionException(where + " is not a migrated tradestore database (" + e.getMessage()
                    + "); " + remedy, e);
        }
    }

    /**
     * A target that is not empty is accepted only as what an interrupted copy of this very source left: in every
     * table, its k rows are the source's first k rows in key order (equal digests). Any other row, e.g. one written
     * through a Tradestore, refuses the copy before anything is written.
     */
    private void checkPrefixes(Connection source, Connection pg, List<TableSpec> tables, List<Long> sourceRows,
                               List<Long> present) throws SQLException {
        for (int i = 0; i < tables.size(); i++) {
            TableSpec t = tables.get(i);
            long k = present.get(i);
            if (k == 0) {
                continue;
            }
            if (k > sourceRows.get(i)) {
                throw refuse(t, k + " rows, more than the source's " + sourceRows.get(i));
            }
            RowDigest targetDigest = digestPostgres(pg, t);
            RowDigest sourceDigest = new RowDigest();
            try (PreparedStatement st = source.prepareStatement(t.sqliteSelect() + " LIMIT ?")) {
                st.setLong(1, k);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        sourceDigest.add(Values.fromSqlite(rs, t));
                    }
                }
            }
            if (targetDigest.rows() != k || !targetDigest.hex().equals(sourceDigest.hex())) {
                throw refuse(t, k + " rows that are not the source's first " + k + " rows in " + t.primaryKey()
                        + " order (checksum " + abbreviate(targetDigest.hex()) + " on the target, "
                        + abbreviate(sourceDigest.hex()) + " in the source)");
            }
        }
        pg.commit();
    }

    private CopyRefusedException refuse(TableSpec t, String what) {
        return new CopyRefusedException(t.qualified(), "refusing to copy " + sourceFile + " into " + target.jdbcUrl()
                + ": its table " + t.qualified() + " holds " + what + ". The target must be empty, or hold what an"
                + " interrupted copy of this very file left (in every table, a prefix of the source's rows in key"
                + " order); copy into a freshly migrated, empty database. Nothing was written");
    }

    private RowDigest copyTable(Connection source, Connection pg, TableSpec t, long present, long rows, int index,
                                int tableCount, long totalRows, long[] totalCopied) throws SQLException {
        RowDigest digest = new RowDigest();
        long copied = present;
        try (PreparedStatement st = source.prepareStatement(t.sqliteSelect());
             BatchWriter writer = BatchWriter.of(options.method(), pg, t)) {
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Object[] row = Values.fromSqlite(rs, t);
                    digest.add(row);
                    if (digest.rows() <= present) {
                        continue; // copied by an earlier run, proven by checkPrefixes
                    }
                    writer.add(row);
                    if (writer.pending() >= options.batchSize()) {
                        int n = commit(pg, writer);
                        copied += n;
                        totalCopied[0] += n;
                        progress(t, rows, copied, index, tableCount, totalRows, totalCopied[0]);
                    }
                }
            }
            if (writer.pending() > 0) {
                int n = commit(pg, writer);
                copied += n;
                totalCopied[0] += n;
                progress(t, rows, copied, index, tableCount, totalRows, totalCopied[0]);
            }
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(pg, e);
            throw e;
        }
        return digest;
    }

    private static int commit(Connection pg, BatchWriter writer) throws SQLException {
        int n = writer.flush();
        pg.commit();
        return n;
    }

    private void progress(TableSpec t, long rows, long copied, int index, int tableCount, long totalRows,
                          long totalCopied) {
        options.progress().accept(new CopyProgress(t.qualified(), rows, copied, index, tableCount, totalRows,
                totalCopied));
    }

    private void verify(Connection pg, TableSpec t, RowDigest source) throws SQLException {
        long count = count(pg, t.postgresName());
        RowDigest copy = digestPostgres(pg, t);
        pg.commit();
        if (count != source.rows() || copy.rows() != source.rows() || !copy.hex().equals(source.hex())) {
            throw new CopyVerificationException(t.qualified(), "after copying, " + t.qualified() + " differs: the"
                    + " source " + sourceFile + " has " + source.rows() + " rows with checksum " + source.hex()
                    + ", the target " + target.jdbcUrl() + " has " + count + " rows with checksum " + copy.hex()
                    + ". Something changed either database during the copy, or a value did not survive it; do not"
                    + " use the target: drop it and copy into a fresh one");
        }
    }

    private static RowDigest digestPostgres(Connection pg, TableSpec t) throws SQLException {
        RowDigest digest = new RowDigest();
        try (PreparedStatement st = pg.prepareStatement(t.postgresSelect())) {
            st.setFetchSize(10_000); // streams (the connection is in a transaction) instead of loading the table
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    digest.add(Values.fromPostgres(rs, t));
                }
            }
        }
        return digest;
    }

    /**
     * Every identity restarts after the largest id handed out on either side: the copied rows' maximum, or SQLite's
     * AUTOINCREMENT counter when it is higher (ids of deleted rows, e.g. purged pattern-cache entries, are never
     * reused there, and must not be here). Idempotent, so a resumed run simply does it again.
     */
    private static void resetSequences(Connection source, Connection pg, List<TableSpec> tables) throws SQLException {
        boolean hasSequences = !Schemas.rows(source, "SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
                .isEmpty();
        for (TableSpec t : tables) {
            for (String column : t.identityColumns()) {
                long next = 0;
                if (hasSequences) {
                    try (PreparedStatement st = source.prepareStatement("SELECT seq FROM sqlite_sequence WHERE name = ?")) {
                        st.setString(1, t.name());
                        try (ResultSet rs = st.executeQuery()) {
                            next = rs.next() ? rs.getLong(1) : 0;
                        }
                    }
                }
                try (PreparedStatement st = pg.prepareStatement("SELECT setval(pg_get_serial_sequence(?, ?),"
                        + " GREATEST(COALESCE((SELECT MAX(\"" + column + "\") FROM " + t.postgresName() + "), 0), ?, 1),"
                        + " GREATEST(COALESCE((SELECT MAX(\"" + column + "\") FROM " + t.postgresName() + "), 0), ?) > 0)")) {
                    st.setString(1, t.postgresName());
                    st.setString(2, column);
                    st.setLong(3, next);
                    st.setLong(4, next);
                    st.executeQuery().close();
                }
            }
        }
        pg.commit();
    }

    private static long count(Connection c, String table) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT COUNT(*) FROM " + table);
             ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void rollbackQuietly(Connection pg, Exception cause) {
        try {
            pg.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private static String abbreviate(String hex) {
        return hex.substring(0, 16) + "…";
    }
}
