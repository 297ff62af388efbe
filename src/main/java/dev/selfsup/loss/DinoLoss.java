package dev.selfsup.loss;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.selfsup.internal.Scalars;

/**
 * DINO's self-distillation loss, its centre and its teacher-temperature schedule (Caron et al.
 * 2021; METHODS.md §11), as {@code DINOLoss} in the official main_dino.py computes them:
 *
 * <pre>
 *   P_i   = softmax((teacher[i] − c) / T_t)           (detached: the teacher gets no gradient)
 *   log Q_v = log_softmax(student[v] / T_s)
 *   L = 1 / (G · (V − 1)) · Σ_{i &lt; G} Σ_{v ≠ i} mean_b Σ_k −P_i[b, k] · log Q_v[b, k]
 * </pre>
 *
 * with G teacher (global) crops and V ≥ G student crops, the global ones first, so that student
 * crop i and teacher crop i are the same view and that pair is skipped. The official code has G = 2
 * (the teacher sees the two global crops); any G ≥ 1 works here. After each step the centre moves
 * towards the mean teacher output: {@link #updateCenter}.
 *
 * <p>Gradients reach the student arrays only; teacher outputs and centre are used as constants
 * whether or not they require gradients.
 */
public final class DinoLoss {
    private DinoLoss() {}

    /**
     * The DINO loss: cross-entropy of every student crop against every teacher crop of another
     * view, averaged over the pairs.
     *
     * @param student {@code student[v]} is the head output of crop v, [B, K] each, global crops
     *     first; V ≥ 2 and V ≥ G; FLOAT32 or FLOAT64
     * @param teacher {@code teacher[i]} is the teacher's head output of global crop i, [B, K] each,
     *     G ≥ 1 (DINO: 2); no gradient flows into it
     * @param center the centre c, [1, K]; no gradient flows into it
     * @param studentTemperature T_s, finite and {@code > 0} (DINO: 0.1)
     * @param teacherTemperature T_t, finite and {@code > 0} (DINO: {@link #teacherTemperature} of
     *     the epoch, 0.04 → 0.07)
     * @return scalar of the inputs' type, on the manager of {@code student[0]}
     * @throws IllegalArgumentException on empty arrays, fewer student than teacher crops, a shape
     *     or type mismatch, or a bad temperature (naming the value)
     */
    public static NDArray loss(
            NDArray[] student,
            NDArray[] teacher,
            NDArray center,
            double studentTemperature,
            double teacherTemperature) {
        checkArgument(
                student != null && student.length >= 2,
                "student must hold >= 2 crops, got %s",
                student == null ? "null" : student.length);
        checkArgument(
                teacher != null && teacher.length >= 1,
                "teacher must hold >= 1 crop, got %s",
                teacher == null ? "null" : teacher.length);
        checkArgument(
                student.length >= teacher.length,
                "student must hold at least as many crops (%s) as teacher (%s): the global crops"
                        + " come first in both",
                student.length,
                teacher.length);
        checkTemperature("studentTemperature", studentTemperature);
        checkTemperature("teacherTemperature", teacherTemperature);
        for (int v = 0; v < student.length; v++) {
            checkLike(student[v], "student[" + v + "]", student[0]);
        }
        for (int i = 0; i < teacher.length; i++) {
            checkLike(teacher[i], "teacher[" + i + "]", student[0]);
        }
        checkCenter(center, Tensors.dim(student[0], 1), student[0]);
        int crops = student.length;
        int globals = teacher.length;
        long b = Tensors.dim(student[0], 0);
        checkArgument(b >= 1, "B must be >= 1, got %s", student[0].getShape());
        NDArray[] inputs = new NDArray[crops + globals + 1];
        System.arraycopy(student, 0, inputs, 0, crops);
        System.arraycopy(teacher, 0, inputs, crops, globals);
        inputs[crops + globals] = center;
        try (NDManager scope = Tensors.scope(inputs)) {
            NDArray c = center.stopGradient();
            NDArray[] logQ = new NDArray[crops];
            for (int v = 0; v < crops; v++) {
                logQ[v] = Scalars.div(student[v], studentTemperature).logSoftmax(1);
            }
            // the local crops are partners of every teacher crop: sum them once
            NDArray locals = null;
            for (int v = globals; v < crops; v++) {
                locals = locals == null ? logQ[v] : locals.add(logQ[v]);
            }
            NDArray total = null;
            for (int i = 0; i < globals; i++) {
                NDArray p =
                        Scalars.div(teacher[i].stopGradient().sub(c), teacherTemperature)
                                .softmax(1); // [B, K]
                NDArray partners = locals; // Σ_{v ≠ i} log Q_v, [B, K]
                for (int v = 0; v < globals; v++) {
                    if (v != i) {
                        partners = partners == null ? logQ[v] : partners.add(logQ[v]);
                    }
                }
                NDArray term = p.mul(partners).sum(); // Σ_{v ≠ i} Σ_b Σ_k P_i · log Q_v
                total = total == null ? term : total.add(term);
            }
            double pairs = (double) globals * (crops - 1);
            return scope.ret(Scalars.div(total, -pairs * b));
        }
    }

