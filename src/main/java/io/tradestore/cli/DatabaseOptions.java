package io.tradestore.cli;

import io.tradestore.SchemaVersionException;
import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * Which database: a SQLite file (default {@code data/tradestore.db}) or a {@code jdbc:postgresql:} URL, with the
 * user and password from options or, better (they stay out of the process list), {@code TRADESTORE_DB_USER} and
 * {@code TRADESTORE_DB_PASSWORD}. Commands other than {@code migrate} never migrate: an older database is refused,
 * naming the command that upgrades it.
 */
public final class DatabaseOptions {
    static final String POSTGRES_PREFIX = "jdbc:postgresql:";
    private static final String SQLITE_PREFIX = "jdbc:sqlite:";

    @Option(names = "--db", paramLabel = "<file|url>", defaultValue = "${env:TRADESTORE_DB:-data/tradestore.db}",
            description = "SQLite file or jdbc:postgresql: URL (default: ${DEFAULT-VALUE}; env TRADESTORE_DB).")
    String db;

    @Option(names = "--user", defaultValue = "${env:TRADESTORE_DB_USER}",
            description = "PostgreSQL user (env TRADESTORE_DB_USER).")
    String user;

    @Option(names = "--password", defaultValue = "${env:TRADESTORE_DB_PASSWORD}", arity = "0..1", interactive = true,
            description = "PostgreSQL password (env TRADESTORE_DB_PASSWORD; --password alone prompts).")
    String password;

    boolean postgres() {
        return db.startsWith(POSTGRES_PREFIX);
    }

    /** The store's config, auto-migrate off. */
    public TradestoreConfig config() {
        TradestoreConfig config = postgres() ? TradestoreConfig.postgres(db, user, password)
                : TradestoreConfig.sqlite(Path.of(db.startsWith(SQLITE_PREFIX) ? db.substring(SQLITE_PREFIX.length())
                : db));
        return config.withAutoMigrate(false);
    }

    /**
     * The store, never migrated: a database older than this build is refused with the command that upgrades it.
     * Commands open it through here.
     */
    public Tradestore open() {
        try {
            return Tradestore.open(config());
        } catch (SchemaVersionException e) {
            String m = e.getMessage();
            if (m != null && m.contains("is older than this build") && m.contains("; run mvn")) {
                // The library's advice is for a Java build (Maven, withAutoMigrate); an operator has the CLI.
                throw new SchemaVersionException(m.substring(0, m.indexOf("; run mvn"))
                        + "; upgrade it with: tradestore-cli migrate --db " + db, e);
            }
            throw e;
        }
    }

    /** For messages: the file or the URL, never the password. */
    public String describe() {
        return db;
    }
}
