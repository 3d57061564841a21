package io.tradestore.legacy;

import io.tradestore.BackupReport;
import io.tradestore.ConstraintViolationException;
import io.tradestore.Tradestore;
import io.tradestore.UnitOfWork;
import io.tradestore.ValidationException;
import io.tradestore.analytics.NewOutcome;
import io.tradestore.analytics.NewPrediction;
import io.tradestore.analytics.NewSentimentScore;
import io.tradestore.analytics.Outcome;
import io.tradestore.analytics.Prediction;
import io.tradestore.internal.db.tables.records.SentimentScoresRecord;
import io.tradestore.legacy.Candidate.OutcomeValue;
import io.tradestore.legacy.Candidate.PositionKey;
import io.tradestore.legacy.Candidate.PositionValue;
import io.tradestore.legacy.Candidate.PredictionKey;
import io.tradestore.legacy.Candidate.SentimentKey;
import io.tradestore.legacy.ConsolidationReport.Conflict;
import io.tradestore.legacy.ConsolidationReport.Counts;
import io.tradestore.legacy.ConsolidationReport.DanglingOutcome;
import io.tradestore.legacy.ConsolidationReport.Fate;
import io.tradestore.legacy.ConsolidationReport.PnlDifference;
import io.tradestore.legacy.ConsolidationReport.Rejection;
import io.tradestore.legacy.ConsolidationReport.RowFate;
import io.tradestore.legacy.ConsolidationReport.Source;
import io.tradestore.trading.NewPosition;
import io.tradestore.trading.Position;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import static io.tradestore.internal.db.Tables.POSITIONS;
import static io.tradestore.internal.db.Tables.PREDICTIONS;
import static io.tradestore.internal.db.Tables.SENTIMENT_SCORES;

/**
 * Brings the legacy platform's scattered SQLite files into one tradestore database (issue 12, docs/consolidation.md):
 * finds the legacy tables in the files given by their columns, converts every row by the documented rules, merges
 * the copies of a row that several files hold, resolves conflicts by {@link Prefer}, and imports through the DAOs,
 * {@link #withBatchSize batch} rows per unit of work, after a verified backup of the target. Idempotent by natural
 * keys: each row is compared with the target inside the unit that would write it, so a second run writes nothing and
 * a run killed half-way is completed by running it again. The legacy files are only ever read, through copies.
 *
 * <pre>{@code
 * ConsolidationReport r = Consolidation.of(List.of(Path.of("legacy/")))
 *         .withZone(ZoneId.of("Australia/Sydney"))
 *         .run(store);
 * }</pre>
 */
public final class Consolidation {
    private static final Logger log = LoggerFactory.getLogger(Consolidation.class);
    /** Rows per unit on SQLite, where a unit's cost is its commit. */
    public static final int DEFAULT_BATCH_SIZE = 500;
    /**
     * Rows per unit on PostgreSQL: each writing statement is a savepoint there (StatementSavepoints), and a unit with
     * more than 64 of them overflows the backend's subtransaction cache and slows every other session's snapshots;
     * a row writes at most four statements (a closed position: its insert, entry event, close and exit event).
     */
    public static final int POSTGRES_BATCH_SIZE = 15;
    private static final int MAX_EXAMPLES = 3;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'")
            .withZone(ZoneOffset.UTC);
    /** Parents before children: an outcome needs its prediction in the target. */
    private static final List<LegacyKind> ORDER = List.of(LegacyKind.PREDICTIONS, LegacyKind.SENTIMENT,
            LegacyKind.POSITIONS, LegacyKind.OUTCOMES);

    /** Which of two differing rows with the same natural key is imported. */
    public enum Prefer {
        /** The latest legacy created_at (a missing one is oldest); then the file modified last; then file order. */
        NEWEST,
        /** The first file given (folders in sorted path order); within a file, the first row. */
        FILE_ORDER
    }

    private final List<Path> sources;
    private final ZoneId zone;
    private final Prefer prefer;
    private final Path backup;
    private final int batchSize;

