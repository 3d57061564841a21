package io.tradestore;

import io.tradestore.internal.Engine;
import io.tradestore.internal.PostgresEngine;
import io.tradestore.internal.PostgresOps;
import io.tradestore.internal.QuietJooq;
import io.tradestore.internal.SchemaGate;
import io.tradestore.internal.SqlErrors;
import io.tradestore.internal.SqliteEngine;
import io.tradestore.internal.SqliteOps;
import io.tradestore.internal.StatementSavepoints;
import io.tradestore.internal.StatementTimer;
import io.tradestore.internal.Telemetry;
import io.tradestore.internal.Telemetry.UnitOutcome;
import io.tradestore.internal.Tx;
import org.jooq.Configuration;
import org.jooq.ExecuteListener;
import org.jooq.ExecuteListenerProvider;
import org.jooq.SQLDialect;
import org.jooq.conf.FetchTriggerValuesAfterReturning;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The entry point: a migrated database behind pooled connections, used only through units of work.
 *
 * <pre>{@code
 * try (Tradestore store = Tradestore.open(TradestoreConfig.sqlite(Path.of("data/tradestore.db")))) {
 *     long id = store.inTransaction(uow -> uow.positions().open(...).id());
 *     List<Position> open = store.read(uow -> uow.positions().listOpen());
 * }
 * }</pre>
 *
 * <p><b>Units of work.</b> Each call runs its function inside exactly one transaction: it commits when the
 * function returns and rolls back when it throws, rethrowing the exception (a failed rollback is attached to it
 * as suppressed). The {@link UnitOfWork} and its DAOs are valid only inside the call and only on its thread.
 *
 * <p><b>Retries.</b> A write unit that fails because the database is busy (SQLite locked by another process;
 * PostgreSQL serialization failure or deadlock) is rolled back and run again, up to
 * {@link TradestoreConfig#withRetryAttempts} times with jittered exponential backoff, then fails with
 * {@link BusyException}. The function may therefore run more than once: it must not have side effects outside
 * the database: register them with {@link UnitOfWork#afterCommit} (send the order to the exchange there), which
 * runs them once, after the commit, and discards those of an attempt that rolled back.
 *
 * <p><b>Nesting.</b> A write unit started inside another write unit on the same thread becomes a savepoint:
 * if it throws, only its own writes are undone and the exception propagates to the outer function, which may
 * catch it and carry on. A read unit inside any unit joins it (and sees its uncommitted writes). A write unit
 * inside a read unit is refused. Retries apply to the outermost unit only.
 *
 * <p>Thread-safe; open one per database and share it.
 */
public final class Tradestore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Tradestore.class);
    private static final long BACKOFF_BASE_MILLIS = 5;
    private static final long BACKOFF_CAP_MILLIS = 1_000;

    static {
        // Before any statement renders: the first render prints jOOQ's logo and tip unless told not to.
        QuietJooq.install();
    }

    private final TradestoreConfig config;
    private final Engine engine;
    private final int schemaVersion;
    private final Configuration jooq;
    /** Null without a meter registry: then no unit is timed at all (not even a clock read). */
    private final Telemetry telemetry;
    private final ThreadLocal<UnitOfWork> current = new ThreadLocal<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private Tradestore(TradestoreConfig config, Engine engine, int schemaVersion, ExecuteListener observer) {
        this.config = config;
        this.engine = engine;
        this.schemaVersion = schemaVersion;
        this.telemetry = Telemetry.of(config.meterRegistry());
        this.jooq = new DefaultConfiguration()
                .set(engine.dialect())
                .set(settings(engine.dialect()))
                .set(listeners(engine, observer, StatementTimer.of(telemetry, config.slowQueryThreshold())));
    }

    private static Settings settings(SQLDialect dialect) {
        // NEVER: INSERT ... RETURNING is sent as written on SQLite (3.35+) instead of jOOQ's emulation, an INSERT then
        // SELECT ... WHERE _rowid_ = last_insert_rowid(). That emulation exists to fetch values an AFTER trigger sets;
        // tradestore's schema has no triggers (decision 0007).
        Settings s = new Settings().withExecuteLogging(false)
                .withFetchTriggerValuesAfterReturning(FetchTriggerValuesAfterReturning.NEVER);
        // jOOQ inlines every value of a statement with more than 999 binds on SQLite (its limit before 3.32), so a
        // 500-candle chunk (4,000 values) became 56 KB of SQL text to render and compile; SQLite since 3.32 takes
        // 32,766 binds (SQLITE_MAX_VARIABLE_NUMBER).
        return dialect == SQLDialect.SQLITE ? s.withInlineThreshold(32_766) : s;
    }

    /**
     * Error translation, PostgreSQL's per-statement savepoints, the statement timer (metrics and slow-query log)
     * when either is on, then the test hook's observer if any.
     */
    private static ExecuteListenerProvider[] listeners(Engine engine, ExecuteListener observer, StatementTimer timer) {
        List<ExecuteListener> all = new ArrayList<>();
        all.add(SqlErrors.INSTANCE);
        if (engine.dialect() == SQLDialect.POSTGRES) {
            all.add(StatementSavepoints.INSTANCE);
        }
        if (timer != null) {
            all.add(timer);
        }
        if (observer != null) {
            all.add(observer);
        }
        return DefaultExecuteListenerProvider.providers(all.toArray(ExecuteListener[]::new));
    }

    /**
     * Opens the database: checks its schema version against this build (migrating an older one when
     * auto-migrate is on; refusing a newer one or one that is not a tradestore database, without writing to
     * it), then opens the connection pools.
     *
     * @throws SchemaVersionException if the database cannot be used by this build
     */
    public static Tradestore open(TradestoreConfig config) {
        return open(config, null);
    }

    /**
     * Test hook, not API (package-private): {@link #open(TradestoreConfig)} with {@code observer} added after the
     * error translation to every statement the DAOs run, e.g. to capture their SQL for EXPLAIN (QueryPlanTest). A
     * store opened without one runs exactly the listeners it always did, so the hook costs nothing when unused.
     */
    static Tradestore open(TradestoreConfig config, ExecuteListener observer) {
        Objects.requireNonNull(config, "config");
        int version = SchemaGate.prepare(config);
        Engine engine = config.engine() == TradestoreConfig.Engine.SQLITE
                ? new SqliteEngine(config) : new PostgresEngine(config);
        log.info("opened {} at schema version {}", config, version);
        return new Tradestore(config, engine, version, observer);
    }

    /**
     * Where the database stands against this build (schema version, pending changesets, tags), read without
     * creating, migrating or locking anything: safe on a database in use, and on one this build cannot open.
     *
     * @throws SchemaVersionException if it is not a tradestore database or cannot be read
     */
    public static SchemaStatus status(TradestoreConfig config) {
        Objects.requireNonNull(config, "config");
        return SchemaGate.status(config);
    }

    /**
     * Restores a backup taken by {@link #backup} into the database {@code target} names, after verifying the backup
     * (SQLite: {@code PRAGMA quick_check} and the schema version; PostgreSQL: the archive readable by
     * {@code pg_restore}). A backup of a schema newer than this build is refused; an older one is restored as it
     * is, to be migrated by the next open. SQLite: the file is replaced atomically (copied next to it, fsynced,
     * renamed), refused while any connection has it open. PostgreSQL: {@code pg_restore} into an empty database,
     * in one transaction. Details: docs/operations.md ("restore").
     *
     * @throws MaintenanceException if the backup is corrupt, not tradestore's or newer than this build, or the
     *                              target is in use (SQLite) or not empty (PostgreSQL); nothing was replaced
     */
    public static RestoreReport restore(Path backup, TradestoreConfig target) {
        Objects.requireNonNull(backup, "backup");
        Objects.requireNonNull(target, "target");
        return target.engine() == TradestoreConfig.Engine.SQLITE ? SqliteOps.restore(backup, target.file())
                : PostgresOps.restore(backup, target);
    }

    /** {@link #health(HealthOptions)} with the documented defaults. */
    public Health health() {
        return health(HealthOptions.defaults());
    }

    /**
     * Checks the database and this store's pools against {@code options}' thresholds (docs/operations.md,
     * "health"); reads only. A check that finds a problem reports it: only a failure to reach the database throws.
     */
    public Health health(HealthOptions options) {
        Objects.requireNonNull(options, "options");
        checkOpen();
        try {
            return engine instanceof SqliteEngine sqlite ? SqliteOps.health(sqlite, options)
                    : PostgresOps.health((PostgresEngine) engine, options);
        } catch (SQLException e) {
            throw SqlErrors.translate(e);
        }
    }

    /**
     * An online, consistent backup into the new file {@code target}, while units of work go on: SQLite
     * {@code VACUUM INTO} in one read snapshot (decision 0020); PostgreSQL {@code pg_dump -Fc}, which must be on
     * the PATH. Written under a temporary name, verified, then given its name.
     *
     * @throws MaintenanceException if {@code target} exists, pg_dump is missing or the copy fails verification
     */
    public BackupReport backup(Path target) {
        Objects.requireNonNull(target, "target");
        checkOpen();
        try {
            return engine instanceof SqliteEngine sqlite ? SqliteOps.backup(sqlite, target)
                    : PostgresOps.backup(config, target);
        } catch (SQLException e) {
            throw SqlErrors.translate(e);
        }
    }

    /** {@link #optimize(boolean)} without a full VACUUM. */
    public OptimizeReport optimize() {
        return optimize(false);
    }

    /**
     * Maintenance, reporting sizes before and after. SQLite: {@code PRAGMA optimize} (ANALYZE where statistics are
     * stale), {@code incremental_vacuum} when auto_vacuum is INCREMENTAL, a full {@code VACUUM} only with
     * {@code fullVacuum} (it rewrites the file and holds the writer meanwhile), then
     * {@code wal_checkpoint(TRUNCATE)}; it takes the writer's turn, so units of work wait for it. PostgreSQL:
     * {@code VACUUM (ANALYZE)} of tradestore's tables, which needs their owner ({@code fullVacuum} is refused:
     * VACUUM FULL locks each table exclusively; run it by hand in a maintenance window).
     *
     * @throws MaintenanceException on PostgreSQL when the role does not own the tables
     */
    public OptimizeReport optimize(boolean fullVacuum) {
        checkOpen();
        try {
            if (engine instanceof SqliteEngine sqlite) {
                return SqliteOps.optimize(sqlite, fullVacuum);
            }
            if (fullVacuum) {
                throw new MaintenanceException("fullVacuum is SQLite's VACUUM; on PostgreSQL VACUUM FULL locks each"
                        + " table exclusively while it rewrites it: run it by hand in a maintenance window");
            }
            return PostgresOps.optimize((PostgresEngine) engine);
        } catch (SQLException e) {
            throw SqlErrors.translate(e);
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("this Tradestore is closed");
        }
    }

    /** Runs {@code work} in one read-write transaction and returns its result. */
    public <T> T inTransaction(Function<UnitOfWork, T> work) {
        return run(work, true);
    }

    /** Runs {@code work} in one read-write transaction. */
    public void useTransaction(Consumer<UnitOfWork> work) {
        Objects.requireNonNull(work, "work");
        run(uow -> {
            work.accept(uow);
            return null;
        }, true);
    }

    /**
     * Runs {@code work} in one read-only transaction that sees a single committed snapshot; any DAO write inside
     * it throws {@link IllegalStateException}. On SQLite it runs on a reader connection, concurrently with writes.
     */
    public <T> T read(Function<UnitOfWork, T> work) {
        return run(work, false);
    }

    public TradestoreConfig config() {
        return config;
    }

    /** The schema version of the open database (equal to the build's). */
    public int schemaVersion() {
        return schemaVersion;
    }

    public Clock clock() {
        return config.clock();
    }

    /** Closes the pools; on SQLite, first checkpoints the WAL into the database file. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            engine.close();
            log.info("closed {}", config);
        }
    }

    /** For tests of the connection setup. */
    Engine engine() {
        return engine;
    }

    private <T> T run(Function<UnitOfWork, T> work, boolean write) {
        Objects.requireNonNull(work, "work");
        checkOpen();
        UnitOfWork outer = current.get();
        if (outer != null) {
            return nested(outer, work, write);
        }
        for (int attempt = 1; ; attempt++) {
            long start = telemetry == null ? 0 : System.nanoTime();
            try {
                return once(work, write, start);
            } catch (BusyException e) {
                // Read units are not run again (as before metrics): they take no write lock to be busy on.
                if (!write || !retryable(e)) {
                    record(write, UnitOutcome.BUSY, start);
                    throw e;
                }
                if (attempt > config.retryAttempts()) {
                    record(write, UnitOutcome.BUSY, start);
                    throw new BusyException("unit of work failed after " + attempt + " attempt(s) because the database"
                            + " stayed busy; nothing was written. " + e.getMessage() + " [" + engine.describe() + "]",
                            e.sqlState(), e);
                }
                record(write, UnitOutcome.RETRY, start);
                long pause = backoffMillis(attempt);
                log.debug("database busy on attempt {}, retrying in {} ms: {}", attempt, pause, e.getMessage());
                sleep(pause);
            } catch (Throwable e) {
                record(write, UnitOutcome.ROLLBACK, start);
                throw sneaky(e);
            }
        }
    }

    /** One attempt of an outermost unit, into the meter registry if there is one. */
    private void record(boolean write, UnitOutcome outcome, long start) {
        if (telemetry != null) {
            telemetry.unit(write, outcome, System.nanoTime() - start);
        }
    }

    private <T> T once(Function<UnitOfWork, T> work, boolean write, long start) {
        Connection c;
        try {
            c = write ? engine.beginWrite() : engine.beginRead();
        } catch (SQLException e) {
            throw SqlErrors.translate(e);
        }
        Tx tx = new Tx(DSL.using(jooq.derive(c)), config.clock(), write);
        UnitOfWork uow = new UnitOfWork(tx, c, 0);
        current.set(uow);
        boolean committed = false;
        boolean broken = false;
        T result;
        try {
            result = work.apply(uow);
            try {
                engine.commit(c);
            } catch (SQLException e) {
                throw SqlErrors.translate(e);
            }
            committed = true;
        } catch (Throwable e) {
            // Throwable, not RuntimeException: Kotlin, Groovy or @SneakyThrows can throw checked exceptions through a
            // Function, and skipping the rollback would pool a connection that is still inside its transaction.
            if (!committed) {
                try {
                    engine.rollback(c);
                } catch (SQLException | RuntimeException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                    broken = true;
                }
            }
            throw sneaky(e);
        } finally {
            tx.end();
            current.remove();
            if (broken) {
                engine.discard(c, write);
            } else {
                engine.release(c, write);
            }
        }
        // Timed up to the release: what the callbacks do (send the order to the exchange) is not the database's time.
        record(write, UnitOutcome.COMMIT, start);
        // After the release: a callback may start a unit of its own, which must not nest into this ended one.
        runAfterCommit(uow.afterCommitCallbacks());
        return result;
    }

    /** The data is committed whatever a callback does: a failure is logged and the next callback still runs. */
    private static void runAfterCommit(List<Runnable> callbacks) {
        for (int i = 0; i < callbacks.size(); i++) {
            try {
                callbacks.get(i).run();
            } catch (Exception e) {
                log.error("afterCommit callback {} of {} threw after its unit of work committed; the commit stands"
                        + " and the remaining callbacks run", i + 1, callbacks.size(), e);
            }
        }
    }

    private <T> T nested(UnitOfWork outer, Function<UnitOfWork, T> work, boolean write) {
        if (write && !outer.tx().writable()) {
            throw new IllegalStateException("a write unit of work cannot start inside a read unit (store.read);"
                    + " start the write unit first and read inside it");
        }
        Connection c = outer.connection();
        Tx tx = new Tx(outer.tx().dsl(), config.clock(), write);
        UnitOfWork inner = new UnitOfWork(tx, c, outer.depth() + 1);
        String savepoint = "tradestore_sp_" + inner.depth();
        current.set(inner);
        outer.nestedUnitRunning(true);
        boolean savepointTaken = false;
        try {
            if (write) {
                engine.savepoint(c, savepoint);
                savepointTaken = true;
            }
            T result = work.apply(inner);
            if (write) {
                engine.releaseSavepoint(c, savepoint);
            }
            outer.adoptAfterCommit(inner);
            return result;
        } catch (Throwable e) {
            if (savepointTaken) {
                try {
                    engine.rollbackToSavepoint(c, savepoint);
                } catch (SQLException | RuntimeException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
            }
            throw e instanceof SQLException sql ? SqlErrors.translate(sql) : sneaky(e);
        } finally {
            tx.end();
            outer.nestedUnitRunning(false);
            current.set(outer);
        }
    }

    /** Rethrows any throwable unchanged, checked or not: the unit's own exception must reach the caller as is. */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
        throw (E) t;
    }

    /** Only failures the database reported as busy are worth a retry; a timed-out wait for the writer is not. */
    private static boolean retryable(BusyException e) {
        SQLException sql = e.sqlException();
        return sql != null && SqlErrors.isBusy(sql);
    }

    /** Full jitter: uniformly random in [0, min(cap, base * 2^attempt)]. */
    static long backoffMillis(int attempt) {
        long ceiling = Math.min(BACKOFF_CAP_MILLIS, BACKOFF_BASE_MILLIS << Math.min(attempt, 20));
        return ThreadLocalRandom.current().nextLong(ceiling + 1);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BusyException("interrupted while backing off before a retry", "40001", e);
        }
    }
}
