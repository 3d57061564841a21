package io.tradestore.model;

import io.tradestore.testing.Props;
import io.tradestore.testing.TestEngine;
import org.quicktheories.core.Gen;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The harness the model-based suites share: each generated chain runs on a fresh world (a store on its own file
 * and the model), the store must match the model after every step, and every store is closed afterwards,
 * shrinking attempts included.
 */
final class ModelChains {
    private ModelChains() {
    }

    /** One action of a chain; its toString is what a (shrunk) counterexample shows. */
    interface Step<W> {
        void run(W world);
    }

    /**
     * {@code sqliteChains} chains on SQLite, an eighth of them on PostgreSQL (at least 5): every action is one or
     * more units and a round trip each, and a failed action two snapshots; the soak switch multiplies both.
     */
    static <W, S extends Step<W>> void check(TestEngine engine, int sqliteChains, Gen<List<S>> chains,
                                             Supplier<W> newWorld, Consumer<W> storeMatchesModel) {
        int perBuild = engine == TestEngine.SQLITE ? sqliteChains : Math.max(5, sqliteChains / 8);
        Props.check(perBuild, 150, chains, chain -> {
            try {
                W world = newWorld.get();
                for (S step : chain) {
                    step.run(world);
                    storeMatchesModel.accept(world);
                }
            } finally {
                ModelStores.closeAll();
            }
        });
    }
}
