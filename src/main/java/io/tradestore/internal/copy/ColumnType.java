package io.tradestore.internal.copy;

import java.util.Locale;

/**
 * The kinds of column tradestore's schema uses, as each engine stores them (decisions 0003 and 0009). Anything else
 * is a column the copy does not know how to carry exactly, and it refuses the schema rather than guess.
 */
enum ColumnType {
    /** DECIMAL(38,18): tradestore's order-preserving BLOB on SQLite, NUMERIC(38,18) on PostgreSQL. */
    DECIMAL("BLOB", "numeric"),
    /** Ids, microsecond timestamps, counts, versions: INTEGER or BIGINT on both. */
    INTEGER("INTEGER|BIGINT", "bigint|integer|smallint"),
    /** 0 or 1 on SQLite, boolean on PostgreSQL. */
    BOOLEAN("BOOLEAN", "boolean"),
    /** Enum names, identifiers, free text and JSON. */
    TEXT("TEXT", "text");

    private final String sqliteTypes;
    private final String postgresTypes;

    ColumnType(String sqliteTypes, String postgresTypes) {
        this.sqliteTypes = sqliteTypes;
        this.postgresTypes = postgresTypes;
    }

    /** The type of a PostgreSQL column by its type name ({@code regtype}), or null if the copy has none for it. */
    static ColumnType ofPostgres(String typeName) {
        for (ColumnType t : values()) {
            if (typeName.matches(t.postgresTypes)) {
                return t;
            }
        }
        return null;
    }

    /** Whether a SQLite column declared {@code declared} stores this type. */
    boolean matchesSqlite(String declared) {
        return declared.toUpperCase(Locale.ROOT).matches(sqliteTypes);
    }

    String sqliteTypes() {
        return sqliteTypes.replace("|", " or ");
    }
}
