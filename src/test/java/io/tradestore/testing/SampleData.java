package io.tradestore.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the tests find the sample candles that ship with the repository ({@code data/samples/candles}). A test
 * that needs them fails when they are missing instead of skipping: a skipped test would let a broken checkout
 * pass {@code mvn verify}.
 */
public final class SampleData {
    /** Set by the pom's surefire configuration; {@code -Dtradestore.samples=DIR} points the tests elsewhere. */
    public static final String PROPERTY = "tradestore.samples";
    /** Relative to the project directory, for runs that bypass the pom (an IDE). */
    public static final Path DEFAULT = Path.of("data", "samples", "candles");

    private SampleData() {
    }

    /** The candle folder, checked to exist. */
    public static Path candles() {
        Path folder = folder();
        if (!Files.isDirectory(folder)) {
            throw new IllegalStateException(missing(folder + " is not a directory"));
        }
        return folder;
    }

    /**
     * The export named {@code stem} in the candle folder, gzip-compressed ({@code stem.csv.gz}, as shipped) or
     * plain ({@code stem.csv}, as a folder given with -Dtradestore.samples may hold it).
     */
    public static Path candleFile(String stem) {
        Path folder = candles();
        for (String suffix : new String[] {".csv.gz", ".csv"}) {
            Path file = folder.resolve(stem + suffix);
            if (Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new IllegalStateException(missing("neither " + stem + ".csv.gz nor " + stem + ".csv is in " + folder));
    }

    private static Path folder() {
        String configured = System.getProperty(PROPERTY);
        Path folder = configured == null || configured.isBlank() ? DEFAULT : Path.of(configured);
        return folder.toAbsolutePath().normalize();
    }

    private static String missing(String what) {
        return "sample candles not found: " + what + ". They ship with the repository in " + DEFAULT
                + " (restore them with git checkout -- " + DEFAULT + "), or pass -D" + PROPERTY + "=DIR";
    }
}
