package io.tradestore.testing;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.quicktheories.generators.SourceDSL.integers;

/** What every property relies on: a failure names its seed and the command that replays it, and replay works. */
class PropsTest {
    @AfterEach
    void clearProperties() {
        System.clearProperty(Props.SEED);
        System.clearProperty(Props.SOAK);
        System.clearProperty(Props.SOAK_FACTOR);
    }

    @Test
    void aFalsifiedPropertyPrintsItsSeedAndTheCommandThatReplaysIt() {
        AssertionError first = falsify();
        String seed = first.getMessage().replaceAll("(?s).*Seed: -Dtradestore\\.seed=(-?\\d+).*", "$1");
        assertThat(first).hasMessageContaining("Smallest counterexample:")
                .hasMessageContaining("Replay: mvn verify -Dtest='PropsTest#aFalsifiedPropertyPrintsItsSeedAndTheCommandThatReplaysIt'"
                        + " -Dtradestore.seed=" + seed);

        System.setProperty(Props.SEED, seed);
        AssertionError replayed = falsify();
        assertThat(replayed.getMessage()).as("the replay with the printed seed").isEqualTo(first.getMessage());
    }

    @Test
    void soakRunsMultiplyTheTriesAndSayHowInTheReplayCommand() {
        assertThat(Props.tries(50)).isEqualTo(50);
        System.setProperty(Props.SOAK, "true");
        System.setProperty(Props.SOAK_FACTOR, "3");
        assertThat(Props.tries(50)).isEqualTo(150);
        assertThat(Props.replayCommand("X#y", 7))
                .isEqualTo("mvn verify -Dtest='X#y' -Dtradestore.seed=7 -Dtradestore.soak=true -Dtradestore.soak.factor=3");
    }

    @Test
    void aPropertyThatRanFewerExamplesThanPromisedFails() {
        Props.assertRan("enough", 50, 50);
        AssertionError e = catchThrowableOfType(() -> Props.assertRan("too few", 49, 50), AssertionError.class);
        assertThat(e).hasMessageStartingWith("too few: only 49 distinct examples ran");
    }

    private static AssertionError falsify() {
        return catchThrowableOfType(() -> Props.qt(200, 50).forAll(integers().between(0, 1_000_000))
                .checkAssert(i -> assertThat(i).isLessThan(1_000)), AssertionError.class);
    }
}
