package dev.selfsup.internal;

import ai.djl.ndarray.NDArray;

/**
 * The library's own calls to {@link dev.selfsup.engine.Scalars} (autograd-safe scalar arithmetic);
 * not API: user code calls {@code dev.selfsup.engine.Scalars}, which documents why.
 */
public final class Scalars {
    private Scalars() {}

    /**
     * See {@link dev.selfsup.engine.Scalars#of}.
     *
     * @param x the array whose type and manager to use
     * @param value the value
     * @return the scalar tensor
     */
    public static NDArray of(NDArray x, double value) {
        return dev.selfsup.engine.Scalars.of(x, value);
    }

    /**
     * See {@link dev.selfsup.engine.Scalars#owned}.
     *
     * @param a an array created from Java data
     * @return an engine-owned copy on the same manager
     */
    public static NDArray owned(NDArray a) {
        return dev.selfsup.engine.Scalars.owned(a);
    }

    /**
     * See {@link dev.selfsup.engine.Scalars#mul}.
     *
     * @param x the array
     * @param s the factor
     * @return the product on x's manager
     */
    public static NDArray mul(NDArray x, double s) {
        return dev.selfsup.engine.Scalars.mul(x, s);
    }

    /**
     * See {@link dev.selfsup.engine.Scalars#div}.
     *
     * @param x the array
     * @param s the divisor
     * @return the quotient on x's manager
     */
    public static NDArray div(NDArray x, double s) {
        return dev.selfsup.engine.Scalars.div(x, s);
    }
}
