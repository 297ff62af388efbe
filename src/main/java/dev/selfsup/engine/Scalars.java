package dev.selfsup.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Scalar arithmetic that is safe under autograd: scale a loss, divide by an accumulation count,
 * multiply by a temperature inside a {@code GradientCollector}.
 *
 * <p>Why: on the CPU, DJL 0.33's {@code NDArray.mul(Number)}, {@code div(Number)}, {@code
 * pow(Number)}, {@code maximum(Number)} and {@code NDManager.create(float[])} make tensors that
 * view a Java-owned direct buffer. Autograd keeps such a tensor for the backward pass, but Java
 * frees the buffer when it collects it, so a garbage collection between forward and backward
 * silently corrupts the gradient (sporadic NaN losses or wrong updates, no error). These helpers
 * build the scalar with the engine's own {@code full}, which owns its memory. Outside a gradient
 * collector (evaluation, in-place optimiser updates under no-grad) the {@code Number} overloads are
 * fine.
 *
 * <pre>{@code
 * try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
 *     NDArray loss = SwavLoss.loss(scores, assign, 0.1, 0.05, 3);
 *     gc.backward(Scalars.div(loss, accumulateSteps));    // not loss.div(accumulateSteps)
 * }
 * }</pre>
 *
 * <p>{@code dev.selfsup.train.StepScope} does this for a hand-written loop's gradient accumulation.
 */
public final class Scalars {
    private Scalars() {}

    /**
     * A 0-dimensional tensor of {@code x}'s type, on {@code x}'s manager and device, whose memory
     * the engine owns.
     *
     * @param x the array whose type and manager to use
     * @param value the value (kept to double precision for float64 arrays)
     * @return the scalar tensor, shape {@code []}
     */
    public static NDArray of(NDArray x, double value) {
        NDArray hi = x.getManager().full(new Shape(), (float) value, x.getDataType());
        if (x.getDataType() != DataType.FLOAT64 || (double) (float) value == value) {
            return hi;
        }
        // float64: full() takes a float, so add the rounding error back (hi + lo is exact to
        // ~1e-16)
        return hi.addi(
                x.getManager().full(new Shape(), (float) (value - (float) value), x.getDataType()));
    }

    /**
     * A copy whose memory the engine owns, for arrays made from Java data ({@code
     * manager.create(float[])}) that autograd may keep for the backward pass.
     *
     * @param a an array created from Java data
     * @return an engine-owned copy on the same manager
     */
    public static NDArray owned(NDArray a) {
        return a.duplicate();
    }

    /**
     * {@code x * s}, differentiable in x.
     *
     * @param x the array
     * @param s the factor
     * @return the product on x's manager
     */
    public static NDArray mul(NDArray x, double s) {
        return x.mul(of(x, s));
    }

    /**
     * {@code x / s}, differentiable in x.
     *
     * @param x the array
     * @param s the divisor
     * @return the quotient on x's manager
     */
    public static NDArray div(NDArray x, double s) {
        return x.div(of(x, s));
    }
}
