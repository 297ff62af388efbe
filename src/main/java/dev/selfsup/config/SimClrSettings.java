package dev.selfsup.config;

import static dev.selfsup.config.ConfigException.require;

/**
 * The {@code simclr:} section (METHODS.md §4).
 *
 * @param temperature NT-Xent temperature (0.5 at small batch, 0.1 at 4096)
 */
public record SimClrSettings(double temperature) {
    /**
     * Validates ranges.
     *
     * @param temperature NT-Xent temperature (0.5 at small batch, 0.1 at 4096)
     */
    public SimClrSettings {
        require(temperature > 0, "simclr.temperature", temperature, "> 0");
    }

    /**
     * SimCLR's small-batch temperature 0.5.
     *
     * @return the defaults
     */
    public static SimClrSettings defaults() {
        return new SimClrSettings(0.5);
    }
}
