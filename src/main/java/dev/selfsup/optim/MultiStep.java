package dev.selfsup.optim;

import static dev.selfsup.internal.Checks.checkArgument;

import java.util.List;

/**
 * A step schedule: {@code baseLr} times {@code gamma} once for every milestone {@code <=} the
 * iteration, as MoCo's {@code adjust_learning_rate} ({@code lr *= 0.1 if epoch >= milestone}; the
 * factor is applied by repeated multiplication, as there, not by a power).
 *
 * <p>MoCo linear probe: {@code multiStep(30, List.of(60 * itersPerEpoch, 80 * itersPerEpoch),
 * 0.1)}.
 *
 * @param baseLr the value before the first milestone, finite
 * @param milestonesIters strictly increasing iterations, each {@code >= 1}
 * @param gamma the factor per milestone, finite and {@code > 0}
 */
public record MultiStep(double baseLr, List<Long> milestonesIters, double gamma)
        implements Schedule {
    /**
     * Validates the arguments and copies the milestones.
     *
     * @throws IllegalArgumentException naming the first bad value
     * @param baseLr the value before the first milestone, finite
     * @param milestonesIters strictly increasing iterations, each {@code >= 1}
     * @param gamma the factor per milestone, finite and {@code > 0}
     */
    public MultiStep {
        checkArgument(Double.isFinite(baseLr), "baseLr must be finite, got %s", baseLr);
        checkArgument(
                Double.isFinite(gamma) && gamma > 0, "gamma must be finite and > 0, got %s", gamma);
        milestonesIters = List.copyOf(milestonesIters);
        long previous = 0;
        for (long milestone : milestonesIters) {
            checkArgument(
                    milestone > previous,
                    "milestonesIters must be strictly increasing and >= 1, got %s",
                    milestonesIters);
            previous = milestone;
        }
    }

    /** {@inheritDoc} */
    @Override
    public double value(long iteration) {
        checkArgument(iteration >= 0, "iteration must be >= 0, got %s", iteration);
        double lr = baseLr;
        for (long milestone : milestonesIters) {
            if (iteration >= milestone) {
                lr *= gamma;
            }
        }
        return lr;
    }
}
