package io.tradestore.internal;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.tradestore.Health.Check;
import io.tradestore.Health.Status;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What the health checks of both engines share: the schema version, pool statistics, numbers for people. */
final class HealthChecks {
    private HealthChecks() {
    }

    /** FAIL when the database's schema version is not this build's (migrated by a newer build while open). */
    static Check schemaVersion(Connection c) throws SQLException {
        long found = one(c, "SELECT COALESCE(MAX(version), 0) FROM schema_versions");
        int build = SchemaGate.buildVersion();
        return found == build
                ? new Check("schema_version", Status.OK, Long.toString(found), "FAIL unless " + build,
                "the database is at this build's schema")
                : new Check("schema_version", Status.FAIL, Long.toString(found), "FAIL unless " + build,
                "the database is at schema " + found + ", this build's is " + build + ": "
                        + (found > build ? "a newer build migrated it; upgrade this application"
                        : "run tradestore-cli migrate"));
    }

    /** One report per pool; only reports (a unit waiting for a connection now and then is normal under load). */
    static List<Check> pools(List<HikariDataSource> pools) {
        List<Check> checks = new ArrayList<>();
        for (HikariDataSource pool : pools) {
            HikariPoolMXBean bean = pool.getHikariPoolMXBean();
            checks.add(new Check("pool " + pool.getPoolName(), Status.OK,
                    "active " + bean.getActiveConnections() + ", idle " + bean.getIdleConnections() + ", total "
                            + bean.getTotalConnections() + " of " + pool.getMaximumPoolSize() + ", waiting "
                            + bean.getThreadsAwaitingConnection(), null,
                    "connections of this process's store"));
        }
        return checks;
    }

    static Check warnAbove(String name, long value, long limit, String shown, String threshold, String ok,
                           String warn) {
        return value > limit ? new Check(name, Status.WARN, shown, threshold, warn)
                : new Check(name, Status.OK, shown, threshold, ok);
    }

    static long one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
