package io.tradestore;

import io.tradestore.testing.SqliteFiles;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.tradestore.testing.SqliteFiles.rows;
import static java.util.stream.Collectors.joining;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/schema.md against a freshly migrated SQLite file: the ER diagram is generated from the live schema, and
 * every documented table, column, constraint and index exists, and nothing live is undocumented.
 */
class SchemaDocTest {
    private static final Path DOC = Path.of(System.getProperty("user.dir"), "docs", "schema.md");
    private static final String BEGIN = "<!-- er-diagram:begin -->";
    private static final String END = "<!-- er-diagram:end -->";
    private static final String UPDATE_HINT =
            "run mvn test -Dtest=SchemaDocTest -Dtradestore.updateDocs=true to regenerate it from the live schema";
    /** A named constraint in a CREATE TABLE statement and its kind. */
    private static final Pattern SQL_CONSTRAINT = Pattern.compile(
            "CONSTRAINT\\s+(\\w+)\\s+(CHECK|UNIQUE|PRIMARY\\s+KEY|REFERENCES)", Pattern.CASE_INSENSITIVE);
    /** A `Constraints:` bullet: - `name` KIND rest. */
    private static final Pattern BULLET = Pattern.compile(
            "^- `(\\w+)` (PRIMARY KEY|UNIQUE|FOREIGN KEY|CHECK|INDEX)\\b(.*)$");
    private static final Pattern COLUMN_LIST = Pattern.compile("^ \\(([\\w, ]+)\\)");
    private static final Pattern FK_TARGET = Pattern.compile("^ (\\w+) → (\\w+)\\.(\\w+)");

    @TempDir
    Path dir;

    record Column(String name, String type, boolean notNull, int pk) {
    }

    record Index(String name, String origin, boolean unique, List<String> columns) {
    }

    /** foreignKeys: [column, parent table, parent column]; createdIndexes: CREATE INDEX names in sqlite_master. */
    record Table(String name, String sql, List<Column> columns, List<List<String>> foreignKeys, List<Index> indexes,
                 List<String> createdIndexes) {
        Column column(String name) {
            return columns.stream().filter(c -> c.name.equals(name)).findFirst().orElseThrow();
        }

        List<String> primaryKey() {
            return columns.stream().filter(c -> c.pk > 0).sorted((a, b) -> a.pk - b.pk).map(Column::name).toList();
        }

        boolean isUniqueAlone(String column) {
            return primaryKey().equals(List.of(column))
                    || indexes.stream().anyMatch(i -> i.unique && i.columns.equals(List.of(column)));
        }
    }

    /** A `### table` section of the docs: its column table rows and its constraint bullets (name -> [kind, rest]). */
    record DocTable(List<List<String>> columns, Map<String, List<String>> constraints) {
    }

    @Test
    void erDiagramInDocsMatchesTheLiveSchema() throws Exception {
        String generated = erDiagram(liveSchema());
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int begin = doc.indexOf(BEGIN);
        int end = doc.indexOf(END);
        assertThat(begin).as("%s must contain the marker lines %s and %s", DOC, BEGIN, END).isNotNegative();
        assertThat(end).as("%s must contain %s after %s", DOC, END, BEGIN).isGreaterThan(begin);
        String documented = doc.substring(begin + BEGIN.length(), end);
        if (Boolean.getBoolean("tradestore.updateDocs")) {
            Files.writeString(DOC, doc.substring(0, begin + BEGIN.length()) + "\n" + generated + doc.substring(end),
                    StandardCharsets.UTF_8);
            return;
        }
        assertThat(documented.strip())
                .as("the ER diagram in %s is out of date with the live schema; %s", DOC, UPDATE_HINT)
                .isEqualTo(generated.strip());
    }

    @Test
    void everyLiveColumnIsDocumentedAndNothingElse() throws Exception {
        Map<String, Table> live = liveSchema();
        Map<String, DocTable> doc = parseDoc();
        assertThat(doc.keySet()).as("'### table' sections in %s vs tables of the live schema", DOC)
                .containsExactlyInAnyOrderElementsOf(live.keySet());
        SoftAssertions softly = new SoftAssertions();
        for (Table table : live.values()) {
            List<List<String>> rows = doc.get(table.name).columns;
            for (List<String> row : rows) {
                softly.assertThat(row).as("row of the column table of %s in %s (| column | type | null | meaning |)",
                        table.name, DOC).hasSize(4).allSatisfy(cell -> assertThat(cell).isNotBlank());
            }
            softly.assertThat(rows.stream().map(r -> r.get(0)).toList())
                    .as("columns of %s in %s, in CREATE TABLE order", table.name, DOC)
                    .containsExactlyElementsOf(table.columns.stream().map(Column::name).toList());
            softly.assertThat(rows.stream().map(r -> r.get(0) + " null=" + (r.size() > 2 ? r.get(2) : "?")).toList())
                    .as("'null' cells of %s in %s vs PRAGMA table_info notnull", table.name, DOC)
                    .containsExactlyElementsOf(table.columns.stream()
                            .map(c -> c.name + " null=" + (c.notNull ? "no" : "yes")).toList());
        }
        softly.assertAll();
    }

