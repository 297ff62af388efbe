package dev.selfsup.augment;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.function.Function;

/** Shared plumbing of the batched photometric ops (not API). */
final class Ops {
    private Ops() {}

    /** Checks x is a float32 image batch [N, 3, H, W] and returns N. */
    static int checkBatch(NDArray x, int n) {
        Shape s = x.getShape();
        checkArgument(
                s.dimension() == 4 && s.get(1) == 3, "images must be [N, 3, H, W], got %s", s);
        checkArgument(
                x.getDataType() == DataType.FLOAT32,
                "images must be float32, got %s",
                x.getDataType());
        checkArgument(s.get(0) == n, "%s per-sample parameters for a batch of %s", n, s.get(0));
        return (int) s.get(0);
    }

    /**
     * Runs {@code body} with x temporarily on a sub-manager so every intermediate is freed on
     * return; only the result moves to x's manager.
     */
    static NDArray scoped(NDArray x, Function<NDManager, NDArray> body) {
        NDManager parent = x.getManager();
        try (NDManager sub = parent.newSubManager()) {
            x.tempAttach(sub);
            NDArray out = body.apply(sub);
            out.attach(parent);
            return out;
        }
    }

    /** A per-sample column [N, 1, 1, 1] of float32 values. */
    static NDArray column(NDManager m, float[] values) {
        return m.create(values, new Shape(values.length, 1, 1, 1));
    }

    /**
     * {@code where(condition, a, b)}, broadcasting all three to b's shape (DJL's does not
     * broadcast).
     */
    static NDArray where(NDArray condition, NDArray a, NDArray b) {
        Shape s = b.getShape();
        NDArray c = condition.getShape().equals(s) ? condition : condition.broadcast(s);
        NDArray av = a.getShape().equals(s) ? a : a.broadcast(s);
        return ai.djl.ndarray.NDArrays.where(c, av, b);
    }

    /** Mean of each sample over all other axes: [N, ...] → [N, 1, 1, 1]. */
    static NDArray sampleMean(NDArray x) {
        long n = x.getShape().get(0);
        return x.reshape(n, -1).mean(new int[] {1}, true).reshape(n, 1, 1, 1);
    }

    /** A per-sample boolean mask [N, 1, 1, 1]. */
    static NDArray mask(NDManager m, boolean[] values) {
        return m.create(values, new Shape(values.length, 1, 1, 1));
    }
}
