package dev.selfsup.optim;

import static dev.selfsup.internal.Checks.checkArgument;
import static dev.selfsup.internal.Checks.checkState;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient clipping: by global norm ({@code torch.nn.utils.clip_grad_norm_}) or per parameter
 * (DINO's {@code clip_gradients}).
 */
public final class GradientClipping {
    private static final GradientClipping OFF = new GradientClipping(0, false);

    private final double maxNorm;
    private final boolean perParameter;

    private GradientClipping(double maxNorm, boolean perParameter) {
        this.maxNorm = maxNorm;
        this.perParameter = perParameter;
    }

    /**
     * No clipping.
     *
     * @return the rule
     */
    public static GradientClipping off() {
        return OFF;
    }

    /**
     * Clipping by global norm, {@link #clipByGlobalNorm}.
     *
     * @param maxNorm the largest global norm, finite and {@code > 0}; 0 = {@link #off()}
     * @return the rule
     * @throws IllegalArgumentException if {@code maxNorm} is negative or not finite
     */
    public static GradientClipping globalNorm(double maxNorm) {
        checkArgument(
                Double.isFinite(maxNorm) && maxNorm >= 0,
                "maxNorm must be finite and >= 0 (0 = off), got %s",
                maxNorm);
        return maxNorm == 0 ? OFF : new GradientClipping(maxNorm, false);
    }

    /**
     * Clipping of each parameter's gradient on its own, {@link #clipPerParameter} (DINO).
     *
     * @param maxNorm the largest norm per parameter, finite and {@code > 0}; 0 = {@link #off()}
     * @return the rule
     * @throws IllegalArgumentException if {@code maxNorm} is negative or not finite
     */
    public static GradientClipping perParameter(double maxNorm) {
        checkArgument(
                Double.isFinite(maxNorm) && maxNorm >= 0,
                "maxNorm must be finite and >= 0 (0 = off), got %s",
                maxNorm);
        return maxNorm == 0 ? OFF : new GradientClipping(maxNorm, true);
    }

    /**
     * Applies the rule to the gradients of the groups, in place.
     *
     * @param groups the trained groups
     * @param iteration the global iteration, to skip frozen groups
     * @return the norm before clipping (global, or the largest per parameter); 0 when off
     */
    public double apply(List<ParamGroup> groups, long iteration) {
        if (maxNorm == 0) {
            return 0;
        }
        return perParameter
                ? clipPerParameter(groups, maxNorm, iteration)
                : clipByGlobalNorm(groups, maxNorm, iteration);
    }

    @Override
    public String toString() {
        return maxNorm == 0
                ? "off"
                : (perParameter ? "per-parameter norm " : "global norm ") + maxNorm;
    }

    /**
     * Scales the gradients of all parameters of the groups, in place, so that their global 2-norm
     * is at most {@code maxNorm}:
     *
     * <pre>{@code
     * total = sqrt(Σ_p ‖g_p‖²)
     * g_p ← g_p · min(maxNorm / (total + 1e-6), 1)
     * }</pre>
     *
     * Call it after backward and before {@link Optimizer#step(long)}. Groups frozen at {@code
     * iteration} are left out of the norm and untouched, as torch leaves out parameters whose
     * {@code grad} is {@code None} (SwAV's frozen prototypes). Per-parameter norms are float32
     * (engine), their sum of squares is double. As in torch, a non-finite total makes every
     * gradient non-finite (the factor is NaN); the loop's non-finite loss check reports it.
     *
     * @param groups the groups whose gradients are clipped together
     * @param maxNorm the largest allowed global norm, finite and {@code > 0}
     * @param iteration the global iteration, to skip frozen groups
     * @return the global norm before clipping, for logging
     * @throws IllegalArgumentException if {@code maxNorm} is out of range
     * @throws IllegalStateException if a parameter has no gradient attached
     */
    public static double clipByGlobalNorm(List<ParamGroup> groups, double maxNorm, long iteration) {
        checkArgument(
                Double.isFinite(maxNorm) && maxNorm > 0,
                "maxNorm must be finite and > 0, got %s",
                maxNorm);
        List<NDArray> arrays = trained(groups, iteration);
        double sumOfSquares = 0;
        for (NDArray array : arrays) {
            try (NDManager scope = array.getManager().newSubManager(array.getDevice())) {
                array.tempAttach(scope);
                double norm = array.getGradient().norm().getFloat();
                sumOfSquares += norm * norm;
            }
        }
        double total = Math.sqrt(sumOfSquares);
        double factor = maxNorm / (total + 1e-6);
        if (!(factor >= 1)) { // also true for NaN, which torch propagates into the gradients
            for (NDArray array : arrays) {
                try (NDManager scope = array.getManager().newSubManager(array.getDevice())) {
                    array.tempAttach(scope);
                    array.getGradient().muli(factor); // the handle shares storage with .grad
                }
            }
        }
        return total;
    }

    /**
     * Scales each parameter's gradient on its own, in place, so that its 2-norm is at most {@code
     * maxNorm}, as DINO's {@code utils.clip_gradients}:
     *
     * <pre>{@code
     * g_p ← g_p · (maxNorm / (‖g_p‖ + 1e-6))   where that factor is < 1
     * }</pre>
     *
     * Groups frozen at {@code iteration} are left untouched. A non-finite norm gives a NaN factor,
     * which is not {@code < 1}, so that gradient stays as it is (as in DINO); the loop's non-finite
     * loss check reports the run.
     *
     * @param groups the groups whose gradients are clipped
     * @param maxNorm the largest allowed norm per parameter, finite and {@code > 0} (DINO: 3.0)
     * @param iteration the global iteration, to skip frozen groups
     * @return the largest norm before clipping, for logging
     * @throws IllegalArgumentException if {@code maxNorm} is out of range
     * @throws IllegalStateException if a parameter has no gradient attached
     */
    public static double clipPerParameter(List<ParamGroup> groups, double maxNorm, long iteration) {
        checkArgument(
                Double.isFinite(maxNorm) && maxNorm > 0,
                "maxNorm must be finite and > 0, got %s",
                maxNorm);
        double largest = 0;
        for (NDArray array : trained(groups, iteration)) {
            try (NDManager scope = array.getManager().newSubManager(array.getDevice())) {
                array.tempAttach(scope);
                NDArray grad = array.getGradient();
                double norm = grad.norm().getFloat();
                largest = Math.max(largest, norm);
                double factor = maxNorm / (norm + 1e-6);
                if (factor < 1) {
                    grad.muli(factor);
                }
            }
        }
        return largest;
    }

    /** The arrays of the groups not frozen at {@code iteration}, each with a gradient. */
    private static List<NDArray> trained(List<ParamGroup> groups, long iteration) {
        List<NDArray> arrays = new ArrayList<>();
        for (ParamGroup group : groups) {
            if (group.isFrozenAt(iteration)) {
                continue;
            }
            for (Pair<String, Parameter> entry : group.getParameters()) {
                NDArray array = entry.getValue().getArray();
                checkState(
                        array.hasGradient(),
                        "parameter '%s/%s' has no gradient attached",
                        group.getName(),
                        entry.getKey());
                arrays.add(array);
            }
        }
        return arrays;
    }
}
