package io.tradestore;

import java.nio.file.Path;

/**
 * The process {@code SqliteToPostgresTest} kills mid-copy. Arguments: SQLite file, PostgreSQL URL, user, batch size.
 * Prints {@code COPIED <table> <rows of it on the target> <rows of all tables on the target>} after every committed
 * batch, flushed, so the test knows the copy is under way before it sends SIGKILL.
 */
public final class SqliteToPostgresChild {
    private SqliteToPostgresChild() {
    }

    public static void main(String[] args) {
        TradestoreConfig target = TradestoreConfig.postgres(args[1], args[2], "");
        CopyOptions options = CopyOptions.defaults().withBatchSize(Integer.parseInt(args[3])).withProgress(p -> {
            System.out.println("COPIED " + p.table() + " " + p.tableCopied() + " " + p.totalCopied());
            System.out.flush();
        });
        SqliteToPostgres.copy(Path.of(args[0]), target, options);
        System.out.println("DONE");
    }
}
