package io.tradestore.internal;

import io.tradestore.testing.Props;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/** The hand-written symbol check accepts exactly what its specification, the regex, accepts. */
class CheckTest {
    /** Every class boundary of the rule, and look-alikes a Unicode-aware check would let through. */
    private static final String ALPHABET = "AZaz09._:/-@[`{ \t/\\'\";é٠０ÅΑ\u200b";

    @Test
    void theSymbolCheckAcceptsExactlyWhatTheRegexAccepts() {
        Props.check(5_000, 1_000, lists().of(integers().between(0, ALPHABET.length() - 1)).ofSizeBetween(0, 40), picks -> {
            StringBuilder s = new StringBuilder();
            picks.forEach(i -> s.append(ALPHABET.charAt(i)));
            String symbol = s.toString();
            assertThat(Check.isSymbol(symbol)).as("\"%s\"", symbol).isEqualTo(Check.SYMBOL.matcher(symbol).matches());
        });
        for (String edge : List.of("", "A", "-A", "A-", "BTC/USDT", "ES.FUT", "a".repeat(32), "a".repeat(33), "٠")) {
            assertThat(Check.isSymbol(edge)).as("\"%s\"", edge).isEqualTo(Check.SYMBOL.matcher(edge).matches());
        }
    }
}
