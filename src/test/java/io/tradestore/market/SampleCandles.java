package io.tradestore.market;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The exchange exports in {@code data/samples/candles} ({@code open_time,open,high,low,close,volume}, open_time
 * like {@code 2023-03-01 00:00:00+00:00}), parsed with BigDecimal so every digit reaches the store unchanged.
 * Files ending in {@code .gz} are decompressed on the fly; others are read as plain CSV.
 */
final class SampleCandles {
    static final String HEADER = "open_time,open,high,low,close,volume";

    private SampleCandles() {
    }

    static List<Candle> read(Path csv, String symbol, Timeframe timeframe) {
        try {
            List<String> lines = lines(csv);
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

    private static List<String> lines(Path csv) throws IOException {
        try (InputStream raw = Files.newInputStream(csv);
             InputStream in = csv.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().toList();
        }
    }

    /** {@code 2023-03-01 00:00:00+00:00}: ISO-8601 with a space for the T. */
    static Instant openTime(String text) {
        return OffsetDateTime.parse(text.replace(' ', 'T')).toInstant();
    }
}
