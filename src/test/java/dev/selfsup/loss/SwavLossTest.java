package dev.selfsup.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.engine.Seeds;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class SwavLossTest {
    private static final int B = 4;
    private static final int K = 5;
    private static final int V = 3;

    private static double[][] scores(long seed) {
        RandomGenerator rng = Seeds.derive(seed, "swav-test");
        double[][] s = new double[V][];
        for (int v = 0; v < V; v++) {
            s[v] = GradCheck.gaussian(rng, B * K);
            for (int i = 0; i < s[v].length; i++) {
                s[v][i] = Math.tanh(s[v][i]);
            }
        }
        return s;
    }

    /** The official double loop with given (frozen) codes, in plain Java. */
    private static double loop(double[][] s, double[][] codes, int[] assign, double t) {
        double loss = 0;
        for (int i = 0; i < assign.length; i++) {
            double sub = 0;
            for (int v = 0; v < V; v++) {
                if (v == assign[i]) {
                    continue;
                }
                double mean = 0;
                for (int b = 0; b < B; b++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < K; k++) {
                        max = Math.max(max, s[v][b * K + k] / t);
                    }
                    double z = 0;
                    for (int k = 0; k < K; k++) {
                        z += Math.exp(s[v][b * K + k] / t - max);
                    }
                    for (int k = 0; k < K; k++) {
                        mean += codes[i][b * K + k] * (s[v][b * K + k] / t - max - Math.log(z));
                    }
                }
                sub -= mean / B;
            }
            loss += sub / (V - 1);
        }
        return loss / assign.length;
    }

    @Test
    void equalsTheOfficialLoopWithItsOwnCodes() {
        double[][] s = scores(1);
        int[] assign = {0, 2};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] arrays = new NDArray[V];
            for (int v = 0; v < V; v++) {
                arrays[v] = m.create(s[v], new Shape(B, K));
            }
            SwavLoss.Result r =
                    SwavLoss.lossWithCodes(
                            arrays, new NDArray[0], assign, 0.1, 0.05, 3, Sinkhorn.Reducer.LOCAL);
            double[][] codes = {r.codes().get(0).toDoubleArray(), r.codes().get(1).toDoubleArray()};
            Fixtures.assertClose(
                    Sinkhorn.codes(arrays[2], 0.05, 3).toDoubleArray(),
                    codes[1],
                    1e-15,
                    "codes of crop 2");
            assertEquals(loop(s, codes, assign, 0.1), r.loss().getDouble(), 1e-12);
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesWithCodesHeldFixed() {
        // the codes are targets without gradient (official: torch.no_grad), so finite differences
        // must hold them at their value for the unperturbed scores
        double[][] s = scores(2);
        int[] assign = {0, 1};
        double[][] codes = new double[assign.length][];
        try (NDManager m = NDManager.newBaseManager()) {
            for (int i = 0; i < assign.length; i++) {
                codes[i] =
                        Sinkhorn.codes(m.create(s[assign[i]], new Shape(B, K)), 0.05, 3)
                                .toDoubleArray();
            }
        }
        Shape[] shapes = {new Shape(B, K), new Shape(B, K), new Shape(B, K)};
        java.util.function.Function<NDArray[], NDArray> frozen =
                x -> {
                    double[][] values = new double[V][];
                    for (int v = 0; v < V; v++) {
                        values[v] = x[v].toDoubleArray();
                    }
                    return x[0].getManager().create(loop(values, codes, assign, 0.1));
                };
        GradCheck.check(
                x -> SwavLoss.loss(x, assign, 0.1, 0.05, 3),
                frozen,
                s,
                shapes,
                new boolean[] {true, true, true});
    }

    @Test
    void queueVariantUsesTheLastBRowsOfTheJointCodes() {
        double[][] s = scores(3);
        RandomGenerator rng = Seeds.derive(3, "swav-queue");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] arrays = new NDArray[V];
            for (int v = 0; v < V; v++) {
                arrays[v] = m.create(s[v], new Shape(B, K));
            }
            NDArray queue = m.create(GradCheck.gaussian(rng, 8 * K), new Shape(8, K)).tanh();
            SwavLoss.Result r =
                    SwavLoss.lossWithCodes(
                            arrays,
                            new NDArray[] {queue},
                            new int[] {1},
                            0.1,
                            0.05,
                            3,
                            Sinkhorn.Reducer.LOCAL);
            NDArray joint = Sinkhorn.codes(queue.concat(arrays[1], 0), 0.05, 3).get("8:");
            Fixtures.assertClose(
                    joint.toDoubleArray(), r.codes().get(0).toDoubleArray(), 1e-15, "queue codes");
            double[][] codes = {r.codes().get(0).toDoubleArray()};
            assertEquals(loop(s, codes, new int[] {1}, 0.1), r.loss().getDouble(), 1e-12);
        }
    }

    @Test
    void rejectsBadInputNamingIt() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.ones(new Shape(2, 3));
            Fixtures.assertRejects(
                    "scores must hold >= 2 crops, got 1",
                    () -> SwavLoss.loss(new NDArray[] {a}, new int[] {0}, 0.1, 0.05, 3));
            Fixtures.assertRejects(
                    "cropsForAssign entries must be in [0, 2), got 2",
                    () -> SwavLoss.loss(new NDArray[] {a, a}, new int[] {2}, 0.1, 0.05, 3));
            Fixtures.assertRejects(
                    "scores[1] must have the shape of scores[0] (2, 3), got (2, 4)",
                    () ->
                            SwavLoss.loss(
                                    new NDArray[] {a, m.ones(new Shape(2, 4))},
                                    new int[] {0},
                                    0.1,
                                    0.05,
                                    3));
            Fixtures.assertRejects(
                    "queueScores[0] must be [L, 3], got (5, 4)",
                    () ->
                            SwavLoss.loss(
                                    new NDArray[] {a, a},
                                    new NDArray[] {m.ones(new Shape(5, 4))},
                                    new int[] {0},
                                    0.1,
                                    0.05,
                                    3));
        }
    }
}
