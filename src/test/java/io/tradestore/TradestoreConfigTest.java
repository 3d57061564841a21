package io.tradestore;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every option fails at the moment it is set, naming the option and its limit. */
class TradestoreConfigTest {
    private final TradestoreConfig base = TradestoreConfig.sqlite(Path.of("data/tradestore.db"));

    @Test
    void defaultsAreSensibleForAnEmbeddedDatabase() {
        assertThat(base.engine()).isEqualTo(TradestoreConfig.Engine.SQLITE);
        assertThat(base.poolSize()).isEqualTo(4);
        assertThat(base.busyTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(base.autoMigrate()).isTrue();
        assertThat(base.retryAttempts()).isEqualTo(5);
        assertThat(base.readOnly()).isFalse();
    }

    @Test
    void optionsOutsideTheirLimitsAreRejectedNamingTheOptionAndTheLimit() {
        assertThatThrownBy(() -> base.withPoolSize(0)).isInstanceOf(ValidationException.class)
                .hasMessage("poolSize: must be between 1 and 64 (was 0)");
        assertThatThrownBy(() -> base.withPoolSize(65)).hasMessageStartingWith("poolSize: must be between 1 and 64");
        assertThatThrownBy(() -> base.withBusyTimeout(Duration.ofMillis(-1)))
                .hasMessageStartingWith("busyTimeout: must be between 0 and PT10M");
        assertThatThrownBy(() -> base.withBusyTimeout(Duration.ofMinutes(11))).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> base.withBusyTimeout(null)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> base.withRetryAttempts(-1)).hasMessageStartingWith("retryAttempts: must be between 0 and 20");
        assertThatThrownBy(() -> base.withRetryAttempts(21)).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> base.withClock(null)).hasMessageStartingWith("clock: must not be null");
        assertThatThrownBy(() -> TradestoreConfig.postgres("jdbc:mysql://x/y", "u", "p"))
                .hasMessageStartingWith("jdbcUrl: must start with jdbc:postgresql:");
        assertThatThrownBy(() -> TradestoreConfig.postgres("jdbc:postgresql://x/y", " ", "p"))
                .hasMessageStartingWith("user: must not be blank");
    }

    @Test
    void withersReturnNewConfigsAndLeaveTheOriginalUntouched() {
        TradestoreConfig changed = base.withPoolSize(8).withRetryAttempts(0).withReadOnly(true)
                .withClock(Clock.systemUTC()).withAutoMigrate(false).withBusyTimeout(Duration.ZERO);
        assertThat(changed.poolSize()).isEqualTo(8);
        assertThat(changed.readOnly()).isTrue();
        assertThat(base.poolSize()).isEqualTo(4);
        assertThat(base.readOnly()).isFalse();
    }

    @Test
    void toStringNeverShowsThePassword() {
        TradestoreConfig pg = TradestoreConfig.postgres("jdbc:postgresql://127.0.0.1:5432/x", "trader", "s3cret-pw");
        assertThat(pg.toString()).contains("trader").doesNotContain("s3cret-pw");
    }
}
