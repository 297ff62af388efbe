package dev.selfsup.optim;

import java.util.List;

/**
 * A value as a function of the global iteration (learning rate, EMA momentum), evaluated once per
 * step.
 *
 * <p>Schedules are pure: the same iteration always gives the same value, so a resumed run needs no
 * scheduler state in its checkpoint. Counts are in iterations (optimiser steps); convert epochs
 * with {@code epochs * itersPerEpoch}.
 */
public interface Schedule {
    /**
     * Returns the value at an iteration.
     *
     * @param iteration the global iteration, {@code >= 0} (and inside the schedule's range)
     * @return the value
     * @throws IllegalArgumentException if the iteration is outside the schedule's range
     */
    double value(long iteration);

    /**
     * Returns a schedule with the same value at every iteration.
     *
     * @param value the value, finite
     * @return a {@link Constant} schedule
     */
    static Schedule constant(double value) {
        return new Constant(value);
    }

    /**
     * Returns official SwAV's learning-rate schedule: linear warmup from {@code warmupStartLr} to
     * {@code baseLr} over {@code warmupIters}, then a half cosine from {@code baseLr} to {@code
     * finalLr} over the remaining iterations (see {@link WarmupCosine}).
     *
     * @param baseLr the peak value after warmup (already scaled for the batch size)
     * @param finalLr the value the cosine approaches at {@code totalIters}
     * @param warmupIters the warmup length, {@code >= 0} and {@code <= totalIters}
     * @param totalIters the schedule length, {@code >= 1}
     * @param warmupStartLr the value at iteration 0 when warming up (SwAV: 0)
     * @return a {@link WarmupCosine} schedule
     */
    static Schedule warmupCosine(
            double baseLr,
            double finalLr,
            long warmupIters,
            long totalIters,
            double warmupStartLr) {
        return new WarmupCosine(baseLr, finalLr, warmupIters, totalIters, warmupStartLr);
    }

    /**
     * Returns a step schedule: {@code baseLr} multiplied by {@code gamma} at every milestone
     * reached (MoCo linear probe: lr 30, ×0.1 at epochs 60 and 80).
     *
     * @param baseLr the value before the first milestone
     * @param milestonesIters strictly increasing iterations, each {@code >= 1}
     * @param gamma the factor per milestone, {@code > 0}
     * @return a {@link MultiStep} schedule
     */
    static Schedule multiStep(double baseLr, List<Long> milestonesIters, double gamma) {
        return new MultiStep(baseLr, milestonesIters, gamma);
    }

    /**
     * Returns the cosine EMA-momentum schedule of BYOL and MoCo v3: from {@code baseEmaMomentum} at
     * iteration 0 up to 1 at {@code totalIters} (see {@link EmaMomentumCosine}).
     *
     * @param baseEmaMomentum the starting momentum, in [0, 1] (BYOL: 0.996, MoCo v3: 0.99)
     * @param totalIters the schedule length, {@code >= 1}
     * @return an {@link EmaMomentumCosine} schedule
     */
    static Schedule emaMomentumCosine(double baseEmaMomentum, long totalIters) {
        return new EmaMomentumCosine(baseEmaMomentum, totalIters);
    }
}
