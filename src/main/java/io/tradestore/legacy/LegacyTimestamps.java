package io.tradestore.legacy;

import io.tradestore.ValidationException;
import io.tradestore.internal.Check;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.chrono.IsoChronology;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.regex.Pattern;

/**
 * How a legacy DATETIME text becomes a UTC {@link Instant} (issue 12). The old code wrote timestamps with Python's
 * sqlite3: {@code CURRENT_TIMESTAMP} ({@code 2023-03-01 14:05:09}, UTC by SQLite's definition), and
 * {@code str(datetime)} / {@code isoformat()} ({@code 2023-03-01 14:05:09.123456}, {@code 2023-03-01T14:05:09},
 * with an offset when the datetime was aware: {@code +00:00}, {@code +10:00}, {@code Z}), and plain dates. Every
 * one of those is recognised; nothing else is guessed. A text without an offset is <em>naive</em> and is read in
 * {@code zone} (the consolidation's {@code --zone}, default UTC); the result says whether it was, so the report
 * can count them. Fractions beyond microseconds are refused rather than cut (the store keeps whole microseconds).
 */
public final class LegacyTimestamps {
    /** The shapes the old code wrote; anything else is refused, not guessed. */
    private static final Pattern SHAPE = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:?\\d{2})?)?");
    /** The same, once the date-time separator is a space. */
    private static final DateTimeFormatter FORMAT = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart()
            .appendLiteral(' ')
            .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
            .optionalStart().appendLiteral(':').appendValue(ChronoField.SECOND_OF_MINUTE, 2).optionalEnd()
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .optionalEnd()
            .toFormatter()
            .withResolverStyle(ResolverStyle.STRICT)
            .withChronology(IsoChronology.INSTANCE);

    private static final String RULE = "must be a timestamp (YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][+HH:MM])";

    private LegacyTimestamps() {
    }

    /** The instant, and whether the text was naive (read in the given zone). */
    public record Parsed(Instant instant, boolean naive) {
    }

    /**
     * @throws ValidationException naming {@code field} if the text is none of the recognised forms, has a date
     *                             with no time but a separator, or has digits below the microsecond
     */
    public static Parsed parse(String field, String text, ZoneId zone) {
        Check.notNull("zone", zone);
        String t = text == null ? "" : text.strip();
        if (!SHAPE.matcher(t).matches()) {
            throw new ValidationException(field, RULE, text);
        }
        try {
            var accessor = FORMAT.parse(t.length() > 10 ? t.substring(0, 10) + ' ' + t.substring(11) : t);
            Instant instant;
            boolean naive = !accessor.isSupported(ChronoField.OFFSET_SECONDS);
            boolean hasTime = accessor.isSupported(ChronoField.HOUR_OF_DAY);
            if (!naive) {
                instant = OffsetDateTime.from(accessor).toInstant();
            } else {
                LocalDateTime local = hasTime ? LocalDateTime.from(accessor) : LocalDate.from(accessor).atStartOfDay();
                List<ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
                if (offsets.isEmpty()) {
                    // A clock in that zone never showed it (the hour skipped when DST starts): not shifted silently.
                    throw new ValidationException(field, "does not exist in " + zone + " (a daylight-saving gap);"
                            + " is --zone the zone the old code's clock ran in?", text);
                }
                // In the hour shown twice when DST ends, the earlier of the two (documented in docs/consolidation.md).
                instant = local.toInstant(offsets.get(0));
            }
            if (instant.getNano() % 1_000 != 0) {
                throw new ValidationException(field, "must not be finer than a microsecond (the store keeps whole"
                        + " microseconds; nothing is cut)", text);
            }
            return new Parsed(instant, naive);
        } catch (DateTimeException e) {
            throw new ValidationException(field, RULE + ": " + e.getMessage(), text);
        }
    }
}
