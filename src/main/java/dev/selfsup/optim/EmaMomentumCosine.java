package dev.selfsup.optim;

import static dev.selfsup.internal.Checks.checkArgument;

/**
 * Cosine schedule of the key-encoder EMA momentum, from {@code baseEmaMomentum} up to 1: {@code
 * m(t) = 1 - 0.5 (1 + cos(pi t / T)) (1 - m0)} (MoCo v3 {@code adjust_moco_momentum}, identical to
 * BYOL's {@code 1 - (1 - m0) (cos(pi k / K) + 1) / 2}). MoCo v2 keeps the momentum constant
 * (0.999): use {@link Schedule#constant(double)} for that.
 *
 * @param baseEmaMomentum m0, in [0, 1]
 * @param totalIters T, {@code >= 1}; the schedule is defined on {@code [0, T]} and reaches 1 at T
 */
public record EmaMomentumCosine(double baseEmaMomentum, long totalIters) implements Schedule {
    /**
     * Validates the arguments.
     *
     * @throws IllegalArgumentException naming the first bad value
     * @param baseEmaMomentum m0, in [0, 1]
     * @param totalIters T, {@code >= 1}; the schedule is defined on {@code [0, T]} and reaches 1 at
     *     T
     */
    public EmaMomentumCosine {
        checkArgument(
                baseEmaMomentum >= 0 && baseEmaMomentum <= 1,
                "baseEmaMomentum must be in [0, 1], got %s",
                baseEmaMomentum);
        checkArgument(totalIters >= 1, "totalIters must be >= 1, got %s", totalIters);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code iteration} is outside {@code [0, totalIters]}
     */
    @Override
    public double value(long iteration) {
        checkArgument(
                iteration >= 0 && iteration <= totalIters,
                "iteration must be in [0, totalIters=%s], got %s",
                totalIters,
                iteration);
        return 1 - 0.5 * (1 + Math.cos(Math.PI * iteration / totalIters)) * (1 - baseEmaMomentum);
    }
}
