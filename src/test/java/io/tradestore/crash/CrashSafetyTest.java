package io.tradestore.crash;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import io.tradestore.testing.SqliteFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Crash safety: a child JVM ({@link CrashChild}) runs units of work in a loop and is killed with SIGKILL at a
 * random moment; after every kill the database must reopen cleanly, pass SQLite's integrity and foreign key
 * checks, hold every unit either wholly or not at all ({@link UnitFootprint}), and hold every unit the child
 * acknowledged (decision 0006: synchronous=NORMAL in WAL mode makes a commit survive a process crash; power loss
 * is not simulated). The next child continues on the same database from the highest unit present + 1.
 *
 * <p>The checks run on a byte copy of the database, WAL and shared-memory files as the kill left them, so most
 * children start on a database with a hot WAL left by the previous crash, as a restarted backend would; every
 * {@value #REOPEN_IN_PLACE_EVERY}th kill the test also opens and closes the original with {@link Tradestore#open}
 * (which checkpoints the WAL), so children also start from a checkpointed file.
 *
 * <p>System properties: {@code tradestore.soak=true} for {@value #SOAK_KILLS} kills instead of
 * {@value #KILLS}; {@code tradestore.crash.kills=N} for exactly N; {@code tradestore.crash.seed=S} to replay a
 * run (the seed is logged); {@code tradestore.crash.sabotage=ACK_BEFORE_COMMIT|SPLIT_UNIT} makes the child
 * misbehave on purpose, and the test must then fail (that is how it was shown to be able to fail).
 */
class CrashSafetyTest {
    private static final Logger log = LoggerFactory.getLogger(CrashSafetyTest.class);
    static final int KILLS = 10;
    static final int SOAK_KILLS = 300;
    static final int REOPEN_IN_PLACE_EVERY = 4;
    private static final int MIN_SLEEP_MILLIS = 30;
    private static final int MAX_SLEEP_MILLIS = 400;
    private static final long READY_TIMEOUT_MILLIS = 60_000;

    /** Where a kill landed, as far as the files can tell. */
    enum Landing {
        /** The child was inside unit n (or its commit) and n is absent: rolled back. */
        MID_UNIT,
        /** Unit n committed but was not acknowledged yet. */
        AFTER_COMMIT_BEFORE_ACK,
        /** Unit n was acknowledged and unit n+1 not yet started. */
        BETWEEN_UNITS,
        /** READY was printed but no unit started. */
        BEFORE_FIRST_UNIT
    }

    @TempDir
    Path dir;

    @Test
    void everyUnitIsWhollyPresentOrAbsentAndEveryAcknowledgedUnitSurvivesRepeatedSigkills() throws Exception {
        boolean soak = Boolean.getBoolean("tradestore.soak");
        int kills = Integer.getInteger("tradestore.crash.kills", soak ? SOAK_KILLS : KILLS);
        long seed = Long.getLong("tradestore.crash.seed", new SecureRandom().nextLong());
        String sabotage = System.getProperty("tradestore.crash.sabotage", CrashChild.Sabotage.NONE.name());
        log.info("crash safety: {} kills (soak={}), seed {} (replay with -Dtradestore.crash.seed={}), sabotage {}",
                kills, soak, seed, seed, sabotage);
        Random random = new Random(seed);

        Path database = dir.resolve("crash.db");
        Path journal = dir.resolve("acks.journal");
        Path copies = Files.createDirectories(dir.resolve("copy"));
        // Migrate here: a child killed inside Liquibase is another test's subject.
        Tradestore.open(TradestoreConfig.sqlite(database)).close();

        long startedAt = System.nanoTime();
        long next = 1;
        TreeSet<Long> committedUnacknowledged = new TreeSet<>();
        Map<Landing, Integer> landings = new EnumMap<>(Landing.class);
        int runsThatAcknowledged = 0;
        long totalUnits = 0;
        long maxWal = 0;
        long maxRecoveryMillis = 0;
        long sumRecoveryMillis = 0;
        long sumStartMillis = 0;

        for (int i = 0; i < kills; i++) {
            int sleep = MIN_SLEEP_MILLIS + random.nextInt(MAX_SLEEP_MILLIS - MIN_SLEEP_MILLIS + 1);
            String context = String.format(Locale.ROOT, "kill %d of %d (seed %d, sleep %d ms, child started at unit %d)",
                    i + 1, kills, seed, sleep, next);
            List<Long> ackedBefore = readJournal(journal);
            List<Long> attemptedBefore = readJournal(CrashChild.attemptsFile(journal));

            // --- run a child and kill it ---
            Path out = dir.resolve("child.out");
            Path err = dir.resolve("child.err");
            long spawn = System.nanoTime();
            Process child = start(database, journal, next, sabotage, out, err);
            long startMillis;
            try {
                awaitReady(child, out, err, context);
                startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - spawn);
                sumStartMillis += startMillis;
                // The sleep counts from the child's first acknowledged unit, not from READY: on a loaded machine a
                // child's first unit alone took longer than the shortest sleeps, and kills landed before any unit.
                awaitFirstAcknowledgement(child, journal, ackedBefore.size(), err, context);
                Thread.sleep(sleep);
                if (!child.isAlive()) {
                    fail(context + ": the child ended by itself with exit code " + child.exitValue()
                            + " before it was killed; its stderr:\n" + tail(err));
                }
            } finally {
                child.destroyForcibly(); // SIGKILL on Linux
            }
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                fail(context + ": the child did not die within 30 s of SIGKILL");
            }
            assertThat(child.exitValue()).as(context + ": exit code of a SIGKILLed JVM (128 + 9); stderr:\n" + tail(err))
                    .isEqualTo(137);

            // --- what the child promised ---
            List<Long> acked = readJournal(journal);
            Set<Long> ackedSet = new HashSet<>(acked);
            List<Long> attempted = readJournal(CrashChild.attemptsFile(journal));
            List<Long> newlyAcked = acked.subList(ackedBefore.size(), acked.size());
            List<Long> newlyAttempted = attempted.subList(attemptedBefore.size(), attempted.size());
            if (!newlyAcked.isEmpty()) {
                runsThatAcknowledged++;
            }
            assertThat(acked).as(context + ": acknowledgements are strictly increasing").isSorted()
                    .doesNotHaveDuplicates();
            long first = next;
            assertThat(newlyAcked).as(context + ": this child acknowledged units from " + first + " on")
                    .allMatch(n -> n >= first);

            // --- the database as the kill left it: checked on a byte copy, so the original stays crashed ---
            long wal = sizeOf(walOf(database));
            maxWal = Math.max(maxWal, wal);
            Path copy = copyCrashed(database, copies);
            long recoveryStart = System.nanoTime();
            try (Tradestore reopened = Tradestore.open(TradestoreConfig.sqlite(copy).withPoolSize(1))) {
                reopened.read(uow -> uow.positions().listOpen(CrashChild.SYMBOL));
            } catch (RuntimeException e) {
                throw new AssertionError(context + ": Tradestore.open failed on the crashed database (WAL " + wal
                        + " bytes): " + e, e);
            }
            long recoveryMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - recoveryStart);
            maxRecoveryMillis = Math.max(maxRecoveryMillis, recoveryMillis);
            sumRecoveryMillis += recoveryMillis;
            assertThat(sizeOf(walOf(copy))).as(context + ": Tradestore.close leaves no WAL behind").isZero();

            UnitFootprint.Audit audit;
            try (Connection c = SqliteFiles.open(copy)) {
                assertThat(SqliteFiles.rows(c, "PRAGMA integrity_check")).as(context + ": integrity_check")
                        .containsExactly(List.of("ok"));
                assertThat(SqliteFiles.rows(c, "PRAGMA foreign_key_check")).as(context + ": foreign_key_check").isEmpty();
                audit = UnitFootprint.audit(c);
            }
            assertThat(audit.problems()).as(context + ": units torn or inconsistent").isEmpty();
            long last = audit.last();
            TreeSet<Long> expectedPresent = new TreeSet<>();
            for (long n = 1; n <= last; n++) {
                expectedPresent.add(n);
            }
            assertThat(audit.present()).as(context + ": units present are 1.." + last + " without gaps")
                    .isEqualTo(expectedPresent);
            assertThat(last).as(context + ": units of earlier children are still present").isGreaterThanOrEqualTo(next - 1);
            List<Long> lost = acked.stream().filter(n -> !audit.present().contains(n)).toList();
            assertThat(lost).as(context + ": acknowledged units missing from the database (highest present " + last
                    + ")").isEmpty();
            List<Long> unacknowledged = new ArrayList<>();
            for (long n = next; n <= last; n++) {
                if (!ackedSet.contains(n)) {
                    unacknowledged.add(n);
                }
            }
            assertThat(unacknowledged).as(context + ": units this child committed without acknowledging; only the"
                    + " last one, " + last + ", may be (killed between commit and acknowledgement)").isSubsetOf(List.of(last));
            committedUnacknowledged.addAll(unacknowledged);

            Landing landing;
            if (newlyAttempted.isEmpty()) {
                landing = Landing.BEFORE_FIRST_UNIT;
            } else {
                long lastAttempt = newlyAttempted.get(newlyAttempted.size() - 1);
                landing = lastAttempt > last ? Landing.MID_UNIT
                        : ackedSet.contains(lastAttempt) ? Landing.BETWEEN_UNITS : Landing.AFTER_COMMIT_BEFORE_ACK;
            }
            landings.merge(landing, 1, Integer::sum);
            totalUnits += last - (next - 1);
            log.info("{}: started in {} ms, {} units committed ({} acknowledged), landed {}, WAL {} KiB,"
                            + " reopened in {} ms, database holds units 1..{}", context, startMillis,
                    last - (next - 1), newlyAcked.size(), landing, wal / 1024, recoveryMillis, last);

            if ((i + 1) % REOPEN_IN_PLACE_EVERY == 0) {
                Tradestore.open(TradestoreConfig.sqlite(database).withPoolSize(1)).close();
                assertThat(sizeOf(walOf(database))).as(context + ": WAL after reopening and closing in place").isZero();
            }
            next = last + 1;
        }

        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
        long leftoverNativeLibraries;
        try (Stream<Path> files = Files.list(dir.resolve("native"))) {
            leftoverNativeLibraries = files.filter(p -> p.getFileName().toString().endsWith(".so")).count();
        }
        log.info("crash safety: {} kills in {} s (child start to READY {} ms on average); {} units committed,"
                        + " {} committed but never acknowledged {}; landings {}; largest WAL at a kill {} KiB;"
                        + " reopen after a crash {} ms on average, {} ms at most; {} sqlite native libraries"
                        + " left behind by killed children (org.sqlite.tmpdir)", kills, elapsed / 1000,
                sumStartMillis / kills, totalUnits, committedUnacknowledged.size(), committedUnacknowledged, landings,
                maxWal / 1024, sumRecoveryMillis / kills, maxRecoveryMillis, leftoverNativeLibraries);
        assertThat(runsThatAcknowledged).as("children that acknowledged at least one unit before being killed:"
                + " the kills must land while units are being written, not during startup").isGreaterThanOrEqualTo(kills * 3 / 4);
        assertThat(landings.getOrDefault(Landing.MID_UNIT, 0)).as("kills that landed inside a unit; landings "
                + landings).isPositive();
    }

    private Process start(Path database, Path journal, long first, String sabotage, Path out, Path err)
            throws IOException {
        List<String> args = new ArrayList<>(List.of(database.toString(), journal.toString(), Long.toString(first)));
        if (!CrashChild.Sabotage.NONE.name().equals(sabotage)) {
            args.add(sabotage);
        }
        return ChildJvm.start(dir, out, err, args.toArray(String[]::new));
    }

    private static void awaitReady(Process child, Path out, Path err, String context) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MILLIS);
        while (true) {
            if (Files.exists(out) && Files.readString(out, StandardCharsets.US_ASCII).contains(CrashChild.READY)) {
                return;
            }
            if (!child.isAlive()) {
                fail(context + ": the child exited with code " + child.exitValue() + " before READY; its stderr:\n"
                        + tail(err));
            }
            if (System.nanoTime() > deadline) {
                fail(context + ": no READY from the child within " + READY_TIMEOUT_MILLIS + " ms; its stderr:\n" + tail(err));
            }
            Thread.sleep(5);
        }
    }

    /**
     * Waits until the running child has acknowledged a unit beyond {@code before}: complete lines are counted
     * without {@link #readJournal}, which truncates a partial last line and must not run while the child writes.
     */
    private static void awaitFirstAcknowledgement(Process child, Path journal, int before, Path err, String context)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (completeLines(journal) <= before) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                fail(context + ": the child acknowledged no unit within 30 s of READY; its stderr:\n" + tail(err));
            }
            Thread.sleep(2);
        }
    }

    private static long completeLines(Path journal) throws IOException {
        return Files.exists(journal) ? Files.readString(journal, StandardCharsets.US_ASCII).chars()
                .filter(c -> c == '\n').count() : 0;
    }

    /**
     * The numbers in a journal, one per complete line. A final line without its newline was cut by the kill: it
     * is no acknowledgement, and it is truncated away so that the next child's first line does not join it.
     */
    static List<Long> readJournal(Path journal) throws IOException {
        if (!Files.exists(journal)) {
            return List.of();
        }
        String text = Files.readString(journal, StandardCharsets.US_ASCII);
        int end = text.lastIndexOf('\n') + 1;
        if (end < text.length()) {
            log.info("{} ends in a partial line \"{}\" cut by the kill; truncating it", journal.getFileName(),
                    text.substring(end));
            try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.WRITE)) {
                ch.truncate(end);
            }
        }
        List<Long> numbers = new ArrayList<>();
        for (String line : text.substring(0, end).split("\n")) {
            if (!line.isEmpty()) {
                numbers.add(Long.parseLong(line));
            }
        }
        return numbers;
    }

    /** Copies the database and its -wal and -shm files, exactly as the killed child left them. */
    private static Path copyCrashed(Path database, Path copies) throws IOException {
        Path copy = copies.resolve(database.getFileName());
        for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
            Path from = Path.of(database + suffix);
            Path to = Path.of(copy + suffix);
            if (Files.exists(from)) {
                Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.deleteIfExists(to);
            }
        }
        return copy;
    }

    private static Path walOf(Path database) {
        return Path.of(database + "-wal");
    }

    private static long sizeOf(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }

    private static String tail(Path file) {
        try {
            if (!Files.exists(file)) {
                return "(no output)";
            }
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.length() <= 8_000 ? text : "..." + text.substring(text.length() - 8_000);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
