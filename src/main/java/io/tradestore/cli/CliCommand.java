package io.tradestore.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * What every command shares: the output options and the writers picocli hands it (so {@code execute()} in a test
 * captures exactly what a terminal would show). A command builds its result as an ordered map, printed as JSON
 * with {@code --json}, otherwise as the command's own text.
 */
abstract class CliCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    OutputOptions output;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** The result: {@code result} as one JSON object with --json, else {@code text}. */
    void report(Map<String, ?> result, String text) {
        PrintWriter out = out();
        out.println(output.json ? JsonText.of(result) : text);
        out.flush();
    }

    /** Progress on standard error while the command runs, shown only when standard error is a terminal. */
    Progress progress(String what, long total, String unit) {
        return Progress.on(err(), what, total, unit, output.progress || Progress.terminal() && !output.json);
    }
}
