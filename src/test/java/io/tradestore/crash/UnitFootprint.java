package io.tradestore.crash;

import io.tradestore.internal.Decimal18;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The footprint of {@link CrashChild}'s units, and an audit of a database against it.
 *
 * <p>The audit reads every row of every table with plain SQL (not through the DAOs, so a DAO bug cannot hide
 * itself), attributes each row, or each change to an earlier row, to the unit that wrote it, and then demands
 * that every unit it found a trace of is whole: exactly the rows and changes {@link #expected} lists, linked to
 * each other as the child links them. Units must be 1..max with no gap. A unit without any trace is absent,
 * which is the other allowed outcome.
 *
 * <p>Exact decimals are BLOBs on SQLite (decision 0009); the audit decodes them with {@link Decimal18#decode}, the
 * codec's own reading of the bytes, and compares values.
 */
final class UnitFootprint {
    /** 2023-03-01T00:00:00Z: unit n happens at T0 + n seconds. */
    static final Instant T0 = Instant.parse("2023-03-01T00:00:00Z");
    static final String METRIC = "crash.unit";
    private static final long MICROS_PER_SECOND = 1_000_000L;
    private static final long MICROS_PER_UNIT_OF_CANDLES = CrashChild.CANDLES_PER_UNIT * 60 * MICROS_PER_SECOND;
    private static final long T0_MICROS = T0.getEpochSecond() * MICROS_PER_SECOND;

    private static final Pattern UNIT = Pattern.compile("unit-(\\d+)");
    private static final Pattern CLOSED_BY = Pattern.compile("closed-by-unit-(\\d+)");
    private static final Pattern CLIENT_ORDER_ID = Pattern.compile("u-(\\d+)");
    private static final Pattern PAYLOAD_UNIT = Pattern.compile("\\{\\s*\"unit\"\\s*:\\s*(\\d+)\\s*}");

    private UnitFootprint() {
    }

    static Instant at(long n) {
        return T0.plusSeconds(n);
    }

    static Instant candleAt(long n, int k) {
        return T0.plusSeconds(60 * (CrashChild.CANDLES_PER_UNIT * n + k));
    }

    static String strategy(long n) {
        return "unit-" + n;
    }

    static String closedBy(long n) {
        return "closed-by-unit-" + n;
    }

    static String clientOrderId(long n) {
        return "u-" + n;
    }

    /**
     * What unit n leaves behind, as trace name to count, when {@code last} is the highest unit present: the
     * rows it inserts, the close of position n-1 and the outcome of prediction n-1 (n &gt; 1), and for the last
     * unit the shared pattern it rewrote.
     */
    static SortedMap<String, Integer> expected(long n, long last) {
        SortedMap<String, Integer> traces = new TreeMap<>();
        traces.put("positions", 1);
        traces.put("position_events ENTRY", 1);
        traces.put("orders", 1);
        traces.put("order_fills", 2);
        traces.put("trade_execution_log NEW", 1);
        traces.put("trade_execution_log FILLED", 1);
        traces.put("predictions", 1);
        traces.put("candlesticks", CrashChild.CANDLES_PER_UNIT);
        traces.put("pattern_cache", 1);
        traces.put("analytics_metrics", 1);
        traces.put("portfolio_snapshots", 1);
        if (n > 1) {
            traces.put("positions: close of position " + (n - 1), 1);
            traces.put("position_events REDUCE of position " + (n - 1), 1);
            traces.put("outcomes: of prediction " + (n - 1), 1);
        }
        if (n == last) {
            traces.put("pattern_cache " + CrashChild.LATEST_PATTERN, 1);
        }
        return traces;
    }

    /**
     * @param present  every unit with at least one trace
     * @param problems everything that contradicts "each unit wholly present or wholly absent, rows consistent";
     *                 empty when the database is as it should be
     */
    record Audit(NavigableSet<Long> present, List<String> problems, int candles) {
        long last() {
            return present.isEmpty() ? 0 : present.last();
        }
    }

    static Audit audit(Connection c) throws SQLException {
        return new Auditor(c).run();
    }

    private static final class Auditor {
        private final Connection c;
        private final SortedMap<Long, SortedMap<String, Integer>> traces = new TreeMap<>();
        private final List<String> problems = new ArrayList<>();
        private final Map<Long, Long> positionOfUnit = new HashMap<>();
        private final Map<Long, Long> unitOfOrder = new HashMap<>();
        private final Map<Long, Long> orderOfUnit = new HashMap<>();
        private final Map<Long, BigDecimal> filledOfOrder = new HashMap<>();
        private final Map<Long, Long> unitOfPrediction = new HashMap<>();
        private int candles;

        Auditor(Connection c) {
            this.c = c;
        }

        Audit run() throws SQLException {
            positions();
            positionEvents();
            orders();
            fills();
            executionLog();
            predictions();
            outcomes();
            candles();
            candleMetadata();
            patterns();
            metrics();
            snapshots();
            for (String table : List.of("ml_model_results", "sentiment_scores")) {
                each("SELECT COUNT(*) FROM " + table, r -> {
                    if (r.getLong(1) != 0) {
                        problems.add(table + " has " + r.getLong(1) + " rows; the child never writes it");
                    }
                });
            }
            NavigableSet<Long> present = new TreeSet<>(traces.keySet());
            long last = present.isEmpty() ? 0 : present.last();
            for (long n = 1; n <= last; n++) {
                SortedMap<String, Integer> found = traces.getOrDefault(n, new TreeMap<>());
                SortedMap<String, Integer> want = expected(n, last);
                if (!found.equals(want)) {
                    problems.add("unit " + n + " is not whole (highest unit present: " + last + "): "
                            + difference(want, found));
                }
            }
            if (!present.isEmpty() && present.first() < 1) {
                problems.add("unit numbers below 1 found: " + present.headSet(1L));
            }
            return new Audit(present, List.copyOf(problems), candles);
        }

        private void positions() throws SQLException {
            each("SELECT id, strategy, status, exit_reason, entry_time, quantity FROM positions ORDER BY id", r -> {
                long id = r.getLong(1);
                Long n = unit(UNIT, r.getString(2), "positions " + id + " strategy");
                if (n == null) {
                    return;
                }
                trace(n, "positions");
                positionOfUnit.put(n, id);
                expect(r.getLong(5) == micros(at(n)), "position " + id + " of unit " + n + " entry_time " + r.getLong(5));
                BigDecimal quantity = decimal(r, 6);
                expect(same(quantity, CrashChild.QUANTITY), "position " + id + " of unit " + n + " quantity " + plain(quantity));
                String status = r.getString(3);
                String exitReason = r.getString(4);
                if ("CLOSED".equals(status)) {
                    Long closer = unit(CLOSED_BY, exitReason, "position " + id + " exit_reason");
                    if (closer != null) {
                        trace(closer, "positions: close of position " + n);
                        expect(closer == n + 1, "position of unit " + n + " was closed by unit " + closer);
                    }
                } else {
                    expect("OPEN".equals(status) && exitReason == null,
                            "position of unit " + n + " is " + status + " with exit_reason " + exitReason);
                }
            });
        }

        /** Release 8: open writes the position's ENTRY event, and close its REDUCE, in the same unit. */
        private void positionEvents() throws SQLException {
            Map<Long, Long> unitOfPosition = new HashMap<>();
            positionOfUnit.forEach((unit, position) -> unitOfPosition.put(position, unit));
            each("SELECT id, position_id, kind, reason, quantity FROM position_events ORDER BY id", r -> {
                long id = r.getLong(1);
                Long owner = unitOfPosition.get(r.getLong(2));
                if (owner == null) {
                    problems.add("position_events row " + id + " belongs to position " + r.getLong(2)
                            + ", which is no unit's position");
                    return;
                }
                String kind = r.getString(3);
                if ("ENTRY".equals(kind)) {
                    trace(owner, "position_events ENTRY");
                    expect(same(decimal(r, 5), CrashChild.QUANTITY), "ENTRY event " + id + " of unit " + owner
                            + " quantity " + plain(decimal(r, 5)));
                } else {
                    Long closer = unit(CLOSED_BY, r.getString(4), "position_events " + id + " reason");
                    if (closer != null) {
                        trace(closer, "position_events " + kind + " of position " + owner);
                    }
                }
            });
        }

        private void orders() throws SQLException {
            each("SELECT id, client_order_id, position_id, status, quantity, filled_quantity FROM orders ORDER BY id", r -> {
                long id = r.getLong(1);
                Long n = unit(CLIENT_ORDER_ID, r.getString(2), "orders " + id + " client_order_id");
                if (n == null) {
                    return;
                }
                trace(n, "orders");
                unitOfOrder.put(id, n);
                orderOfUnit.put(n, id);
                long positionId = r.getLong(3);
                expect(Objects.equals(positionOfUnit.get(n), positionId), "order " + id + " of unit " + n
                        + " belongs to position " + positionId + ", the unit's position is " + positionOfUnit.get(n));
                BigDecimal quantity = decimal(r, 5);
                BigDecimal filled = decimal(r, 6);
                expect("FILLED".equals(r.getString(4)) && same(quantity, CrashChild.QUANTITY) && same(filled, quantity),
                        "order " + id + " of unit " + n + " is " + r.getString(4) + " with " + plain(filled) + " of "
                                + plain(quantity) + " filled");
                filledOfOrder.put(id, filled);
            });
        }

        private void fills() throws SQLException {
            Map<Long, BigDecimal> sums = new HashMap<>();
            each("SELECT order_id, quantity FROM order_fills ORDER BY id", r -> {
                long orderId = r.getLong(1);
                Long n = unitOfOrder.get(orderId);
                if (n == null) {
                    problems.add("order_fills row for order " + orderId + ", which is no unit's order");
                    return;
                }
                trace(n, "order_fills");
                sums.merge(orderId, decimal(r, 2), BigDecimal::add);
            });
            filledOfOrder.forEach((order, filled) -> expect(same(filled, sums.getOrDefault(order, BigDecimal.ZERO)),
                    "order " + order + " says " + plain(filled) + " filled, its fills add up to " + plain(sums.get(order))));
        }

        private void executionLog() throws SQLException {
            each("SELECT id, client_order_id, order_id, event FROM trade_execution_log ORDER BY id", r -> {
                Long n = unit(CLIENT_ORDER_ID, r.getString(2), "trade_execution_log " + r.getLong(1) + " client_order_id");
                if (n == null) {
                    return;
                }
                trace(n, "trade_execution_log " + r.getString(4));
                expect(Objects.equals(orderOfUnit.get(n), r.getLong(3)), "execution log row " + r.getLong(1)
                        + " of unit " + n + " names order " + r.getLong(3) + ", the unit's order is " + orderOfUnit.get(n));
            });
        }

        private void predictions() throws SQLException {
            each("SELECT id, model_version, prediction_timestamp FROM predictions ORDER BY id", r -> {
                Long n = unit(UNIT, r.getString(2), "predictions " + r.getLong(1) + " model_version");
                if (n == null) {
                    return;
                }
                trace(n, "predictions");
                unitOfPrediction.put(r.getLong(1), n);
                expect(r.getLong(3) == micros(at(n)), "prediction of unit " + n + " at " + r.getLong(3));
            });
        }

        private void outcomes() throws SQLException {
            each("SELECT prediction_id, evaluation_timestamp FROM outcomes ORDER BY id", r -> {
                long micros = r.getLong(2) - T0_MICROS;
                if (micros <= 0 || micros % MICROS_PER_SECOND != 0) {
                    problems.add("outcome of prediction " + r.getLong(1) + " evaluated at " + r.getLong(2)
                            + ", which is no unit's time");
                    return;
                }
                long n = micros / MICROS_PER_SECOND;
                Long of = unitOfPrediction.get(r.getLong(1));
                trace(n, "outcomes: of prediction " + (of == null ? "(none) " + r.getLong(1) : of));
            });
        }

        private void candles() throws SQLException {
            each("SELECT symbol, timeframe, open_time, volume FROM candlesticks ORDER BY symbol, timeframe, open_time", r -> {
                candles++;
                long micros = r.getLong(3) - T0_MICROS;
                if (!CrashChild.SYMBOL.equals(r.getString(1)) || !"1m".equals(r.getString(2)) || micros < 0) {
                    problems.add("candle " + r.getString(1) + " " + r.getString(2) + " " + r.getLong(3) + " is no unit's");
                    return;
                }
                long n = micros / MICROS_PER_UNIT_OF_CANDLES;
                trace(n, "candlesticks");
                BigDecimal volume = decimal(r, 4);
                expect(same(volume, BigDecimal.valueOf(n)), "candle at " + r.getLong(3) + " of unit " + n + " has volume "
                        + plain(volume));
            });
        }

        /** candlestick_metadata is one row rewritten by every unit: it must describe exactly the stored candles. */
        private void candleMetadata() throws SQLException {
            Map<String, String> actual = new TreeMap<>();
            each("SELECT symbol, timeframe, COUNT(*), MIN(open_time), MAX(open_time) FROM candlesticks"
                    + " GROUP BY symbol, timeframe", r -> actual.put(r.getString(1) + " " + r.getString(2),
                    r.getLong(3) + " candles " + r.getLong(4) + ".." + r.getLong(5)));
            Map<String, String> recorded = new TreeMap<>();
            each("SELECT symbol, timeframe, candle_count, first_open_time, last_open_time FROM candlestick_metadata",
                    r -> recorded.put(r.getString(1) + " " + r.getString(2),
                            r.getLong(3) + " candles " + r.getLong(4) + ".." + r.getLong(5)));
            expect(actual.equals(recorded), "candlestick_metadata says " + recorded + ", the candles are " + actual);
        }

        private void patterns() throws SQLException {
            each("SELECT cache_key, payload, detected_at FROM pattern_cache ORDER BY id", r -> {
                String key = r.getString(1);
                Long payloadUnit = unit(PAYLOAD_UNIT, r.getString(2), "pattern_cache " + key + " payload");
                if (payloadUnit == null) {
                    return;
                }
                if (CrashChild.LATEST_PATTERN.equals(key)) {
                    trace(payloadUnit, "pattern_cache " + CrashChild.LATEST_PATTERN);
                } else {
                    Long n = unit(UNIT, key, "pattern_cache cache_key");
                    if (n != null) {
                        trace(n, "pattern_cache");
                        expect(n.equals(payloadUnit), "pattern " + key + " carries unit " + payloadUnit);
                    }
                }
                expect(r.getLong(3) == micros(at(payloadUnit)), "pattern " + key + " detected at " + r.getLong(3));
            });
        }

        private void metrics() throws SQLException {
            each("SELECT id, name, value, computed_at FROM analytics_metrics ORDER BY id", r -> {
                BigDecimal value = decimal(r, 3);
                if (!METRIC.equals(r.getString(2)) || value == null || value.stripTrailingZeros().scale() > 0
                        || value.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                    problems.add("metric " + r.getLong(1) + " " + r.getString(2) + " = " + plain(value) + " is no unit's");
                    return;
                }
                long n = value.longValueExact();
                trace(n, "analytics_metrics");
                expect(r.getLong(4) == micros(at(n)), "metric of unit " + n + " computed at " + r.getLong(4));
            });
        }

        private void snapshots() throws SQLException {
            each("SELECT taken_at, cash FROM portfolio_snapshots ORDER BY id", r -> {
                long micros = r.getLong(1) - T0_MICROS;
                if (micros <= 0 || micros % MICROS_PER_SECOND != 0) {
                    problems.add("portfolio snapshot at " + r.getLong(1) + " is no unit's");
                    return;
                }
                long n = micros / MICROS_PER_SECOND;
                trace(n, "portfolio_snapshots");
                BigDecimal cash = decimal(r, 2);
                expect(same(cash, BigDecimal.valueOf(n)), "portfolio snapshot of unit " + n + " has cash " + plain(cash));
            });
        }

        private Long unit(Pattern pattern, String text, String where) {
            Matcher m = text == null ? null : pattern.matcher(text);
            if (m == null || !m.matches()) {
                problems.add(where + " is \"" + text + "\", which names no unit");
                return null;
            }
            return Long.parseLong(m.group(1));
        }

        private void trace(long n, String what) {
            traces.computeIfAbsent(n, k -> new TreeMap<>()).merge(what, 1, Integer::sum);
        }

        private void expect(boolean ok, String problem) {
            if (!ok) {
                problems.add(problem);
            }
        }

        private interface RowAction {
            void accept(ResultSet r) throws SQLException;
        }

        private void each(String sql, RowAction action) throws SQLException {
            try (Statement st = c.createStatement(); ResultSet r = st.executeQuery(sql)) {
                while (r.next()) {
                    action.accept(r);
                }
            }
        }
    }

    /** A decimal column read with plain SQL: the BLOB SQLite stores (decision 0009), decoded; null stays null. */
    private static BigDecimal decimal(ResultSet r, int column) throws SQLException {
        return Decimal18.decode(r.getBytes(column));
    }

    /** The same number (a null is no number). */
    private static boolean same(BigDecimal a, BigDecimal b) {
        return a != null && b != null && a.compareTo(b) == 0;
    }

    private static String plain(BigDecimal d) {
        return d == null ? "null" : d.toPlainString();
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * MICROS_PER_SECOND + t.getNano() / 1_000;
    }

    private static String difference(SortedMap<String, Integer> want, SortedMap<String, Integer> found) {
        List<String> parts = new ArrayList<>();
        want.forEach((k, v) -> {
            int got = found.getOrDefault(k, 0);
            if (got != v) {
                parts.add(k + ": " + got + " of " + v);
            }
        });
        found.forEach((k, v) -> {
            if (!want.containsKey(k)) {
                parts.add("unexpected " + k + " x" + v);
            }
        });
        return parts.isEmpty() ? "nothing of it" : String.join("; ", parts);
    }
}