    /**
     * The next centre, {@code m · c + (1 − m) · mean of all teacher rows} (official {@code
     * update_center} on one device; with several devices the row mean is over all of them). A new
     * array: {@code center} is not changed, and the result carries no gradient.
     *
     * @param center the current centre c, [1, K] (DINO starts from zeros)
     * @param teacher the step's teacher outputs, [B_i, K] each, at least one; every row counts once
     * @param centerMomentum m in [0, 1] (DINO: 0.9)
     * @return the new centre, [1, K], of the centre's type, on the manager of {@code center}
     * @throws IllegalArgumentException on empty arrays, a shape or type mismatch, or m outside [0,
     *     1]
     */
    public static NDArray updateCenter(NDArray center, NDArray[] teacher, double centerMomentum) {
        checkArgument(
                teacher != null && teacher.length >= 1,
                "teacher must hold >= 1 array, got %s",
                teacher == null ? "null" : teacher.length);
        checkArgument(
                centerMomentum >= 0 && centerMomentum <= 1,
                "centerMomentum must be in [0, 1], got %s",
                centerMomentum);
        Tensors.checkRank(center, 2, "center", "[1, K]");
        long k = Tensors.dim(center, 1);
        checkCenter(center, k, center);
        long rows = 0;
        for (int i = 0; i < teacher.length; i++) {
            String name = "teacher[" + i + "]";
            Tensors.checkRank(teacher[i], 2, name, "[B, K]");
            Tensors.checkFloat(teacher[i], name, center);
            checkArgument(
                    Tensors.dim(teacher[i], 1) == k,
                    "%s must be [B, %s] like center %s, got %s",
                    name,
                    k,
                    center.getShape(),
                    teacher[i].getShape());
            rows += Tensors.dim(teacher[i], 0);
        }
        checkArgument(rows >= 1, "teacher holds no rows");
        NDArray[] inputs = new NDArray[teacher.length + 1];
        inputs[0] = center;
        System.arraycopy(teacher, 0, inputs, 1, teacher.length);
        try (NDManager scope = Tensors.scope(inputs)) {
            NDArray sum = null; // [1, K]
            for (NDArray t : teacher) {
                NDArray s = t.stopGradient().sum(new int[] {0}, true);
                sum = sum == null ? s : sum.add(s);
            }
            NDArray batchCenter = Scalars.div(sum, rows);
            NDArray next =
                    Scalars.mul(center.stopGradient(), centerMomentum)
                            .add(Scalars.mul(batchCenter, 1 - centerMomentum));
            return scope.ret(next);
        }
    }

    /**
     * The teacher temperature of an epoch, as the official schedule ({@code
     * np.concatenate((np.linspace(warmup, final, warmupEpochs), np.ones(...) * final))}): linear
     * from {@code warmupTemperature} at epoch 0 to {@code temperature} at epoch {@code warmupEpochs
     * − 1}, then constant. Since numpy's linspace includes both ends, the last warm-up epoch
     * already has the final value, and with one warm-up epoch epoch 0 has the warm-up value; with
     * none every epoch has the final value. Past the official schedule's length (the run's epoch
     * count) the value stays final.
     *
     * @param epoch the 0-based epoch, {@code >= 0}
     * @param warmupTemperature the start, finite and {@code > 0} (DINO: 0.04)
     * @param temperature the final value, finite and {@code > 0} (DINO: 0.04 by default, 0.07 in
     *     the README's best ViT-S/16 run)
     * @param warmupEpochs the warm-up length in epochs, {@code >= 0} (DINO: 0 by default, 30 in
     *     that run)
     * @return T_t for {@code epoch}
     * @throws IllegalArgumentException on a negative epoch or count or a bad temperature
     */
    public static double teacherTemperature(
            int epoch, double warmupTemperature, double temperature, int warmupEpochs) {
        checkArgument(epoch >= 0, "epoch must be >= 0, got %s", epoch);
        checkArgument(warmupEpochs >= 0, "warmupEpochs must be >= 0, got %s", warmupEpochs);
        checkTemperature("warmupTemperature", warmupTemperature);
        checkTemperature("temperature", temperature);
        if (warmupEpochs == 1) {
            return epoch == 0 ? warmupTemperature : temperature;
        }
        if (epoch >= warmupEpochs - 1) { // linspace's last point is exactly its end
            return temperature;
        }
        double step = (temperature - warmupTemperature) / (warmupEpochs - 1);
        return warmupTemperature + epoch * step;
    }

    private static void checkTemperature(String name, double value) {
        checkArgument(
                value > 0 && Double.isFinite(value),
                "%s must be finite and > 0, got %s",
                name,
                value);
    }

    private static void checkLike(NDArray a, String name, NDArray reference) {
        Tensors.checkRank(a, 2, name, "[B, K]");
        Tensors.checkFloat(a, name, reference);
        checkArgument(
                a.getShape().equals(reference.getShape()),
                "%s must have the shape of student[0] %s, got %s",
                name,
                reference.getShape(),
                a.getShape());
    }

    private static void checkCenter(NDArray center, long k, NDArray reference) {
        Tensors.checkRank(center, 2, "center", "[1, K]");
        Tensors.checkFloat(center, "center", reference);
        checkArgument(
                Tensors.dim(center, 0) == 1 && Tensors.dim(center, 1) == k,
                "center must be [1, %s], got %s",
                k,
                center.getShape());
    }
}
