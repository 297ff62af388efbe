package dev.selfsup.optim;

import static dev.selfsup.optim.SgdTest.B0;
import static dev.selfsup.optim.SgdTest.TARGET;
import static dev.selfsup.optim.SgdTest.W0;
import static dev.selfsup.optim.SgdTest.XS;
import static dev.selfsup.optim.SgdTest.assertClose;
import static dev.selfsup.optim.TinyModel.residual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A weight decay that follows a schedule per iteration (DINO's cosine 0.04 → 0.4). */
class WeightDecayScheduleTest {

    @Test
    void adamwDecaysByTheScheduledValueOfEachIterationAndBiasStaysExempt() {
        double lr = 0.05;
        // rising cosine over 3 iterations, as DINO's wd_schedule: 0.04 → towards 0.4
        Schedule wd = Schedule.warmupCosine(0.04, 0.4, 0, 3, 0);
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, W0, B0);
            AdamW adamw =
                    AdamW.builder()
                            .setManager(m)
                            .setGroups(List.of(ParamGroup.of("net", model.linear)))
                            .setLearningRate(Schedule.constant(lr))
                            .optWeightDecay(wd)
                            .build();
            double[] w = W0.clone();
            double b = B0;
            double[] mW = new double[2];
            double[] vW = new double[2];
            double mB = 0;
            double vB = 0;
            for (int t = 0; t < 3; t++) {
                double r = residual(w, b, XS[t], TARGET);
                double decay = wd.value(t);
                int n = t + 1;
                double c1 = 1 - Math.pow(0.9, n);
                double c2 = Math.sqrt(1 - Math.pow(0.999, n));
                for (int i = 0; i < 2; i++) {
                    double g = r * XS[t][i];
                    w[i] *= 1 - lr * decay;
                    mW[i] = 0.9 * mW[i] + 0.1 * g;
                    vW[i] = 0.999 * vW[i] + 0.001 * g * g;
                    w[i] -= lr / c1 * mW[i] / (Math.sqrt(vW[i]) / c2 + 1e-8);
                }
                mB = 0.9 * mB + 0.1 * r;
                vB = 0.999 * vB + 0.001 * r * r;
                b -= lr / c1 * mB / (Math.sqrt(vB) / c2 + 1e-8);

                model.backward(XS[t], TARGET);
                adamw.step(t);
                assertEquals(decay, adamw.weightDecay(t), 0);
                assertClose(w[0], model.w()[0], "w0 after step " + t);
                assertClose(w[1], model.w()[1], "w1 after step " + t);
                assertClose(b, model.b(), "b after step " + t);
            }
            assertTrue(wd.value(2) > 0.3, "the schedule rose: " + wd.value(2));
        }
    }

    @Test
    void aNegativeScheduledDecayIsRefusedNamingTheIteration() {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, W0, B0);
            Sgd sgd =
                    Sgd.builder()
                            .setManager(m)
                            .setGroups(List.of(ParamGroup.of("net", model.linear)))
                            .setLearningRate(Schedule.constant(0.1))
                            .optWeightDecay(Schedule.warmupCosine(0.1, -0.1, 0, 4, 0))
                            .build();
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> sgd.weightDecay(3));
            assertTrue(e.getMessage().contains("iteration 3"), e.getMessage());
        }
    }
}
