package io.tradestore.internal;

import org.jooq.Binding;
import org.jooq.BindingGetResultSetContext;
import org.jooq.BindingGetSQLInputContext;
import org.jooq.BindingGetStatementContext;
import org.jooq.BindingRegisterContext;
import org.jooq.BindingSQLContext;
import org.jooq.BindingSetSQLOutputContext;
import org.jooq.BindingSetStatementContext;
import org.jooq.Converter;
import org.jooq.SQLDialect;
import org.jooq.conf.ParamType;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Types;

/**
 * jOOQ binding of the exact-decimal columns: one generated class for both engines, each storing DECIMAL(38,18)
 * its own way (decision 0009). The generated type is SQLite's BLOB; on PostgreSQL the column is NUMERIC(38,18)
 * and this binding reads and writes {@link BigDecimal} directly, so the BLOB encoding never reaches it.
 *
 * <p>Like the other converters it is a backstop: the DAOs validate with the column's name before any SQL, and this
 * refuses (never rounds) a value that slipped past them.
 */
public final class DecimalBinding implements Binding<byte[], BigDecimal> {
    private static final long serialVersionUID = 1L;
    private static final Converter<byte[], BigDecimal> CONVERTER =
            Converter.ofNullable(byte[].class, BigDecimal.class, Decimal18::decode, Decimal18::encode);

    @Override
    public Converter<byte[], BigDecimal> converter() {
        return CONVERTER;
    }

    @Override
    public void sql(BindingSQLContext<BigDecimal> ctx) throws SQLException {
        if (ctx.render().paramType() == ParamType.INLINED) {
            BigDecimal v = ctx.value();
            if (v == null) {
                ctx.render().sql("NULL");
            } else if (postgres(ctx.dialect())) {
                ctx.render().sql("CAST('").sql(Decimal18.check("decimal column", v).toPlainString()).sql("' AS NUMERIC(38,18))");
            } else {
                ctx.render().sql("X'").sql(hex(Decimal18.encode(v))).sql("'");
            }
        } else {
            ctx.render().sql(ctx.variable());
        }
    }

    @Override
    public void register(BindingRegisterContext<BigDecimal> ctx) throws SQLException {
        ctx.statement().registerOutParameter(ctx.index(), postgres(ctx.dialect()) ? Types.NUMERIC : Types.BLOB);
    }

    @Override
    public void set(BindingSetStatementContext<BigDecimal> ctx) throws SQLException {
        BigDecimal v = ctx.value();
        boolean pg = postgres(ctx.dialect());
        if (v == null) {
            ctx.statement().setNull(ctx.index(), pg ? Types.NUMERIC : Types.BLOB);
        } else if (pg) {
            ctx.statement().setBigDecimal(ctx.index(), Decimal18.check("decimal column", v));
        } else {
            ctx.statement().setBytes(ctx.index(), Decimal18.encode(v));
        }
    }

    @Override
    public void get(BindingGetResultSetContext<BigDecimal> ctx) throws SQLException {
        ctx.value(read(ctx.resultSet(), ctx.index(), ctx.dialect()));
    }

    /**
     * One decimal column of the current row, as {@link #get(BindingGetResultSetContext)} reads it: for the hot
     * reads that map JDBC rows themselves instead of through jOOQ records (CandlestickDao).
     */
    public static BigDecimal read(ResultSet rs, int index, SQLDialect dialect) throws SQLException {
        return postgres(dialect) ? Decimal18.normalize(rs.getBigDecimal(index)) : Decimal18.decode(rs.getBytes(index));
    }

    @Override
    public void get(BindingGetStatementContext<BigDecimal> ctx) throws SQLException {
        ctx.value(postgres(ctx.dialect())
                ? Decimal18.normalize(ctx.statement().getBigDecimal(ctx.index()))
                : Decimal18.decode(ctx.statement().getBytes(ctx.index())));
    }

    @Override
    public void set(BindingSetSQLOutputContext<BigDecimal> ctx) throws SQLException {
        throw new SQLFeatureNotSupportedException("decimal columns are not used in user-defined types");
    }

    @Override
    public void get(BindingGetSQLInputContext<BigDecimal> ctx) throws SQLException {
        throw new SQLFeatureNotSupportedException("decimal columns are not used in user-defined types");
    }

    private static boolean postgres(SQLDialect dialect) {
        return dialect.family() == SQLDialect.POSTGRES;
    }

    private static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            s.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return s.toString().toUpperCase(java.util.Locale.ROOT);
    }
}
