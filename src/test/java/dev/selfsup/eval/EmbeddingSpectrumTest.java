package dev.selfsup.eval;

import static dev.selfsup.eval.HostReferences.dot;
import static dev.selfsup.eval.HostReferences.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link EmbeddingDiagnostics}' spectrum (singular values, symmetric eigenvalues, RankMe) against
 * closed forms, matrices built from known singular values, and Jacobi rotations on the host.
 */
class EmbeddingSpectrumTest {
    @Test
    void recoversKnownSingularValuesAndTheirRankMe() {
        SplittableRandom rng = new SplittableRandom(11);
        double[] s = {9, 5, 5, 2, 0.5, 0.01};
        for (int[] nd : new int[][] {{30, 12}, {12, 30}, {6, 6}}) {
            int n = nd[0];
            int d = nd[1];
            double[][] u = orthonormalColumns(rng, n, s.length);
            double[][] v = orthonormalColumns(rng, d, s.length);
            double[][] x = new double[n][d];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    for (int r = 0; r < s.length; r++) {
                        x[i][j] += u[i][r] * s[r] * v[j][r];
                    }
                }
            }
            double[] expected = new double[Math.min(n, d)];
            System.arraycopy(s, 0, expected, 0, s.length); // the rest are zero
            try (NDManager m = NDManager.newBaseManager()) {
                double[] got = EmbeddingDiagnostics.singularValues(m.create(x));
                // σ² comes from a float64 Gram matrix: zeros come back as ~sqrt(1e-16·σ_max²) ≈
                // 1e-7
                assertArrayEquals(expected, got, 1e-6, Arrays.toString(got));
                double total = Arrays.stream(expected).sum();
                double entropy = 0;
                for (double e : expected) {
                    double p = e / total + 1e-7;
                    entropy -= p * Math.log(p);
                }
                assertEquals(
                        Math.exp(entropy), EmbeddingDiagnostics.effectiveRank(m.create(x)), 1e-5);
            }
        }
    }

    @Test
    void rankMeClosedForms() {
        // k equal singular values: p = 1/k + ε each → exp(−k (1/k + ε) log(1/k + ε)) ≈ k
        for (int k : new int[] {1, 3, 64}) {
            double[] s = new double[k];
            Arrays.fill(s, 2.5);
            double p = 1.0 / k + 1e-7;
            assertEquals(
                    Math.exp(-k * p * Math.log(p)), EmbeddingDiagnostics.effectiveRank(s), 1e-12);
            assertEquals(k, EmbeddingDiagnostics.effectiveRank(s), 1e-4 * k);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            // a rank-one matrix (every row a multiple of one vector): effective rank 1
            double[][] x = new double[20][8];
            for (int i = 0; i < 20; i++) {
                for (int j = 0; j < 8; j++) {
                    x[i][j] = (i + 1) * (j - 3.5);
                }
            }
            assertEquals(1, EmbeddingDiagnostics.effectiveRank(m.create(x)), 1e-4);
        }
    }

    @Test
    void eigenvaluesMatchJacobiRotations() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int n : new int[] {1, 2, 5, 33}) {
            double[][] g = gaussian(rng, n, n);
            double[][] a = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    a[i][j] = g[i][j] + g[j][i];
                }
            }
            double[] expected = jacobiEigenvalues(copy(a));
            assertArrayEquals(expected, EmbeddingDiagnostics.symmetricEigenvalues(copy(a)), 1e-10);
        }
        // repeated and zero eigenvalues: diag(0, 0, 2, 2, 2) rotated
        double[][] q = orthonormalColumns(rng, 5, 5);
        double[] lambda = {0, 0, 2, 2, 2};
        double[][] a = new double[5][5];
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                for (int r = 0; r < 5; r++) {
                    a[i][j] += q[i][r] * lambda[r] * q[j][r];
                }
            }
        }
        assertArrayEquals(lambda, EmbeddingDiagnostics.symmetricEigenvalues(a), 1e-12);
    }

    /** Gram–Schmidt on Gaussian columns: an n × k matrix with orthonormal columns. */
    private static double[][] orthonormalColumns(SplittableRandom rng, int n, int k) {
        double[][] q = new double[n][k];
        for (int c = 0; c < k; c++) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = rng.nextGaussian();
            }
            for (int pass = 0; pass < 2; pass++) { // twice is enough for float64 orthogonality
                for (int p = 0; p < c; p++) {
                    double proj = 0;
                    for (int i = 0; i < n; i++) {
                        proj += q[i][p] * v[i];
                    }
                    for (int i = 0; i < n; i++) {
                        v[i] -= proj * q[i][p];
                    }
                }
            }
            double norm = Math.sqrt(dot(v, v));
            for (int i = 0; i < n; i++) {
                q[i][c] = v[i] / norm;
            }
        }
        return q;
    }

    private static double[][] copy(double[][] a) {
        return Arrays.stream(a).map(double[]::clone).toArray(double[][]::new);
    }

    /** Cyclic Jacobi rotations until the off-diagonal mass vanishes; eigenvalues ascending. */
    private static double[] jacobiEigenvalues(double[][] a) {
        int n = a.length;
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    off += a[p][q] * a[p][q];
                }
            }
            if (off < 1e-30) {
                break;
            }
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (a[p][q] == 0) {
                        continue;
                    }
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t =
                            Math.signum(theta == 0 ? 1 : theta)
                                    / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) { // A ← A J (columns p, q)
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) { // A ← Jᵀ A (rows p, q)
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                }
            }
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = a[i][i];
        }
        Arrays.sort(d);
        return d;
    }
}
