package io.tradestore.internal.copy;

/** A column the copy carries: its name (the same on both engines) and kind. */
record Column(String name, ColumnType type) {
    String quoted() {
        return '"' + name + '"';
    }
}
