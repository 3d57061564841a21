package io.tradestore.market;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The exchange exports in the shared data folder ({@code open_time,open,high,low,close,volume}, open_time like
 * {@code 2023-03-01 00:00:00+00:00}), parsed with BigDecimal so every digit reaches the store unchanged.
 */
final class SampleCandles {
    static final String HEADER = "open_time,open,high,low,close,volume";

    private SampleCandles() {
    }

    /**
     * The folder {@code ../shared/data/candles} next to the project (right for the main checkout), else the
     * absolute {@code /work/shared/data/candles} (for clones elsewhere); null if neither exists.
     */
    static Path folder() {
        Path relative = Path.of(System.getProperty("user.dir")).resolve("../shared/data/candles").normalize();
        if (Files.isDirectory(relative)) {
            return relative;
        }
        Path absolute = Path.of("/work/shared/data/candles");
        return Files.isDirectory(absolute) ? absolute : null;
    }

    static List<Candle> read(Path csv, String symbol, Timeframe timeframe) {
        try {
            List<String> lines = Files.readAllLines(csv);
            if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
                throw new IllegalArgumentException(csv + ": expected header " + HEADER);
            }
            List<Candle> candles = new ArrayList<>(lines.size() - 1);
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).split(",", -1);
                if (f.length != 6) {
                    throw new IllegalArgumentException(csv + ":" + (i + 1) + ": expected 6 fields: " + lines.get(i));
                }
                candles.add(new Candle(symbol, timeframe, openTime(f[0]), new BigDecimal(f[1]),
                        new BigDecimal(f[2]), new BigDecimal(f[3]), new BigDecimal(f[4]), new BigDecimal(f[5])));
            }
            return candles;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code 2023-03-01 00:00:00+00:00}: ISO-8601 with a space for the T. */
    static Instant openTime(String text) {
        return OffsetDateTime.parse(text.replace(' ', 'T')).toInstant();
    }
}