    @Test
    void everyConstraintAndIndexListedInDocsExistsInTheLiveSchemaAndViceVersa() throws Exception {
        Map<String, Table> live = liveSchema();
        Map<String, DocTable> doc = parseDoc();
        assertThat(live.keySet()).as("tables documented in %s", DOC).containsExactlyInAnyOrderElementsOf(doc.keySet());
        SoftAssertions softly = new SoftAssertions();
        for (Table table : live.values()) {
            Map<String, List<String>> documented = doc.get(table.name).constraints;
            Map<String, String> liveKinds = new TreeMap<>();
            Matcher m = SQL_CONSTRAINT.matcher(table.sql);
            while (m.find()) {
                String kind = m.group(2).toUpperCase().replaceAll("\\s+", " ");
                liveKinds.put(m.group(1), kind.equals("REFERENCES") ? "FOREIGN KEY" : kind);
            }
            table.createdIndexes.forEach(name -> liveKinds.put(name, "INDEX"));
            softly.assertThat(documented.keySet())
                    .as("constraints and indexes of %s: 'Constraints:' bullets in %s vs CONSTRAINT names in its"
                            + " CREATE TABLE and its CREATE INDEX statements in sqlite_master", table.name, DOC)
                    .containsExactlyInAnyOrderElementsOf(liveKinds.keySet());
            List<List<String>> documentedFks = new ArrayList<>();
            documented.forEach((name, bullet) -> {
                String kind = bullet.get(0);
                String tail = bullet.get(1);
                softly.assertThat(kind).as("kind of %s.%s in %s vs its definition in sqlite_master", table.name, name, DOC)
                        .isEqualTo(liveKinds.get(name));
                Matcher cols = COLUMN_LIST.matcher(tail);
                List<String> columns = cols.find() ? Arrays.stream(cols.group(1).split(",")).map(String::trim).toList()
                        : null;
                switch (kind) {
                    case "INDEX" -> softly.assertThat(columns).as("columns of index %s in %s", name, DOC)
                            .isEqualTo(table.indexes.stream().filter(i -> i.name.equals(name) && i.origin.equals("c"))
                                    .map(Index::columns).findFirst().orElse(null));
                    case "PRIMARY KEY" -> softly.assertThat(columns).as("columns of %s in %s", name, DOC)
                            .isEqualTo(table.primaryKey());
                    case "UNIQUE" -> softly.assertThat(table.indexes.stream()
                                    .filter(i -> i.unique && i.origin.equals("u")).map(Index::columns))
                            .as("unique keys of %s in the live schema, for %s documented as UNIQUE (%s)",
                                    table.name, name, columns).contains(columns);
                    case "FOREIGN KEY" -> {
                        Matcher fk = FK_TARGET.matcher(tail);
                        documentedFks.add(fk.find() ? List.of(fk.group(1), fk.group(2), fk.group(3))
                                : List.of(name + " does not read FOREIGN KEY column → table.column"));
                    }
                    default -> {
                    }
                }
            });
            softly.assertThat(documentedFks).as("foreign keys of %s: docs vs PRAGMA foreign_key_list", table.name)
                    .containsExactlyInAnyOrderElementsOf(table.foreignKeys);
        }
        softly.assertAll();
    }

    /** The schema of a freshly migrated database, read from sqlite_master and PRAGMAs only; tables by name. */
    private Map<String, Table> liveSchema() throws SQLException {
        try (Connection c = SqliteFiles.open(SqliteFiles.migrated(dir))) {
            return liveSchema(c);
        }
    }

