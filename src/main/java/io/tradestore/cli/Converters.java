package io.tradestore.cli;

import io.tradestore.ValidationException;
import io.tradestore.market.CandleCsv;
import io.tradestore.market.Timeframe;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** picocli converters for the candle commands: a wrong value is a usage error (exit 2) naming the rule. */
final class Converters {
    private Converters() {
    }

    static final class TimeframeCode implements ITypeConverter<Timeframe> {
        @Override
        public Timeframe convert(String value) {
            try {
                return Timeframe.fromCode(value);
            } catch (ValidationException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class TimeFormatCode implements ITypeConverter<CandleCsv.TimeFormat> {
        @Override
        public CandleCsv.TimeFormat convert(String value) {
            try {
                return CandleCsv.TimeFormat.fromCode(value);
            } catch (ValidationException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code 2023-03-01T12:00:00Z} or a day, {@code 2023-03-01}, meaning its start (UTC). */
    static final class Time implements ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return value.length() == 10 ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
                        : Instant.parse(value);
            } catch (DateTimeParseException e) {
                throw new TypeConversionException("'" + value + "' is not a UTC time like 2023-03-01T12:00:00Z or a"
                        + " day like 2023-03-01");
            }
        }
    }
}
