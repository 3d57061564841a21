package io.tradestore.trading;

import io.tradestore.ConflictException;
import io.tradestore.internal.Check;
import io.tradestore.internal.Tx;
import io.tradestore.internal.db.tables.records.PortfolioSnapshotsRecord;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static io.tradestore.internal.db.Tables.PORTFOLIO_SNAPSHOTS;

/** trading.portfolio_snapshots. Obtain from {@link io.tradestore.UnitOfWork#portfolio()}. */
public final class PortfolioDao {
    private final Tx tx;

    public PortfolioDao(Tx tx) {
        this.tx = tx;
    }

    /**
     * Records a snapshot and returns it as stored.
     *
     * @throws ConflictException if a snapshot was already taken at the same instant
     */
    public PortfolioSnapshot record(NewPortfolioSnapshot s) {
        Check.notNull("snapshot", s);
        var db = tx.dslForWrite("portfolio().record");
        try {
            return map(db.insertInto(PORTFOLIO_SNAPSHOTS)
                    .set(PORTFOLIO_SNAPSHOTS.TAKEN_AT, s.takenAt())
                    .set(PORTFOLIO_SNAPSHOTS.CASH, s.cash())
                    .set(PORTFOLIO_SNAPSHOTS.EQUITY, s.equity())
                    .set(PORTFOLIO_SNAPSHOTS.REALIZED_PNL, s.realizedPnl())
                    .set(PORTFOLIO_SNAPSHOTS.UNREALIZED_PNL, s.unrealizedPnl())
                    .set(PORTFOLIO_SNAPSHOTS.OPEN_POSITION_COUNT, s.openPositionCount())
                    .returning()
                    .fetchSingle());
        } catch (ConflictException e) {
            throw new ConflictException("a portfolio snapshot taken at " + s.takenAt() + " already exists;"
                    + " snapshots are keyed by taken_at", e.sqlState(), e);
        }
    }

    /** The most recent snapshot, if any. */
    public Optional<PortfolioSnapshot> latest() {
        return tx.dsl().selectFrom(PORTFOLIO_SNAPSHOTS)
                .orderBy(PORTFOLIO_SNAPSHOTS.TAKEN_AT.desc())
                .limit(1)
                .fetchOptional(PortfolioDao::map);
    }

    /** Snapshots with {@code from <= taken_at < to}, oldest first. */
    public List<PortfolioSnapshot> range(Instant from, Instant to) {
        Check.window(from, to);
        return tx.dsl().selectFrom(PORTFOLIO_SNAPSHOTS)
                .where(PORTFOLIO_SNAPSHOTS.TAKEN_AT.ge(from), PORTFOLIO_SNAPSHOTS.TAKEN_AT.lt(to))
                .orderBy(PORTFOLIO_SNAPSHOTS.TAKEN_AT)
                .fetch(PortfolioDao::map);
    }

    private static PortfolioSnapshot map(PortfolioSnapshotsRecord r) {
        return new PortfolioSnapshot(r.getId(), r.getTakenAt(), r.getCash(), r.getEquity(), r.getRealizedPnl(),
                r.getUnrealizedPnl(), r.getOpenPositionCount());
    }
}
