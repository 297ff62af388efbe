package dev.selfsup.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Scalar arithmetic that is safe under autograd on the CPU.
 *
 * <p>On the CPU, DJL 0.33's {@code NDArray.mul(Number)} and {@code div(Number)} wrap the number
 * in a tensor that views a direct {@link java.nio.ByteBuffer} (so does {@code
 * NDManager.create(float[])}); autograd keeps that tensor for the backward pass, but the buffer is
 * freed when Java collects it, so a garbage collection between forward and backward corrupts the
 * gradient (we saw sporadic NaN losses; {@code ScalarsTest} reproduces it). These helpers build the
 * scalar with the engine's own {@code full}, which owns its memory. In the gradient path, use them
 * instead of the {@code Number} overloads of {@code mul}, {@code div}, {@code pow} and {@code
 * maximum}.
 */
public final class Scalars {
    private Scalars() {}

    /**
     * A 0-dimensional tensor of {@code x}'s type, on {@code x}'s manager and device.
     *
     * @param x the array whose type and manager to use
     * @param value the value
     * @return the scalar tensor
     */
    public static NDArray of(NDArray x, double value) {
        NDArray hi = x.getManager().full(new Shape(), (float) value, x.getDataType());
        if (x.getDataType() != ai.djl.ndarray.types.DataType.FLOAT64 || (double) (float) value == value) {
            return hi;
        }
        // float64: full() takes a float, so add the rounding error back (hi + lo is exact to ~1e-16)
        return hi.addi(x.getManager().full(new Shape(), (float) (value - (float) value), x.getDataType()));
    }

    /**
     * A copy whose memory the engine owns, for arrays made from Java data that autograd may keep
     * for the backward pass (DJL's {@code create(float[])} views a direct buffer, see above).
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
