package dev.selfsup.loss;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/** Unit-row queries, keys and queues of fixed small sizes for the mixing tests. */
final class MixingData {
    static final int B = 4;
    static final int D = 6;
    static final int K = 40;

    private MixingData() {}

    static double[] unit(RandomGenerator rng, int rows) {
        return GradCheck.unitRows(GradCheck.gaussian(rng, (long) rows * D), D);
    }

    static double[] row(double[] a, int r) {
        return Arrays.copyOfRange(a, r * D, (r + 1) * D);
    }
}
