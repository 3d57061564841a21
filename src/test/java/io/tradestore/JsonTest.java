package io.tradestore;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Json accepts exactly RFC 8259 documents and keeps their text as given. */
class JsonTest {
    @ParameterizedTest
    @ValueSource(strings = {"{}", "[]", "0", "-0.5e+10", "1E-3", "\"x\"", "true", "false", "null",
            " { \"a\" : [1, 2.5, -3e2, {\"b\": null}], \"c\": \"\\u00e9\\n\\\"q\\\"\", \"d\": true } ",
            "[[[[[]]]]]", "{\"emoji\": \"\uD83D\uDE00\", \"ctl\": \"\\u0000\"}", "\t[\r\n1\n]\n"})
    void wellFormedDocumentsAreAcceptedVerbatim(String text) {
        assertThat(Json.of(text).text()).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "[1 2]", "{,}", "01", "-", "1.", "1e",
            "+1", ".5", "'a'", "{a:1}", "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "tru", "nul",
            "[1] [2]", "{\"a\":1}}", "\"tab\tinside\"", "\"\uD800\"", "NaN", "Infinity"})
    void malformedDocumentsAreRefusedWithWhereTheyBreak(String text) {
        assertThatThrownBy(() -> Json.of(text)).isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("json: must be well-formed JSON (");
    }

    @org.junit.jupiter.api.Test
    void deeplyNestedDocumentsDoNotOverflowTheStack() {
        String deep = "[".repeat(200_000) + "]".repeat(200_000);
        assertThat(Json.of(deep).text()).hasSize(400_000);
        assertThatThrownBy(() -> Json.of("[".repeat(200_000))).hasMessageContaining("unexpected end");
    }
}
