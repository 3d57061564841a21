package io.tradestore.legacy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds the legacy SQLite files among the paths given and reads them without ever opening them for writing: each
 * file (with its -wal or -journal, if any) is copied into a temporary directory and the copy is read, so a hot
 * journal is recovered in the copy, never in the original, and nothing appears beside the originals.
 */
final class LegacySources {
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
    private static final String[] SIDECARS = {"-wal", "-journal"};

    /** A table of a legacy file as read: its columns (lower case) and, for a kind that is imported, its rows. */
    record Table(String name, List<String> columns, LegacyKind kind, String note, long rowCount,
                 Map<String, Long> notCarried, List<Row> rows) {
    }

    /**
     * One legacy row: its rowid (null for a table without one), its 1-based place in the order read (rowid order, or
     * key order for a WITHOUT ROWID table) and its values by lower-case column.
     */
    record Row(Long rowid, long number, Map<String, Object> values) {
        Object get(String column) {
            return values.get(column);
        }
    }

    /**
     * A TEXT value whose bytes are not UTF-8 (SQLite stores any bytes it is given). The driver would read them with
     * U+FFFD in place of what it cannot decode; kept apart instead, so the value rejects its row rather than being
     * imported altered.
     */
    record NotUtf8(byte[] bytes) {
        @Override
        public String toString() {
            return "text that is not UTF-8, " + bytes.length + " bytes";
        }
    }

    /** A legacy file as read; name is its path relative to the folder all sources share, as reports show it. */
    record File(Path path, String name, int order, String sha256, long bytes, FileTime modified, List<Table> tables) {
    }

    private LegacySources() {
    }

