package dev.selfsup.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.selfsup.internal.Scalars;

/**
 * A one-output linear model y = w·x + b with weight [1, 2] and bias [1], and the loss 0.5 (y − t)²,
 * whose gradients are known in closed form: g_w = r·x, g_b = r with r = w·x + b − t.
 */
public final class TinyModel {
    final NDManager manager;
    final Linear linear;
    final Parameter weight;
    final Parameter bias;
    private final ParameterStore store;

    TinyModel(NDManager manager, double[] w, double b) {
        this.manager = manager;
        this.linear = Linear.builder().setUnits(1).build();
        linear.initialize(manager, DataType.FLOAT32, new Shape(1, 2));
        this.weight = linear.getParameters().get("weight");
        this.bias = linear.getParameters().get("bias");
        this.store = new ParameterStore(manager, false);
        set(w, b);
    }

    void set(double[] w, double b) {
        weight.getArray().set(new float[] {(float) w[0], (float) w[1]});
        bias.getArray().set(new float[] {(float) b});
    }

    /** Runs forward and backward of scale · 0.5 (w·x + b − t)²; gradients add into .grad. */
    void backward(double[] x, double target, double scale) {
        try (NDManager step = manager.newSubManager()) {
            step.tempAttachAll(weight.getArray(), bias.getArray());
            // Engine-owned input and scalars: autograd keeps them for the backward pass, and DJL's
            // create(float[]) / mul(Number) view GC-owned buffers (see Scalars).
            NDArray input =
                    Scalars.owned(
                            step.create(new float[] {(float) x[0], (float) x[1]}, new Shape(1, 2)));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = linear.forward(store, new NDList(input), true).singletonOrThrow();
                NDArray loss =
                        Scalars.mul(y.sub(Scalars.of(y, target)).square(), 0.5 * scale).sum();
                gc.backward(loss);
            }
        }
    }

    void backward(double[] x, double target) {
        backward(x, target, 1);
    }

    double[] w() {
        float[] v = weight.getArray().toFloatArray();
        return new double[] {v[0], v[1]};
    }

    double b() {
        return bias.getArray().toFloatArray()[0];
    }

    double[] gradW() {
        try (NDManager scope = manager.newSubManager()) {
            weight.getArray().tempAttach(scope);
            float[] v = weight.getArray().getGradient().toFloatArray();
            return new double[] {v[0], v[1]};
        }
    }

    double gradB() {
        try (NDManager scope = manager.newSubManager()) {
            bias.getArray().tempAttach(scope);
            return bias.getArray().getGradient().toFloatArray()[0];
        }
    }

    /** r = w·x + b − t for the current parameters, in double. */
    public static double residual(double[] w, double b, double[] x, double target) {
        return w[0] * x[0] + w[1] * x[1] + b - target;
    }
}
