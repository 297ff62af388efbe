package dev.selfsup.method;

import dev.selfsup.optim.EmaMomentumCosine;
import dev.selfsup.optim.Schedule;

/** How the momentum of an {@link EmaEncoder} moves over training. */
public enum EmaSchedule {
    /** m fixed (MoCo v2). */
    CONSTANT,
    /**
     * m rises from its base to 1 along a half cosine (BYOL, MoCo v3, DINO's teacher): {@link
     * EmaMomentumCosine}.
     */
    COSINE;

    /**
     * The momentum per optimiser iteration of a run.
     *
     * @param baseEmaMomentum m at iteration 0, in [0, 1]
     * @param totalIters iterations of the run, {@code >= 1}
     * @return the schedule
     * @throws IllegalArgumentException naming a value out of range
     */
    public Schedule of(double baseEmaMomentum, long totalIters) {
        return this == CONSTANT
                ? Schedule.constant(baseEmaMomentum)
                : Schedule.emaMomentumCosine(baseEmaMomentum, totalIters);
    }
}
