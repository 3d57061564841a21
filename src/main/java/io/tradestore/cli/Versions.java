package io.tradestore.cli;

import io.tradestore.internal.SchemaGate;
import picocli.CommandLine;

/** {@code --version}: the build's schema version, which is what a database is checked against. */
final class Versions implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        Package p = Versions.class.getPackage();
        String version = p == null || p.getImplementationVersion() == null ? "dev" : p.getImplementationVersion();
        return new String[] {"tradestore-cli " + version + ", schema version " + SchemaGate.buildVersion()};
    }
}
