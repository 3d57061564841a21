package io.tradestore.trading;

import io.tradestore.internal.Decimal18;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fees paid in one currency, summed exactly: an order's ({@link OrderDao#fees}), a position's or a day's in another
 * currency than the position's quote currency ({@link PositionPnl}, {@link DailyPnl}). {@code currency} is null for fees recorded
 * before schema release 5, which named no currency (by that release's convention, the symbol's quote currency).
 */
public record FeeTotal(String currency, BigDecimal total) {
    /** Running totals keyed by currency, in the order lists report them: by name, no currency (pre-release 5) first. */
    static Map<String, BigDecimal> byCurrency() {
        return new TreeMap<>(Comparator.nullsFirst(Comparator.naturalOrder()));
    }

    /** {@code totals} (from {@link #byCurrency()}) as the list the DAOs return, each total normalized. */
    static List<FeeTotal> list(Map<String, BigDecimal> totals) {
        List<FeeTotal> out = new ArrayList<>(totals.size());
        totals.forEach((currency, total) -> out.add(new FeeTotal(currency, Decimal18.normalize(total))));
        return out;
    }
}
