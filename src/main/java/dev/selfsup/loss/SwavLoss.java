package dev.selfsup.loss;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.selfsup.internal.Scalars;
import java.util.ArrayList;
import java.util.List;

/**
 * SwAV swapped-prediction loss (Caron et al. 2020; METHODS.md §2), averaged exactly as the loop in
 * the official main_swav.py:
 *
 * <pre>
 *   for each i, a = cropsForAssign[i]:
 *     q_a = Sinkhorn(scores[a].detach())           (with a queue: last B rows of
 *                                                   Sinkhorn(cat(queueScores[i], scores[a])))
 *     ℓ_a = Σ_{v ≠ a} −mean_b Σ_k q_a[b, k] · log_softmax(scores[v][b] / T)[k]
 *     loss += ℓ_a / (V − 1)                         (V = number of crops)
 *   loss /= len(cropsForAssign)
 * </pre>
 *
 * Gradients flow into every {@code scores[v]} through the log-softmax only; codes and queue scores
 * get none.
 */
public final class SwavLoss {
    private SwavLoss() {}

    /**
     * The loss and the codes it used (for logging code entropy without recomputing them).
     *
     * @param loss the scalar loss
     * @param codes {@code codes.get(i)} is q for crop {@code cropsForAssign[i]}, [B, K], no
     *     gradient
     */
    public record Result(NDArray loss, List<NDArray> codes) {
        /**
         * Copies the list so the record is immutable.
         *
         * @param loss the scalar loss
         * @param codes {@code codes.get(i)} is q for crop {@code cropsForAssign[i]}, [B, K], no
         *     gradient
         */
        public Result {
            codes = List.copyOf(codes);
        }
    }

    /**
     * SwAV loss without a queue.
     *
     * @param scores {@code scores[v]} = z_v · Cᵀ for crop v, [B, K] each, V ≥ 2 crops, one type
     * @param cropsForAssign crops whose codes are targets, each in [0, V) (SwAV: {0, 1})
     * @param temperature softmax temperature T, {@code > 0} (SwAV: 0.1)
     * @param epsilon Sinkhorn ε, {@code > 0} (SwAV: 0.05)
     * @param iterations Sinkhorn rounds, {@code >= 1} (SwAV: 3)
     * @return scalar on the manager of {@code scores[0]}
     * @throws IllegalArgumentException on a shape, type or range mismatch (naming the value)
     */
    public static NDArray loss(
            NDArray[] scores,
            int[] cropsForAssign,
            double temperature,
            double epsilon,
            int iterations) {
        Result r =
                lossWithCodes(
                        scores,
                        new NDArray[0],
                        cropsForAssign,
                        temperature,
                        epsilon,
                        iterations,
                        Sinkhorn.Reducer.LOCAL);
        r.codes().forEach(NDArray::close);
        return r.loss();
    }

    /**
     * SwAV loss with a queue per assigned crop (the official small-batch variant): Sinkhorn runs on
     * cat(queueScores[i], scores[a]) and q_a is its last B rows.
     *
     * @param scores {@code scores[v]}, [B, K] each, V ≥ 2 crops, one type
     * @param queueScores {@code queueScores[i]} = queue_i · Cᵀ for crop {@code cropsForAssign[i]},
     *     [L, K]; no gradient; one per assigned crop
     * @param cropsForAssign crops whose codes are targets, each in [0, V)
     * @param temperature softmax temperature T, {@code > 0} (SwAV: 0.1)
     * @param epsilon Sinkhorn ε, {@code > 0} (SwAV: 0.05)
     * @param iterations Sinkhorn rounds, {@code >= 1} (SwAV: 3)
     * @return scalar on the manager of {@code scores[0]}
     * @throws IllegalArgumentException on a shape, type or range mismatch (naming the value)
     */
    public static NDArray loss(
            NDArray[] scores,
            NDArray[] queueScores,
            int[] cropsForAssign,
            double temperature,
            double epsilon,
            int iterations) {
        checkArgument(
                queueScores != null && queueScores.length == cropsForAssign.length,
                "queueScores must hold one [L, K] array per assigned crop (%s), got %s",
                cropsForAssign.length,
                queueScores == null ? "null" : queueScores.length);
        Result r =
                lossWithCodes(
                        scores,
                        queueScores,
                        cropsForAssign,
                        temperature,
                        epsilon,
                        iterations,
                        Sinkhorn.Reducer.LOCAL);
        r.codes().forEach(NDArray::close);
        return r.loss();
    }

