package dev.selfsup.optim;

import static dev.selfsup.optim.TinyModel.residual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

class SgdTest {
    static final double[][] XS = {{1, 2}, {-0.5, 1.5}, {2, -1}};
    static final double TARGET = 0.3;
    static final double[] W0 = {0.5, -1.25};
    static final double B0 = 0.25;

    /** float32 engine against a double reference: 1e-6 relative, 1e-6 absolute below 1. */
    static void assertClose(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-6 * Math.max(1, Math.abs(expected)), what);
    }

    @Test
    void momentumAndDecayOverThreeStepsFollowTorchFormWithBiasExempt() {
        double mu = 0.9;
        double wd = 0.1;
        // the lr halves at iteration 2: torch form (p -= lr·buf) and MXNet form (buf -= lr·g)
        // differ exactly there
        Schedule lr = Schedule.multiStep(0.1, List.of(2L), 0.5);
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, W0, B0);
            Sgd sgd =
                    Sgd.builder()
                            .setManager(m)
                            .setGroups(List.of(ParamGroup.of("net", model.linear)))
                            .setLearningRate(lr)
                            .optWeightDecay(wd)
                            .build();
            double[] w = W0.clone();
            double b = B0;
            double[] bufW = new double[2];
            double bufB = 0;
            for (int t = 0; t < 3; t++) {
                double r = residual(w, b, XS[t], TARGET);
                double[] gW = {r * XS[t][0] + wd * w[0], r * XS[t][1] + wd * w[1]};
                double gB = r; // bias: exempt from decay by default
                for (int i = 0; i < 2; i++) {
                    bufW[i] = t == 0 ? gW[i] : mu * bufW[i] + gW[i];
                }
                bufB = t == 0 ? gB : mu * bufB + gB;
                double rate = lr.value(t);
                w = new double[] {w[0] - rate * bufW[0], w[1] - rate * bufW[1]};
                b -= rate * bufB;

                model.backward(XS[t], TARGET);
                sgd.step(t);
                assertClose(w[0], model.w()[0], "w0 after step " + t);
                assertClose(w[1], model.w()[1], "w1 after step " + t);
                assertClose(b, model.b(), "b after step " + t);
                assertEquals(0, model.gradW()[0], 0, "gradient zeroed after step");
                assertEquals(0, model.gradB(), 0, "gradient zeroed after step");
            }
            assertEquals(
                    List.of("net/weight/momentum_buffer", "net/bias/momentum_buffer"),
                    List.copyOf(sgd.state().keySet()));
            assertClose(bufB, sgd.state().get("net/bias/momentum_buffer").getFloat(0), "bufB");
        }
    }

    @Test
    void nesterovAddsMomentumTimesBufferToTheGradient() {
        double mu = 0.8;
        double wd = 0.05;
        double rate = 0.2;
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, W0, B0);
            Sgd sgd =
                    Sgd.builder()
                            .setManager(m)
                            .setGroups(
                                    List.of(
                                            ParamGroup.of("net", model.linear)
                                                    .excludeBnAndBiasFromDecay(false)))
                            .setLearningRate(Schedule.constant(rate))
                            .optWeightDecay(wd)
                            .optMomentum(mu)
                            .optNesterov(true)
                            .build();
            double[] p = {W0[0], W0[1], B0};
            double[] buf = new double[3];
            for (int t = 0; t < 3; t++) {
                double r = residual(new double[] {p[0], p[1]}, p[2], XS[t], TARGET);
                double[] g = {r * XS[t][0], r * XS[t][1], r};
                for (int i = 0; i < 3; i++) {
                    double gi = g[i] + wd * p[i]; // bias decays too: exemption switched off
                    buf[i] = t == 0 ? gi : mu * buf[i] + gi;
                    p[i] -= rate * (gi + mu * buf[i]);
                }
                model.backward(XS[t], TARGET);
                sgd.step(t);
                assertClose(p[0], model.w()[0], "w0 after step " + t);
                assertClose(p[1], model.w()[1], "w1 after step " + t);
                assertClose(p[2], model.b(), "b after step " + t);
            }
        }
    }

    @Test
    void zeroMomentumIsPlainGradientDescentWithoutState() {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, W0, B0);
            Sgd sgd =
                    Sgd.builder()
                            .setManager(m)
                            .setGroups(List.of(ParamGroup.of("net", model.linear).lrMultiplier(2)))
                            .setLearningRate(Schedule.constant(0.1))
                            .optMomentum(0)
                            .build();
            double r = residual(W0, B0, XS[0], TARGET);
            model.backward(XS[0], TARGET);
            sgd.step(0);
            // lr 0.1 × group multiplier 2
            assertClose(W0[0] - 0.2 * r * XS[0][0], model.w()[0], "w0");
            assertClose(W0[1] - 0.2 * r * XS[0][1], model.w()[1], "w1");
            assertClose(B0 - 0.2 * r, model.b(), "b");
            assertTrue(sgd.state().isEmpty());
        }
    }

    @Test
    void badOptionsFailNamingTheValue() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Sgd.builder().optMomentum(1.5));
        assertTrue(e.getMessage().contains("1.5"), e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> Sgd.builder().setLearningRate(Schedule.constant(1)).build());
        assertTrue(e.getMessage().contains("setManager"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sgd.builder().optWeightDecay(-1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
    }
}
