package dev.selfsup.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/**
 * The PyTorch initialisers our models use. All draw from the engine's random generator ({@code
 * NDManager.randomNormal} / {@code randomUniform}), so they are reproducible after {@code
 * SelfsupEngine.seed(long)}.
 */
final class Inits {
    private Inits() {}

    /** {@code kaiming_normal_(mode="fan_out", nonlinearity="relu")}: N(0, 2 / fan_out). */
    static Initializer kaimingNormalFanOut() {
        return (NDManager m, Shape s, DataType t) -> {
            long fanOut = s.get(0) * (s.size() / (s.get(0) * s.get(1)));
            return m.randomNormal(0f, (float) Math.sqrt(2.0 / fanOut), s, t);
        };
    }

    /** A normal distribution N(0, std²). */
    static Initializer normal(double std) {
        return (m, s, t) -> m.randomNormal(0f, (float) std, s, t);
    }

    /**
     * {@code trunc_normal_(std=std, a=-2, b=2)} as timm / DINO call it: the bounds are absolute, so
     * for std 0.02 they are 100 σ away; out-of-range draws are redrawn all the same.
     */
    static Initializer truncNormal(double std) {
        return (m, s, t) -> {
            NDArray x = m.randomNormal(0f, (float) std, s, t);
            while (x.abs().gt(2.0).any().getBoolean()) {
                NDArray redraw = m.randomNormal(0f, (float) std, s, t);
                x = ai.djl.ndarray.NDArrays.where(x.abs().gt(2.0), redraw, x);
            }
            return x;
        };
    }

    /**
     * PyTorch's default for {@code nn.Linear} / {@code nn.Conv2d} weights and biases ({@code
     * kaiming_uniform_(a=√5)}): U(-1/√fan_in, 1/√fan_in).
     */
    static Initializer torchDefault(long fanIn) {
        float bound = (float) (1.0 / Math.sqrt(fanIn));
        return (m, s, t) -> m.randomUniform(-bound, bound, s, t);
    }
}
