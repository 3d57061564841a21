package io.tradestore.internal;

import io.tradestore.SchemaVersionException;
import liquibase.Contexts;
import liquibase.LabelExpression;
import liquibase.Liquibase;
import liquibase.Scope;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.changelog.visitor.AbstractChangeExecListener;
import liquibase.command.CommandScope;
import liquibase.command.core.RollbackCommandStep;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.UpdateCountCommandStep;
import liquibase.command.core.UpdateToTagCommandStep;
import liquibase.command.core.helpers.ChangeExecListenerCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.ui.LoggerUIService;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Applies the changelog packaged in the jar ({@value #CHANGELOG}, the same path the Maven plugin uses, so both
 * record identical changeset ids and neither re-applies what the other did). Output goes to the logger, never
 * to standard out. The connection is left open; the caller owns it.
 */
public final class Migrator {
    public static final String CHANGELOG = "db-changelog/changelog-master.yaml";

    private Migrator() {
    }

    /** Applies every pending changeset; returns those applied ({@code path::id::author}), in order. */
    public static List<String> update(Connection connection) {
        return update(connection, CHANGELOG);
    }

    /** Applies every pending changeset of another changelog on the classpath (tests inject faulty ones). */
    public static List<String> update(Connection connection, String changelog) {
        Applied applied = new Applied();
        run(connection, UpdateCommandStep.COMMAND_NAME, Map.of(
                "changelogFile", changelog,
                "showSummaryOutput", "LOG",
                ChangeExecListenerCommandStep.CHANGE_EXEC_LISTENER_ARG.getName(), applied));
        return List.copyOf(applied.ids);
    }

    /**
     * What an update applied, for the one INFO line an operator needs (SchemaGate): Liquibase's own narration of
     * each step goes to DEBUG ({@link Slf4jLogService}).
     */
    private static final class Applied extends AbstractChangeExecListener {
        private final List<String> ids = new ArrayList<>();

        @Override
        public void ran(ChangeSet changeSet, DatabaseChangeLog log, Database database, ChangeSet.ExecType type) {
            if (type == ChangeSet.ExecType.EXECUTED || type == ChangeSet.ExecType.RERAN) {
                ids.add(changeSet.getFilePath() + "::" + changeSet.getId() + "::" + changeSet.getAuthor());
            }
        }
    }

    /** Applies the next {@code count} pending changesets (tests use it to inspect the schema after each one). */
    public static void updateCount(Connection connection, int count) {
        run(connection, UpdateCountCommandStep.COMMAND_NAME, Map.of(
                "changelogFile", CHANGELOG,
                "count", count,
                "showSummaryOutput", "LOG"));
    }

    /**
     * Applies pending changesets up to and including the one that sets {@code tag}: a database as a release left
     * it, to compare a rollback against.
     */
    public static void updateToTag(Connection connection, String tag) {
        run(connection, UpdateToTagCommandStep.COMMAND_NAME, Map.of(
                "changelogFile", CHANGELOG,
                "tag", tag,
                "showSummaryOutput", "LOG"));
    }

    /** Rolls back every changeset applied after {@code tag} (e.g. "v1"). */
    public static void rollbackToTag(Connection connection, String tag) {
        run(connection, RollbackCommandStep.COMMAND_NAME, Map.of(
                "changelogFile", CHANGELOG,
                "tag", tag));
    }

    /**
     * The changesets of the packaged changelog not yet applied to the database behind {@code connection}, as
     * {@code path::id::author}, in the order an update would apply them. Reads only: Liquibase's own tables are
     * neither created nor locked (a read-only SQLite connection works).
     */
    public static List<String> pending(Connection connection) {
        List<String> ids = new ArrayList<>();
        try {
            Database database = DatabaseFactory.getInstance()
                    .findCorrectDatabaseImplementation(new JdbcConnection(connection));
            Scope.child(scope(), () -> {
                @SuppressWarnings("deprecation") // the command API has no read-only listing that returns changesets
                Liquibase liquibase = new Liquibase(CHANGELOG, new ClassLoaderResourceAccessor(
                        Migrator.class.getClassLoader()), database);
                for (ChangeSet cs : liquibase.listUnrunChangeSets(new Contexts(), new LabelExpression(), false)) {
                    ids.add(cs.getFilePath() + "::" + cs.getId() + "::" + cs.getAuthor());
                }
            });
        } catch (Exception e) {
            throw new SchemaVersionException("cannot list the pending changesets: " + e.getMessage(), e);
        }
        return ids;
    }

    private static Map<String, Object> scope() {
        return Map.of(
                Scope.Attr.resourceAccessor.name(), new ClassLoaderResourceAccessor(Migrator.class.getClassLoader()),
                Scope.Attr.ui.name(), new LoggerUIService(),
                Scope.Attr.logService.name(), new Slf4jLogService(),
                // A library embedded in a trading backend must never phone home.
                "liquibase.analytics.enabled", false);
    }

    // Argument names as the liquibase CLI spells them; the typed constants moved between 4.x releases.
    private static void run(Connection connection, String[] command, Map<String, Object> arguments) {
        try (ForeignKeysOff ignored = ForeignKeysOff.on(connection)) {
            Database database = DatabaseFactory.getInstance()
                    .findCorrectDatabaseImplementation(new JdbcConnection(connection));
            Scope.child(scope(), () -> {
                CommandScope commandScope = new CommandScope(command)
                        .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, database);
                arguments.forEach(commandScope::addArgumentValue);
                commandScope.execute();
            });
        } catch (Exception e) {
            throw new SchemaVersionException("liquibase " + String.join(" ", command) + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * SQLite changes a column's type by rebuilding the table (release 4). With foreign keys enforced, dropping the
     * old table would check, or cascade into, the rows that reference it, and renaming it would rewrite the
     * children's REFERENCES; SQLite's documented procedure runs with them off and ends with foreign_key_check, which
     * every rebuild does. The pragma is a no-op inside a transaction, so it is set in auto-commit mode, and the
     * connection is handed back as it came. {@code mvn liquibase:update} connects with foreign keys off already.
     */
    private static final class ForeignKeysOff implements AutoCloseable {
        private final Connection connection;
        private final boolean autoCommit;

        private ForeignKeysOff(Connection connection, boolean autoCommit) {
            this.connection = connection;
            this.autoCommit = autoCommit;
        }

        static ForeignKeysOff on(Connection connection) throws SQLException {
            if (!connection.getMetaData().getURL().startsWith("jdbc:sqlite:") || !foreignKeys(connection)) {
                return new ForeignKeysOff(null, true);
            }
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(true);
            execute(connection, "PRAGMA foreign_keys = OFF");
            return new ForeignKeysOff(connection, autoCommit);
        }

        @Override
        public void close() throws SQLException {
            if (connection != null) {
                connection.setAutoCommit(true);
                execute(connection, "PRAGMA foreign_keys = ON");
                connection.setAutoCommit(autoCommit);
            }
        }

        private static boolean foreignKeys(Connection c) throws SQLException {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA foreign_keys")) {
                return rs.next() && rs.getInt(1) == 1;
            }
        }

        private static void execute(Connection c, String sql) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute(sql);
            }
        }
    }
}
