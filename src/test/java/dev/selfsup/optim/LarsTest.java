package dev.selfsup.optim;

import static dev.selfsup.optim.SgdTest.B0;
import static dev.selfsup.optim.SgdTest.TARGET;
import static dev.selfsup.optim.SgdTest.W0;
import static dev.selfsup.optim.SgdTest.XS;
import static dev.selfsup.optim.SgdTest.assertClose;
import static dev.selfsup.optim.TinyModel.residual;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

class LarsTest {
    private static final double MU = 0.9;

    /** The LARS direction of METHODS.md §9 in double, before momentum. */
    private static double[] direction(
            double[] p, double[] g, double wd, double eta, boolean adapt, double lr, boolean clip) {
        double pNorm = norm(p);
        double gNorm = norm(g);
        double[] d = g.clone();
        if (!adapt) {
            for (int i = 0; i < d.length; i++) {
                d[i] += wd * p[i];
            }
        } else if (pNorm != 0 && gNorm != 0) {
            double a = eta * pNorm / (gNorm + wd * pNorm + 1e-8);
            if (clip) {
                a = Math.min(a / lr, 1);
            }
            for (int i = 0; i < d.length; i++) {
                d[i] = (g[i] + wd * p[i]) * a;
            }
        }
        return d;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    @Test
    void adaptsTheWeightAndGivesTheExcludedBiasAPlainUndecayedStep() {
        double eta = 0.02;
        double wd = 0.1;
        double lr = 2;
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, W0, B0);
            Lars lars =
                    Lars.builder()
                            .setManager(m)
                            .setGroups(List.of(ParamGroup.of("net", model.linear)))
                            .setLearningRate(Schedule.constant(lr))
                            .optWeightDecay(wd)
                            .optTrustCoefficient(eta)
                            .build();
            double[] w = W0.clone();
            double[] b = {B0};
            double[] bufW = null;
            double[] bufB = null;
            for (int t = 0; t < 2; t++) {
                double r = residual(w, b[0], XS[t], TARGET);
                double[] dW =
                        direction(
                                w,
                                new double[] {r * XS[t][0], r * XS[t][1]},
                                wd,
                                eta,
                                true,
                                lr,
                                false);
                // bias: excluded from adaptation and from decay (both defaults)
                double[] dB = direction(b, new double[] {r}, 0, eta, false, lr, false);
                bufW = t == 0 ? dW : new double[] {MU * bufW[0] + dW[0], MU * bufW[1] + dW[1]};
                bufB = t == 0 ? dB : new double[] {MU * bufB[0] + dB[0]};
                w = new double[] {w[0] - lr * bufW[0], w[1] - lr * bufW[1]};
                b = new double[] {b[0] - lr * bufB[0]};

                model.backward(XS[t], TARGET);
                lars.step(t);
                assertClose(w[0], model.w()[0], "w0 after step " + t);
                assertClose(w[1], model.w()[1], "w1 after step " + t);
                assertClose(b[0], model.b(), "b after step " + t);
            }
        }
    }

    @Test
    void skipsAdaptationAndDecayWhereTheParameterOrGradientNormIsZero() {
        double eta = 0.05;
        double wd = 0.2;
        double lr = 1.5;
        double[][] xs = {{1, 2}, {0, 0}}; // step 1: x = 0 makes the weight gradient exactly 0
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, W0, 0); // step 0: the bias norm is 0
            Lars lars =
                    Lars.builder()
                            .setManager(m)
                            .setGroups(
                                    List.of(
                                            ParamGroup.of("net", model.linear)
                                                    .excludeFromLarsAdaptation(false)
                                                    .excludeBnAndBiasFromDecay(false)))
                            .setLearningRate(Schedule.constant(lr))
                            .optWeightDecay(wd)
                            .optTrustCoefficient(eta)
                            .build();
            double[] w = W0.clone();
            double[] b = {0};
            double[] bufW = null;
            double[] bufB = null;
            for (int t = 0; t < 2; t++) {
                double r = residual(w, b[0], xs[t], TARGET);
                double[] gW = {r * xs[t][0], r * xs[t][1]};
                double[] dW = direction(w, gW, wd, eta, true, lr, false);
                double[] dB = direction(b, new double[] {r}, wd, eta, true, lr, false);
                if (t == 0) {
                    assertClose(r, dB[0], "zero-norm bias: raw gradient, no trust ratio");
                } else {
                    assertClose(0, dW[0], "zero-gradient weight: no weight decay either");
                }
                bufW = t == 0 ? dW : new double[] {MU * bufW[0] + dW[0], MU * bufW[1] + dW[1]};
                bufB = t == 0 ? dB : new double[] {MU * bufB[0] + dB[0]};
                w = new double[] {w[0] - lr * bufW[0], w[1] - lr * bufW[1]};
                b = new double[] {b[0] - lr * bufB[0]};

                model.backward(xs[t], TARGET);
                lars.step(t);
                assertClose(w[0], model.w()[0], "w0 after step " + t);
                assertClose(w[1], model.w()[1], "w1 after step " + t);
                assertClose(b[0], model.b(), "b after step " + t);
            }
        }
    }

    @Test
    void clipModeCapsTheTrustRatioAtTheLearningRate() {
        double eta = 0.02;
        double wd = 0.1;
        // lr 0.001: a / lr > 1, so the ratio is clipped to 1; lr 3: a / lr < 1
        for (double lr : new double[] {0.001, 3}) {
            try (NDManager m = NDManager.newBaseManager()) {
                TinyModel model = new TinyModel(m, W0, B0);
                Lars lars =
                        Lars.builder()
                                .setManager(m)
                                .setGroups(List.of(ParamGroup.of("net", model.linear)))
                                .setLearningRate(Schedule.constant(lr))
                                .optWeightDecay(wd)
                                .optTrustCoefficient(eta)
                                .optClip(true)
                                .build();
                double r = residual(W0, B0, XS[0], TARGET);
                double[] gW = {r * XS[0][0], r * XS[0][1]};
                double[] dW = direction(W0, gW, wd, eta, true, lr, true);
                model.backward(XS[0], TARGET);
                lars.step(0);
                assertClose(W0[0] - lr * dW[0], model.w()[0], "w0 at lr " + lr);
                assertClose(W0[1] - lr * dW[1], model.w()[1], "w1 at lr " + lr);
                double clippedFactor = dW[0] / (gW[0] + wd * W0[0]);
                if (lr < 1) {
                    assertClose(1, clippedFactor, "clipped ratio");
                } else {
                    assertClose(
                            eta * norm(W0) / (norm(gW) + wd * norm(W0) + 1e-8) / lr,
                            clippedFactor,
                            "unclipped ratio / lr");
                }
            }
        }
    }

    @Test
    void defaultsAreTrustCoefficientOneThousandthAndMomentumNineTenths() {
        double lr = 5;
        double wd = 1e-6;
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, W0, B0);
            Lars lars =
                    Lars.builder()
                            .setManager(m)
                            .setGroups(List.of(ParamGroup.of("net", model.linear)))
                            .setLearningRate(Schedule.constant(lr))
                            .optWeightDecay(wd)
                            .build();
            double[] w = W0.clone();
            double[] bufW = null;
            for (int t = 0; t < 2; t++) {
                double r = residual(w, model.b(), XS[t], TARGET);
                double[] dW =
                        direction(
                                w,
                                new double[] {r * XS[t][0], r * XS[t][1]},
                                wd,
                                0.001,
                                true,
                                lr,
                                false);
                bufW = t == 0 ? dW : new double[] {MU * bufW[0] + dW[0], MU * bufW[1] + dW[1]};
                w = new double[] {w[0] - lr * bufW[0], w[1] - lr * bufW[1]};
                model.backward(XS[t], TARGET);
                lars.step(t);
                // the update is ~lr·η·‖p‖ ≈ 7e-3, so 1e-6 absolute still resolves it to ~1e-4
                double[] got = model.w();
                assertEquals(w[0], got[0], 1e-6, "w0 " + t);
                assertEquals(w[1], got[1], 1e-6, "w1 " + t);
            }
        }
    }
}
