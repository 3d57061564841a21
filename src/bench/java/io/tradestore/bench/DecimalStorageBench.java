package io.tradestore.bench;

import io.tradestore.internal.Decimal18;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Issue 8: which SQLite storage for DECIMAL(38,18) values? The same three cases for every candidate of
 * {@link Storage}, with raw JDBC on sqlite-jdbc, production's PRAGMAs and production's transaction style (writes
 * in {@code BEGIN IMMEDIATE ... COMMIT} on an auto-commit writer connection, reads in {@code BEGIN ... COMMIT} on
 * a read-only connection). Encoding and decoding the BigDecimals is part of every measured operation, as it is
 * in the application. Results and the command: docs/benchmarks/decimal-storage.md.
 *
 * <ul>
 *   <li>{@code upsert}: one transaction upserting 10,000 one-minute candles ({@code INSERT ... ON CONFLICT DO
 *   UPDATE}); each transaction starts 5,000 minutes after the previous one, so half its rows update candles the
 *   previous one wrote (with new values) and half insert new ones; the table starts empty every iteration.
 *   Reported in rows per second.</li>
 *   <li>{@code rangeQuery}: 1,000 consecutive candles at a random place in a series of 1,000,000, each mapped to
 *   a {@link Candle} with 5 BigDecimals. Microseconds per query.</li>
 *   <li>{@code pointLookup}: one candle of that series by its key. Microseconds per lookup.</li>
 *   <li>{@code encodeOnly}, {@code decodeOnly}: the codec alone, no SQLite, on the 5,000 values of 1,000 candles.
 *   Microseconds per 1,000 candles, to set beside {@code rangeQuery}.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 2)
public class DecimalStorageBench {
    static final int UPSERT_ROWS = 10_000;
    static final int UPSERT_STEP = 5_000;
    static final int RANGE_ROWS = 1_000;

    /** What a query maps each row into. */
    public record Candle(long openTime, BigDecimal open, BigDecimal high, BigDecimal low, BigDecimal close,
                         BigDecimal volume) {
    }

    /** The 1,000,000-candle series, built once per trial, and a read-only connection to it. */
    @State(Scope.Benchmark)
    public static class Series {
        @Param({"fixed8", "blob16", "dec18", "instrumentScale"})
        public String storage;
        /** Length of the series; {@code -p seriesRows=100000} for a quick try. */
        @Param("1000000")
        public int seriesRows;

        Path dir;
        Connection writer;
        Connection reader;
        Map<String, Storage.Codecs> codecs;
        PreparedStatement begin;
        PreparedStatement commit;
        PreparedStatement range;
        PreparedStatement point;
        int[] rangeStarts;
        int[] pointIndexes;
        int next;

        @Setup(Level.Trial)
        public void setUp() throws SQLException, IOException {
            Blob16.selfCheck(8, 20_000);
            Storage s = Storage.of(storage);
            BenchData data = BenchData.load();
            dir = Files.createTempDirectory("decimal-storage-bench-");
            Path file = dir.resolve(s.id + ".db");
            long t0 = System.nanoTime();
            writer = Storage.openWriter(file);
            s.createSchema(writer);
            Storage.load(writer, s.loadCodecs(writer), data, 0, seriesRows, 100_000);
            try (Statement st = writer.createStatement()) {
                st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            System.out.printf("%n[setup] %s: %,d candles loaded in %.1f s (%,d bytes)%n", s.id, seriesRows,
                    (System.nanoTime() - t0) / 1e9, Files.size(file));

            reader = Storage.openReader(file);
            codecs = s.loadCodecs(reader);
            begin = reader.prepareStatement("BEGIN");
            commit = reader.prepareStatement("COMMIT");
            range = reader.prepareStatement(Storage.RANGE);
            point = reader.prepareStatement(Storage.POINT);

            SplittableRandom rnd = new SplittableRandom(42);
            rangeStarts = rnd.ints(8192, 0, seriesRows - RANGE_ROWS + 1).toArray();
            pointIndexes = rnd.ints(8192, 0, seriesRows).toArray();
            verify(data);
        }

        /** The rows read back are the rows written, digit for digit (numerically for the unnormalized storages). */
        private void verify(BenchData data) throws SQLException {
            for (int start : new int[]{0, seriesRows - RANGE_ROWS, rangeStarts[0]}) {
                List<Candle> rows = rangeQuery(this, start);
                if (rows.size() != RANGE_ROWS) {
                    throw new IllegalStateException("range query returned " + rows.size() + " rows");
                }
                for (int i = 0; i < rows.size(); i++) {
                    Candle c = rows.get(i);
                    BenchData.Values v = data.values(start + i);
                    if (c.openTime() != BenchData.openTime(start + i) || c.open().compareTo(v.open()) != 0
                            || c.high().compareTo(v.high()) != 0 || c.low().compareTo(v.low()) != 0
                            || c.close().compareTo(v.close()) != 0 || c.volume().compareTo(v.volume()) != 0) {
                        throw new IllegalStateException(storage + ": row " + (start + i) + " reads back as " + c
                                + ", written " + v);
                    }
                }
            }
            if (pointLookup(this, pointIndexes[0]) == null) {
                throw new IllegalStateException("point lookup found nothing");
            }
        }

        int nextSlot() {
            return next++ & 8191;
        }

        @TearDown(Level.Trial)
        public void tearDown() throws SQLException, IOException {
            closeQuietly(begin, commit, range, point);
            if (reader != null) {
                reader.close();
            }
            if (writer != null) {
                writer.close();
            }
            deleteTree(dir);
        }
    }

