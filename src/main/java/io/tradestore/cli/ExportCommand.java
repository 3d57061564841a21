package io.tradestore.cli;

import io.tradestore.Tradestore;
import io.tradestore.market.CandleCsv;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code export}: the candles of one series as CSV, in the format {@code import} reads with the same options. To a
 * file with {@code -o} (gzipped if it ends in .gz), else to standard output, and then the report goes to standard
 * error so that the output is the CSV alone.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export the candles of one series as CSV (what import reads).")
final class ExportCommand extends CliCommand {
    @Mixin
    DatabaseOptions database;

    @Mixin
    ImportCommand.CandleFormatOptions format;

    @Option(names = "--from", converter = Converters.Time.class, paramLabel = "<time>",
            description = "First open time, inclusive (2023-03-01 or 2023-03-01T12:00:00Z; default: the first).")
    Instant from;

    @Option(names = "--to", converter = Converters.Time.class, paramLabel = "<time>",
            description = "Open times before this one (default: all).")
    Instant to;

    @Option(names = {"-o", "--output"}, paramLabel = "<file>",
            description = "Write to this file (.gz: gzipped) instead of standard output.")
    Path file;

    @Override
    public Integer call() {
        CandleCsv csv = format.csv();
        Instant start = from == null ? Instant.EPOCH : from;
        Instant end = to == null ? Instant.parse("9999-12-31T23:59:59Z") : to;
        CandleCsv.ExportReport r;
        try (Tradestore store = database.open()) {
            r = file == null ? csv.export(store, start, end, out()) : csv.exportFile(store, start, end, file);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("symbol", csv.symbol());
        result.put("timeframe", csv.timeframe().code());
        result.put("file", file == null ? null : file.toString());
        result.put("candles", r.candles());
        result.put("first", r.first());
        result.put("last", r.last());
        String text = String.format(Locale.ROOT, "exported %,d candles of %s %s%s to %s", r.candles(), csv.symbol(),
                csv.timeframe(), r.first() == null ? "" : " (" + r.first() + " to " + r.last() + ")",
                file == null ? "standard output" : file);
        if (file == null) {
            PrintWriter err = err();
            err.println(output.json ? JsonText.of(result) : text);
            err.flush();
        } else {
            report(result, text);
        }
        return 0;
    }
}
