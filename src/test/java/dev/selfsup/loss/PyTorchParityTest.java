package dev.selfsup.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Forward values and input gradients against the official code paths re-typed in PyTorch 1.13
 * (src/test/python/make_loss_fixtures.py): 1e-5 relative in float32, 1e-9 in float64.
 */
class PyTorchParityTest {

    private static void close(Fixtures.Case c, String what, double expected, double actual) {
        Fixtures.assertClose(
                new double[] {expected},
                new double[] {actual},
                Fixtures.tolerance(c),
                c.name() + " " + c.type() + " " + what);
    }

    private static void close(Fixtures.Case c, String key, NDArray actual) {
        Fixtures.assertClose(
                c.values(key),
                Fixtures.toDoubles(actual),
                Fixtures.tolerance(c),
                c.name() + " " + c.type() + " " + key);
    }

    @Test
    void swavLossCodesAndGradientsMatchMainSwav() {
        for (Fixtures.Case c : Fixtures.load("swav.json")) {
            try (NDManager m = NDManager.newBaseManager()) {
                int v = c.integer("crops");
                NDArray[] scores = new NDArray[v];
                for (int i = 0; i < v; i++) {
                    scores[i] = c.array(m, "scores" + i);
                    scores[i].setRequiresGradient(true);
                }
                boolean queue = c.name().equals("swav_queue");
                NDArray[] queues =
                        queue
                                ? new NDArray[] {c.array(m, "queue0"), c.array(m, "queue1")}
                                : new NDArray[0];
                SwavLoss.Result r;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    r =
                            SwavLoss.lossWithCodes(
                                    scores,
                                    queues,
                                    new int[] {0, 1},
                                    c.scalar("temperature"),
                                    c.scalar("epsilon"),
                                    c.integer("iterations"),
                                    Sinkhorn.Reducer.LOCAL);
                    gc.backward(r.loss());
                }
                assertEquals(c.type(), r.loss().getDataType());
                close(
                        c,
                        "loss",
                        c.scalar("loss"),
                        r.loss().toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble());
                close(c, "codes0", r.codes().get(0));
                close(c, "codes1", r.codes().get(1));
                for (int i = 0; i < v; i++) {
                    close(c, "grad" + i, scores[i].getGradient());
                }
                if (!queue) { // the plain overload computes the same number
                    double plain =
                            SwavLoss.loss(
                                            scores,
                                            new int[] {0, 1},
                                            c.scalar("temperature"),
                                            c.scalar("epsilon"),
                                            c.integer("iterations"))
                                    .toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                                    .getDouble();
                    close(c, "loss (plain overload)", c.scalar("loss"), plain);
                } else {
                    double plain =
                            SwavLoss.loss(
                                            scores,
                                            queues,
                                            new int[] {0, 1},
                                            c.scalar("temperature"),
                                            c.scalar("epsilon"),
                                            c.integer("iterations"))
                                    .toType(ai.djl.ndarray.types.DataType.FLOAT64, false)
                                    .getDouble();
                    close(c, "loss (queue overload)", c.scalar("loss"), plain);
                }
            }
        }
    }

    @Test
    void infoNceMatchesMocoBuilder() {
        for (Fixtures.Case c : Fixtures.load("infonce.json")) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray q = c.array(m, "q");
                q.setRequiresGradient(true);
                NDArray loss;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    loss =
                            InfoNce.loss(
                                    q,
                                    c.array(m, "k"),
                                    c.array(m, "queue"),
                                    c.scalar("temperature"));
                    gc.backward(loss);
                }
                close(
                        c,
                        "loss",
                        c.scalar("loss"),
                        loss.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble());
                close(c, "gradQ", q.getGradient());
            }
        }
    }

    @Test
    void ntXentMatchesLightly() {
        for (Fixtures.Case c : Fixtures.load("ntxent.json")) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray z1 = c.array(m, "z1");
                NDArray z2 = c.array(m, "z2");
                z1.setRequiresGradient(true);
                z2.setRequiresGradient(true);
                NDArray loss;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    loss = NtXent.loss(z1, z2, c.scalar("temperature"));
                    gc.backward(loss);
                }
                close(
                        c,
                        "loss",
                        c.scalar("loss"),
                        loss.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble());
                close(c, "grad1", z1.getGradient());
                close(c, "grad2", z2.getGradient());
            }
        }
    }

    private static HardNegativeMixing.Draws draws(Fixtures.Case c) {
        return new HardNegativeMixing.Draws(
                c.integer("hardest"),
                c.integer("mixed"),
                c.integer("queryMixed"),
                c.draws("first"),
                c.draws("second"),
                c.values("alpha"),
                c.draws("partner"),
                c.values("beta"));
    }

    @Test
    void mochiOnQueueMatchesReferenceWithTheSameDraws() {
        List<Fixtures.Case> cases = Fixtures.load("mochi.json");
        for (Fixtures.Case c : cases) {
            if (!c.name().equals("mochi_queue")) {
                continue;
            }
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray q = c.array(m, "q");
                NDArray k = c.array(m, "k");
                NDArray queue = c.array(m, "queue");
                HardNegativeMixing.Draws d = draws(c);
                close(c, "negatives", HardNegativeMixing.mix(q, queue, d).negatives());
                q.setRequiresGradient(true);
                NDArray loss;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    loss = HardNegativeMixing.loss(q, k, queue, d, c.scalar("temperature"));
                    gc.backward(loss);
                }
                close(
                        c,
                        "loss",
                        c.scalar("loss"),
                        loss.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble());
                close(c, "gradQ", q.getGradient());
            }
        }
    }

    @Test
    void mochiOnInBatchNegativesMatchesReferenceWithTheSameDraws() {
        for (Fixtures.Case c : Fixtures.load("mochi.json")) {
            if (!c.name().equals("mochi_inbatch")) {
                continue;
            }
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray z1 = c.array(m, "z1");
                NDArray z2 = c.array(m, "z2");
                NDArray anchors = z1.normalize(2, 1, 1e-12).concat(z2.normalize(2, 1, 1e-12), 0);
                NDArray negatives = NtXent.inBatchNegatives(z1, z2);
                NDArray h =
                        HardNegativeMixing.mixPerQuery(anchors, negatives, draws(c)).negatives();
                close(c, "negatives", h);
                z1.setRequiresGradient(true);
                z2.setRequiresGradient(true);
                NDArray loss;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    loss = NtXent.loss(z1, z2, h, c.scalar("temperature"));
                    gc.backward(loss);
                }
                close(
                        c,
                        "loss",
                        c.scalar("loss"),
                        loss.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble());
                close(c, "grad1", z1.getGradient());
                close(c, "grad2", z2.getGradient());
            }
        }
    }

    @Test
    void featureTransformMatchesOfficialMemMoco() {
        for (Fixtures.Case c : Fixtures.load("ft.json")) {
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray q = c.array(m, "q");
                q.setRequiresGradient(true);
                NDArray lp = c.array(m, "lambdaP");
                NDArray ln = c.array(m, "lambdaN");
                NDArray loss;
                FeatureTransform.Transformed t;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    t =
                            FeatureTransform.transform(
                                    q,
                                    c.array(m, "k"),
                                    c.array(m, "queue"),
                                    lp,
                                    ln,
                                    c.draws("permutation"));
                    loss = FeatureTransform.loss(t, c.scalar("temperature"));
                    gc.backward(loss);
                }
                close(c, "qHat", t.qHat());
                close(c, "kHat", t.kHat());
                close(c, "negatives", t.negatives());
                close(
                        c,
                        "loss",
                        c.scalar("loss"),
                        loss.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).getDouble());
                close(c, "gradQ", q.getGradient());
            }
        }
    }
}
