package io.tradestore.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The benchmark's candles: the real one-minute candles shipped in {@code data/samples/candles} (60,480 rows, both
 * files), replicated into a series of any length. Index {@code i} of the series takes the values of real candle
 * {@code i % 60,480}; its first 60,480 rows are the real candles unchanged, each later replica scales all four
 * prices by its own factor in [0.800, 1.199] (rounded half-even to 2 decimals, so OHLC order is kept) and every
 * volume by a per-row factor in [0.5, 1.5) (rounded to 8 decimals). Deterministic: the same index always gives the
 * same candle, in every JVM.
 */
public final class BenchData {
    /** Symbol, timeframe and first open time of the generated series (one-minute grid, microseconds). */
    public static final String SYMBOL = "BTCUSDT";
    public static final String TIMEFRAME = "1m";
    public static final long FIRST_OPEN_TIME = Instant.parse("2021-01-01T00:00:00Z").getEpochSecond() * 1_000_000L;
    public static final long MINUTE_MICROS = 60_000_000L;

    /** One candle's values, as the application holds them; the key is implied by the series index. */
    public record Values(BigDecimal open, BigDecimal high, BigDecimal low, BigDecimal close, BigDecimal volume) {
    }

    private final List<Values> real;

    private BenchData(List<Values> real) {
        this.real = real;
    }

    /**
     * Loads the samples from {@code -Dtradestore.samples=DIR}, else {@code data/samples/candles} under the working
     * directory (the project directory when run through Maven).
     */
    public static BenchData load() {
        String dir = System.getProperty("tradestore.samples", "data/samples/candles");
        Path path = Path.of(dir);
        List<Values> all = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(path, "*.csv.gz")) {
            List<Path> sorted = new ArrayList<>();
            files.forEach(sorted::add);
            sorted.sort(null);
            for (Path f : sorted) {
                readCsv(f, all);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the sample candles in " + path.toAbsolutePath()
                    + " (set -Dtradestore.samples=DIR)", e);
        }
        if (all.isEmpty()) {
            throw new IllegalStateException("no *.csv.gz sample candles in " + path.toAbsolutePath());
        }
        return new BenchData(List.copyOf(all));
    }

    private static void readCsv(Path file, List<Values> out) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file));
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String header = r.readLine();
            if (header == null || !header.equals("open_time,open,high,low,close,volume")) {
                throw new IOException(file + ": unexpected header " + header);
            }
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isEmpty()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                out.add(new Values(new BigDecimal(f[1]), new BigDecimal(f[2]), new BigDecimal(f[3]),
                        new BigDecimal(f[4]), new BigDecimal(f[5])));
            }
        }
    }

    public int realCount() {
        return real.size();
    }

    public static long openTime(long index) {
        return FIRST_OPEN_TIME + index * MINUTE_MICROS;
    }

    /** The values of series row {@code index} (see the class comment). */
    public Values values(long index) {
        Values base = real.get((int) (index % real.size()));
        long replica = index / real.size();
        if (replica == 0) {
            return base;
        }
        // 800..1199 per mille, fixed per replica: prices keep 2 decimals after rounding.
        BigDecimal priceFactor = BigDecimal.valueOf(800 + Math.floorMod(mix(replica), 400), 3);
        // 500000..1499999 per million, per row: volumes get up to 8 decimals.
        BigDecimal volumeFactor = BigDecimal.valueOf(500_000 + Math.floorMod(mix(index ^ 0x5DEECE66DL), 1_000_000), 6);
        return new Values(price(base.open(), priceFactor), price(base.high(), priceFactor),
                price(base.low(), priceFactor), price(base.close(), priceFactor),
                base.volume().multiply(volumeFactor).setScale(8, RoundingMode.HALF_EVEN));
    }

    private static BigDecimal price(BigDecimal p, BigDecimal factor) {
        return p.multiply(factor).setScale(2, RoundingMode.HALF_EVEN);
    }

    /** SplitMix64's finalizer: a fixed, well-spread hash of a long. */
    static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