    private Consolidation(List<Path> sources, ZoneId zone, Prefer prefer, Path backup, int batchSize) {
        this.sources = sources;
        this.zone = zone;
        this.prefer = prefer;
        this.backup = backup;
        this.batchSize = batchSize;
    }

    /**
     * A consolidation of {@code sources}: SQLite files, and folders walked for them (a file is SQLite by its first
     * bytes, not its name). Naive timestamps in UTC, conflicts to the newest row, the backup beside the target.
     */
    public static Consolidation of(List<Path> sources) {
        if (sources == null || sources.isEmpty() || sources.stream().anyMatch(Objects::isNull)) {
            throw new ValidationException("sources", "must name at least one legacy file or folder", sources);
        }
        return new Consolidation(List.copyOf(sources), ZoneId.of("UTC"), Prefer.NEWEST, null, 0);
    }

    /** The zone the legacy code's naive timestamps were written in (their wall clock); default UTC. */
    public Consolidation withZone(ZoneId zone) {
        return new Consolidation(sources, Objects.requireNonNull(zone, "zone"), prefer, backup, batchSize);
    }

    public Consolidation withPrefer(Prefer prefer) {
        return new Consolidation(sources, zone, Objects.requireNonNull(prefer, "prefer"), backup, batchSize);
    }

    /**
     * Where the verified backup of the target goes (a new file). Default: beside a SQLite target,
     * {@code <db>.before-consolidation-<UTC time>}; for PostgreSQL, {@code tradestore-before-consolidation-<UTC
     * time>.dump} in the working directory.
     */
    public Consolidation withBackup(Path file) {
        return new Consolidation(sources, zone, prefer, Objects.requireNonNull(file, "backup"), batchSize);
    }

    /**
     * Legacy rows per unit of work: what a killed run can lose and has to redo. Default {@value #DEFAULT_BATCH_SIZE}
     * on SQLite, {@value #POSTGRES_BATCH_SIZE} on PostgreSQL.
     */
    public Consolidation withBatchSize(int rows) {
        if (rows < 1 || rows > 100_000) {
            throw new ValidationException("batchSize", "must be within [1, 100000]", rows);
        }
        return new Consolidation(sources, zone, prefer, backup, rows);
    }

    /** Everything {@link #run} does but writing: the plan and the report the run would give, against target as it is. */
    public ConsolidationReport dryRun(Tradestore target) {
        return execute(target, false);
    }

    /**
     * Imports what the target does not hold yet, after a verified backup of it (none when there is nothing new).
     *
     * @throws ConsolidationException       if a source is missing, not SQLite, unreadable, or the target itself
     * @throws io.tradestore.MaintenanceException if the backup fails: nothing was imported
     */
    public ConsolidationReport run(Tradestore target) {
        return execute(target, true);
    }

