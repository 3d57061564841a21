package io.tradestore.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * {@code tradestore-cli}: operate a tradestore database without writing Java (docs/operations.md). Every command
 * is a {@code Callable<Integer>} run through {@link CommandLine#execute}, which is also how the tests run them.
 *
 * <p>Exit codes: 0 success; 1 the command failed (one line on standard error naming what and why; the stack trace
 * only with {@code --verbose}); 2 usage error (picocli's); {@code health}: 3 WARN, 4 FAIL.
 */
@Command(name = "tradestore-cli", mixinStandardHelpOptions = true, versionProvider = Versions.class,
        description = "Operate a tradestore database (SQLite file or PostgreSQL).",
        subcommands = {MigrateCommand.class, StatusCommand.class, HealthCommand.class, BackupCommand.class,
                RestoreCommand.class, OptimizeCommand.class, RetentionCommand.class, ImportCommand.class,
                ExportCommand.class, CopyCommand.class, ConsolidateCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static final int FAILED = 1;
    public static final int WARN = 3;
    public static final int FAIL = 4;

    public static void main(String[] args) {
        // The CLI's own log: warnings only, so a command's output is its report; --verbose shows the library's
        // INFO lines (what was migrated, pools opened). Set before the first logger is created.
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests call {@code execute} on it with their own out and err writers. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(Main::failed);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        return cli;
    }

    /** One line naming the command and the cause; the stack trace only with --verbose. */
    private static int failed(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        err.println(cli.getCommandName() + ": " + message(e));
        Object output = cli.getMixins().get("output");
        if (output instanceof OutputOptions o && o.verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return FAILED;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