    private static Map<String, Table> liveSchema(Connection c) throws SQLException {
        Map<String, Table> tables = new TreeMap<>();
        for (List<String> t : rows(c, "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
                + " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'DATABASECHANGELOG%' ORDER BY name")) {
            String name = t.get(0);
            List<List<String>> info = rows(c, "SELECT name, type, \"notnull\", pk FROM pragma_table_info('" + name
                    + "') ORDER BY cid");
            // A lone INTEGER PRIMARY KEY is SQLite's rowid alias: never null, though table_info reports notnull 0.
            boolean rowidAlias = info.stream().filter(r -> !r.get(3).equals("0")).count() == 1
                    && !t.get(1).matches("(?is).*\\)\\s*WITHOUT\\s+ROWID\\s*");
            List<Column> columns = info.stream().map(r -> new Column(r.get(0), r.get(1), r.get(2).equals("1")
                    || rowidAlias && r.get(3).equals("1") && r.get(1).equalsIgnoreCase("INTEGER"),
                    Integer.parseInt(r.get(3)))).toList();
            List<List<String>> fks = rows(c, "SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list('" + name
                    + "') ORDER BY id, seq");
            List<Index> indexes = new ArrayList<>();
            for (List<String> i : rows(c, "SELECT name, origin, \"unique\" FROM pragma_index_list('" + name
                    + "') ORDER BY name")) {
                indexes.add(new Index(i.get(0), i.get(1), i.get(2).equals("1"), rows(c,
                        "SELECT name FROM pragma_index_info('" + i.get(0) + "') ORDER BY seqno").stream()
                        .map(r -> r.get(0)).toList()));
            }
            List<String> created = rows(c, "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                    + " AND tbl_name = '" + name + "' ORDER BY name").stream().map(r -> r.get(0)).toList();
            tables.put(name, new Table(name, t.get(1), columns, fks, indexes, created));
        }
        return tables;
    }

    /** Mermaid erDiagram: entities by name with columns in table order, then one relationship per foreign key. */
    static String erDiagram(Map<String, Table> schema) {
        StringBuilder out = new StringBuilder("```mermaid\nerDiagram\n");
        for (Table t : schema.values()) {
            Set<String> fkColumns = new TreeSet<>(t.foreignKeys.stream().map(fk -> fk.get(0)).toList());
            Set<String> ukColumns = new TreeSet<>();
            t.indexes.stream().filter(i -> i.unique && i.origin.equals("u")).forEach(i -> ukColumns.addAll(i.columns));
            out.append("    ").append(t.name).append(" {\n");
            for (Column col : t.columns) {
                String keys = Stream.of(col.pk > 0 ? "PK" : null, fkColumns.contains(col.name) ? "FK" : null,
                        ukColumns.contains(col.name) ? "UK" : null).filter(Objects::nonNull).collect(joining(", "));
                out.append("        ").append(col.type).append(' ').append(col.name)
                        .append(keys.isEmpty() ? "" : " " + keys).append('\n');
            }
            out.append("    }\n");
        }
        for (Table t : schema.values()) {
            for (List<String> fk : t.foreignKeys) {
                String childSide = t.isUniqueAlone(fk.get(0)) ? "o|" : "o{";
                String parentSide = t.column(fk.get(0)).notNull ? "||" : "|o";
                out.append("    ").append(fk.get(1)).append(' ').append(parentSide).append("--").append(childSide)
                        .append(' ').append(t.name).append(" : \"").append(fk.get(0)).append("\"\n");
            }
        }
        return out.append("```\n").toString();
    }

    private static Map<String, DocTable> parseDoc() throws Exception {
        Map<String, DocTable> tables = new LinkedHashMap<>();
        DocTable current = null;
        for (String line : Files.readAllLines(DOC, StandardCharsets.UTF_8)) {
            if (line.startsWith("#")) {
                current = null;
                if (line.startsWith("### ")) {
                    current = new DocTable(new ArrayList<>(), new LinkedHashMap<>());
                    assertThat(tables.put(line.substring(4).strip(), current)).as("duplicate section %s", line).isNull();
                }
            } else if (current != null && line.startsWith("|")) {
                List<String> cells = Arrays.stream(line.substring(1).split("\\|")).map(String::strip).toList();
                if (!cells.get(0).equals("column") && !cells.get(0).matches(":?-+:?")) {
                    current.columns.add(cells);
                }
            } else if (current != null) {
                Matcher m = BULLET.matcher(line);
                if (m.matches()) {
                    assertThat(current.constraints.put(m.group(1), List.of(m.group(2), m.group(3))))
                            .as("%s listed twice in %s", m.group(1), DOC).isNull();
                }
            }
        }
        return tables;
    }
}
