package io.tradestore.trading;

import io.tradestore.ConflictException;
import io.tradestore.Page;
import io.tradestore.PageRequest;
import io.tradestore.internal.Check;
import io.tradestore.internal.Keyset;
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

    /**
     * One page of the snapshots with {@code from <= taken_at < to}, oldest first. Decision 0012. taken_at is unique,
     * so it orders the list on its own, as open_time does a candle series: the cursor's id is 0 and ignored, and
     * the unique taken_at index serves every page on both engines.
     */
    public Page<PortfolioSnapshot> range(Instant from, Instant to, PageRequest page) {
        Check.window(from, to);
        Check.notNull("page", page);
        List<PortfolioSnapshot> rows = tx.dsl().selectFrom(PORTFOLIO_SNAPSHOTS)
                .where(Keyset.from(PORTFOLIO_SNAPSHOTS.TAKEN_AT, null, from, page),
                        PORTFOLIO_SNAPSHOTS.TAKEN_AT.lt(to))
                .orderBy(PORTFOLIO_SNAPSHOTS.TAKEN_AT)
                .limit(Keyset.fetchSize(page))
                .fetch(PortfolioDao::map);
        return Keyset.page(rows, page, PortfolioSnapshot::takenAt, s -> 0L);
    }

    private static PortfolioSnapshot map(PortfolioSnapshotsRecord r) {
        return new PortfolioSnapshot(r.getId(), r.getTakenAt(), r.getCash(), r.getEquity(), r.getRealizedPnl(),
                r.getUnrealizedPnl(), r.getOpenPositionCount());
    }
}
