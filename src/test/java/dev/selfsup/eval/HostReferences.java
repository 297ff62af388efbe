package dev.selfsup.eval;

import java.util.SplittableRandom;

/** Host-side helpers for the embedding diagnostics tests, independent of the code under test. */
final class HostReferences {
    private HostReferences() {}

    static double[][] gaussian(SplittableRandom rng, int rows, int cols) {
        double[][] out = new double[rows][cols];
        for (double[] row : out) {
            for (int j = 0; j < cols; j++) {
                row[j] = rng.nextGaussian();
            }
        }
        return out;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