    private ConsolidationReport execute(Tradestore target, boolean write) {
        Objects.requireNonNull(target, "target");
        long started = System.nanoTime();
        List<Path> files = LegacySources.expand(sources);
        if (files.isEmpty()) {
            throw new ConsolidationException("no SQLite file among the legacy sources " + sources);
        }
        refuseTarget(target, files);
        List<String> names = LegacySources.names(files);
        List<LegacySources.File> read = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            read.add(LegacySources.read(files.get(i), names.get(i), i));
        }
        RowConverter converter = new RowConverter(zone);
        Map<LegacyKind, List<Candidate>> byKind = new LinkedHashMap<>();
        ORDER.forEach(k -> byKind.put(k, new ArrayList<>()));
        List<Candidate> all = new ArrayList<>();
        for (LegacySources.File f : read) {
            for (LegacySources.Table t : f.tables()) {
                if (t.kind() == null || t.kind().target() == null) {
                    continue;
                }
                for (LegacySources.Row r : t.rows()) {
                    Candidate c = new Candidate(t.kind(), f, t.name(), r, label(t.kind(), r));
                    converter.convert(c);
                    byKind.get(t.kind()).add(c);
                    all.add(c);
                }
            }
        }
        List<Conflict> conflicts = new ArrayList<>();
        List<DanglingOutcome> dangling = new ArrayList<>();
        Map<Candidate, Candidate> winnerOf = new LinkedHashMap<>();
        Map<LegacyKind, List<Candidate>> winners = new LinkedHashMap<>();
        winners.put(LegacyKind.PREDICTIONS, merge(byKind.get(LegacyKind.PREDICTIONS), conflicts, winnerOf));
        winners.put(LegacyKind.SENTIMENT, merge(byKind.get(LegacyKind.SENTIMENT), conflicts, winnerOf));
        numberRepeats(byKind.get(LegacyKind.POSITIONS));
        winners.put(LegacyKind.POSITIONS, merge(byKind.get(LegacyKind.POSITIONS), conflicts, winnerOf));
        link(byKind.get(LegacyKind.OUTCOMES), byKind.get(LegacyKind.PREDICTIONS), dangling);
        winners.put(LegacyKind.OUTCOMES, merge(byKind.get(LegacyKind.OUTCOMES), conflicts, winnerOf));
        List<PnlDifference> pnl = pnlDifferences(winners.get(LegacyKind.POSITIONS));

