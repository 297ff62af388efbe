package dev.selfsup.optim;

import static dev.selfsup.internal.Checks.checkArgument;
import static dev.selfsup.internal.Checks.checkState;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

import java.util.ArrayList;
import java.util.List;

/** Gradient clipping by global norm, in {@code torch.nn.utils.clip_grad_norm_} form. */
public final class GradientClipping {
    private GradientClipping() {}

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
}
