package dev.selfsup.cli;

import ai.djl.Device;
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

    @Option(names = "--seed", description = "run seed (default: the recipe's, else 0)")
    Long seed;

    /**
     * Boots the engine offline with the chosen threads and seed, then resolves the device.
     *
     * @return the device to run on
     */
    public Device boot() {
        return boot(0);
    }

    /**
     * Boots the engine, seeding it with {@code --seed} or, when absent, the given default.
     *
     * @param defaultSeed the seed when {@code --seed} is not given (a recipe's)
     * @return the device to run on
     */
    public Device boot(long defaultSeed) {
        SelfsupEngine.boot(threads);
        SelfsupEngine.seed(seed(defaultSeed));
        return Devices.parse(device);
    }

    /**
     * The seed in effect.
     *
     * @param defaultSeed the seed when {@code --seed} is not given
     * @return the seed
     */
    public long seed(long defaultSeed) {
        return seed != null ? seed : defaultSeed;
    }

    /**
     * The {@code --threads} value.
     *
     * @return threads, 0 = one per core
     */
    public int threads() {
        return threads;
    }
}