    /** The SQLite files among {@code paths}: files as given, folders walked in sorted path order. */
    static List<Path> expand(List<Path> paths) {
        LinkedHashSet<Path> files = new LinkedHashSet<>();
        for (Path p : paths) {
            if (!Files.exists(p)) {
                throw new ConsolidationException("legacy source " + p + " does not exist");
            }
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p, FileVisitOption.FOLLOW_LINKS)) {
                    walk.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString))
                            .filter(LegacySources::isSqlite).forEach(f -> files.add(f.toAbsolutePath().normalize()));
                } catch (IOException e) {
                    throw new ConsolidationException("cannot list legacy folder " + p + ": " + e.getMessage(), e);
                }
            } else if (isSqlite(p)) {
                files.add(p.toAbsolutePath().normalize());
            } else {
                throw new ConsolidationException("legacy source " + p + " is not a SQLite database (its first bytes"
                        + " are not \"SQLite format 3\")");
            }
        }
        return List.copyOf(files);
    }

    /** Each file's path relative to the deepest folder that holds them all (its name alone for a single file). */
    static List<String> names(List<Path> files) {
        Path root = files.get(0).getParent();
        for (Path f : files) {
            while (root != null && !f.startsWith(root)) {
                root = root.getParent();
            }
        }
        Path common = root;
        return files.stream().map(f -> common == null ? f.toString() : common.relativize(f).toString()).toList();
    }

    /** Whether the file starts with SQLite's header; one that cannot be read is refused, never skipped unsaid. */
    static boolean isSqlite(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(MAGIC.length), MAGIC);
        } catch (IOException e) {
            throw new ConsolidationException("cannot read legacy source " + file + ": " + e, e);
        }
    }

    /** Reads {@code file} through a private copy; the rows of tables of an imported kind are read in rowid order. */
    static File read(Path file, String name, int order) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("tradestore-legacy-");
            Path copy = dir.resolve("legacy.db");
            Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
            for (String sidecar : SIDECARS) {
                Path side = file.resolveSibling(file.getFileName() + sidecar);
                if (Files.exists(side)) {
                    Files.copy(side, dir.resolve("legacy.db" + sidecar));
                }
            }
            String sha = sha256(copy);
            long bytes = Files.size(copy);
            FileTime modified = Files.getLastModifiedTime(file);
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy)) {
                return new File(file, name, order, sha, bytes, modified, tables(c));
            }
        } catch (IOException e) {
            throw new ConsolidationException("cannot read legacy file " + file + ": " + e.getMessage(), e);
        } catch (SQLException e) {
            throw new ConsolidationException("cannot read legacy file " + file + " as SQLite: " + e.getMessage(), e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static List<Table> tables(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'"
                     + " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        List<Table> tables = new ArrayList<>();
        for (String name : names) {
            List<String> columns = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("PRAGMA table_info(" + quote(name) + ")")) {
                while (rs.next()) {
                    columns.add(rs.getString("name").toLowerCase(Locale.ROOT));
                }
            }
            List<LegacyKind> kinds = Arrays.stream(LegacyKind.values())
                    .filter(k -> columns.containsAll(k.required())).toList();
            long count;
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM " + quote(name))) {
                rs.next();
                count = rs.getLong(1);
            }
            if (kinds.size() != 1) {
                String note = kinds.isEmpty() ? "not recognised: its columns match no legacy table"
                        : "not read: its columns match several legacy tables " + kinds;
                tables.add(new Table(name, columns, null, note, count, Map.of(), List.of()));
                continue;
            }
            LegacyKind kind = kinds.get(0);
            Map<String, Long> notCarried = new LinkedHashMap<>();
            for (String column : columns) {
                if (!kind.carried().contains(column)) {
                    try (Statement s = c.createStatement();
                         ResultSet rs = s.executeQuery("SELECT count(" + quote(column) + ") FROM " + quote(name))) {
                        rs.next();
                        notCarried.put(column, rs.getLong(1));
                    }
                }
            }
            if (kind.target() == null) {
                tables.add(new Table(name, columns, kind, "recognised, not imported: a cache of responses that"
                        + " expire; the data lives at its source", count, notCarried, List.of()));
                continue;
            }
            tables.add(new Table(name, columns, kind, null, count, notCarried, rows(c, name)));
        }
        return tables;
    }

    private static List<Row> rows(Connection c, String table) throws SQLException {
        List<Row> rows = new ArrayList<>();
        boolean hasRowid = true;
        try (Statement probe = c.createStatement();
             ResultSet ignored = probe.executeQuery("SELECT rowid FROM " + quote(table) + " LIMIT 0")) {
            // A WITHOUT ROWID table refuses the probe; its rows are then read in key order, unnumbered.
        } catch (SQLException withoutRowid) {
            hasRowid = false;
        }
        boolean utf8;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA encoding")) {
            // A UTF-16 file hands over UTF-16 bytes; SQLite converts its text, so only UTF-8 files can hold bad bytes.
            utf8 = rs.next() && "UTF-8".equalsIgnoreCase(rs.getString(1));
        }
        String sql = hasRowid ? "SELECT rowid AS \"tradestore legacy rowid\", * FROM " + quote(table) + " ORDER BY rowid"
                : "SELECT * FROM " + quote(table);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            int first = hasRowid ? 2 : 1;
            while (rs.next()) {
                Map<String, Object> values = new LinkedHashMap<>();
                for (int i = first; i <= md.getColumnCount(); i++) {
                    Object value = rs.getObject(i);
                    if (utf8 && value instanceof String text && text.indexOf('\uFFFD') >= 0) {
                        // Either the legacy code wrote U+FFFD, or the driver put it there: the bytes tell.
                        byte[] raw = rs.getBytes(i);
                        if (!isUtf8(raw)) {
                            value = new NotUtf8(raw);
                        }
                    }
                    values.put(md.getColumnName(i).toLowerCase(Locale.ROOT), value);
                }
                rows.add(new Row(hasRowid ? rs.getLong(1) : null, rows.size() + 1, values));
            }
        }
        return rows;
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // A leftover temp copy is harmless; the legacy file itself was never touched.
        }
    }
}
