package io.tradestore;

import io.tradestore.crash.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What tradestore puts into its users' logs at INFO (docs/operations.md, "Logs"), seen from a fresh JVM, as a backend
 * sees it: jOOQ prints its logo and tip once per JVM, so only a new one shows whether they are gone. The same child
 * runs without Micrometer on its class path: the library must work without its optional dependency.
 */
class QuietLogsTest {
    @TempDir
    Path dir;

    @Test
    void openingANewDatabaseLogsWhatWasAppliedAndNeitherJooqsBannerNorLiquibasesNarrationAndNeedsNoMicrometer()
            throws Exception {
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process child = ChildJvm.start(QuietLogsChild.class, dir, out, err,
                List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=info"),
                entry -> !entry.contains("micrometer"), dir.resolve("db/tradestore.db").toString());
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child finished").isTrue();
        String stdout = Files.readString(out);
        String log = Files.readString(err);
        assertThat(child.exitValue()).as("exit code; its log:%n%s", log).isZero();
        assertThat(stdout).contains("micrometer: absent", "position 1");

        assertThat(log).doesNotContain("Thank you for using jOOQ", "@@@@@@@@@@", "tip of the day");
        assertThat(log).as("Liquibase narrates at DEBUG only").doesNotContainPattern("(INFO|WARN) liquibase\\.");
        assertThat(log).containsPattern("INFO io\\.tradestore\\.internal\\.SchemaGate - migrated \\S+tradestore\\.db to"
                + " schema \\d+: \\d+ changeset\\(s\\) applied in \\d+ ms, last db-changelog/\\S+");
        assertThat(log).as("the slow-query log works without a registry")
                .containsPattern("WARN io\\.tradestore\\.SlowQuery - slow query: \\d+ ms \\(threshold 1 ms\\): WITH");
    }
}
