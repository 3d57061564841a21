package io.tradestore;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How to open a {@link Tradestore}. Immutable: every {@code with...} method validates its value at once (naming
 * the option and the limit) and returns a new config.
 *
 * <pre>{@code
 * TradestoreConfig config = TradestoreConfig.sqlite(Path.of("data/tradestore.db"))
 *         .withPoolSize(4)
 *         .withBusyTimeout(Duration.ofSeconds(5));
 * }</pre>
 */
public final class TradestoreConfig {
    public enum Engine { SQLITE, POSTGRES }

    public static final int MAX_POOL_SIZE = 64;
    public static final int MAX_RETRY_ATTEMPTS = 20;
    public static final Duration MAX_BUSY_TIMEOUT = Duration.ofMinutes(10);
    public static final Duration DEFAULT_SLOW_QUERY_THRESHOLD = Duration.ofSeconds(1);
    public static final Duration MAX_SLOW_QUERY_THRESHOLD = Duration.ofHours(1);
    private static final String METER_REGISTRY = "io.micrometer.core.instrument.MeterRegistry";

    private final Engine engine;
    private final Path file;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final int poolSize;
    private final Duration busyTimeout;
    private final boolean autoMigrate;
    private final int retryAttempts;
    private final boolean readOnly;
    private final Clock clock;
    private final Duration statementTimeout;
    private final Duration lockTimeout;
    private final boolean serializableWrites;
    /** A Micrometer MeterRegistry, held as Object so that this class loads without Micrometer (decision 0021). */
    private final Object meterRegistry;
    private final Duration slowQueryThreshold;

    private TradestoreConfig(Engine engine, Path file, String jdbcUrl, String user, String password, int poolSize,
                             Duration busyTimeout, boolean autoMigrate, int retryAttempts, boolean readOnly,
                             Clock clock, Duration statementTimeout, Duration lockTimeout,
                             boolean serializableWrites, Object meterRegistry, Duration slowQueryThreshold) {
        this.engine = engine;
        this.file = file;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.poolSize = poolSize;
        this.busyTimeout = busyTimeout;
        this.autoMigrate = autoMigrate;
        this.retryAttempts = retryAttempts;
        this.readOnly = readOnly;
        this.clock = clock;
        this.statementTimeout = statementTimeout;
        this.lockTimeout = lockTimeout;
        this.serializableWrites = serializableWrites;
        this.meterRegistry = meterRegistry;
        this.slowQueryThreshold = slowQueryThreshold;
    }

    /**
     * An embedded SQLite database in {@code file} (e.g. {@code data/tradestore.db}); missing parent directories
     * are created. Defaults: 4 reader connections plus the one writer, busy timeout 5 s, auto-migrate on,
     * 5 retries, read-write, the system UTC clock.
     */
    public static TradestoreConfig sqlite(Path file) {
        if (file == null) {
            throw new ValidationException("file", "must not be null", null);
        }
        if (file.toString().isBlank()) {
            throw new ValidationException("file", "must be a path to a database file", file);
        }
        return new TradestoreConfig(Engine.SQLITE, file, null, null, null, 4, Duration.ofSeconds(5), true, 5,
                false, Clock.systemUTC(), Duration.ZERO, null, false, null, DEFAULT_SLOW_QUERY_THRESHOLD);
    }