        // First pass, read-only: what is new. Its fates are the dry run's, and the run's when nothing is new (no
        // backup is taken for a run that writes nothing). Applied kind by kind: an outcome's fate in a dry run
        // depends on whether its prediction would be imported.
        Targets targets = new Targets(conflicts, winners.get(LegacyKind.PREDICTIONS));
        long fresh = 0;
        for (LegacyKind kind : ORDER) {
            for (List<Candidate> batch : batches(winners.get(kind), target)) {
                List<Decision> decided = target.read(uow -> targets.decide(uow, batch, false));
                apply(decided);
                fresh += decided.stream().filter(d -> d.fate == Fate.IMPORTED).count();
            }
        }
        BackupReport backupReport = null;
        if (write && fresh > 0) {
            backupReport = target.backup(backupPath(target));
            log.info("consolidation: backed up the target to {} ({} bytes) before importing {} rows",
                    backupReport.file(), backupReport.bytes(), fresh);
            for (LegacyKind kind : ORDER) {
                for (List<Candidate> batch : batches(winners.get(kind), target)) {
                    apply(target.inTransaction(uow -> targets.decide(uow, batch, true)));
                }
            }
        }
        for (Map.Entry<Candidate, Candidate> e : winnerOf.entrySet()) {
            Candidate loser = e.getKey();
            Candidate winner = e.getValue();
            if (winner.fate == Fate.REJECTED) {
                loser.reject(winner.reason, "its natural key's chosen row, " + winner.origin() + ", was rejected: "
                        + winner.detail);
            } else {
                loser.target = winner.target;
            }
        }
        return report(write, read, all, converter, conflicts, pnl, dangling, backupReport,
                (System.nanoTime() - started) / 1_000_000);
    }

    // --- stage 2: link outcomes to predictions ---

    private static void link(List<Candidate> outcomes, List<Candidate> predictions, List<DanglingOutcome> dangling) {
        // A valid copy of the prediction wins over a rejected one, wherever it is: its own file's first, then any
        // file's. Only when every copy was rejected is the outcome rejected with its prediction.
        Map<String, Candidate> sameFile = new HashMap<>();
        Map<String, Candidate> anyFile = new HashMap<>();
        for (boolean valid : new boolean[] {true, false}) {
            for (Candidate p : predictions) {
                if (p.legacyPredictionId != null && (p.key != null) == valid) {
                    sameFile.putIfAbsent(valid + "\u0000" + p.file.order() + "\u0000" + p.legacyPredictionId, p);
                    anyFile.putIfAbsent(valid + "\u0000" + p.legacyPredictionId, p);
                }
            }
        }
        for (Candidate o : outcomes) {
            if (o.fate == Fate.REJECTED) {
                continue;
            }
            Candidate p = null;
            for (boolean valid : new boolean[] {true, false}) {
                if (p == null) {
                    p = sameFile.get(valid + "\u0000" + o.file.order() + "\u0000" + o.legacyPredictionId);
                }
                if (p == null) {
                    p = anyFile.get(valid + "\u0000" + o.legacyPredictionId);
                }
            }
            if (p == null) {
                o.reject("outcomes.prediction_id: no prediction with this id in any legacy file",
                        "outcomes.prediction_id: no prediction with this id in any legacy file (was \""
                                + o.legacyPredictionId + "\"); the outcome is reported, not imported");
                dangling.add(new DanglingOutcome(o.file.path(), o.label, o.legacyPredictionId));
                continue;
            }
            if (p.key == null) {
                o.reject("outcomes.prediction_id: its prediction was rejected", "its prediction, " + p.origin()
                        + ", was rejected: " + p.detail);
                continue;
            }
            OutcomeValue v = (OutcomeValue) o.value;
            Instant predicted = ((PredictionKey) p.key).at();
            if (v.evaluationTimestamp().isBefore(predicted)) {
                o.reject("outcomes.evaluation_timestamp: must not be before its prediction's timestamp",
                        "outcomes.evaluation_timestamp: must not be before its prediction's timestamp ("
                                + predicted + ") (was " + v.evaluationTimestamp() + ")");
                continue;
            }
            o.key = p.key;
        }
    }

    // --- stage 3: merge copies, resolve conflicts ---

    private static void numberRepeats(List<Candidate> positions) {
        Map<Object, Integer> seen = new HashMap<>();
        for (Candidate c : positions) {
            if (c.key instanceof PositionKey k) {
                int n = seen.merge(List.of(c.file.order(), k), 1, Integer::sum) - 1;
                c.key = new PositionKey(k.symbol(), k.entryTime(), k.side(), k.quantity(), k.entryPrice(), n);
            }
        }
    }

    /** Groups by natural key; returns the row chosen for each key and marks the others MERGED (target = winner). */
    private List<Candidate> merge(List<Candidate> rows, List<Conflict> conflicts, Map<Candidate, Candidate> winnerOf) {
        Map<Object, List<Candidate>> groups = new LinkedHashMap<>();
        for (Candidate c : rows) {
            if (c.fate != Fate.REJECTED && c.key != null) {
                groups.computeIfAbsent(c.key, k -> new ArrayList<>()).add(c);
            }
        }
        List<Candidate> winners = new ArrayList<>();
        for (Map.Entry<Object, List<Candidate>> g : groups.entrySet()) {
            List<Candidate> group = new ArrayList<>(g.getValue());
            group.sort(preference());
            Candidate winner = group.get(0);
            winners.add(winner);
            List<String> losers = new ArrayList<>();
            List<String> fields = new ArrayList<>();
            for (Candidate loser : group.subList(1, group.size())) {
                loser.fate = Fate.MERGED;
                loser.target = null;
                List<String> diff = diff(winner.value, loser.value);
                if (diff.isEmpty()) {
                    loser.detail = "identical to " + winner.origin();
                } else {
                    loser.detail = "conflict resolved by --prefer " + prefer.name().toLowerCase().replace('_', '-')
                            + " for " + winner.origin() + "; differed in " + String.join(", ", diff);
                    losers.add(loser.origin());
                    diff.forEach(d -> fields.add(loser.origin() + ": " + d));
                }
                winnerOf.put(loser, winner);
            }
            if (!losers.isEmpty()) {
                conflicts.add(new Conflict(winner.kind, g.getKey().toString(), winner.origin(), losers, fields));
            }
        }
        return winners;
    }

    private Comparator<Candidate> preference() {
        Comparator<Candidate> fileOrder = Comparator.<Candidate>comparingInt(c -> c.file.order())
                .thenComparingLong(Candidate::rowOrder);
        if (prefer == Prefer.FILE_ORDER) {
            return fileOrder;
        }
        return Comparator.<Candidate, Instant>comparing(c -> c.createdAt,
                        Comparator.nullsLast(Comparator.<Instant>reverseOrder()))
                .thenComparing(c -> c.file.modified(), Comparator.reverseOrder())
                .thenComparing(fileOrder);
    }

    /** "field: this (kept that)" for every component (nested records included) where a and b differ. */
    static List<String> diff(Object kept, Object other) {
        List<String> out = new ArrayList<>();
        diff("", kept, other, out);
        return out;
    }

    private static void diff(String prefix, Object kept, Object other, List<String> out) {
        if (kept != null && other != null && kept.getClass().isRecord() && kept.getClass() == other.getClass()) {
            for (RecordComponent rc : kept.getClass().getRecordComponents()) {
                try {
                    diff(prefix + rc.getName() + ".", rc.getAccessor().invoke(kept), rc.getAccessor().invoke(other),
                            out);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            return;
        }
        if (!same(kept, other)) {
            out.add(prefix.substring(0, prefix.length() - 1) + " " + show(other) + " (kept " + show(kept) + ")");
        }
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof BigDecimal x && b instanceof BigDecimal y) {
            return x.compareTo(y) == 0;
        }
        return Objects.equals(a, b);
    }

    private static String show(Object v) {
        return v instanceof BigDecimal d ? d.toPlainString() : String.valueOf(v);
    }

    // --- stage 4: against the target ---

    /** A fate decided inside a unit, applied to its candidate only once the unit committed. */
    private record Decision(Candidate c, Fate fate, String target, String detail, String reason) {
    }

    private static void apply(List<Decision> decisions) {
        for (Decision d : decisions) {
            d.c.fate = d.fate;
            d.c.target = d.target;
            d.c.detail = d.detail;
            d.c.reason = d.reason;
        }
    }

    /** Compares winners with the target and, in a write unit, writes the new ones. */
    private final class Targets {
        private final List<Conflict> conflicts;
        private final Map<Object, Candidate> predictionWinners = new HashMap<>();

        Targets(List<Conflict> conflicts, List<Candidate> predictionWinners) {
            this.conflicts = conflicts;
            predictionWinners.forEach(p -> this.predictionWinners.put(p.key, p));
        }

        List<Decision> decide(UnitOfWork uow, List<Candidate> batch, boolean write) {
            List<Decision> out = new ArrayList<>();
            List<Conflict> found = new ArrayList<>();
            for (Candidate c : batch) {
                try {
                    out.add(switch (c.kind) {
                        case PREDICTIONS -> prediction(uow, c, write, found);
                        case SENTIMENT -> sentiment(uow, c, write, found);
                        case POSITIONS -> position(uow, c, write, found);
                        case OUTCOMES -> outcome(uow, c, write, found);
                        default -> throw new IllegalStateException(c.kind.name());
                    });
                } catch (ValidationException e) {
                    out.add(new Decision(c, Fate.REJECTED, null, e.getMessage(), e.field() + ": " + e.rule()));
                } catch (ConstraintViolationException e) {
                    out.add(new Decision(c, Fate.REJECTED, null, e.getMessage(), c.kind.target() + ": "
                            + e.getClass().getSimpleName()));
                }
            }
            // Conflicts with the target are recorded once: by the pass whose fates stand (the last one to run).
            conflicts.removeIf(x -> batch.stream().anyMatch(c -> x.losers().contains(c.origin())
                    && x.winner().startsWith("target ")));
            conflicts.addAll(found);
            return out;
        }

        private Decision prediction(UnitOfWork uow, Candidate c, boolean write, List<Conflict> found) {
            NewPrediction p = (NewPrediction) c.value;
            Optional<Long> id = uow.jooq().select(PREDICTIONS.ID).from(PREDICTIONS)
                    .where(PREDICTIONS.SYMBOL.eq(p.symbol()), PREDICTIONS.PREDICTION_TIMESTAMP.eq(p.predictionTimestamp()))
                    .fetchOptional(PREDICTIONS.ID);
            if (id.isPresent()) {
                Prediction stored = uow.predictions().find(id.get()).orElseThrow();
                NewPrediction asStored = new NewPrediction(stored.symbol(), stored.predictionTimestamp(),
                        stored.action(), stored.confidence(), stored.direction(), stored.magnitude(),
                        stored.featureVector(), stored.modelVersion(), stored.entryPrice(), stored.marketContext());
                return existing(c, "analytics.predictions " + id.get(), asStored, p, found);
            }
            if (!write) {
                return new Decision(c, Fate.IMPORTED, "analytics.predictions (new)", null, null);
            }
            return new Decision(c, Fate.IMPORTED, "analytics.predictions " + uow.predictions().record(p).id(), null,
                    null);
        }

        private Decision sentiment(UnitOfWork uow, Candidate c, boolean write, List<Conflict> found) {
            NewSentimentScore s = (NewSentimentScore) c.value;
            SentimentScoresRecord r = uow.jooq().selectFrom(SENTIMENT_SCORES)
                    .where(SENTIMENT_SCORES.SYMBOL.eq(s.symbol()), SENTIMENT_SCORES.SCORED_AT.eq(s.scoredAt()))
                    .fetchOne();
            if (r != null) {
                NewSentimentScore asStored = new NewSentimentScore(r.getSymbol(), r.getScoredAt(), r.getScore(),
                        r.getConfidence(), r.getNewsCount(), r.getSource());
                return existing(c, "analytics.sentiment_scores " + r.getId(), asStored, s, found);
            }
            if (!write) {
                return new Decision(c, Fate.IMPORTED, "analytics.sentiment_scores (new)", null, null);
            }
            return new Decision(c, Fate.IMPORTED, "analytics.sentiment_scores " + uow.sentiment().record(s).id(),
                    null, null);
        }

        private Decision position(UnitOfWork uow, Candidate c, boolean write, List<Conflict> found) {
            PositionValue v = (PositionValue) c.value;
            PositionKey k = (PositionKey) c.key;
            List<Long> same = uow.jooq().select(POSITIONS.ID).from(POSITIONS)
                    .where(POSITIONS.SYMBOL.eq(k.symbol()), POSITIONS.SIDE.eq(k.side()),
                            POSITIONS.ENTRY_TIME.eq(k.entryTime()), POSITIONS.QUANTITY.eq(k.quantity()),
                            POSITIONS.ENTRY_PRICE.eq(k.entryPrice()))
                    .orderBy(POSITIONS.ID).fetch(POSITIONS.ID);
            if (same.size() > k.k()) {
                // Compared like every other kind: the target may hold it in another state (closed since, or by the
                // new platform), and that difference is a conflict to list, not "already imported".
                Position p = uow.positions().find(same.get(k.k())).orElseThrow();
                PositionValue asStored = new PositionValue(new NewPosition(p.symbol(), p.side(), p.quantity(),
                        p.entryPrice(), p.entryTime(), p.stopLoss(), p.takeProfit(), p.strategy(), p.mlConfidence(),
                        p.sentimentScore(), p.quoteCurrency()), p.exitPrice(), p.exitTime(), p.exitReason());
                return existing(c, "trading.positions " + p.id(), asStored, v, found);
            }
            if (!write) {
                return new Decision(c, Fate.IMPORTED, "trading.positions (new)", null, null);
            }
            Position p = uow.positions().open(v.open());
            if (v.closed()) {
                p = uow.positions().close(p.id(), v.exitPrice(), v.exitTime(), v.exitReason());
            }
            return new Decision(c, Fate.IMPORTED, "trading.positions " + p.id(), null, null);
        }

        private Decision outcome(UnitOfWork uow, Candidate c, boolean write, List<Conflict> found) {
            OutcomeValue v = (OutcomeValue) c.value;
            PredictionKey key = (PredictionKey) c.key;
            Optional<Long> predictionId = uow.jooq().select(PREDICTIONS.ID).from(PREDICTIONS)
                    .where(PREDICTIONS.SYMBOL.eq(key.symbol()), PREDICTIONS.PREDICTION_TIMESTAMP.eq(key.at()))
                    .fetchOptional(PREDICTIONS.ID);
            if (predictionId.isEmpty()) {
                Candidate legacy = predictionWinners.get(key);
                if (!write && legacy != null && legacy.fate == Fate.IMPORTED) {
                    return new Decision(c, Fate.IMPORTED, "analytics.outcomes (new)", null, null);
                }
                return new Decision(c, Fate.REJECTED, null, "outcomes.prediction_id: its prediction (" + key
                        + ") is not in the target", "outcomes.prediction_id: its prediction is not in the target");
            }
            Prediction prediction = uow.predictions().find(predictionId.get()).orElseThrow();
            NewOutcome wanted = new NewOutcome(prediction.id(), v.evaluationTimestamp(), v.actualReturn(),
                    v.actualDirection(), v.exitPrice(), prediction.direction() == v.actualDirection());
            Optional<Outcome> stored = uow.outcomes().forPrediction(prediction.id());
            if (stored.isPresent()) {
                Outcome o = stored.get();
                NewOutcome asStored = new NewOutcome(o.predictionId(), o.evaluationTimestamp(), o.actualReturn(),
                        o.actualDirection(), o.exitPrice(), o.correct());
                return existing(c, "analytics.outcomes " + o.id(), asStored, wanted, found);
            }
            if (!write) {
                return new Decision(c, Fate.IMPORTED, "analytics.outcomes (new)", null, null);
            }
            return new Decision(c, Fate.IMPORTED, "analytics.outcomes " + uow.outcomes().record(wanted).id(), null,
                    null);
        }

        /** The target holds the key: the same row is ALREADY_IMPORTED; a different one is kept, ours MERGED. */
        private Decision existing(Candidate c, String target, Object stored, Object wanted, List<Conflict> found) {
            List<String> diff = diff(stored, wanted);
            if (diff.isEmpty()) {
                return new Decision(c, Fate.ALREADY_IMPORTED, target, null, null);
            }
            found.add(new Conflict(c.kind, c.key.toString(), "target " + target, List.of(c.origin()),
                    diff.stream().map(d -> c.origin() + ": " + d).toList()));
            return new Decision(c, Fate.MERGED, target, "the target already holds a different row for "
                    + c.key + " (" + target + "), which is kept; differed in " + String.join(", ", diff), null);
        }
    }

    private List<List<Candidate>> batches(List<Candidate> rows, Tradestore target) {
        int batchSize = this.batchSize > 0 ? this.batchSize
                : target.config().file() == null ? POSTGRES_BATCH_SIZE : DEFAULT_BATCH_SIZE;
        List<List<Candidate>> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i += batchSize) {
            out.add(rows.subList(i, Math.min(rows.size(), i + batchSize)));
        }
        return out;
    }

    private static List<PnlDifference> pnlDifferences(List<Candidate> positions) {
        List<PnlDifference> out = new ArrayList<>();
        for (Candidate c : positions) {
            PositionValue v = (PositionValue) c.value;
            if (!v.closed() || c.storedPnl == null) {
                continue;
            }
            BigDecimal exact = RowConverter.pnl(v.open().side(), v.open().entryPrice(), v.exitPrice(),
                    v.open().quantity());
            if (RowConverter.differs(c.storedPnl, exact)) {
                out.add(new PnlDifference(c.file.path(), c.label, v.open().symbol(), c.storedPnl, exact,
                        RowConverter.plain(c.storedPnl.subtract(exact))));
            }
        }
        return out;
    }

    // --- the rest ---

    private void refuseTarget(Tradestore target, List<Path> files) {
        if (target.config().file() == null) {
            return;
        }
        Path db = target.config().file();
        for (Path f : files) {
            try {
                if (Files.exists(db) && Files.isSameFile(f, db)) {
                    throw new ConsolidationException("legacy source " + f + " is the target database itself");
                }
            } catch (IOException e) {
                throw new ConsolidationException("cannot compare legacy source " + f + " with the target: "
                        + e.getMessage(), e);
            }
        }
    }

    private Path backupPath(Tradestore target) {
        if (backup != null) {
            return backup;
        }
        String stamp = STAMP.format(Instant.now());
        if (target.config().file() != null) {
            Path db = target.config().file().toAbsolutePath();
            return db.resolveSibling(db.getFileName() + ".before-consolidation-" + stamp);
        }
        return Path.of("tradestore-before-consolidation-" + stamp + ".dump").toAbsolutePath();
    }

    private static String label(LegacyKind kind, LegacySources.Row r) {
        return switch (kind) {
            case PREDICTIONS -> "prediction_id " + r.get("prediction_id");
            case OUTCOMES -> r.rowid() != null ? "rowid " + r.rowid() : row(r);
            default -> r.get("id") != null ? "id " + r.get("id") : r.rowid() != null ? "id " + r.rowid() : row(r);
        };
    }

    /** A WITHOUT ROWID table's row by its place in key order: "rowid null" named them all alike in the ledger. */
    private static String row(LegacySources.Row r) {
        return "row " + r.number() + " in key order";
    }

    private ConsolidationReport report(boolean write, List<LegacySources.File> read, List<Candidate> all,
                                       RowConverter converter, List<Conflict> conflicts, List<PnlDifference> pnl,
                                       List<DanglingOutcome> dangling, BackupReport backupReport, long millis) {
        List<Source> sourcesOut = new ArrayList<>();
        Map<String, long[]> counts = new LinkedHashMap<>();
        Map<String, Counts> keys = new LinkedHashMap<>();
        for (LegacySources.File f : read) {
            List<ConsolidationReport.Table> tables = new ArrayList<>();
            for (LegacySources.Table t : f.tables()) {
                tables.add(new ConsolidationReport.Table(t.name(), t.kind(), t.kind() == null ? null
                        : t.kind().target(), t.rowCount(), t.notCarried(), t.note()));
                if (t.kind() != null && t.kind().target() != null) {
                    counts.put(f.order() + "\u0000" + t.name(), new long[5]);
                    keys.put(f.order() + "\u0000" + t.name(), new Counts(f.path(), t.name(), t.kind(), 0, 0, 0, 0, 0));
                }
            }
            sourcesOut.add(new Source(f.path(), f.name(), f.sha256(), f.bytes(), tables));
        }
        Map<String, List<Candidate>> rejected = new LinkedHashMap<>();
        List<RowFate> rows = new ArrayList<>();
        for (Candidate c : all) {
            long[] n = counts.get(c.file.order() + "\u0000" + c.table);
            n[0]++;
            n[1 + c.fate.ordinal()]++;
            if (c.fate == Fate.REJECTED) {
                rejected.computeIfAbsent(c.kind.ordinal() + "\u0000" + c.reason, k -> new ArrayList<>()).add(c);
            }
            rows.add(new RowFate(c.file.path(), c.table, c.label, c.fate, c.target, c.detail));
        }
        List<Counts> countsOut = new ArrayList<>();
        keys.forEach((k, base) -> {
            long[] n = counts.get(k);
            countsOut.add(new Counts(base.file(), base.table(), base.kind(), n[0], n[1], n[2], n[3], n[4]));
        });
        List<Rejection> rejections = new ArrayList<>();
        rejected.values().forEach(cs -> rejections.add(new Rejection(cs.get(0).kind, cs.get(0).reason, cs.size(),
                cs.stream().limit(MAX_EXAMPLES).map(c -> c.origin() + ": " + c.detail).toList())));
        rejections.sort(Comparator.comparingLong(Rejection::count).reversed());
        Map<String, Long> conversions = new LinkedHashMap<>(converter.conversions());
        return new ConsolidationReport(!write, zone, prefer, sourcesOut, countsOut, rejections, conversions,
                converter.noise(), List.copyOf(conflicts), pnl, dangling, rows, backupReport, millis);
    }
}
