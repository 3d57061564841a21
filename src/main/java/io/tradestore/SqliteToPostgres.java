package io.tradestore;

import io.tradestore.internal.copy.Copier;

import java.nio.file.Path;

/**
 * Moves a tradestore SQLite file to PostgreSQL: copies every table into a migrated, empty PostgreSQL database at the
 * same schema version, keeping ids and foreign keys, verifies each table (row count and a checksum computed alike on
 * both sides) and restarts every identity sequence after the copied ids, so the DAOs carry on where the file left
 * off. The procedure, what is verified and the measured rate: docs/postgresql.md ("Moving from SQLite").
 *
 * <pre>{@code
 * TradestoreConfig pg = TradestoreConfig.postgres("jdbc:postgresql://db:5432/trading", "tradestore", secret);
 * Tradestore.open(pg).close();                       // migrate the empty database to this build's schema
 * CopyReport report = SqliteToPostgres.copy(Path.of("data/tradestore.db"), pg);
 * }</pre>
 *
 * <p><b>Stop the writers first.</b> The source is read in one read-only transaction (one snapshot) and never
 * written; rows committed to it after the copy started are not copied.
 *
 * <p><b>Resume.</b> Rows are committed in batches, table by table in primary-key order. A copy that was killed or
 * failed part-way leaves, in each table, a prefix of the source's rows; running the same call again proves that
 * (checksums of the prefix on both sides) and copies the rest. Any other content refuses the copy.
 *
 * <p>Errors: {@link SchemaVersionException} (a database not at this build's schema version, the two at different
 * versions, or different tables or columns), {@link CopyRefusedException} (the target holds rows that are not a
 * prefix of this source's copy, or another copy into it is running), all before anything is written;
 * {@link CopyVerificationException} (a copied table differs from its source); {@link ValidationException} (bad
 * arguments, or a source cell tradestore cannot have written, naming the column and row); {@link DatabaseException}.
 */
public final class SqliteToPostgres {
    private SqliteToPostgres() {
    }

    /** {@link #copy(Path, TradestoreConfig, CopyOptions)} with {@link CopyOptions#defaults()}. */
    public static CopyReport copy(Path sqliteFile, TradestoreConfig postgresTarget) {
        return copy(sqliteFile, postgresTarget, CopyOptions.defaults());
    }

    /**
     * Copies {@code sqliteFile} into {@code postgresTarget} (its URL, user and password are used; its pool, clock and
     * migration settings are not: the target must already be migrated).
     */
    public static CopyReport copy(Path sqliteFile, TradestoreConfig postgresTarget, CopyOptions options) {
        return Copier.run(sqliteFile, postgresTarget, options);
    }
}
