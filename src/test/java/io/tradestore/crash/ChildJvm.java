package io.tradestore.crash;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Starts {@link CrashChild} in a new JVM with the test class path, tuned to start fast. */
public final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * Starts {@code CrashChild args...} in {@code workDir}, standard out and error to {@code out} and {@code err}.
     */
    static Process start(Path workDir, Path out, Path err, String... args) throws IOException {
        return start(CrashChild.class, workDir, out, err, args);
    }

    /** Starts {@code main args...} the same way, for children of other suites. */
    public static Process start(Class<?> main, Path workDir, Path out, Path err, String... args) throws IOException {
        return start(main, workDir, out, err, List.of(), entry -> true, args);
    }

    /**
     * As {@link #start(Class, Path, Path, Path, String...)}, with {@code jvmOptions} (e.g. {@code -D} properties) and
     * only the class path entries {@code keep} accepts (e.g. all but an optional dependency's jars).
     */
    public static Process start(Class<?> main, Path workDir, Path out, Path err, List<String> jvmOptions,
                                Predicate<String> keep, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                // The child lives about a second: C2 would never pay off, and serial GC starts fastest.
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx128m",
                // sqlite-jdbc extracts its native library (1 MB) into the temporary directory on every start and
                // deletes it only on a clean exit: keep what killed children leave behind inside the test's dir.
                "-Dorg.sqlite.tmpdir=" + Files.createDirectories(workDir.resolve("native")),
                "-cp", Arrays.stream(classPath().split(File.pathSeparator)).filter(keep)
                        .collect(Collectors.joining(File.pathSeparator))));
        command.addAll(jvmOptions);
        command.add(main.getName());
        command.addAll(Arrays.asList(args));
        return new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
    }

    /**
     * The test class path without empty entries: surefire's {@code surefire.test.class.path} ends with a separator,
     * i.e. an empty entry, which the JVM reads as the working directory. Run from the project root, that puts
     * {@code db-changelog/} on the class path a second time and Liquibase refuses to migrate ("Found 2 files with
     * the path 'db-changelog/changelog-master.yaml'").
     */
    static String classPath() {
        String raw = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(raw.split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .collect(Collectors.joining(File.pathSeparator));
    }
}