    /** A fresh database with an empty candle table every iteration, and its writer connection. */
    @State(Scope.Benchmark)
    public static class Upsert {
        @Param({"fixed8", "blob16", "dec18", "instrumentScale"})
        public String storage;
        /**
         * Whether instrumentScale's candles reference its instruments table (no effect on the other storages):
         * {@code -p instrumentFk=true,false} measures what the foreign key costs.
         */
        @Param("true")
        public boolean instrumentFk;
        /**
         * Whether each decimal column also has a CHECK on its kind of value, as release 4's tables have for dec18
         * ({@link Storage#candlesDdl(boolean, boolean)}): {@code -p storageCheck=false,true} measures its cost.
         */
        @Param("false")
        public boolean storageCheck;

        Storage s;
        Path dir;
        Connection writer;
        Map<String, Storage.Codecs> codecs;
        BenchData.Values[] pool;
        PreparedStatement begin;
        PreparedStatement commit;
        PreparedStatement rollback;
        PreparedStatement upsert;
        long op;

        @Setup(Level.Trial)
        public void setUp() throws SQLException, IOException {
            Blob16.selfCheck(8, 20_000);
            s = Storage.of(storage);
            BenchData data = BenchData.load();
            // Two replicas: the real candles and one perturbed copy (volumes with 8 decimals).
            pool = new BenchData.Values[2 * data.realCount()];
            for (int i = 0; i < pool.length; i++) {
                pool[i] = data.values(i);
            }
            dir = Files.createTempDirectory("decimal-storage-bench-");
            writer = Storage.openWriter(dir.resolve(s.id + ".db"));
            s.createSchema(writer);
            codecs = s.loadCodecs(writer);
            begin = writer.prepareStatement("BEGIN IMMEDIATE");
            commit = writer.prepareStatement("COMMIT");
            rollback = writer.prepareStatement("ROLLBACK");
        }

        @Setup(Level.Iteration)
        public void emptyTable() throws SQLException {
            closeQuietly(upsert);
            try (Statement st = writer.createStatement()) {
                st.execute("DROP TABLE IF EXISTS candles");
                st.execute(s.candlesDdl(instrumentFk, storageCheck));
                st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            upsert = writer.prepareStatement(Storage.UPSERT);
            op = 0;
        }

        @TearDown(Level.Trial)
        public void tearDown() throws SQLException, IOException {
            closeQuietly(begin, commit, rollback, upsert);
            if (writer != null) {
                writer.close();
            }
            deleteTree(dir);
        }
    }

    /**
     * The codecs alone, without SQLite or JDBC: the 5,000 values of 1,000 candles (rows 60,480 to 61,479 of the
     * series: perturbed, volumes with 8 decimals), to tell codec time from driver time in the other cases.
     */
    @State(Scope.Benchmark)
    public static class CodecState {
        @Param({"fixed8", "blob16", "dec18", "instrumentScale"})
        public String storage;

        Storage s;
        int priceScale;
        int quantityScale;
        BigDecimal[] values;
        long[] units;
        byte[][] blobs;

        @Setup(Level.Trial)
        public void setUp() {
            Blob16.selfCheck(8, 20_000);
            s = Storage.of(storage);
            BenchData data = BenchData.load();
            // instrumentScale's scales for BTCUSDT, as loadCodecs would cache them
            priceScale = (Integer) Storage.INSTRUMENTS.get(0)[1];
            quantityScale = (Integer) Storage.INSTRUMENTS.get(0)[2];
            values = new BigDecimal[5 * RANGE_ROWS];
            for (int i = 0; i < RANGE_ROWS; i++) {
                BenchData.Values v = data.values(data.realCount() + i);
                values[5 * i] = v.open();
                values[5 * i + 1] = v.high();
                values[5 * i + 2] = v.low();
                values[5 * i + 3] = v.close();
                values[5 * i + 4] = v.volume();
            }
            units = encodeUnits(this);
            blobs = encodeBlobs(this);
        }
    }

    /** Encodes the 5,000 values of 1,000 candles. */
    @Benchmark
    public Object encodeOnly(CodecState v) {
        return v.s == Storage.FIXED8 || v.s == Storage.INSTRUMENT_SCALE ? encodeUnits(v) : encodeBlobs(v);
    }

