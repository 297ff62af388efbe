package dev.selfsup.optim;

import static dev.selfsup.internal.Checks.checkArgument;

/** How a recipe's base learning rate scales with the global batch size (METHODS.md §9). */
public enum LrScaling {
    /** The learning rate is used as given. */
    NONE {
        @Override
        double factor(int batchSize) {
            return 1;
        }
    },
    /** {@code lr × batch / 256} (Goyal et al. 2017; SimCLR's default, MoCo's "lr 0.03 per 256"). */
    LINEAR {
        @Override
        double factor(int batchSize) {
            return batchSize / 256.0;
        }
    },
    /** {@code lr × sqrt(batch)} (SimCLR's option for small batches, e.g. 0.075 × sqrt(B)). */
    SQRT {
        @Override
        double factor(int batchSize) {
            return Math.sqrt(batchSize);
        }
    };

    abstract double factor(int batchSize);

    /**
     * Returns the learning rate for a global batch size.
     *
     * @param baseLr the recipe's learning rate, finite
     * @param batchSize the global batch size (summed over devices and accumulation steps), {@code
     *     >= 1}
     * @return the scaled learning rate
     * @throws IllegalArgumentException if an argument is out of range
     */
    public double scale(double baseLr, int batchSize) {
        checkArgument(Double.isFinite(baseLr), "baseLr must be finite, got %s", baseLr);
        checkArgument(batchSize >= 1, "batchSize must be >= 1, got %s", batchSize);
        return baseLr * factor(batchSize);
    }
}
