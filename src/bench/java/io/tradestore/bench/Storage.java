package io.tradestore.bench;

import io.tradestore.internal.Decimal18;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The candidate SQLite storages for a DECIMAL(38,18) value, with raw-JDBC codecs, the candle table each one
 * needs, and connections set up as {@code io.tradestore.internal.SqliteEngine} sets up production's.
 */
public enum Storage {
    /** Today's storage: BIGINT holding value x 10^8. */
    FIXED8("fixed8", "BIGINT", "0"),
    /** 16-byte BLOB: 128-bit two's complement of value x 10^18, sign bit flipped ({@link Blob16}). */
    BLOB16("blob16", "BLOB", "X'80000000000000000000000000000000'"),
    /** Variable-length order-preserving decimal BLOB ({@link Decimal18}). */
    DEC18("dec18", "BLOB", "X'80'"),
    /** BIGINT in the instrument's own units: price and quantity scales per symbol in table instruments. */
    INSTRUMENT_SCALE("instrumentScale", "BIGINT", "0");

    /** The {@code @Param} values, in this order. */
    public static final String NAMES = "fixed8,blob16,dec18,instrumentScale";

    /** Instruments of the sample data: exchanges publish BTC prices with 2 decimals, quantities with 8. */
    static final List<Object[]> INSTRUMENTS = List.of(new Object[]{"BTCUSDT", 2, 8}, new Object[]{"BTCUSD", 2, 8});

    public final String id;
    final String columnType;
    final String zero;

    Storage(String id, String columnType, String zero) {
        this.id = id;
        this.columnType = columnType;
        this.zero = zero;
    }

    public static Storage of(String id) {
        for (Storage s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown storage " + id + "; one of " + NAMES);
    }

    // ---------------------------------------------------------------------------------------------- codecs

    /** Binds and reads one decimal column. */
    public interface Codec {
        void bind(PreparedStatement ps, int index, BigDecimal value) throws SQLException;

        BigDecimal read(ResultSet rs, int index) throws SQLException;
    }

    /** The codecs of one instrument's columns: prices (open, high, low, close) and the quantity (volume). */
    public record Codecs(Codec price, Codec quantity) {
    }

    /** Fixed8 and instrumentScale: the value in units of 10^-scale; more decimals or out of range throws. */
    static long toUnits(BigDecimal value, int scale) {
        return value.setScale(scale, RoundingMode.UNNECESSARY).unscaledValue().longValueExact();
    }

    static BigDecimal fromUnits(long units, int scale) {
        return BigDecimal.valueOf(units, scale);
    }

    static final Codec FIXED8_CODEC = new Codec() {
        @Override
        public void bind(PreparedStatement ps, int index, BigDecimal value) throws SQLException {
            ps.setLong(index, toUnits(value, 8));
        }

        @Override
        public BigDecimal read(ResultSet rs, int index) throws SQLException {
            return fromUnits(rs.getLong(index), 8);
        }
    };

    static final Codec BLOB16_CODEC = new Codec() {
        @Override
        public void bind(PreparedStatement ps, int index, BigDecimal value) throws SQLException {
            ps.setBytes(index, Blob16.encode(value));
        }

        @Override
        public BigDecimal read(ResultSet rs, int index) throws SQLException {
            return Blob16.decode(rs.getBytes(index));
        }
    };

    static final Codec DEC18_CODEC = new Codec() {
        @Override
        public void bind(PreparedStatement ps, int index, BigDecimal value) throws SQLException {
            ps.setBytes(index, Decimal18.encode(value));
        }

        @Override
        public BigDecimal read(ResultSet rs, int index) throws SQLException {
            return Decimal18.decode(rs.getBytes(index));
        }
    };

    /** BIGINT in units of 10^-scale; one instance per scale, made when the instruments are loaded. */
    static final class ScaledCodec implements Codec {
        private final int scale;

        ScaledCodec(int scale) {
            this.scale = scale;
        }

        int scale() {
            return scale;
        }

        @Override
        public void bind(PreparedStatement ps, int index, BigDecimal value) throws SQLException {
            ps.setLong(index, toUnits(value, scale));
        }

        @Override
        public BigDecimal read(ResultSet rs, int index) throws SQLException {
            return fromUnits(rs.getLong(index), scale);
        }
    }

    /**
     * The codecs by symbol, as the application caches them: for {@link #INSTRUMENT_SCALE} read once from table
     * instruments, for the other storages the same codec for every symbol and column.
     */
    Map<String, Codecs> loadCodecs(Connection c) throws SQLException {
        Map<String, Codecs> bySymbol = new HashMap<>();
        if (this == INSTRUMENT_SCALE) {
            Map<Integer, Codec> byScale = new HashMap<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT symbol, price_scale, quantity_scale FROM instruments")) {
                while (rs.next()) {
                    bySymbol.put(rs.getString(1), new Codecs(byScale.computeIfAbsent(rs.getInt(2), ScaledCodec::new),
                            byScale.computeIfAbsent(rs.getInt(3), ScaledCodec::new)));
                }
            }
        } else {
            Codec codec = this == FIXED8 ? FIXED8_CODEC : this == BLOB16 ? BLOB16_CODEC : DEC18_CODEC;
            for (Object[] instrument : INSTRUMENTS) {
                bySymbol.put((String) instrument[0], new Codecs(codec, codec));
            }
        }
        return bySymbol;
    }

