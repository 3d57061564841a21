package io.tradestore.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code demo}: migrate, ingest the sample candles, trade a moving-average crossover with predictions and outcomes,
 * print a summary. Idempotent: a second run changes nothing. Text only.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "End-to-end demo on the sample candles (migrates the database first).")
final class DemoCommand extends CliCommand {
    @Mixin
    DatabaseOptions database;

    @Option(names = "--candles", paramLabel = "<dir>", defaultValue = "data/samples/candles",
            description = "Folder of <exchange>_<SYMBOL>_... .csv or .csv.gz candle files (default: ${DEFAULT-VALUE}).")
    Path candles;

    @Override
    public Integer call() {
        new Demo(out()).run(database.config(), candles);
        return 0;
    }
}
