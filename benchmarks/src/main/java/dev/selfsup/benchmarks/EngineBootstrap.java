package dev.selfsup.benchmarks;

import dev.selfsup.engine.SelfsupEngine;

/** Boots the engine the way the CLI does (offline, all cores) before a benchmark's setup. */
final class EngineBootstrap {
    private EngineBootstrap() {}

    static void boot() {
        SelfsupEngine.boot(0);
        SelfsupEngine.seed(0);
    }
}
