package io.tradestore.legacy;

import io.tradestore.legacy.LegacyFixtures.Legacy;
import io.tradestore.testing.SqliteFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fixture writes what ConsolidationTest's expectations assume: SQLite's type affinity would quietly turn a text
 * '12.50' into a REAL in a REAL column, so the storage class of each value that matters is checked where it was put.
 */
class LegacyFixturesTest {
    @TempDir
    Path dir;

    @Test
    void theLegacyFilesHoldTheValuesAsTheOldCodeStoredThem() throws Exception {
        Legacy legacy = LegacyFixtures.write(dir.resolve("legacy"));

        assertThat(cells(legacy.p1(), "SELECT typeof(action_confidence) || ' ' || action_confidence FROM predictions"
                + " WHERE prediction_id IN ('p-2', 'p-r10') ORDER BY prediction_id"))
                .containsExactly("real 0.30000000000000004", "text high");
        assertThat(cells(legacy.p1(), "SELECT typeof(prediction_timestamp) FROM predictions WHERE prediction_id ="
                + " 'p-r11'")).containsExactly("integer");
        assertThat(cells(legacy.p1(), "SELECT typeof(predicted_direction) || ' ' || predicted_direction FROM"
                + " predictions WHERE prediction_id = 'p-3'")).containsExactly("text bullish");
        assertThat(cells(legacy.p1(), "SELECT typeof(entry_price) || ' ' || entry_price FROM predictions WHERE"
                + " prediction_id = 'p-r1'")).as("the legacy default").containsExactly("real 0.0");
        assertThat(cells(legacy.p2(), "SELECT typeof(entry_price) || ' ' || entry_price FROM predictions"
                + " ORDER BY prediction_id")).containsExactly("text 100.1", "text 12.50", "text 120", "text n/a",
                "text nan", "text 300.29999999999995");
        assertThat(cells(legacy.p1(), "SELECT COUNT(notes) FROM outcomes")).containsExactly("2");
        assertThat(cells(legacy.t2(), "SELECT id || ' ' || COALESCE(exit_date, 'open') FROM positions ORDER BY id"))
                .containsExactly("1 2023-03-02 15:30:00", "4 open", "5 open", "8 open");
        assertThat(cells(legacy.sentiment(), "SELECT COUNT(*) FROM sentiment_analysis WHERE confidence > 1"))
                .containsExactly("1");
        assertThat(legacy.rows()).hasSize(22 + 10 + 6 + 4 + 18 + 4 + 8);
        try (Stream<Path> files = Files.walk(legacy.root())) {
            assertThat(files.filter(p -> p.getFileName().toString().matches(".*-(wal|shm|journal)$"))
                    .map(p -> legacy.root().relativize(p).toString()).toList())
                    .containsExactly("data/sentiment_analysis.db-wal");
        }
        // The sentiment file's last two rows are in its -wal only: without it, a reader sees six.
        assertThat(cells(legacy.sentiment(), "SELECT COUNT(*) FROM sentiment_analysis")).containsExactly("8");
        Path alone = Files.copy(legacy.sentiment(), dir.resolve("alone.db"));
        assertThat(cells(alone, "SELECT COUNT(*) FROM sentiment_analysis")).containsExactly("6");
    }

    private static List<String> cells(Path file, String sql) throws Exception {
        try (Connection c = LegacyFixtures.readCopy(file)) {
            return SqliteFiles.rows(c, sql).stream().map(r -> r.get(0)).toList();
        }
    }
}
