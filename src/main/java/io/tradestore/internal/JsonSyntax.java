package io.tradestore.internal;

/**
 * Strict RFC 8259 syntax check, nothing more: tradestore stores JSON as the exact text given and never needs a
 * tree. jOOQ's bundled parser is lenient (it accepts {@code {"a" 1}}, {@code [1 2]}, trailing commas, leading
 * zeros). Iterative, with an explicit stack, so deeply nested input cannot overflow the call stack.
 */
public final class JsonSyntax {
    private final String s;
    private int i;

    private JsonSyntax(String s) {
        this.s = s;
    }

    /** Null if {@code text} is one well-formed JSON value, else what is wrong and where. */
    public static String problem(String text) {
        return new JsonSyntax(text).check();
    }

    private String check() {
        // The stack holds, per open container, '{' or '['.
        StringBuilder stack = new StringBuilder();
        skipSpace();
        boolean expectValue = true;
        while (true) {
            if (expectValue) {
                if (i >= s.length()) {
                    return "unexpected end, expected a value";
                }
                char c = s.charAt(i);
                if (c == '{' || c == '[') {
                    stack.append(c);
                    i++;
                    skipSpace();
                    char close = c == '{' ? '}' : ']';
                    if (i < s.length() && s.charAt(i) == close) {
                        i++;
                        stack.setLength(stack.length() - 1);
                        expectValue = false;
                        continue;
                    }
                    if (c == '{') {
                        String keyProblem = key();
                        if (keyProblem != null) {
                            return keyProblem;
                        }
                    }
                    continue;
                }
                String scalar = scalar();
                if (scalar != null) {
                    return scalar;
                }
                expectValue = false;
                continue;
            }
            skipSpace();
            if (stack.length() == 0) {
                return i == s.length() ? null : "unexpected '" + s.charAt(i) + "' after the value at offset " + i;
            }
            if (i >= s.length()) {
                return "unexpected end, " + stack.length() + " container(s) not closed";
            }
            char open = stack.charAt(stack.length() - 1);
            char c = s.charAt(i);
            if (c == ',') {
                i++;
                skipSpace();
                if (open == '{') {
                    String keyProblem = key();
                    if (keyProblem != null) {
                        return keyProblem;
                    }
                }
                expectValue = true;
            } else if (c == (open == '{' ? '}' : ']')) {
                i++;
                stack.setLength(stack.length() - 1);
            } else {
                return "expected ',' or '" + (open == '{' ? '}' : ']') + "' at offset " + i;
            }
        }
    }

    /** A member name and its colon; leaves the position at the value. */
    private String key() {
        if (i >= s.length() || s.charAt(i) != '"') {
            return "expected a quoted member name at offset " + i;
        }
        String p = string();
        if (p != null) {
            return p;
        }
        skipSpace();
        if (i >= s.length() || s.charAt(i) != ':') {
            return "expected ':' at offset " + i;
        }
        i++;
        skipSpace();
        return null;
    }

    private String scalar() {
        char c = s.charAt(i);
        if (c == '"') {
            return string();
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
        }
        for (String literal : new String[] {"true", "false", "null"}) {
            if (s.startsWith(literal, i)) {
                i += literal.length();
                return null;
            }
        }
        return "unexpected '" + c + "' at offset " + i;
    }

    private String string() {
        int start = i;
        i++;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '"') {
                i++;
                return null;
            }
            if (c < 0x20) {
                return "raw control character in a string at offset " + i + "; escape it";
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return "unpaired surrogate in a string at offset " + i;
                }
                i += 2;
                continue;
            }
            if (Character.isLowSurrogate(c)) {
                return "unpaired surrogate in a string at offset " + i;
            }
            if (c == '\\') {
                if (i + 1 >= s.length()) {
                    break;
                }
                char e = s.charAt(i + 1);
                if (e == 'u') {
                    if (i + 6 > s.length() || !s.substring(i + 2, i + 6).matches("[0-9a-fA-F]{4}")) {
                        return "bad \\u escape at offset " + i;
                    }
                    i += 6;
                    continue;
                }
                if ("\"\\/bfnrt".indexOf(e) < 0) {
                    return "bad escape \\" + e + " at offset " + i;
                }
                i += 2;
                continue;
            }
            i++;
        }
        return "unterminated string starting at offset " + start;
    }

    private String number() {
        int start = i;
        if (s.charAt(i) == '-') {
            i++;
        }
        if (i >= s.length() || !digit(s.charAt(i))) {
            return "bad number at offset " + start;
        }
        if (s.charAt(i) == '0') {
            i++;
            if (i < s.length() && digit(s.charAt(i))) {
                return "leading zero in a number at offset " + start;
            }
        } else {
            while (i < s.length() && digit(s.charAt(i))) {
                i++;
            }
        }
        if (i < s.length() && s.charAt(i) == '.') {
            i++;
            if (i >= s.length() || !digit(s.charAt(i))) {
                return "bad fraction in a number at offset " + start;
            }
            while (i < s.length() && digit(s.charAt(i))) {
                i++;
            }
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            if (i >= s.length() || !digit(s.charAt(i))) {
                return "bad exponent in a number at offset " + start;
            }
            while (i < s.length() && digit(s.charAt(i))) {
                i++;
            }
        }
        return null;
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private void skipSpace() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            i++;
        }
    }
}
