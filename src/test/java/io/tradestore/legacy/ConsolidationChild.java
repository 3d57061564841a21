package io.tradestore.legacy;

import io.tradestore.Tradestore;
import io.tradestore.TradestoreConfig;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;

/**
 * The process {@code ConsolidationTest} kills half-way through a consolidation. Arguments: {@code sqlite FILE} or
 * {@code postgres URL USER PASSWORD}, then the backup path, the batch size, the zone and the legacy sources. Prints
 * {@code STARTED} before the run and {@code DONE} after it, flushed.
 */
public final class ConsolidationChild {
    private ConsolidationChild() {
    }

    public static void main(String[] args) {
        int i = 0;
        TradestoreConfig target = args[i++].equals("sqlite") ? TradestoreConfig.sqlite(Path.of(args[i++]))
                : TradestoreConfig.postgres(args[i++], args[i++], args[i++]).withAutoMigrate(false);
        Path backup = Path.of(args[i++]);
        int batchSize = Integer.parseInt(args[i++]);
        ZoneId zone = ZoneId.of(args[i++]);
        List<Path> sources = Arrays.stream(args, i, args.length).map(Path::of).toList();
        try (Tradestore store = Tradestore.open(target)) {
            System.out.println("STARTED");
            System.out.flush();
            Consolidation.of(sources).withZone(zone).withBackup(backup).withBatchSize(batchSize).run(store);
        }
        System.out.println("DONE");
        System.out.flush();
    }
}
