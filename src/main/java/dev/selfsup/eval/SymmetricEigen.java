package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkState;

/**
 * Eigenvalues of small dense symmetric matrices on the host, for the singular values behind RankMe
 * ({@link EmbeddingDiagnostics#singularValues}): DJL 0.33 has no SVD.
 */
final class SymmetricEigen {
    /** Sweeps of implicit QL allowed per eigenvalue before giving up (30 in Numerical Recipes). */
    private static final int QL_ITERATIONS = 60;

    private SymmetricEigen() {}

    /**
     * Eigenvalues of a symmetric matrix, ascending: Householder reduction to tridiagonal form, then
     * the implicit QL method with Wilkinson-style shifts (Numerical Recipes {@code tred2} and
     * {@code tqli}, eigenvalues only). O(m³); destroys {@code a}.
     *
     * @param a a symmetric m × m matrix (only the lower triangle is read)
     * @return the m eigenvalues, ascending
     * @throws IllegalStateException if QL does not converge
     */
    static double[] eigenvalues(double[][] a) {
        int n = a.length;
        double[] d = new double[n];
        double[] e = new double[n];
        // Householder: row i's part left of the diagonal is reflected to a multiple of e_{i-1}
        for (int i = n - 1; i > 0; i--) {
            int l = i - 1;
            double h = 0;
            if (l > 0) {
                double scale = 0;
                for (int k = 0; k < i; k++) {
                    scale += Math.abs(a[i][k]);
                }
                if (scale == 0) {
                    e[i] = a[i][l];
                } else {
                    for (int k = 0; k < i; k++) {
                        a[i][k] /= scale;
                        h += a[i][k] * a[i][k];
                    }
                    double f = a[i][l];
                    double g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
                    e[i] = scale * g;
                    h -= f * g;
                    a[i][l] = f - g;
                    f = 0;
                    for (int j = 0; j < i; j++) {
                        g = 0;
                        for (int k = 0; k <= j; k++) {
                            g += a[j][k] * a[i][k];
                        }
                        for (int k = j + 1; k < i; k++) {
                            g += a[k][j] * a[i][k];
                        }
                        e[j] = g / h;
                        f += e[j] * a[i][j];
                    }
                    double hh = f / (h + h);
                    for (int j = 0; j < i; j++) {
                        f = a[i][j];
                        g = e[j] - hh * f;
                        e[j] = g;
                        for (int k = 0; k <= j; k++) {
                            a[j][k] -= f * e[k] + g * a[i][k];
                        }
                    }
                }
            } else {
                e[i] = a[i][l];
            }
            d[i] = h;
        }
        for (int i = 0; i < n; i++) {
            d[i] = a[i][i];
        }
        // implicit QL on the tridiagonal matrix (diagonal d, sub-diagonal e[1..n-1])
        for (int i = 1; i < n; i++) {
            e[i - 1] = e[i];
        }
        if (n > 0) {
            e[n - 1] = 0;
        }
        for (int l = 0; l < n; l++) {
            int iterations = 0;
            int m;
            do {
                for (m = l; m < n - 1; m++) {
                    double dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
                    if (Math.abs(e[m]) <= Math.ulp(1.0) * dd) {
                        break;
                    }
                }
                if (m != l) {
                    checkState(
                            iterations++ < QL_ITERATIONS,
                            "eigenvalues did not converge in %s QL sweeps",
                            QL_ITERATIONS);
                    double g = (d[l + 1] - d[l]) / (2 * e[l]);
                    double r = Math.hypot(g, 1);
                    g = d[m] - d[l] + e[l] / (g + Math.copySign(r, g));
                    double s = 1;
                    double c = 1;
                    double p = 0;
                    int i;
                    for (i = m - 1; i >= l; i--) {
                        double f = s * e[i];
                        double b = c * e[i];
                        r = Math.hypot(f, g);
                        e[i + 1] = r;
                        if (r == 0) {
                            d[i + 1] -= p;
                            e[m] = 0;
                            break;
                        }
                        s = f / r;
                        c = g / r;
                        g = d[i + 1] - p;
                        r = (d[i] - g) * s + 2 * c * b;
                        p = s * r;
                        d[i + 1] = g + p;
                        g = c * r - b;
                    }
                    if (r == 0 && i >= l) {
                        continue;
                    }
                    d[l] -= p;
                    e[l] = g;
                    e[m] = 0;
                }
            } while (m != l);
        }
        java.util.Arrays.sort(d);
        return d;
    }
}
