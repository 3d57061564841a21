package io.tradestore.cli;

import picocli.CommandLine.Option;

/** How a command reports: text for people, {@code --json} for machines; {@code --verbose} for stack traces. */
public final class OutputOptions {
    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(names = "--verbose", description = "Print the stack trace of a failure, and more detail.")
    boolean verbose;

    @Option(names = "--progress", description = "Show progress on standard error even when it is not a terminal.")
    boolean progress;
}
