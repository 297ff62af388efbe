package dev.selfsup.loss;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** Argument checks and scoping shared by the loss functions; not API. */
final class Tensors {
    private Tensors() {}

    /**
     * Opens a sub-manager of the first input's manager and borrows every input into it, so that
     * temporaries die with the scope while the inputs go home on close. Each array is borrowed once
     * even if passed twice (borrowing twice would send it home to the closed scope).
     */
    static NDManager scope(NDArray... inputs) {
        NDManager scope = inputs[0].getManager().newSubManager();
        Set<NDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<NDArray> distinct = new ArrayList<>();
        for (NDArray a : inputs) {
            if (seen.add(a)) {
                distinct.add(a);
            }
        }
        scope.tempAttachAll(distinct.toArray(NDArray[]::new));
        return scope;
    }

    /** Checks that {@code a} has rank {@code rank}; the message names it and its shape. */
    static void checkRank(NDArray a, int rank, String name, String expected) {
        checkArgument(a != null, "%s must not be null", name);
        checkArgument(
                a.getShape().dimension() == rank,
                "%s must be %s, got shape %s",
                name,
                expected,
                a.getShape());
    }

    /** Checks the data type is FLOAT32 or FLOAT64 and equal to {@code reference}'s. */
    static void checkFloat(NDArray a, String name, NDArray reference) {
        DataType t = a.getDataType();
        checkArgument(
                t == DataType.FLOAT32 || t == DataType.FLOAT64,
                "%s must be FLOAT32 or FLOAT64, got %s",
                name,
                t);
        checkArgument(
                t == reference.getDataType(),
                "%s must have the data type of the other inputs (%s), got %s",
                name,
                reference.getDataType(),
                t);
    }

    /** Checks a temperature: finite and {@code > 0}. */
    static void checkTemperature(double temperature) {
        checkArgument(
                temperature > 0 && Double.isFinite(temperature),
                "temperature must be finite and > 0, got %s",
                temperature);
    }

    /** Size of axis {@code axis}. */
    static long dim(NDArray a, int axis) {
        return a.getShape().get(axis);
    }

    /** Shape for messages. */
    static Shape shape(NDArray a) {
        return a.getShape();
    }

    /**
     * Cross-entropy with target index 0, averaged over rows: mean_b(−log_softmax(logits)[b, 0]).
     *
     * @param logits [B, C]
     * @return scalar
     */
    static NDArray crossEntropyFirst(NDArray logits) {
        return logits.logSoftmax(1).get(":, 0").neg().mean();
    }

    /**
     * Per-row dot products of {@code q} [B, D] with each of its own rows {@code n} [B, M, D].
     *
     * @return [B, M]
     */
    static NDArray rowDots(NDArray q, NDArray n) {
        long b = dim(q, 0);
        return q.reshape(b, 1, dim(q, 1)).batchMatMul(n.transpose(0, 2, 1)).reshape(b, dim(n, 1));
    }

    /** Whether {@code a} holds float64 values. */
    static boolean isDouble(NDArray a) {
        return a.getDataType() == ai.djl.ndarray.types.DataType.FLOAT64;
    }
}
