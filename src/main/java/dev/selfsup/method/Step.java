package dev.selfsup.method;

import dev.selfsup.engine.Seeds;
import java.util.random.RandomGenerator;

/**
 * Where training is: the global iteration, the epoch and the run's length, plus the run seed from
 * which the step's random draws derive.
 *
 * @param iteration 0-based optimiser iteration
 * @param epoch 0-based epoch
 * @param totalIters iterations of the whole run
 * @param seed the run seed
 */
public record Step(long iteration, int epoch, long totalIters, long seed) {
    /**
     * A generator for one purpose at this step (same numbers on resume).
     *
     * @param purpose e.g. "mochi", "ft", "shuffle-bn"
     * @return a fresh generator
     */
    public RandomGenerator random(String purpose) {
        return Seeds.derive(seed, purpose, iteration);
    }
}
