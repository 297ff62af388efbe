package dev.selfsup.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.selfsup.engine.Seeds;
import dev.selfsup.optim.LrSchedule;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class LinearProbeTest {

    @Test
    void separatesTenFarApartGaussianBlobs() {
        int f = 32, c = 10;
        SplittableRandom rng = new SplittableRandom(11);
        float[][] centres = KnnTest.gaussian(rng, c, f);
        try (NDManager m = NDManager.newBaseManager()) {
            Blobs train = blobs(rng, centres, 1000, 1.5f);
            Blobs test = blobs(rng, centres, 500, 1.5f);
            ProbeProtocol protocol =
                    ProbeProtocol.custom(0.5, 6, 0, LrSchedule.cosine(0), 250)
                            .withEvalEveryEpochs(2);
            ProbeResult r =
                    LinearProbe.train(
                            m.create(train.x),
                            m.create(train.y),
                            m.create(test.x),
                            m.create(test.y),
                            c,
                            protocol,
                            1);
            assertTrue(r.lastTop1() >= 99, "top-1 " + r.lastTop1());
            assertEquals(100, r.lastTop5(), 1e-9);
            assertEquals(6, r.lastEpoch());
            assertEquals(
                    List.of(2, 4, 6),
                    r.history().stream().map(ProbeResult.EpochScore::epoch).toList());
            assertTrue(r.bestTop1() >= r.lastTop1());
            assertEquals(
                    r.history().stream()
                            .mapToDouble(ProbeResult.EpochScore::top1)
                            .max()
                            .orElseThrow(),
                    r.bestTop1());
            assertTrue(
                    r.history().get(2).trainLoss() < r.history().get(0).trainLoss(),
                    r.history().toString());
            // same seed, same numbers; the BatchNorm variant also separates the blobs
            ProbeResult again =
                    LinearProbe.train(
                            m.create(train.x),
                            m.create(train.y),
                            m.create(test.x),
                            m.create(test.y),
                            c,
                            protocol,
                            1);
            assertEquals(r.history().get(2).trainLoss(), again.history().get(2).trainLoss());
            ProbeResult bn =
                    LinearProbe.train(
                            m.create(train.x),
                            m.create(train.y),
                            m.create(test.x),
                            m.create(test.y),
                            c,
                            protocol.withBatchNorm(true),
                            2);
            assertTrue(bn.lastTop1() >= 99, "top-1 with BatchNorm " + bn.lastTop1());
            assertNotEquals(r.history().get(0).trainLoss(), bn.history().get(0).trainLoss());
        }
    }

    @Test
    void sgdStepsMatchHandWrittenPyTorchFormWithBatchNormAndWeightDecay() {
        // One full batch per epoch, so shuffling cannot matter; three epochs exercise momentum.
        int n = 12, f = 5, c = 3;
        double lr = 0.5, momentum = 0.9, wd = 0.01, eps = 1e-6;
        SplittableRandom rng = new SplittableRandom(4);
        float[][] x = KnnTest.gaussian(rng, n, f);
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % c;
        }
        ProbeProtocol p =
                new ProbeProtocol(
                        "t", lr, 3, LrSchedule.step(List.of(2), 0.1), momentum, wd, n, true, 1);
        float[][] actual;
        try (NDManager m = NDManager.newBaseManager()) {
            actual = LinearProbe.trainedParameters(m.create(x), m.create(y), c, p, 9);
        }
        // reference in double: init N(0, 0.01) from the same derived generator
        RandomGenerator init = Seeds.derive(9, "probe-init");
        double[][] w = new double[c][f];
        for (double[] row : w) {
            for (int j = 0; j < f; j++) {
                row[j] = (float) (0.01 * init.nextGaussian());
            }
        }
        double[] b = new double[c];
        double[][] bufW = new double[c][f];
        double[] bufB = new double[c];
        double[][] xn = new double[n][f];
        for (int j = 0; j < f; j++) {
            double mean = 0, var = 0;
            for (int i = 0; i < n; i++) {
                mean += x[i][j] / (double) n;
            }
            for (int i = 0; i < n; i++) {
                var += (x[i][j] - mean) * (x[i][j] - mean) / n;
            }
            for (int i = 0; i < n; i++) {
                xn[i][j] = (x[i][j] - mean) / Math.sqrt(var + eps);
            }
        }
        for (int epoch = 0; epoch < 3; epoch++) {
            double rate = epoch >= 2 ? lr * 0.1 : lr;
            double[][] gw = new double[c][f];
            double[] gb = new double[c];
            for (int i = 0; i < n; i++) {
                double[] logits = new double[c];
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < c; k++) {
                    logits[k] = b[k];
                    for (int j = 0; j < f; j++) {
                        logits[k] += w[k][j] * xn[i][j];
                    }
                    max = Math.max(max, logits[k]);
                }
                double z = 0;
                for (int k = 0; k < c; k++) {
                    z += Math.exp(logits[k] - max);
                }
                for (int k = 0; k < c; k++) {
                    double d = (Math.exp(logits[k] - max) / z - (y[i] == k ? 1 : 0)) / n;
                    gb[k] += d;
                    for (int j = 0; j < f; j++) {
                        gw[k][j] += d * xn[i][j];
                    }
                }
            }
            for (int k = 0; k < c; k++) {
                for (int j = 0; j < f; j++) {
                    bufW[k][j] = momentum * bufW[k][j] + gw[k][j] + wd * w[k][j];
                    w[k][j] -= rate * bufW[k][j];
                }
                bufB[k] = momentum * bufB[k] + gb[k] + wd * b[k];
                b[k] -= rate * bufB[k];
            }
        }
        for (int k = 0; k < c; k++) {
            assertEquals(b[k], actual[1][k], 1e-5, "bias " + k);
            for (int j = 0; j < f; j++) {
                assertEquals(w[k][j], actual[0][k * f + j], 1e-5, "weight " + k + "," + j);
            }
        }
    }

    @Test
    void mocoScheduleStepsAtSixtyAndEighty() {
        ProbeProtocol moco = ProbeProtocol.Preset.MOCO.protocol();
        assertEquals(30, moco.learningRateAt(0), 1e-12);
        assertEquals(30, moco.learningRateAt(59), 1e-12);
        assertEquals(3, moco.learningRateAt(60), 1e-12);
        assertEquals(3, moco.learningRateAt(79), 1e-12);
        assertEquals(0.3, moco.learningRateAt(80), 1e-12);
        assertEquals(0.3, moco.learningRateAt(99), 1e-12);
        assertEquals(100, moco.epochs());
        assertEquals(256, moco.batchSize());
        assertEquals(0.9, moco.momentum());
        assertEquals(0.0, moco.weightDecay());
    }

    @Test
    void swavScheduleIsCosineToZero() {
        ProbeProtocol swav = ProbeProtocol.Preset.SWAV.protocol();
        assertEquals(0.3, swav.learningRateAt(0), 1e-12);
        assertEquals(0.3 * (1 + Math.sqrt(0.5)) / 2, swav.learningRateAt(25), 1e-12); // cos(π/4)
        assertEquals(0.15, swav.learningRateAt(50), 1e-12);
        assertEquals(0.3 * (1 - Math.sqrt(0.5)) / 2, swav.learningRateAt(75), 1e-12);
        assertEquals(0.3 * (1 + Math.cos(Math.PI * 99 / 100)) / 2, swav.learningRateAt(99), 1e-15);
        assertEquals(0, swav.learningRateAt(100), 1e-15);
        assertEquals(1e-6, swav.weightDecay());
        assertEquals(256, swav.batchSize());
        assertEquals(0.9, swav.momentum());
        assertThrows(IllegalArgumentException.class, () -> swav.learningRateAt(101));
    }

    @Test
    void rejectsBadProtocolAndLabels() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> ProbeProtocol.custom(-1, 10, 0, LrSchedule.constant(), 8));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.step(List.of(80, 60), 0.1));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new ai.djl.ndarray.types.Shape(4, 2));
            NDArray y = m.create(new long[] {0, 1, 2, 3});
            IllegalArgumentException labels =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> LinearProbe.train(x, y, x, y, 3, ProbeProtocol.swav(), 0));
            assertTrue(labels.getMessage().contains("[0, 3]"), labels.getMessage());
        }
    }

    record Blobs(float[][] x, long[] y) {}

    static Blobs blobs(SplittableRandom rng, float[][] centres, int n, float spread) {
        int f = centres[0].length;
        float[][] x = new float[n][f];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int k = i % centres.length;
            y[i] = k;
            for (int j = 0; j < f; j++) {
                x[i][j] = spread * centres[k][j] + (float) rng.nextGaussian();
            }
        }
        return new Blobs(x, y);
    }
}
