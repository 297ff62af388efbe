package dev.selfsup.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfsup.engine.Seeds;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class SamplingTest {
    @Test
    void betaHasTheRightMeanAndVariance() {
        double[][] params = {{2.0, 2.0}, {1.6, 1.6}, {0.5, 3.0}, {5.0, 1.0}};
        for (double[] p : params) {
            RandomGenerator rng =
                    Seeds.derive(42, "beta-test", (long) (p[0] * 10), (long) (p[1] * 10));
            int n = 200_000;
            double sum = 0;
            double sumSq = 0;
            for (int i = 0; i < n; i++) {
                double x = Sampling.beta(rng, p[0], p[1]);
                assertTrue(x >= 0 && x <= 1);
                sum += x;
                sumSq += x * x;
            }
            double a = p[0];
            double b = p[1];
            double mean = a / (a + b);
            double var = a * b / ((a + b) * (a + b) * (a + b + 1));
            double m = sum / n;
            double v = sumSq / n - m * m;
            // 5 standard errors: sd(mean) = sqrt(var / n); variance estimate rel. error ~ sqrt(2 /
            // n) plus kurtosis
            assertEquals(mean, m, 5 * Math.sqrt(var / n), "mean of Beta(" + a + ", " + b + ")");
            assertEquals(var, v, 0.02 * var, "variance of Beta(" + a + ", " + b + ")");
        }
    }

    @Test
    void permutationHoldsEveryIndexOnceAndIsUniformPerPosition() {
        RandomGenerator rng = Seeds.derive(7, "perm-test");
        int n = 5;
        int[][] counts = new int[n][n];
        int trials = 50_000;
        for (int t = 0; t < trials; t++) {
            int[] p = Sampling.permutation(rng, n);
            boolean[] seen = new boolean[n];
            for (int i = 0; i < n; i++) {
                assertTrue(!seen[p[i]]);
                seen[p[i]] = true;
                counts[i][p[i]]++;
            }
        }
        double expected = trials / (double) n;
        for (int[] row : counts) {
            for (int c : row) {
                assertEquals(expected, c, 5 * Math.sqrt(expected));
            }
        }
    }

    @Test
    void rejectsBadShapes() {
        Fixtures.assertRejects(
                "a must be finite and > 0, got 0.0",
                () -> Sampling.beta(Seeds.derive(0, "x"), 0, 1));
        Fixtures.assertRejects(
                "n must be >= 0, got -1", () -> Sampling.permutation(Seeds.derive(0, "x"), -1));
    }
}
