package io.tradestore.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The on-disk half of issue 8's measurement: for every {@link Storage}, loads the same 1,000,000-candle series as
 * {@link DecimalStorageBench}, checkpoints and VACUUMs, and prints the bytes on disk, the candle table's share of
 * them (dbstat), the bytes the five decimal values take per row, and what an operator sees of the first two rows.
 *
 * <p>Arguments: {@code [rows] [--keep DIR]}; with {@code --keep} the databases stay in DIR as
 * {@code <storage>.db}, to open with the sqlite3 shell.
 */
public final class DecimalStorageSizes {
    /** SQLite's record format: bytes of one value (header byte not counted), as in its file format doc. */
    private static final String VALUE_BYTES = "CASE WHEN typeof(%1$s) = 'blob' THEN length(%1$s)"
            + " WHEN %1$s IN (0, 1) THEN 0 WHEN %1$s BETWEEN -128 AND 127 THEN 1"
            + " WHEN %1$s BETWEEN -32768 AND 32767 THEN 2 WHEN %1$s BETWEEN -8388608 AND 8388607 THEN 3"
            + " WHEN %1$s BETWEEN -2147483648 AND 2147483647 THEN 4"
            + " WHEN %1$s BETWEEN -140737488355328 AND 140737488355327 THEN 6 ELSE 8 END";

    private DecimalStorageSizes() {
    }

    public static void main(String[] args) throws Exception {
        long rows = 1_000_000;
        Path keep = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--keep")) {
                keep = Path.of(args[++i]);
            } else {
                rows = Long.parseLong(args[i].replace("_", ""));
            }
        }
        Blob16.selfCheck(8, 20_000);
        BenchData data = BenchData.load();
        Path dir = keep != null ? Files.createDirectories(keep) : Files.createTempDirectory("decimal-storage-sizes-");
        StringBuilder table = new StringBuilder();
        StringBuilder views = new StringBuilder();
        table.append(String.format("%-16s %14s %14s %14s %12s %12s %14s%n", "storage", "file bytes",
                "per 1M candles", "candles table", "row payload", "value bytes", "per value"));
        try {
            for (Storage s : Storage.values()) {
                Path file = dir.resolve(s.id + ".db");
                Files.deleteIfExists(file);
                try (Connection c = Storage.openWriter(file); Statement st = c.createStatement()) {
                    s.createSchema(c);
                    Storage.load(c, s.loadCodecs(c), data, 0, rows, 100_000);
                    st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                    st.execute("VACUUM");
                    st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                    long pageSize = longOf(st, "PRAGMA page_size");
                    long pages = longOf(st, "PRAGMA page_count");
                    long fileBytes = pageSize * pages;
                    String tableBytes = "n/a";
                    String payload = "n/a";
                    try {
                        String dbstat = " FROM dbstat WHERE name = 'candles'";
                        tableBytes = String.format("%,d", longOf(st, "SELECT sum(pgsize)" + dbstat));
                        payload = String.format("%.1f", longOf(st, "SELECT sum(payload)" + dbstat) / (double) rows);
                    } catch (SQLException noDbstat) {
                        // this SQLite build has no dbstat table: the file size alone then
                    }
                    double valueBytes = avg(st, bytes("open") + " + " + bytes("high") + " + " + bytes("low") + " + "
                            + bytes("close") + " + " + bytes("volume"));
                    String perValue = String.format("%.1f/%.1f", avg(st, bytes("open")), avg(st, bytes("volume")));
                    table.append(String.format("%-16s %,14d %,14d %14s %12s %12.1f %14s%n", s.id, fileBytes,
                            Math.round(fileBytes * 1_000_000.0 / rows), tableBytes, payload, valueBytes, perValue));

                    views.append(String.format("%n%s  (open | high | volume | hex(open) | typeof(open))%n", s.id));
                    try (ResultSet rs = st.executeQuery("SELECT quote(open), quote(high), quote(volume), hex(open),"
                            + " typeof(open) FROM candles ORDER BY symbol, timeframe, open_time LIMIT 2")) {
                        while (rs.next()) {
                            views.append(String.format("  %s | %s | %s | %s | %s%n", rs.getString(1), rs.getString(2),
                                    rs.getString(3), rs.getString(4), rs.getString(5)));
                        }
                    }
                }
                if (keep == null) {
                    Files.deleteIfExists(file);
                }
            }
        } finally {
            if (keep == null) {
                DecimalStorageBench.deleteTree(dir);
            }
        }
        System.out.printf("%,d candles per storage; file bytes = page_count x page_size after VACUUM;"
                + " candles table = dbstat pages of the table; row payload = dbstat payload / rows;"
                + " value bytes = record bytes of open+high+low+close+volume per row (header bytes not counted);"
                + " per value = open/volume%n%n", rows);
        System.out.print(table);
        System.out.printf("%nFirst two rows (quote() shows a BLOB as X'..', as sqlite3 -quote does):%n");
        System.out.print(views);
        if (keep != null) {
            System.out.printf("%nDatabases kept in %s (sqlite3 %s)%n", dir, dir.resolve("dec18.db"));
        }
    }

    private static String bytes(String column) {
        return "(" + String.format(VALUE_BYTES, column) + ")";
    }

    private static long longOf(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static double avg(Statement st, String expression) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT avg(" + expression + ") FROM candles")) {
            rs.next();
            return rs.getDouble(1);
        }
    }
}
