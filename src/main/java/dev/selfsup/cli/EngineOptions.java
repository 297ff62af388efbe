package dev.selfsup.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.selfsup.engine.Devices;
import dev.selfsup.engine.SelfsupEngine;
import picocli.CommandLine.Option;

/** Options shared by every command that touches the engine: device, threads, seed. */
public final class EngineOptions {
    @Option(
            names = "--device",
            defaultValue = "auto",
            description = "auto | cpu | gpu | gpu:N (default: ${DEFAULT-VALUE})")
    String device;

    @Option(
            names = "--threads",
            defaultValue = "0",
            description = "PyTorch intra-op threads; 0 = one per core (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--seed", defaultValue = "0", description = "run seed (default: ${DEFAULT-VALUE})")
    long seed;

    /**
     * Boots the engine offline with the chosen threads and seed, then resolves the device.
     *
     * @return the device to run on
     */
    public Device boot() {
        Engine engine = SelfsupEngine.boot(threads);
        SelfsupEngine.seed(seed);
        Device d = Devices.parse(device);
        return d;
    }
}