    /**
     * A PostgreSQL database, e.g. {@code jdbc:postgresql://127.0.0.1:5432/trading}. Defaults: 10 pooled
     * connections, busy timeout 5 s, auto-migrate on, 5 retries, read-write, the system UTC clock.
     */
    public static TradestoreConfig postgres(String jdbcUrl, String user, String password) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new ValidationException("jdbcUrl", "must start with jdbc:postgresql:", jdbcUrl);
        }
        if (user == null || user.isBlank()) {
            throw new ValidationException("user", "must not be blank", user);
        }
        return new TradestoreConfig(Engine.POSTGRES, null, jdbcUrl, user, password, 10, Duration.ofSeconds(5), true,
                5, false, Clock.systemUTC(), Duration.ZERO, null, false, null, DEFAULT_SLOW_QUERY_THRESHOLD);
    }

    /** SQLite: number of read-only reader connections (the writer is always one). PostgreSQL: pool size. 1–64. */
    public TradestoreConfig withPoolSize(int poolSize) {
        if (poolSize < 1 || poolSize > MAX_POOL_SIZE) {
            throw new ValidationException("poolSize", "must be between 1 and " + MAX_POOL_SIZE, poolSize);
        }
        return new TradestoreConfig(engine, file, jdbcUrl, user, password, poolSize, busyTimeout, autoMigrate,
                retryAttempts, readOnly, clock, statementTimeout, lockTimeout, serializableWrites,
                meterRegistry, slowQueryThreshold);
    }

    /**
     * How long a unit of work waits for its turn to write (another unit in this process, or a lock held by
     * another process) and for a pooled connection, before it fails with {@link BusyException}. 0–10 min.
     */
    public TradestoreConfig withBusyTimeout(Duration busyTimeout) {
        if (busyTimeout == null || busyTimeout.isNegative() || busyTimeout.compareTo(MAX_BUSY_TIMEOUT) > 0) {
            throw new ValidationException("busyTimeout", "must be between 0 and " + MAX_BUSY_TIMEOUT, busyTimeout);
        }
        return new TradestoreConfig(engine, file, jdbcUrl, user, password, poolSize, busyTimeout, autoMigrate,
                retryAttempts, readOnly, clock, statementTimeout, lockTimeout, serializableWrites,
                meterRegistry, slowQueryThreshold);
    }

    /**
     * Whether {@link Tradestore#open} applies pending migrations (from the changelog packaged in the jar). Turn
     * it off where migrations are a deployment step ({@code mvn liquibase:update}); open then fails on an
     * outdated database instead.
     */
    public TradestoreConfig withAutoMigrate(boolean autoMigrate) {
        return new TradestoreConfig(engine, file, jdbcUrl, user, password, poolSize, busyTimeout, autoMigrate,
                retryAttempts, readOnly, clock, statementTimeout, lockTimeout, serializableWrites,
                meterRegistry, slowQueryThreshold);
    }

    /**
     * How many times a write unit of work that failed because the database was busy is run again, with
     * jittered exponential backoff, before {@link BusyException}. 0–20.
     */
    public TradestoreConfig withRetryAttempts(int retryAttempts) {
        if (retryAttempts < 0 || retryAttempts > MAX_RETRY_ATTEMPTS) {
            throw new ValidationException("retryAttempts", "must be between 0 and " + MAX_RETRY_ATTEMPTS, retryAttempts);
        }
        return new TradestoreConfig(engine, file, jdbcUrl, user, password, poolSize, busyTimeout, autoMigrate,
                retryAttempts, readOnly, clock, statementTimeout, lockTimeout, serializableWrites,
                meterRegistry, slowQueryThreshold);
    }

    /** Open for reading only: no writer, no migration; write units fail. For dashboards and the CLI. */
    public TradestoreConfig withReadOnly(boolean readOnly) {
        return new TradestoreConfig(engine, file, jdbcUrl, user, password, poolSize, busyTimeout, autoMigrate,
                retryAttempts, readOnly, clock, statementTimeout, lockTimeout, serializableWrites,
                meterRegistry, slowQueryThreshold);
    }

    /** The clock behind created_at/updated_at, pattern-cache expiry and {@link UnitOfWork#now()}. For tests. */
    public TradestoreConfig withClock(Clock clock) {
        if (clock == null) {
            throw new ValidationException("clock", "must not be null", null);
        }
        return new TradestoreConfig(engine, file, jdbcUrl, user, password, poolSize, busyTimeout, autoMigrate,
                retryAttempts, readOnly, clock, statementTimeout, lockTimeout, serializableWrites,
                meterRegistry, slowQueryThreshold);
    }

    /**
     * PostgreSQL only: the longest a single statement may run before the server cancels it and the unit of work fails
     * ({@code statement_timeout}, to the millisecond), so a runaway query cannot hold a pooled connection or a
     * lock for ever; zero, the default, means no limit. Refused on SQLite: sqlite-jdbc's query timeout is a busy
     * timeout in disguise (it bounds the wait for a lock, not the run time), which the busy timeout already sets.
     * 0–10 min.
     */
    public TradestoreConfig withStatementTimeout(Duration statementTimeout) {
        if (engine == Engine.SQLITE) {
            throw new ValidationException("statementTimeout", "is PostgreSQL's statement_timeout; sqlite-jdbc has no"
                    + " run-time limit (its query timeout only bounds lock waits, as withBusyTimeout does)",
                    statementTimeout);
        }
        if (statementTimeout == null || statementTimeout.isNegative()
                || statementTimeout.compareTo(MAX_BUSY_TIMEOUT) > 0) {
            throw new ValidationException("statementTimeout", "must be between 0 and " + MAX_BUSY_TIMEOUT,
                    statementTimeout);
        }
        return new TradestoreConfig(engine, file, jdbcUrl, user, password, poolSize, busyTimeout, autoMigrate,
                retryAttempts, readOnly, clock, statementTimeout, lockTimeout, serializableWrites,
                meterRegistry, slowQueryThreshold);
    }

    /**
     * PostgreSQL only: how long a statement waits for a row or table lock another transaction holds
     * ({@code lock_timeout}) before the unit fails with {@link BusyException}; zero means no limit. By default the
     * busy timeout, so "how long a unit waits for another writer" is one setting on both engines. SQLite has no row
     * locks: there the busy timeout alone bounds the wait for the write lock, and this option is refused. 0–10 min.
     */
    public TradestoreConfig withLockTimeout(Duration lockTimeout) {
        if (engine == Engine.SQLITE) {
            throw new ValidationException("lockTimeout", "is PostgreSQL's lock_timeout; on SQLite the busy timeout"
                    + " (withBusyTimeout) bounds the wait for the write lock", lockTimeout);
        }
        if (lockTimeout == null || lockTimeout.isNegative() || lockTimeout.compareTo(MAX_BUSY_TIMEOUT) > 0) {
            throw new ValidationException("lockTimeout", "must be between 0 and " + MAX_BUSY_TIMEOUT, lockTimeout);
        }
        return new TradestoreConfig(engine, file, jdbcUrl, user, password, poolSize, busyTimeout, autoMigrate,
                retryAttempts, readOnly, clock, statementTimeout, lockTimeout, serializableWrites,
                meterRegistry, slowQueryThreshold);
    }

    /**
     * PostgreSQL only: run write units {@code SERIALIZABLE} instead of {@code READ COMMITTED} (the default). The DAOs
     * are correct under both: every DAO that decides a write on what it read first locks the row that orders all
     * writers of that data (an order for its fills, a position for its events), so units made of DAO calls behave
     * as if run one at a time, as on SQLite, as far as their decisions rest on those rows. A decision on a list or
     * on an absent row ({@code listOpen()} empty, then {@code open}) is not protected at READ COMMITTED (decision
     * 0017, "Limits"). Turn this on for such decisions, or when your own {@code jooq()} code in write units reads
     * rows and writes on what it read without locking them ({@link UnitOfWork#forUpdate}): SERIALIZABLE then catches
     * the conflict and the unit is run again. The price is spurious serialization failures between units on
     * different rows (PostgreSQL's predicate locks on indexes cover whole pages): measured in
     * docs/postgresql.md, where 16 threads filling distinct orders saw 85-90 % of fill attempts abort. Refused on
     * SQLite, whose single writer runs write units one at a time already.
     */
    public TradestoreConfig withSerializableWrites(boolean serializableWrites) {
        if (engine == Engine.SQLITE) {
            throw new ValidationException("serializableWrites", "is PostgreSQL's isolation level for write units;"
                    + " SQLite's single writer runs them one at a time already", serializableWrites);
        }
        return new TradestoreConfig(engine, file, jdbcUrl, user, password, poolSize, busyTimeout, autoMigrate,
                retryAttempts, readOnly, clock, statementTimeout, lockTimeout, serializableWrites,
                meterRegistry, slowQueryThreshold);
    }

    /**
     * Records metrics into {@code meterRegistry}, a Micrometer {@code MeterRegistry} (add
     * {@code io.micrometer:micrometer-core} to your build; tradestore declares it optional): units of work
     * ({@code tradestore.unit}), statements ({@code tradestore.query}) and every connection pool ({@code hikaricp.*}),
     * as docs/operations.md lists them. The parameter is {@code Object}, as HikariCP's {@code setMetricRegistry} is,
     * so that a backend without Micrometer on its class path can still load this class; anything but a
     * {@code MeterRegistry} is refused at once. Without a registry, the default, nothing is recorded.
     */
    public TradestoreConfig withMeterRegistry(Object meterRegistry) {
        if (meterRegistry == null) {
            throw new ValidationException("meterRegistry", "must not be null (leave it unset to record no metrics)",
                    null);
        }
        if (!isMeterRegistry(meterRegistry.getClass())) {
            throw new ValidationException("meterRegistry", "must be a " + METER_REGISTRY + ", not a "
                    + meterRegistry.getClass().getName(), meterRegistry);
        }
        return new TradestoreConfig(engine, file, jdbcUrl, user, password, poolSize, busyTimeout, autoMigrate,
                retryAttempts, readOnly, clock, statementTimeout, lockTimeout, serializableWrites,
                meterRegistry, slowQueryThreshold);
    }

    /** By name, up the superclasses (MeterRegistry is an abstract class): nothing of Micrometer's is loaded. */
    private static boolean isMeterRegistry(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(METER_REGISTRY)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A statement that runs longer than this is logged at WARN, with its SQL (placeholders, never the values) and
     * its time, by the logger {@code io.tradestore.SlowQuery}; with or without a meter registry. Default 1 s;
     * {@code Duration.ZERO} turns the log off. 0–1 h.
     */
    public TradestoreConfig withSlowQueryThreshold(Duration slowQueryThreshold) {
        if (slowQueryThreshold == null || slowQueryThreshold.isNegative()
                || slowQueryThreshold.compareTo(MAX_SLOW_QUERY_THRESHOLD) > 0) {
            throw new ValidationException("slowQueryThreshold", "must be between 0 (off) and "
                    + MAX_SLOW_QUERY_THRESHOLD, slowQueryThreshold);
        }
        return new TradestoreConfig(engine, file, jdbcUrl, user, password, poolSize, busyTimeout, autoMigrate,
                retryAttempts, readOnly, clock, statementTimeout, lockTimeout, serializableWrites,
                meterRegistry, slowQueryThreshold);
    }

    /** The Micrometer {@code MeterRegistry} metrics go to ({@link #withMeterRegistry}), or null: none recorded. */
    public Object meterRegistry() {
        return meterRegistry;
    }

    /** Statements slower than this are logged at WARN; zero: the slow-query log is off. */
    public Duration slowQueryThreshold() {
        return slowQueryThreshold;
    }

    /** Whether PostgreSQL write units run SERIALIZABLE ({@link #withSerializableWrites}); false on SQLite. */
    public boolean serializableWrites() {
        return serializableWrites;
    }

    /** PostgreSQL's statement_timeout (zero: none). Null on SQLite. */
    public Duration statementTimeout() {
        return engine == Engine.SQLITE ? null : statementTimeout;
    }

    /** PostgreSQL's lock_timeout: the one set, or else the busy timeout. Null on SQLite. */
    public Duration lockTimeout() {
        if (engine == Engine.SQLITE) {
            return null;
        }
        return lockTimeout == null ? busyTimeout : lockTimeout;
    }

    public Engine engine() {
        return engine;
    }

    /** The SQLite file, or null for PostgreSQL. */
    public Path file() {
        return file;
    }

    /** The PostgreSQL JDBC URL, or null for SQLite. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public int poolSize() {
        return poolSize;
    }

    public Duration busyTimeout() {
        return busyTimeout;
    }

    public boolean autoMigrate() {
        return autoMigrate;
    }

    public int retryAttempts() {
        return retryAttempts;
    }

    public boolean readOnly() {
        return readOnly;
    }

    public Clock clock() {
        return clock;
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "TradestoreConfig[" + (engine == Engine.SQLITE ? "sqlite " + file : "postgres " + jdbcUrl + " as " + user)
                + ", poolSize=" + poolSize + ", busyTimeout=" + busyTimeout + ", autoMigrate=" + autoMigrate
                + ", retryAttempts=" + retryAttempts + ", readOnly=" + readOnly
                + (engine == Engine.POSTGRES ? ", statementTimeout=" + statementTimeout + ", lockTimeout=" + lockTimeout()
                + ", writeIsolation=" + (serializableWrites ? "SERIALIZABLE" : "READ COMMITTED") : "")
                + ", slowQueryThreshold=" + slowQueryThreshold
                + ", metrics=" + (meterRegistry == null ? "off" : meterRegistry.getClass().getSimpleName()) + "]";
    }
}
