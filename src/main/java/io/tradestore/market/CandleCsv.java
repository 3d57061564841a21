package io.tradestore.market;

import io.tradestore.Page;
import io.tradestore.PageRequest;
import io.tradestore.Tradestore;
import io.tradestore.ValidationException;
import io.tradestore.internal.Check;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.DateTimeException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Candles of one series as CSV, read and written in the same format, so that an export imports into an empty database
 * and exports again byte for byte (docs/operations.md, "import" and "export"). Nothing about a file is guessed: the
 * symbol, the timeframe, the time format, whether line 1 is a header, and which field is which are all part of the
 * format, and a file that does not match it is refused at the first line that does not.
 *
 * <p>Two shapes are common: the samples' {@code open_time,open,high,low,close,volume} with a header and times like
 * {@code 2023-03-01 00:00:00+00:00} ({@link #of}, the defaults), and exchange dumps without a header whose first field
 * is epoch seconds or milliseconds and which carry more fields after the volume (a trade count, a quote volume):
 * {@code of(...).withTimeFormat(EPOCH_MS).withHeader(false).withColumns("time,open,high,low,close,volume,*")}.
 *
 * <p>Decimals go from the text straight into {@link BigDecimal}, never through a double, and are checked by
 * {@link Candle} itself (a value with more than 18 decimal places, or one of 10^20 or more, is refused, not rounded).
 * An export writes each value as it is stored, normalized (decision 0009): plain notation, no trailing zeros, no
 * exponent ({@code 23148.8}, {@code 0.000001}, {@code 100}). Lines end with {@code \n} on every platform. A file name
 * ending in {@code .gz} is read and written gzipped.
 *
 * @param symbol     the series' symbol, for every row
 * @param timeframe  the series' timeframe, for every row
 * @param timeFormat how the time field is written
 * @param header     whether line 1 is a header (skipped on import; refused if its time field parses as a time)
 * @param columns    which field is which: every one of {@code time,open,high,low,close,volume} once, {@code -} for a
 *                   field to skip, and a final {@code *} to ignore any further fields (without it, a row with more
 *                   fields than the mapping is refused)
 */
public record CandleCsv(String symbol, Timeframe timeframe, TimeFormat timeFormat, boolean header, Columns columns) {
    /** The samples' header; an export writes it when {@link #header} is true. */
    public static final String HEADER = "open_time,open,high,low,close,volume";
    /** Candles per unit of work on import, and per read on export. */
    public static final int DEFAULT_BATCH_SIZE = 10_000;
    /** Bad rows an import with skipBad lists in its report (all are counted). */
    public static final int BAD_ROWS_SHOWN = 10;

    /** How the time field is written. */
    public enum TimeFormat {
        /** {@code 2023-03-01 00:00:00+00:00}, as in data/samples/candles; other offsets are read and converted. */
        ISO("iso"),
        /** Whole seconds since 1970-01-01T00:00Z: {@code 1677628800}. */
        EPOCH_S("epoch-s"),
        /** Milliseconds since 1970-01-01T00:00Z: {@code 1677628800000}. */
        EPOCH_MS("epoch-ms");

        private static final DateTimeFormatter ISO_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ssxxx",
                Locale.ROOT).withResolverStyle(ResolverStyle.STRICT);

        private final String code;

        TimeFormat(String code) {
            this.code = code;
        }

        /** As the CLI's {@code --time-format} takes it: iso, epoch-s, epoch-ms. */
        public String code() {
            return code;
        }

        public static TimeFormat fromCode(String code) {
            for (TimeFormat f : values()) {
                if (f.code.equals(code)) {
                    return f;
                }
            }
            throw new ValidationException("time format", "must be one of iso, epoch-s, epoch-ms", code);
        }

        Instant parse(String text) {
            return switch (this) {
                case ISO -> OffsetDateTime.parse(text, ISO_TIME).toInstant();
                case EPOCH_S -> Instant.ofEpochSecond(Long.parseLong(text));
                case EPOCH_MS -> Instant.ofEpochMilli(Long.parseLong(text));
            };
        }

        String format(Instant t) {
            return switch (this) {
                case ISO -> ISO_TIME.format(t.atOffset(ZoneOffset.UTC));
                case EPOCH_S -> Long.toString(t.getEpochSecond());
                case EPOCH_MS -> Long.toString(t.toEpochMilli());
            };
        }

        @Override
        public String toString() {
            return code;
        }
    }

    /**
     * Which CSV field holds which value: {@code positions} are the 0-based fields of time, open, high, low, close and
     * volume; {@code width} the number of fields the mapping names; {@code ignoreRest} whether it ended in {@code *}.
     */
    public record Columns(String spec, int[] positions, int width, boolean ignoreRest) {
        static final List<String> NAMES = List.of("time", "open", "high", "low", "close", "volume");
        public static final Columns STANDARD = parse("time,open,high,low,close,volume");

        /** {@code time,open,high,low,close,volume}, with {@code -} for a skipped field and an optional final {@code *}. */
        public static Columns parse(String spec) {
            Check.notNull("columns", spec);
            String[] names = spec.split(",", -1);
            boolean rest = names[names.length - 1].equals("*");
            int width = rest ? names.length - 1 : names.length;
            int[] positions = new int[NAMES.size()];
            Arrays.fill(positions, -1);
            for (int i = 0; i < width; i++) {
                String name = names[i].strip();
                if (name.equals("-")) {
                    continue;
                }
                int which = NAMES.indexOf(name);
                if (which < 0) {
                    throw new ValidationException("columns", "must name each of time,open,high,low,close,volume once,"
                            + " - for a field to skip, and may end in * to ignore further fields; unknown field '"
                            + name + "'", spec);
                }
                if (positions[which] >= 0) {
                    throw new ValidationException("columns", "must name '" + name + "' once", spec);
                }
                positions[which] = i;
            }
            for (int which = 0; which < positions.length; which++) {
                if (positions[which] < 0) {
                    throw new ValidationException("columns", "must name '" + NAMES.get(which) + "'", spec);
                }
            }
            return new Columns(spec, positions, width, rest);
        }

        /** A copy: the record must stay immutable. */
        @Override
        public int[] positions() {
            return positions.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Columns c && c.spec.equals(spec);
        }

        @Override
        public int hashCode() {
            return spec.hashCode();
        }

        @Override
        public String toString() {
            return spec;
        }
    }

    public CandleCsv {
        Check.symbol("symbol", symbol);
        Check.notNull("timeframe", timeframe);
        Check.notNull("timeFormat", timeFormat);
        Check.notNull("columns", columns);
    }

    /** The samples' format for one series: ISO times, a header, {@code time,open,high,low,close,volume}. */
    public static CandleCsv of(String symbol, Timeframe timeframe) {
        return new CandleCsv(symbol, timeframe, TimeFormat.ISO, true, Columns.STANDARD);
    }

    public CandleCsv withTimeFormat(TimeFormat timeFormat) {
        return new CandleCsv(symbol, timeframe, timeFormat, header, columns);
    }

    public CandleCsv withHeader(boolean header) {
        return new CandleCsv(symbol, timeframe, timeFormat, header, columns);
    }

    /** See {@link Columns#parse}. Exports always write the six values in the standard order. */
    public CandleCsv withColumns(String spec) {
        return new CandleCsv(symbol, timeframe, timeFormat, header, Columns.parse(spec));
    }

    // ---------------------------------------------------------------------------------------------------- reading

    /**
     * One data line as a candle.
     *
     * @throws CandleCsvException naming {@code source} and {@code lineNumber} if the line does not match the format
     *                            or its values break a rule of {@link Candle}
     */
    public Candle parse(String line, String source, long lineNumber) {
        String[] f = line.split(",", -1);
        if (f.length < columns.width || (!columns.ignoreRest && f.length > columns.width)) {
            throw bad(source, lineNumber, "expected " + columns.width + (columns.ignoreRest ? " or more" : "")
                    + " fields (" + columns.spec + "), found " + f.length
                    + (f.length > columns.width ? "; end the column mapping with ,* to ignore trailing fields" : ""));
        }
        int[] at = columns.positions;
        Instant time;
        try {
            time = timeFormat.parse(f[at[0]]);
        } catch (DateTimeException | NumberFormatException | ArithmeticException e) {
            throw bad(source, lineNumber, "time: not a time in the " + timeFormat + " format (was \"" + f[at[0]] + "\")");
        }
        BigDecimal[] v = new BigDecimal[5];
        for (int i = 0; i < 5; i++) {
            String text = f[at[i + 1]];
            try {
                v[i] = new BigDecimal(text);
            } catch (NumberFormatException e) {
                throw bad(source, lineNumber, Columns.NAMES.get(i + 1) + ": not a decimal number (was \""
                        + shorten(text) + "\")");
            }
        }
        try {
            return new Candle(symbol, timeframe, time, v[0], v[1], v[2], v[3], v[4]);
        } catch (ValidationException e) {
            throw bad(source, lineNumber, e.getMessage());
        }
    }

    private static String shorten(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    private static CandleCsvException bad(String source, long line, String reason) {
        return new CandleCsvException(source + " line " + line + ": " + reason, line, reason);
    }

    /** A row an import skipped: its 1-based line number and why. */
    public record BadRow(long line, String reason) {
    }

    /**
     * Where an import stands after a committed batch.
     *
     * @param lines     lines read so far (header and skipped rows included)
     * @param written   candles written (committed)
     * @param skipped   bad rows skipped
     * @param bytesRead bytes of the file read so far (compressed bytes for .gz)
     * @param bytesTotal the file's size
     */
    public record ImportProgress(long lines, long written, long skipped, long bytesRead, long bytesTotal) {
    }

    /**
     * How an import runs.
     *
     * @param batchSize candles per unit of work (at least 1; default {@value #DEFAULT_BATCH_SIZE}): what a bad row
     *                  or an interruption leaves unwritten
     * @param skipBad   skip rows that do not make a candle (counted, the first {@value #BAD_ROWS_SHOWN} listed)
     *                  instead of stopping at the first
     * @param progress  called after every committed batch; if it throws, the import stops there
     */
    public record ImportOptions(int batchSize, boolean skipBad, Consumer<ImportProgress> progress) {
        public ImportOptions {
            Check.that(batchSize >= 1, "batchSize", "must be >= 1", batchSize);
            Check.notNull("progress", progress);
        }

        public static ImportOptions defaults() {
            return new ImportOptions(DEFAULT_BATCH_SIZE, false, p -> { });
        }

        public ImportOptions withBatchSize(int batchSize) {
            return new ImportOptions(batchSize, skipBad, progress);
        }

        public ImportOptions withSkipBad(boolean skipBad) {
            return new ImportOptions(batchSize, skipBad, progress);
        }

        public ImportOptions withProgress(Consumer<ImportProgress> progress) {
            return new ImportOptions(batchSize, skipBad, progress);
        }
    }

    /**
     * What an import did.
     *
     * @param lines    lines read (header included)
     * @param written  candles written: inserted, or replacing a stored candle of the same open time
     * @param skipped  bad rows skipped (only with skipBad)
     * @param badRows  the first {@value #BAD_ROWS_SHOWN} of them
     * @param first    the earliest open time written, null if none
     * @param last     the latest open time written, null if none
     */
    public record ImportReport(long lines, long written, long skipped, List<BadRow> badRows, Instant first,
                               Instant last) {
        public ImportReport {
            badRows = List.copyOf(badRows);
        }
    }

    /**
     * Reads {@code file} (gunzipped if its name ends in {@code .gz}) a line at a time and upserts its candles in
     * batches of {@code options.batchSize()}, one unit of work each, so a file of any size needs memory for one batch.
     * A bad row (a field that is not a number or not a time, a field too many or too few, a value a candle refuses,
     * an open time already in the same batch) stops the import, and nothing of its batch is written; the batches
     * before it are committed, and the exception says so. With {@code skipBad} such rows are skipped and reported.
     * Importing a file again writes the same values again, so a stopped import can simply be re-run.
     *
     * @throws CandleCsvException    at the first bad row (without skipBad), or if line 1 is meant to be a header but
     *                               its time field is a time (the file has no header: the first row would be lost)
     * @throws UncheckedIOException if the file cannot be read
     */
    public ImportReport importFile(Tradestore store, Path file, ImportOptions options) {
        Check.notNull("store", store);
        Check.notNull("file", file);
        Check.notNull("options", options);
        String source = file.toString();
        try (CountingInputStream raw = new CountingInputStream(Files.newInputStream(file));
             BufferedReader reader = new BufferedReader(new InputStreamReader(gzipped(file)
                     ? new GZIPInputStream(raw, 1 << 16) : raw, StandardCharsets.UTF_8), 1 << 16)) {
            long size = Files.size(file);
            Batch batch = new Batch(options.batchSize());
            List<BadRow> shown = new ArrayList<>();
            long lineNumber = 0;
            long written = 0;
            long skipped = 0;
            long batchStart = 0;
            Instant first = null;
            Instant last = null;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNumber++;
                if (lineNumber == 1 && header) {
                    checkHeader(line, source);
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                if (batch.isEmpty()) {
                    batchStart = lineNumber;
                }
                try {
                    batch.add(parse(line, source, lineNumber), source, lineNumber);
                } catch (CandleCsvException e) {
                    if (!options.skipBad()) {
                        throw new CandleCsvException(e.getMessage() + "; nothing from line " + batchStart
                                + " on was written" + (written == 0 ? "" : " (the " + written
                                + " candles before it were)"), e.line(), e.reason());
                    }
                    skipped++;
                    if (shown.size() < BAD_ROWS_SHOWN) {
                        shown.add(new BadRow(e.line(), e.reason()));
                    }
                    continue;
                }
                if (batch.isFull()) {
                    written += batch.write(store);
                    first = min(first, batch.first);
                    last = max(last, batch.last);
                    batch.clear();
                    options.progress().accept(new ImportProgress(lineNumber, written, skipped, raw.count, size));
                }
            }
            if (!batch.isEmpty()) {
                written += batch.write(store);
                first = min(first, batch.first);
                last = max(last, batch.last);
                options.progress().accept(new ImportProgress(lineNumber, written, skipped, raw.count, size));
            }
            return new ImportReport(lineNumber, written, skipped, shown, first, last);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** A header whose time field reads as a time is the file's first row: taking it as a header would lose it. */
    private void checkHeader(String line, String source) {
        String[] f = line.split(",", -1);
        int time = columns.positions[0];
        if (time < f.length) {
            try {
                timeFormat.parse(f[time]);
            } catch (RuntimeException notATime) {
                return;
            }
            throw bad(source, 1, "expected a header, found a row (its time field \"" + f[time] + "\" is a time in"
                    + " the " + timeFormat + " format); for a file without a header, say so (--no-header)");
        }
    }

    /** The candles of one unit of work, with the line each open time came from. */
    private static final class Batch {
        private final int size;
        private final List<Candle> candles = new ArrayList<>();
        private final Map<Instant, Long> lines = new HashMap<>();
        private Instant first;
        private Instant last;

        Batch(int size) {
            this.size = size;
        }

        void add(Candle c, String source, long line) {
            Long earlier = lines.putIfAbsent(c.openTime(), line);
            if (earlier != null) {
                // The DAO refuses a batch with a key twice: which copy would win depends on where batches split.
                throw bad(source, line, "open time " + c.openTime() + " repeats line " + earlier);
            }
            candles.add(c);
            first = min(first, c.openTime());
            last = max(last, c.openTime());
        }

        boolean isEmpty() {
            return candles.isEmpty();
        }

        boolean isFull() {
            return candles.size() >= size;
        }

        int write(Tradestore store) {
            return store.inTransaction(uow -> uow.candlesticks().upsert(candles));
        }

        void clear() {
            candles.clear();
            lines.clear();
            first = null;
            last = null;
        }
    }

    // ---------------------------------------------------------------------------------------------------- writing

    /** What an export wrote: the candles, and the first and last open times (null if none). */
    public record ExportReport(long candles, Instant first, Instant last) {
    }

    /** One candle as a line of this format (the six values in the standard order), without the line end. */
    public String line(Candle c) {
        return timeFormat.format(c.openTime()) + ',' + c.open().toPlainString() + ',' + c.high().toPlainString()
                + ',' + c.low().toPlainString() + ',' + c.close().toPlainString() + ',' + c.volume().toPlainString();
    }

    /**
     * Writes the series' candles with {@code from <= open_time < to}, oldest first, to {@code out} (not closed), a page
     * of {@value #DEFAULT_BATCH_SIZE} at a time, each page one read unit: memory for one page whatever the series'
     * length. Keyset paging writes each candle at most once even while others write to the series.
     */
    public ExportReport export(Tradestore store, Instant from, Instant to, Writer out) {
        Check.notNull("store", store);
        Check.window(from, to);
        Check.notNull("out", out);
        try {
            if (header) {
                out.write(HEADER);
                out.write('\n');
            }
            long n = 0;
            Instant first = null;
            Instant last = null;
            for (PageRequest page = PageRequest.first(Math.min(DEFAULT_BATCH_SIZE, PageRequest.MAX_LIMIT));
                 page != null; ) {
                PageRequest request = page;
                Page<Candle> read = store.read(uow -> uow.candlesticks().range(symbol, timeframe, from, to, request));
                for (Candle c : read.items()) {
                    out.write(line(c));
                    out.write('\n');
                    first = first == null ? c.openTime() : first;
                    last = c.openTime();
                    n++;
                }
                page = read.next();
            }
            out.flush();
            return new ExportReport(n, first, last);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the export", e);
        }
    }

    /** {@link #export(Tradestore, Instant, Instant, Writer)} into {@code file}, gzipped if its name ends in .gz. */
    public ExportReport exportFile(Tradestore store, Instant from, Instant to, Path file) {
        Check.notNull("file", file);
        try (OutputStream raw = Files.newOutputStream(file);
             OutputStream os = gzipped(file) ? new GZIPOutputStream(raw, 1 << 16) : raw;
             Writer w = new BufferedWriter(new OutputStreamWriter(os, StandardCharsets.UTF_8), 1 << 16)) {
            return export(store, from, to, w);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static boolean gzipped(Path file) {
        return file.getFileName() != null && file.getFileName().toString().endsWith(".gz");
    }

    private static Instant min(Instant a, Instant b) {
        return a == null || (b != null && b.isBefore(a)) ? b : a;
    }

    private static Instant max(Instant a, Instant b) {
        return a == null || (b != null && b.isAfter(a)) ? b : a;
    }

    /** The compressed bytes read, for progress against the file's size. */
    private static final class CountingInputStream extends FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count += Math.max(0, n);
            return n;
        }
    }
}
