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

class AdamWTest {
    @Test
    void threeStepsMatchTorchAdamWWithDecoupledDecayAndBiasCorrection() {
        double beta1 = 0.9;
        double beta2 = 0.999;
        double eps = 1e-8;
        double wd = 0.3;
        Schedule lr = Schedule.warmupCosine(0.05, 0.01, 1, 3, 0.02); // 0.02, 0.05, 0.03
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, W0, B0);
            AdamW adam =
                    AdamW.builder()
                            .setManager(m)
                            .setGroups(List.of(ParamGroup.of("net", model.linear)))
                            .setLearningRate(lr)
                            .optWeightDecay(wd)
                            .build();
            double[] p = {W0[0], W0[1], B0};
            double[] decay = {wd, wd, 0}; // bias exempt by default
            double[] mom = new double[3];
            double[] vel = new double[3];
            for (int t = 0; t < 3; t++) {
                double r = residual(new double[] {p[0], p[1]}, p[2], XS[t], TARGET);
                double[] g = {r * XS[t][0], r * XS[t][1], r};
                double rate = lr.value(t);
                int step = t + 1;
                for (int i = 0; i < 3; i++) {
                    p[i] *= 1 - rate * decay[i];
                    mom[i] = beta1 * mom[i] + (1 - beta1) * g[i];
                    vel[i] = beta2 * vel[i] + (1 - beta2) * g[i] * g[i];
                    double mHat = mom[i] / (1 - Math.pow(beta1, step));
                    double denom = Math.sqrt(vel[i]) / Math.sqrt(1 - Math.pow(beta2, step)) + eps;
                    p[i] -= rate * mHat / denom;
                }
                model.backward(XS[t], TARGET);
                adam.step(t);
                assertClose(p[0], model.w()[0], "w0 after step " + t);
                assertClose(p[1], model.w()[1], "w1 after step " + t);
                assertClose(p[2], model.b(), "b after step " + t);
            }
            assertEquals(3L, adam.state().get("net/weight/step").getLong());
            assertClose(vel[2], adam.state().get("net/bias/exp_avg_sq").getFloat(0), "v of bias");
        }
    }
}