    /**
     * The general form, returning the codes too; covers the queue and the distributed Sinkhorn.
     *
     * @param scores {@code scores[v]}, [B, K] each, V ≥ 2 crops, one type
     * @param queueScores either empty (no queue) or one [L, K] array per assigned crop
     * @param cropsForAssign crops whose codes are targets, each in [0, V)
     * @param temperature softmax temperature T, {@code > 0}
     * @param epsilon Sinkhorn ε, {@code > 0}
     * @param iterations Sinkhorn rounds, {@code >= 1}
     * @param reducer Sinkhorn's all-reduce hooks ({@link Sinkhorn.Reducer#LOCAL} on one device)
     * @return the loss and the codes, on the manager of {@code scores[0]}
     * @throws IllegalArgumentException on a shape, type or range mismatch (naming the value)
     */
    public static Result lossWithCodes(
            NDArray[] scores,
            NDArray[] queueScores,
            int[] cropsForAssign,
            double temperature,
            double epsilon,
            int iterations,
            Sinkhorn.Reducer reducer) {
        checkArgument(
                scores != null && scores.length >= 2,
                "scores must hold >= 2 crops, got %s",
                scores == null ? "null" : scores.length);
        checkArgument(
                cropsForAssign != null && cropsForAssign.length >= 1,
                "cropsForAssign must not be empty");
        checkArgument(queueScores != null, "queueScores must not be null (use an empty array)");
        checkArgument(
                queueScores.length == 0 || queueScores.length == cropsForAssign.length,
                "queueScores must be empty or hold one array per assigned crop (%s), got %s",
                cropsForAssign.length,
                queueScores.length);
        Tensors.checkTemperature(temperature);
        int crops = scores.length;
        for (int v = 0; v < crops; v++) {
            Tensors.checkRank(scores[v], 2, "scores[" + v + "]", "[B, K]");
            Tensors.checkFloat(scores[v], "scores[" + v + "]", scores[0]);
            checkArgument(
                    scores[v].getShape().equals(scores[0].getShape()),
                    "scores[%s] must have the shape of scores[0] %s, got %s",
                    v,
                    scores[0].getShape(),
                    scores[v].getShape());
        }
        for (int a : cropsForAssign) {
            checkArgument(
                    a >= 0 && a < crops,
                    "cropsForAssign entries must be in [0, %s), got %s",
                    crops,
                    a);
        }
        long b = Tensors.dim(scores[0], 0);
        long k = Tensors.dim(scores[0], 1);
        for (int i = 0; i < queueScores.length; i++) {
            Tensors.checkRank(queueScores[i], 2, "queueScores[" + i + "]", "[L, K]");
            Tensors.checkFloat(queueScores[i], "queueScores[" + i + "]", scores[0]);
            checkArgument(
                    Tensors.dim(queueScores[i], 1) == k,
                    "queueScores[%s] must be [L, %s], got %s",
                    i,
                    k,
                    queueScores[i].getShape());
        }
        NDArray[] inputs = new NDArray[crops + queueScores.length];
        System.arraycopy(scores, 0, inputs, 0, crops);
        System.arraycopy(queueScores, 0, inputs, crops, queueScores.length);
        try (NDManager scope = Tensors.scope(inputs)) {
            // log_softmax(scores_v / T) once per crop; Σ_{v≠a} = total − own term
            NDArray[] logP = new NDArray[crops];
            NDArray total = null;
            for (int v = 0; v < crops; v++) {
                logP[v] = Scalars.div(scores[v], temperature).logSoftmax(1);
                total = total == null ? logP[v] : total.add(logP[v]);
            }
            List<NDArray> codes = new ArrayList<>();
            NDArray loss = null;
            for (int i = 0; i < cropsForAssign.length; i++) {
                int a = cropsForAssign[i];
                NDArray q;
                if (queueScores.length == 0) {
                    q = Sinkhorn.codes(scores[a], epsilon, iterations, reducer);
                } else {
                    NDArray joint =
                            queueScores[i].stopGradient().concat(scores[a].stopGradient(), 0);
                    long rows = Tensors.dim(joint, 0);
                    q = Sinkhorn.codes(joint, epsilon, iterations, reducer).get((rows - b) + ":");
                }
                codes.add(q);
                NDArray others = total.sub(logP[a]); // Σ_{v ≠ a} log_softmax(scores_v / T)
                NDArray sub =
                        Scalars.div(q.mul(others).sum(), -(double) b); // Σ_v −mean_b Σ_k q log p
                NDArray term = Scalars.div(sub, crops - 1);
                loss = loss == null ? term : loss.add(term);
            }
            loss = Scalars.div(loss, cropsForAssign.length);
            NDArray result = scope.ret(loss);
            List<NDArray> kept = new ArrayList<>();
            for (NDArray q : codes) {
                kept.add(scope.ret(q));
            }
            return new Result(result, kept);
        }
    }
}
