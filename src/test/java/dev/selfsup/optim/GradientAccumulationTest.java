package dev.selfsup.optim;

import static dev.selfsup.optim.SgdTest.B0;
import static dev.selfsup.optim.SgdTest.TARGET;
import static dev.selfsup.optim.SgdTest.W0;
import static dev.selfsup.optim.SgdTest.XS;
import static dev.selfsup.optim.SgdTest.assertClose;
import static dev.selfsup.optim.TinyModel.residual;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pins the engine fact the accumulation design rests on (see {@link Optimizer}). */
class GradientAccumulationTest {
    @Test
    void secondBackwardAddsIntoTheGradientInDjlPyTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, W0, B0);
            double r0 = residual(W0, B0, XS[0], TARGET);
            double r1 = residual(W0, B0, XS[1], TARGET);
            model.backward(XS[0], TARGET); // each call opens and closes its own collector
            model.backward(XS[1], TARGET);
            assertClose(r0 * XS[0][0] + r1 * XS[1][0], model.gradW()[0], "gw0 is the sum");
            assertClose(r0 * XS[0][1] + r1 * XS[1][1], model.gradW()[1], "gw1 is the sum");
            assertClose(r0 + r1, model.gradB(), "gb is the sum");
        }
    }

    @Test
    void twoHalfLossMicroBatchesThenOneStepEqualTheMeanGradientStep() {
        double lr = 0.5;
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, W0, B0);
            Sgd sgd =
                    Sgd.builder()
                            .setManager(m)
                            .setGroups(List.of(ParamGroup.of("net", model.linear)))
                            .setLearningRate(Schedule.constant(lr))
                            .optMomentum(0)
                            .build();
            double r0 = residual(W0, B0, XS[0], TARGET);
            double r1 = residual(W0, B0, XS[1], TARGET);
            model.backward(XS[0], TARGET, 0.5);
            model.backward(XS[1], TARGET, 0.5);
            sgd.step(0);
            double[] w = {
                W0[0] - lr * 0.5 * (r0 * XS[0][0] + r1 * XS[1][0]),
                W0[1] - lr * 0.5 * (r0 * XS[0][1] + r1 * XS[1][1])
            };
            double b = B0 - lr * 0.5 * (r0 + r1);
            assertClose(w[0], model.w()[0], "w0");
            assertClose(w[1], model.w()[1], "w1");
            assertClose(b, model.b(), "b");
            // the step zeroed the gradients: the next backward starts from 0
            model.backward(XS[2], TARGET);
            double r2 = residual(w, b, XS[2], TARGET);
            assertClose(r2 * XS[2][0], model.gradW()[0], "fresh gradient after the step");
            assertClose(r2, model.gradB(), "fresh gradient after the step");
        }
    }
}
