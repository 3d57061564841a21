package io.tradestore.cli;

import io.tradestore.Tradestore;
import io.tradestore.market.CandleCsv;
import io.tradestore.market.Timeframe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code import}: the candles of one series from a CSV file ({@link CandleCsv}), upserted in batches of one unit of
 * work each. Nothing about the file is guessed: symbol, timeframe, time format, header and column mapping are options.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import the candles of one series from a CSV file (.gz read gzipped).")
final class ImportCommand extends CliCommand {
    @Mixin
    DatabaseOptions database;

    @Mixin
    CandleFormatOptions format;

    @Option(names = "--columns", defaultValue = "time,open,high,low,close,volume", paramLabel = "<mapping>",
            description = "Which field is which: each of time,open,high,low,close,volume once, - to skip a field,"
                    + " a final * to ignore further fields (default: ${DEFAULT-VALUE}).")
    String columns;

    @Option(names = "--skip-bad", description = "Skip rows that are not a valid candle, report them, import the rest"
            + " (default: stop at the first, writing nothing of its batch).")
    boolean skipBad;

    @Option(names = "--batch-size", defaultValue = "" + CandleCsv.DEFAULT_BATCH_SIZE,
            description = "Candles per unit of work (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Parameters(index = "0", paramLabel = "<file>", description = "The CSV file; a name ending in .gz is gunzipped.")
    Path file;

    @Override
    public Integer call() {
        CandleCsv csv = format.csv().withColumns(columns);
        long started = System.nanoTime();
        CandleCsv.ImportReport r;
        try (Tradestore store = database.open();
             Progress progress = progress("import " + file.getFileName(), file.toFile().length(), "bytes")) {
            long[] shown = {0};
            r = csv.importFile(store, file, CandleCsv.ImportOptions.defaults().withBatchSize(batchSize)
                    .withSkipBad(skipBad).withProgress(p -> {
                        progress.advance(p.bytesRead() - shown[0]);
                        shown[0] = p.bytesRead();
                    }));
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        List<Map<String, Object>> bad = new ArrayList<>();
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "imported %s into %s %s: %,d candles"
                        + " written%s, %,d lines read, %,d bad rows skipped, %d ms", file, csv.symbol(),
                csv.timeframe(), r.written(), r.first() == null ? "" : " (" + r.first() + " to " + r.last() + ")",
                r.lines(), r.skipped(), millis));
        for (CandleCsv.BadRow b : r.badRows()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("line", b.line());
            row.put("reason", b.reason());
            bad.add(row);
            text.append(String.format(Locale.ROOT, "%n  line %d: %s", b.line(), b.reason()));
        }
        if (r.skipped() > r.badRows().size()) {
            text.append(String.format(Locale.ROOT, "%n  ... and %,d more", r.skipped() - r.badRows().size()));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("file", file.toString());
        result.put("symbol", csv.symbol());
        result.put("timeframe", csv.timeframe().code());
        result.put("lines", r.lines());
        result.put("written", r.written());
        result.put("skipped", r.skipped());
        result.put("badRows", bad);
        result.put("first", r.first());
        result.put("last", r.last());
        result.put("millis", millis);
        report(result, text.toString());
        return 0;
    }

    /** The options import and export share: which series, the time format and whether there is a header. */
    static final class CandleFormatOptions {
        @Option(names = "--symbol", required = true, description = "The series' symbol, e.g. BTCUSDT.")
        String symbol;

        @Option(names = "--timeframe", required = true, converter = Converters.TimeframeCode.class,
                paramLabel = "<code>", description = "The series' timeframe: 1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h,"
                + " 12h, 1d, 1w.")
        Timeframe timeframe;

        @Option(names = "--time-format", defaultValue = "iso", converter = Converters.TimeFormatCode.class,
                paramLabel = "<format>", description = "iso (2023-03-01 00:00:00+00:00), epoch-s or epoch-ms"
                + " (default: ${DEFAULT-VALUE}).")
        CandleCsv.TimeFormat timeFormat;

        @Option(names = "--no-header", description = "The file has no header line (default: line 1 is a header).")
        boolean noHeader;

        CandleCsv csv() {
            return CandleCsv.of(symbol, timeframe).withTimeFormat(timeFormat).withHeader(!noHeader);
        }
    }
}
