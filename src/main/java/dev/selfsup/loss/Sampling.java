package dev.selfsup.loss;

import static dev.selfsup.internal.Checks.checkArgument;

import java.util.random.RandomGenerator;

/**
 * Random draws the losses need, made on the Java side from a caller's generator (STYLE.md R7), so
 * one step can be reproduced exactly from (seed, purpose, step).
 */
public final class Sampling {
    private Sampling() {}

    /**
     * A Gamma(shape, 1) draw by Marsaglia and Tsang (2000); for {@code shape < 1} the usual boost
     * Gamma(shape + 1) · U^(1/shape).
     *
     * @param rng the generator
     * @param shape the shape parameter, finite and {@code > 0}
     * @return a draw, {@code > 0} (or 0 after underflow for tiny shapes)
     * @throws IllegalArgumentException if shape is not finite and positive
     */
    public static double gamma(RandomGenerator rng, double shape) {
        checkArgument(
                shape > 0 && Double.isFinite(shape), "shape must be finite and > 0, got %s", shape);
        if (shape < 1) {
            double u = rng.nextDouble();
            return gamma(rng, shape + 1) * Math.pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x;
            double v;
            do {
                x = rng.nextGaussian();
                v = 1 + c * x;
            } while (v <= 0);
            v = v * v * v;
            double u = rng.nextDouble();
            // squeeze test first: it accepts ~98 % of draws without a logarithm
            if (u < 1 - 0.0331 * x * x * x * x) {
                return d * v;
            }
            if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    /**
     * A Beta(a, b) draw as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b) (X drawn first).
     *
     * @param rng the generator
     * @param a first shape, finite and {@code > 0} (FT: α_p = 2.0, α_n = 1.6)
     * @param b second shape, finite and {@code > 0}
     * @return a draw in [0, 1]
     * @throws IllegalArgumentException if a shape is not finite and positive
     */
    public static double beta(RandomGenerator rng, double a, double b) {
        checkArgument(a > 0 && Double.isFinite(a), "a must be finite and > 0, got %s", a);
        checkArgument(b > 0 && Double.isFinite(b), "b must be finite and > 0, got %s", b);
        double x = gamma(rng, a);
        double y = gamma(rng, b);
        return x + y == 0 ? (rng.nextBoolean() ? 1.0 : 0.0) : x / (x + y);
    }

    /**
     * A uniformly random permutation of 0 … n−1 (Fisher–Yates, drawing from the top down).
     *
     * @param rng the generator
     * @param n the length, {@code >= 0}
     * @return the permutation
     * @throws IllegalArgumentException if n is negative
     */
    public static int[] permutation(RandomGenerator rng, int n) {
        checkArgument(n >= 0, "n must be >= 0, got %s", n);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
