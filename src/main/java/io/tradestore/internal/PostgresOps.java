package io.tradestore.internal;

import io.tradestore.BackupReport;
import io.tradestore.Health;
import io.tradestore.Health.Check;
import io.tradestore.Health.Status;
import io.tradestore.HealthOptions;
import io.tradestore.MaintenanceException;
import io.tradestore.OptimizeReport;
import io.tradestore.RestoreReport;
import io.tradestore.TradestoreConfig;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.tradestore.internal.HealthChecks.bytes;
import static io.tradestore.internal.HealthChecks.one;

/**
 * Health, backup ({@code pg_dump -Fc}), restore ({@code pg_restore} into an empty database) and optimize
 * ({@code VACUUM (ANALYZE)}) of a PostgreSQL database (docs/operations.md).
 */
public final class PostgresOps {
    private static final String SCHEMAS = "('trading', 'market', 'analytics')";

    private PostgresOps() {
    }

    public static Health health(PostgresEngine engine, HealthOptions o) throws SQLException {
        List<Check> checks = engine.inspect(c -> {
            List<Check> list = new ArrayList<>();
            list.add(HealthChecks.schemaVersion(c));
            long here = one(c, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database()");
            long all = one(c, "SELECT COUNT(*) FROM pg_stat_activity WHERE backend_type = 'client backend'");
            long max = one(c, "SELECT setting::bigint FROM pg_settings WHERE name = 'max_connections'");
            list.add(HealthChecks.warnAbove("connections", all * 100, o.connectionsWarnPercent() * max,
                    here + " to this database, " + all + " of " + max + " on the server", "WARN above "
                            + o.connectionsWarnPercent() + " % of max_connections", "room for more connections",
                    "the server is close to max_connections: new connections will be refused; look for idle"
                            + " pools (pg_stat_activity)"));
            list.add(new Check("database_size", Status.OK, bytes(one(c, "SELECT pg_database_size(current_database())")),
                    null, "pg_database_size"));
            list.add(deadTuples(c, o));
            list.add(longTransactions(c, o));
            return list;
        });
        checks.addAll(HealthChecks.pools(engine.pools()));
        return Health.of(checks);
    }

    /** The table with the largest share of dead tuples among those with at least deadTupleMinRows of them. */
    private static Check deadTuples(Connection c, HealthOptions o) throws SQLException {
        String worst = null;
        long worstDead = 0;
        long worstTotal = 0;
        long dead = 0;
        long live = 0;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT schemaname || '.' || relname,"
                + " n_dead_tup, n_live_tup FROM pg_stat_user_tables WHERE schemaname IN " + SCHEMAS)) {
            while (rs.next()) {
                long d = rs.getLong(2);
                long total = d + rs.getLong(3);
                dead += d;
                live += rs.getLong(3);
                if (d >= o.deadTupleMinRows() && total > 0
                        && (worst == null || d * worstTotal > worstDead * total)) {
                    worst = rs.getString(1);
                    worstDead = d;
                    worstTotal = total;
                }
            }
        }
        String threshold = "WARN above " + o.deadTupleWarnPercent() + " % of a table with " + o.deadTupleMinRows()
                + " or more dead tuples";
        String shown = dead + " dead, " + live + " live tuples";
        if (worst != null && worstDead * 100 > o.deadTupleWarnPercent() * worstTotal) {
            return new Check("dead_tuples", Status.WARN, shown, threshold, worst + " is " + worstDead * 100 / worstTotal
                    + " % dead tuples (" + worstDead + " of " + worstTotal + "): autovacuum is behind or blocked by a"
                    + " long transaction; tradestore-cli optimize (as the owner) runs VACUUM (ANALYZE)");
        }
        return new Check("dead_tuples", Status.OK, shown, threshold, "from pg_stat_user_tables (estimates)");
    }

    /**
     * Client transactions of this database open longer than the limit, other than this one (autovacuum's are not
     * the operator's to end). Without pg_read_all_stats a
     * role sees xact_start of its own sessions only: others' count as not open (docs/operations.md).
     */
    private static Check longTransactions(Connection c, HealthOptions o) throws SQLException {
        long seconds = o.longTransaction().toSeconds();
        long count;
        long oldest;
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), COALESCE(EXTRACT(EPOCH FROM MAX(now() -"
                + " xact_start))::bigint, 0) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND xact_start IS NOT NULL AND now() - xact_start > ? * interval"
                + " '1 second'")) {
            ps.setLong(1, seconds);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                count = rs.getLong(1);
                oldest = rs.getLong(2);
            }
        }
        return HealthChecks.warnAbove("long_transactions", count, 0, count + (count == 0 ? ""
                        : ", oldest open " + oldest + " s"), "WARN above 0 open longer than " + seconds + " s",
                "no long-running transaction", "a transaction open that long holds back VACUUM and its locks block"
                        + " writers: find it in pg_stat_activity (xact_start) and end it");
    }

    public static BackupReport backup(TradestoreConfig config, Path target) throws SQLException {
        long start = System.nanoTime();
        Path t = target.toAbsolutePath();
        SqliteOps.refuseExisting(t);
        SqliteOps.createParent(t);
        String pgDump = tool("pg_dump");
        Path tmp = t.resolveSibling(t.getFileName() + ".tmp-" + UUID.randomUUID());
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password())) {
            // pg_dump runs in the snapshot exported here, so the schema version read in it is the dump's.
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            String snapshot;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
                rs.next();
                snapshot = rs.getString(1);
            }
            int version = (int) one(c, "SELECT COALESCE(MAX(version), 0) FROM schema_versions");
            run(config, List.of(pgDump, "--format=custom", "--snapshot=" + snapshot, "--file=" + tmp, "--dbname="
                    + libpqUrl(config.jdbcUrl()), "--username=" + config.user(), "--no-password"));
            c.rollback();
            SqliteOps.fsync(tmp);
            if (archiveVersion(config, tmp) != version) {
                throw new MaintenanceException("backup " + tmp + " does not hold schema " + version);
            }
            SqliteOps.publish(tmp, t);
            return new BackupReport(t, SqliteOps.size(t), version, "pg_dump -Fc", SqliteOps.millisSince(start));
        } finally {
            SqliteOps.deleteQuietly(tmp);
        }
    }

    /**
     * Restores a {@code pg_dump -Fc} archive into {@code target}, which must be an empty database (no tables in
     * the three schemas and no schema_versions), in one transaction: all of it or nothing.
     */
    public static RestoreReport restore(Path backup, TradestoreConfig target) {
        long start = System.nanoTime();
        Path b = backup.toAbsolutePath();
        if (!Files.isRegularFile(b)) {
            throw new MaintenanceException("backup " + b + " does not exist or is not a file");
        }
        String pgRestore = tool("pg_restore");
        int version = archiveVersion(target, b);
        int build = SchemaGate.buildVersion();
        if (version > build) {
            throw new MaintenanceException("backup " + b + " holds schema " + version + ", newer than this build's "
                    + build + "; restore it with a tradestore build of schema " + version + " or newer");
        }
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password())) {
            long tables = one(c, "SELECT COUNT(*) FROM pg_tables WHERE schemaname IN " + SCHEMAS
                    + " OR tablename IN ('schema_versions', 'databasechangelog')");
            if (tables > 0) {
                throw new MaintenanceException("refusing to restore into " + target.jdbcUrl() + ": it is not empty ("
                        + tables + " tradestore tables); restore into a new database (CREATE DATABASE), nothing"
                        + " was changed");
            }
        } catch (SQLException e) {
            throw new MaintenanceException("cannot inspect " + target.jdbcUrl() + ": " + e.getMessage(), e);
        }
        run(target, List.of(pgRestore, "--exit-on-error", "--single-transaction", "--dbname="
                + libpqUrl(target.jdbcUrl()), "--username=" + target.user(), "--no-password", b.toString()));
        return new RestoreReport(b, target.jdbcUrl(), version, SqliteOps.size(b), SqliteOps.millisSince(start));
    }

    /** The schema version an archive holds: the largest version in its schema_versions data, read by pg_restore. */
    private static int archiveVersion(TradestoreConfig config, Path archive) {
        String sql = run(config, List.of(tool("pg_restore"), "--data-only", "--table=schema_versions", "--file=-",
                archive.toString()));
        int max = -1;
        boolean inCopy = false;
        for (String line : sql.split("\n")) {
            if (line.startsWith("COPY ") && line.contains("schema_versions")) {
                inCopy = true;
            } else if (inCopy && line.equals("\\.")) {
                inCopy = false;
            } else if (inCopy) {
                max = Math.max(max, Integer.parseInt(line.split("\t")[0].trim()));
            }
        }
        if (max < 0) {
            throw new MaintenanceException("backup " + archive + " is not a tradestore backup: it has no"
                    + " schema_versions rows");
        }
        return max;
    }

    public static OptimizeReport optimize(PostgresEngine engine) throws SQLException {
        long start = System.nanoTime();
        OptimizeReport.Sizes before = engine.inspect(PostgresOps::sizes);
        List<String> steps = engine.maintenance(c -> {
            List<String> notOwned = new ArrayList<>();
            List<String> tables = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT quote_ident(n.nspname)"
                    + " || '.' || quote_ident(t.relname), pg_has_role(t.relowner, 'USAGE') FROM pg_class t"
                    + " JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname IN " + SCHEMAS
                    + " AND t.relkind IN ('r', 'p') AND NOT t.relispartition ORDER BY 1")) {
                while (rs.next()) {
                    (rs.getBoolean(2) ? tables : notOwned).add(rs.getString(1));
                }
            }
            if (!notOwned.isEmpty()) {
                // VACUUM skips such tables with a warning instead of failing: refuse, so nobody thinks it ran.
                throw new MaintenanceException("optimize runs VACUUM, which only the tables' owner may run; "
                        + c.getMetaData().getUserName() + " does not own " + notOwned.size() + " tables (e.g. "
                        + notOwned.get(0) + "): connect as the owner role (docs/postgresql.md, Roles)");
            }
            try (Statement st = c.createStatement()) {
                st.execute("VACUUM (ANALYZE) " + String.join(", ", tables));
            }
            return List.of("VACUUM (ANALYZE) of " + tables.size() + " tables: dead tuples reclaimed for reuse,"
                    + " statistics refreshed");
        });
        return new OptimizeReport(steps, before, engine.inspect(PostgresOps::sizes), SqliteOps.millisSince(start));
    }

    private static OptimizeReport.Sizes sizes(Connection c) throws SQLException {
        return new OptimizeReport.Sizes(one(c, "SELECT pg_database_size(current_database())"), 0, 0,
                one(c, "SELECT COALESCE(SUM(n_dead_tup), 0) FROM pg_stat_user_tables WHERE schemaname IN " + SCHEMAS));
    }

    /** {@code jdbc:postgresql://host:port/db?options} as libpq's {@code postgresql://host:port/db}. */
    static String libpqUrl(String jdbcUrl) {
        String url = jdbcUrl.substring("jdbc:".length());
        int options = url.indexOf('?');
        return options < 0 ? url : url.substring(0, options);
    }

    /** The PostgreSQL client program {@code name} on the PATH, or a refusal saying what to install. */
    static String tool(String name) {
        String path = System.getenv("PATH");
        for (String dir : path == null ? new String[0] : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new MaintenanceException(name + " is not on the PATH: PostgreSQL backup and restore run pg_dump and"
                + " pg_restore; install the PostgreSQL client tools (the server's major version or newer)");
    }

    /** Runs a client program with the password in its environment (not its command line); its output. */
    private static String run(TradestoreConfig config, List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            if (config.password() != null) {
                pb.environment().put("PGPASSWORD", config.password());
            }
            Path errors = Files.createTempFile("tradestore-" + Path.of(command.get(0)).getFileName(), ".err");
            try {
                pb.redirectError(errors.toFile());
                Process p = pb.start();
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                int exit = p.waitFor();
                if (exit != 0) {
                    String err = Files.readString(errors).strip();
                    throw new MaintenanceException(Path.of(command.get(0)).getFileName() + " failed (exit " + exit
                            + "): " + (err.isEmpty() ? "no message" : err.lines().findFirst().orElse(err)));
                }
                return out;
            } finally {
                Files.deleteIfExists(errors);
            }
        } catch (IOException e) {
            throw new MaintenanceException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MaintenanceException("interrupted while running " + command.get(0), e);
        }
    }
}
