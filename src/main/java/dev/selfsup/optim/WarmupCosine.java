package dev.selfsup.optim;

import static dev.selfsup.internal.Checks.checkArgument;

/**
 * Linear warmup then half-cosine decay, per iteration, exactly as official SwAV builds its {@code
 * lr_schedule} (facebookresearch/swav {@code main_swav.py}):
 *
 * <pre>{@code
 * warmup = np.linspace(warmupStartLr, baseLr, W)                    # t < W
 * cosine = finalLr + 0.5 (baseLr - finalLr) (1 + cos(pi (t - W) / (T - W)))   # W <= t < T
 * }</pre>
 *
 * <p>So the warmup reaches {@code baseLr} at iteration {@code W - 1} (not {@code W}), the cosine
 * starts at {@code baseLr} at iteration {@code W} and its last value, at {@code T - 1}, is just
 * above {@code finalLr}. With {@code W = 1} the single warmup value is {@code warmupStartLr}, as
 * {@code np.linspace(a, b, 1) == [a]}. With {@code W = 0}, {@code warmupStartLr} is unused. MoCo
 * v2's {@code --cos} is this with {@code W = 0, finalLr = 0} (evaluated per iteration instead of
 * per epoch).
 *
 * @param baseLr the peak value, finite
 * @param finalLr the value approached at {@code totalIters}, finite
 * @param warmupIters W, {@code 0 <= W <= T}
 * @param totalIters T, {@code >= 1}; the schedule is defined on {@code [0, T)}
 * @param warmupStartLr the value at iteration 0 when {@code W >= 1}, finite
 */
public record WarmupCosine(
        double baseLr, double finalLr, long warmupIters, long totalIters, double warmupStartLr)
        implements Schedule {
    /**
     * Validates the arguments.
     *
     * @param baseLr the peak value, finite
     * @param finalLr the value approached at {@code totalIters}, finite
     * @param warmupIters W, {@code 0 <= W <= T}
     * @param totalIters T, {@code >= 1}; the schedule is defined on {@code [0, T)}
     * @param warmupStartLr the value at iteration 0 when {@code W >= 1}, finite
     * @throws IllegalArgumentException naming the first bad value
     */
    public WarmupCosine {
        checkArgument(Double.isFinite(baseLr), "baseLr must be finite, got %s", baseLr);
        checkArgument(Double.isFinite(finalLr), "finalLr must be finite, got %s", finalLr);
        checkArgument(
                Double.isFinite(warmupStartLr),
                "warmupStartLr must be finite, got %s",
                warmupStartLr);
        checkArgument(totalIters >= 1, "totalIters must be >= 1, got %s", totalIters);
        checkArgument(
                warmupIters >= 0 && warmupIters <= totalIters,
                "warmupIters must be in [0, totalIters=%s], got %s",
                totalIters,
                warmupIters);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code iteration} is outside {@code [0, totalIters)}
     */
    @Override
    public double value(long iteration) {
        checkArgument(
                iteration >= 0 && iteration < totalIters,
                "iteration must be in [0, totalIters=%s), got %s",
                totalIters,
                iteration);
        if (iteration < warmupIters) {
            if (warmupIters == 1) {
                return warmupStartLr;
            }
            // np.linspace: start + i * step, with the last point set to stop exactly
            if (iteration == warmupIters - 1) {
                return baseLr;
            }
            double step = (baseLr - warmupStartLr) / (warmupIters - 1);
            return warmupStartLr + iteration * step;
        }
        double progress = (double) (iteration - warmupIters) / (totalIters - warmupIters);
        return finalLr + 0.5 * (baseLr - finalLr) * (1 + Math.cos(Math.PI * progress));
    }
}
