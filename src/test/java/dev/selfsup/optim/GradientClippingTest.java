package dev.selfsup.optim;

import static dev.selfsup.optim.SgdTest.B0;
import static dev.selfsup.optim.SgdTest.TARGET;
import static dev.selfsup.optim.SgdTest.W0;
import static dev.selfsup.optim.SgdTest.XS;
import static dev.selfsup.optim.SgdTest.assertClose;
import static dev.selfsup.optim.TinyModel.residual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.PairList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradientClippingTest {
    @Test
    void scalesAllGradientsByMaxNormOverTotalNormAsTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, W0, B0);
            double r = residual(W0, B0, XS[0], TARGET); // g = r·[1, 2], r
            double total = Math.abs(r) * Math.sqrt(1 + 4 + 1);
            List<ParamGroup> groups = List.of(ParamGroup.of("net", model.linear));

            model.backward(XS[0], TARGET);
            double maxNorm = total / 2;
            assertClose(
                    total, GradientClipping.clipByGlobalNorm(groups, maxNorm, 0), "norm before");
            double factor = maxNorm / (total + 1e-6);
            assertClose(r * factor, model.gradW()[0], "gw0");
            assertClose(2 * r * factor, model.gradW()[1], "gw1");
            assertClose(r * factor, model.gradB(), "gb");

            // already below the limit: unchanged, bit for bit
            double[] before = model.gradW();
            GradientClipping.clipByGlobalNorm(groups, 10 * total, 0);
            assertEquals(before[0], model.gradW()[0], 0);
        }
    }

    @Test
    void leavesFrozenGroupsOutOfTheNormAndUntouched() {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, W0, B0);
            PairList<String, Parameter> weights = new PairList<>();
            weights.add("weight", model.weight);
            PairList<String, Parameter> biases = new PairList<>();
            biases.add("bias", model.bias);
            List<ParamGroup> groups =
                    List.of(
                            ParamGroup.of("w", weights),
                            ParamGroup.of("b", biases).frozenUntilIters(1));
            double r = residual(W0, B0, XS[0], TARGET);
            model.backward(XS[0], TARGET);
            double total = Math.abs(r) * Math.sqrt(5);
            assertClose(total, GradientClipping.clipByGlobalNorm(groups, 1e-3, 0), "weight only");
            assertClose(r * 1e-3 / (total + 1e-6), model.gradW()[0], "gw0 clipped");
            assertClose(r, model.gradB(), "frozen gradient untouched");
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> GradientClipping.clipByGlobalNorm(groups, -2, 0));
            assertEquals("maxNorm must be finite and > 0, got -2.0", e.getMessage());
        }
    }

    @Test
    void perParameterClipsEachGradientToItsOwnNormAsDino() {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, W0, B0);
            double r = residual(W0, B0, XS[0], TARGET); // g_w = r·[1, 2], g_b = r
            double normW = Math.abs(r) * Math.sqrt(5);
            double normB = Math.abs(r);
            List<ParamGroup> groups = List.of(ParamGroup.of("net", model.linear));
            model.backward(XS[0], TARGET);
            // between the two norms: the weight is scaled to the limit, the bias is left alone
            double maxNorm = (normW + normB) / 2;
            assertClose(normW, GradientClipping.clipPerParameter(groups, maxNorm, 0), "largest");
            double factor = maxNorm / (normW + 1e-6);
            assertClose(r * factor, model.gradW()[0], "gw0");
            assertClose(2 * r * factor, model.gradW()[1], "gw1");
            assertClose(r, model.gradB(), "gb unchanged");
            assertThrows(
                    IllegalArgumentException.class,
                    () -> GradientClipping.clipPerParameter(groups, 0, 0));
        }
    }
}
