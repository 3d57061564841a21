package io.tradestore.internal;

import org.jooq.DSLContext;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One unit of work's hold on its connection, handed to every DAO. Not API: DAOs obtain their jOOQ context from
 * it on every call, so a DAO kept after its unit ended, or passed to another thread, fails loudly instead of
 * running outside the transaction.
 */
public final class Tx {
    private final DSLContext dsl;
    private final Clock clock;
    private final boolean writable;
    private final Thread owner;
    private volatile boolean active = true;

    public Tx(DSLContext dsl, Clock clock, boolean writable) {
        this.dsl = dsl;
        this.clock = clock;
        this.writable = writable;
        this.owner = Thread.currentThread();
    }

    /** The jOOQ context bound to this unit's connection and transaction. */
    public DSLContext dsl() {
        if (!active) {
            throw new IllegalStateException("this unit of work (and every DAO it handed out) has already ended;"
                    + " use the DAOs of the UnitOfWork you are in (store.inTransaction(uow -> uow.positions()...))");
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("this DAO belongs to a unit of work of thread '" + owner.getName()
                    + "' and was called from '" + Thread.currentThread().getName()
                    + "'; a unit of work and its DAOs are confined to the thread that runs it");
        }
        return dsl;
    }

    /** Guards every DAO write: a read unit of work never writes, whatever its connection would allow. */
    public DSLContext dslForWrite(String operation) {
        DSLContext context = dsl();
        if (!writable) {
            throw new IllegalStateException(operation + " writes, but this is a read-only unit of work"
                    + " (store.read); use store.inTransaction or store.useTransaction to write");
        }
        return context;
    }

    public boolean writable() {
        return writable;
    }

    /** The store's clock, in whole microseconds (the storage precision). */
    public Instant now() {
        return Check.timestamp("clock (TradestoreConfig.withClock)", clock.instant().truncatedTo(ChronoUnit.MICROS));
    }

    public Clock clock() {
        return clock;
    }

    public boolean active() {
        return active;
    }

    public void end() {
        active = false;
    }
}