    // ------------------------------------------------------------------------------------------------ schema

    /**
     * The production candle table (db-changelog/market/001-candlesticks.yaml) with this storage's column type and
     * zero literal in its CHECKs; for {@link #INSTRUMENT_SCALE} also the instruments table it needs, which the
     * candles reference (a row whose scale is unknown could not be read).
     */
    void createSchema(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            if (this == INSTRUMENT_SCALE) {
                st.execute("CREATE TABLE instruments (\n"
                        + "  symbol         TEXT    NOT NULL PRIMARY KEY,\n"
                        + "  price_scale    INTEGER NOT NULL CHECK (price_scale BETWEEN 0 AND 18),\n"
                        + "  quantity_scale INTEGER NOT NULL CHECK (quantity_scale BETWEEN 0 AND 18)\n"
                        + ") WITHOUT ROWID");
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO instruments VALUES (?, ?, ?)")) {
                    for (Object[] i : INSTRUMENTS) {
                        ps.setString(1, (String) i[0]);
                        ps.setInt(2, (Integer) i[1]);
                        ps.setInt(3, (Integer) i[2]);
                        ps.executeUpdate();
                    }
                }
            }
            st.execute(candlesDdl());
        }
    }

    String candlesDdl() {
        return candlesDdl(true, false);
    }

    /**
     * {@code CREATE TABLE candles}. For {@link #INSTRUMENT_SCALE} symbol references instruments if
     * {@code instrumentFk} (false only to measure what that foreign key costs). With {@code storageCheck} each
     * decimal column also gets a CHECK that it holds this storage's kind of value, as release 4's tables do for
     * dec18 (ck_candlesticks_decimal_storage in db-changelog/meta/release-4.yaml): dec18 exactly that, blob16 a
     * 16-byte BLOB, the BIGINT storages an integer.
     */
    String candlesDdl(boolean instrumentFk, boolean storageCheck) {
        String t = columnType;
        String symbolRef = this == INSTRUMENT_SCALE && instrumentFk ? " REFERENCES instruments (symbol)" : "";
        StringBuilder guard = new StringBuilder();
        if (storageCheck) {
            for (String c : new String[]{"open", "high", "low", "close", "volume"}) {
                guard.append(guard.length() == 0 ? ",\n  CHECK (" : " AND ").append(switch (this) {
                    case DEC18 -> c + " >= X'6B' AND " + c + " < X'94A0' AND length(" + c + ") <= 21";
                    case BLOB16 -> c + " >= X'' AND length(" + c + ") = 16"; // numbers and text sort below BLOBs
                    default -> "typeof(" + c + ") = 'integer'";
                });
            }
            guard.append(")");
        }
        return "CREATE TABLE candles (\n"
                + "  symbol     TEXT    NOT NULL" + symbolRef + ",\n"
                + "  timeframe  TEXT    NOT NULL,\n"
                + "  open_time  BIGINT  NOT NULL,\n"
                + "  open       " + t + " NOT NULL,\n"
                + "  high       " + t + " NOT NULL,\n"
                + "  low        " + t + " NOT NULL,\n"
                + "  close      " + t + " NOT NULL,\n"
                + "  volume     " + t + " NOT NULL,\n"
                + "  PRIMARY KEY (symbol, timeframe, open_time),\n"
                + "  CHECK (length(symbol) BETWEEN 1 AND 32),\n"
                + "  CHECK (timeframe IN ('1m', '5m', '15m', '1h', '4h', '1d')),\n"
                + "  CHECK (open_time BETWEEN 0 AND 253402300799999999 AND open_time % (CASE timeframe\n"
                + "    WHEN '1m' THEN 60000000 WHEN '5m' THEN 300000000 WHEN '15m' THEN 900000000\n"
                + "    WHEN '1h' THEN 3600000000 WHEN '4h' THEN 14400000000 ELSE 86400000000 END) = 0),\n"
                + "  CHECK (low > " + zero + " AND high >= open AND high >= close AND high >= low\n"
                + "    AND low <= open AND low <= close),\n"
                + "  CHECK (volume >= " + zero + ")" + guard + "\n"
                + ") WITHOUT ROWID";
    }

    static final String UPSERT = "INSERT INTO candles (symbol, timeframe, open_time, open, high, low, close, volume)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (symbol, timeframe, open_time) DO UPDATE SET open = excluded.open, high = excluded.high,"
            + " low = excluded.low, close = excluded.close, volume = excluded.volume";
    static final String RANGE = "SELECT open_time, open, high, low, close, volume FROM candles"
            + " WHERE symbol = ? AND timeframe = ? AND open_time >= ? AND open_time < ? ORDER BY open_time";
    static final String POINT = "SELECT open_time, open, high, low, close, volume FROM candles"
            + " WHERE symbol = ? AND timeframe = ? AND open_time = ?";

    /** Binds one upsert row (its 8 parameters) and adds it to the statement's batch. */
    static void addUpsert(PreparedStatement ps, Codecs codecs, String symbol, long openTime, BenchData.Values v)
            throws SQLException {
        ps.setString(1, symbol);
        ps.setString(2, BenchData.TIMEFRAME);
        ps.setLong(3, openTime);
        codecs.price().bind(ps, 4, v.open());
        codecs.price().bind(ps, 5, v.high());
        codecs.price().bind(ps, 6, v.low());
        codecs.price().bind(ps, 7, v.close());
        codecs.quantity().bind(ps, 8, v.volume());
        ps.addBatch();
    }

    /** Appends rows [from, to) of the generated series in transactions of {@code perTransaction} rows. */
    static void load(Connection writer, Map<String, Codecs> codecs, BenchData data, long from, long to,
                     int perTransaction) throws SQLException {
        Codecs c = codecs.get(BenchData.SYMBOL);
        try (PreparedStatement ps = writer.prepareStatement(UPSERT); Statement st = writer.createStatement()) {
            for (long start = from; start < to; start += perTransaction) {
                long end = Math.min(to, start + perTransaction);
                st.execute("BEGIN IMMEDIATE");
                boolean ok = false;
                try {
                    for (long i = start; i < end; i++) {
                        addUpsert(ps, c, BenchData.SYMBOL, BenchData.openTime(i), data.values(i));
                    }
                    ps.executeBatch();
                    st.execute("COMMIT");
                    ok = true;
                } finally {
                    if (!ok) {
                        st.execute("ROLLBACK");
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------- connections

    static final int CACHE_SIZE_KIB = -16_384;
    static final long MMAP_SIZE = 268_435_456L;
    static final int JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

    /** Production's writer: WAL, synchronous=NORMAL, auto-commit; transactions by explicit BEGIN IMMEDIATE. */
    static Connection openWriter(Path file) throws SQLException {
        SQLiteConfig c = common();
        c.setJournalMode(SQLiteConfig.JournalMode.WAL);
        c.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        c.setJournalSizeLimit(JOURNAL_SIZE_LIMIT);
        return open(c, file);
    }

    /** Production's reader: SQLITE_OPEN_READONLY, auto-commit; transactions by explicit BEGIN. */
    static Connection openReader(Path file) throws SQLException {
        SQLiteConfig c = common();
        c.setReadOnly(true);
        return open(c, file);
    }

    private static SQLiteConfig common() {
        SQLiteConfig c = new SQLiteConfig();
        c.enforceForeignKeys(true);
        c.setBusyTimeout(5_000);
        c.setTempStore(SQLiteConfig.TempStore.MEMORY);
        c.setCacheSize(CACHE_SIZE_KIB);
        c.setPragma(SQLiteConfig.Pragma.MMAP_SIZE, Long.toString(MMAP_SIZE));
        c.setGetGeneratedKeys(false);
        return c;
    }

    private static Connection open(SQLiteConfig config, Path file) throws SQLException {
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl("jdbc:sqlite:" + file.toAbsolutePath());
        Connection c = source.getConnection();
        c.setAutoCommit(true);
        return c;
    }
}
