package dev.selfsup.loss;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.function.Function;

/** Float64 gradients by autograd and by central finite differences. */
final class GradCheck {
    private GradCheck() {}

    /** Autograd gradients of {@code f} at the inputs, one array per input (float64). */
    static double[][] autograd(Function<NDArray[], NDArray> f, double[][] data, Shape[] shapes) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] xs = new NDArray[data.length];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = m.create(data[i], shapes[i]);
                xs[i].setRequiresGradient(true);
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = f.apply(xs);
                gc.backward(loss);
            }
            double[][] out = new double[xs.length][];
            for (int i = 0; i < xs.length; i++) {
                out[i] = xs[i].getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
            }
            return out;
        }
    }

    /** f at the inputs, float64, no gradient. */
    static double value(Function<NDArray[], NDArray> f, double[][] data, Shape[] shapes) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] xs = new NDArray[data.length];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = m.create(data[i], shapes[i]);
                if (xs[i].getDataType() != DataType.FLOAT64) {
                    throw new AssertionError("float64 expected");
                }
            }
            return f.apply(xs).getDouble();
        }
    }

    /** Central differences of f with respect to input {@code which}, step h. */
    static double[] finiteDifferences(
            Function<NDArray[], NDArray> f, double[][] data, Shape[] shapes, int which, double h) {
        double[] g = new double[data[which].length];
        for (int j = 0; j < g.length; j++) {
            double keep = data[which][j];
            data[which][j] = keep + h;
            double up = value(f, data, shapes);
            data[which][j] = keep - h;
            double down = value(f, data, shapes);
            data[which][j] = keep;
            g[j] = (up - down) / (2 * h);
        }
        return g;
    }

    /** Autograd of {@code f} equals central differences of {@code reference} for every input. */
    static void check(
            Function<NDArray[], NDArray> f,
            Function<NDArray[], NDArray> reference,
            double[][] data,
            Shape[] shapes,
            boolean[] differentiable) {
        double[][] auto = autograd(f, data, shapes);
        for (int i = 0; i < data.length; i++) {
            if (!differentiable[i]) {
                continue;
            }
            double[] fd = finiteDifferences(reference, data, shapes, i, 1e-6);
            double max = 0;
            for (double v : fd) {
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max > 1e-6, "input " + i + ": finite differences vanish, test is vacuous");
            for (int j = 0; j < fd.length; j++) {
                double err = Math.abs(auto[i][j] - fd[j]);
                assertTrue(
                        err <= 1e-7 + 1e-6 * Math.abs(fd[j]),
                        String.format(
                                "input %d [%d]: autograd %.10g vs finite differences %.10g",
                                i, j, auto[i][j], fd[j]));
            }
        }
    }

    static void check(Function<NDArray[], NDArray> f, double[][] data, Shape[] shapes) {
        boolean[] all = new boolean[data.length];
        java.util.Arrays.fill(all, true);
        check(f, f, data, shapes, all);
    }

    /** Gaussian data of the given shape from a fixed seed. */
    static double[] gaussian(java.util.random.RandomGenerator rng, long size) {
        double[] out = new double[(int) size];
        for (int i = 0; i < out.length; i++) {
            out[i] = rng.nextGaussian();
        }
        return out;
    }

    /** Rows of {@code data} ([rows, d]) scaled to unit norm. */
    static double[] unitRows(double[] data, int d) {
        double[] out = data.clone();
        for (int r = 0; r < out.length / d; r++) {
            double n = 0;
            for (int j = 0; j < d; j++) {
                n += out[r * d + j] * out[r * d + j];
            }
            n = Math.sqrt(n);
            for (int j = 0; j < d; j++) {
                out[r * d + j] /= n;
            }
        }
        return out;
    }
}