    /** Decodes the 5,000 values of 1,000 candles. */
    @Benchmark
    public BigDecimal[] decodeOnly(CodecState v) {
        BigDecimal[] out = new BigDecimal[v.values.length];
        switch (v.s) {
            case FIXED8:
                for (int i = 0; i < out.length; i++) {
                    out[i] = Storage.fromUnits(v.units[i], 8);
                }
                break;
            case INSTRUMENT_SCALE:
                for (int i = 0; i < out.length; i++) {
                    out[i] = Storage.fromUnits(v.units[i], i % 5 == 4 ? v.quantityScale : v.priceScale);
                }
                break;
            case BLOB16:
                for (int i = 0; i < out.length; i++) {
                    out[i] = Blob16.decode(v.blobs[i]);
                }
                break;
            default:
                for (int i = 0; i < out.length; i++) {
                    out[i] = Decimal18.decode(v.blobs[i]);
                }
        }
        return out;
    }

    static long[] encodeUnits(CodecState v) {
        long[] out = new long[v.values.length];
        if (v.s == Storage.FIXED8) {
            for (int i = 0; i < out.length; i++) {
                out[i] = Storage.toUnits(v.values[i], 8);
            }
        } else if (v.s == Storage.INSTRUMENT_SCALE) {
            for (int i = 0; i < out.length; i++) {
                out[i] = Storage.toUnits(v.values[i], i % 5 == 4 ? v.quantityScale : v.priceScale);
            }
        }
        return out;
    }

    static byte[][] encodeBlobs(CodecState v) {
        byte[][] out = new byte[v.values.length][];
        if (v.s == Storage.BLOB16) {
            for (int i = 0; i < out.length; i++) {
                out[i] = Blob16.encode(v.values[i]);
            }
        } else if (v.s == Storage.DEC18) {
            for (int i = 0; i < out.length; i++) {
                out[i] = Decimal18.encode(v.values[i]);
            }
        }
        return out;
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(UPSERT_ROWS)
    public int upsert(Upsert u) throws SQLException {
        long first = u.op * UPSERT_STEP;
        long shift = u.op++; // a row written again gets the values of the next candle in the pool
        u.begin.execute();
        boolean committed = false;
        try {
            Storage.Codecs c = u.codecs.get(BenchData.SYMBOL);
            PreparedStatement ps = u.upsert;
            for (int i = 0; i < UPSERT_ROWS; i++) {
                long index = first + i;
                Storage.addUpsert(ps, c, BenchData.SYMBOL, BenchData.openTime(index),
                        u.pool[(int) ((index + shift) % u.pool.length)]);
            }
            int n = ps.executeBatch().length;
            u.commit.execute();
            committed = true;
            return n;
        } finally {
            if (!committed) {
                u.rollback.execute();
            }
        }
    }

    @Benchmark
    public List<Candle> rangeQuery(Series s) throws SQLException {
        return rangeQuery(s, s.rangeStarts[s.nextSlot()]);
    }

    @Benchmark
    public Candle pointLookup(Series s) throws SQLException {
        return pointLookup(s, s.pointIndexes[s.nextSlot()]);
    }

    static List<Candle> rangeQuery(Series s, int start) throws SQLException {
        s.begin.execute();
        try {
            Storage.Codecs c = s.codecs.get(BenchData.SYMBOL); // the instrument's scales: once per query
            PreparedStatement ps = s.range;
            ps.setString(1, BenchData.SYMBOL);
            ps.setString(2, BenchData.TIMEFRAME);
            ps.setLong(3, BenchData.openTime(start));
            ps.setLong(4, BenchData.openTime(start + RANGE_ROWS));
            List<Candle> out = new ArrayList<>(RANGE_ROWS);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(candle(rs, c));
                }
            }
            return out;
        } finally {
            s.commit.execute();
        }
    }

    static Candle pointLookup(Series s, int index) throws SQLException {
        s.begin.execute();
        try {
            Storage.Codecs c = s.codecs.get(BenchData.SYMBOL);
            PreparedStatement ps = s.point;
            ps.setString(1, BenchData.SYMBOL);
            ps.setString(2, BenchData.TIMEFRAME);
            ps.setLong(3, BenchData.openTime(index));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? candle(rs, c) : null;
            }
        } finally {
            s.commit.execute();
        }
    }

    private static Candle candle(ResultSet rs, Storage.Codecs c) throws SQLException {
        Storage.Codec price = c.price();
        return new Candle(rs.getLong(1), price.read(rs, 2), price.read(rs, 3), price.read(rs, 4), price.read(rs, 5),
                c.quantity().read(rs, 6));
    }

    static void closeQuietly(Statement... statements) {
        for (Statement st : statements) {
            if (st != null) {
                try {
                    st.close();
                } catch (SQLException ignored) {
                    // closing; nothing to do
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
