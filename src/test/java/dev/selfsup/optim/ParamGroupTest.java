package dev.selfsup.optim;

import static dev.selfsup.optim.SgdTest.B0;
import static dev.selfsup.optim.SgdTest.TARGET;
import static dev.selfsup.optim.SgdTest.W0;
import static dev.selfsup.optim.SgdTest.assertClose;
import static dev.selfsup.optim.TinyModel.residual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParamGroupTest {
    @Test
    void skipsRunningStatsAndClassifiesNormAndBiasParameters() {
        try (NDManager m = NDManager.newBaseManager()) {
            SequentialBlock net =
                    new SequentialBlock()
                            .add(Linear.builder().setUnits(3).build())
                            .add(BatchNorm.builder().build())
                            .add(LayerNorm.builder().build());
            net.initialize(m, DataType.FLOAT32, new Shape(4, 2));
            ParamGroup group = ParamGroup.of("net", net);
            assertEquals(
                    List.of(
                            "01Linear_weight",
                            "01Linear_bias",
                            "02BatchNorm_gamma",
                            "02BatchNorm_beta",
                            "03LayerNorm_gamma",
                            "03LayerNorm_beta"),
                    group.getParameters().stream().map(Pair::getKey).toList(),
                    "running mean / variance have requiresGradient() == false");
            for (Pair<String, Parameter> entry : group.getParameters()) {
                assertEquals(
                        !entry.getKey().endsWith("weight"),
                        ParamGroup.isBnOrBias(entry.getValue()),
                        entry.getKey());
            }
            // a custom 1-D parameter of type OTHER counts by its shape (solo-learn's ndim rule)
            Parameter scale =
                    Parameter.builder()
                            .setName("scale")
                            .setType(Parameter.Type.OTHER)
                            .optShape(new Shape(3))
                            .optInitializer(Initializer.ONES)
                            .build();
            scale.initialize(m, DataType.FLOAT32);
            assertTrue(ParamGroup.isBnOrBias(scale));
        }
    }

    @Test
    void weightDecaySkipsBiasAndNormUnlessSwitchedOffAndGroupsOverrideIt() {
        // no backward: every gradient is 0, so one SGD step at lr 1 is exactly p ← p (1 − wd)
        double[][] expectedFactors = {
            {0.5, 1, 1, 1}, // default: weight decays, bias / gamma / beta do not
            {0.5, 0.5, 0.5, 0.5}, // exemption off
            {0.75, 1, 1, 1}, // group override 0.25
        };
        for (int c = 0; c < 3; c++) {
            try (NDManager m = NDManager.newBaseManager()) {
                SequentialBlock net =
                        new SequentialBlock()
                                .add(Linear.builder().setUnits(2).build())
                                .add(BatchNorm.builder().build());
                net.setInitializer(Initializer.ONES, Parameter.Type.WEIGHT);
                net.setInitializer(Initializer.ONES, Parameter.Type.BIAS);
                net.setInitializer(Initializer.ONES, Parameter.Type.BETA);
                net.initialize(m, DataType.FLOAT32, new Shape(4, 2));
                ParamGroup group = ParamGroup.of("net", net);
                group = c == 1 ? group.excludeBnAndBiasFromDecay(false) : group;
                group = c == 2 ? group.weightDecay(0.25) : group;
                Sgd sgd =
                        Sgd.builder()
                                .setManager(m)
                                .setGroups(List.of(group))
                                .setLearningRate(Schedule.constant(1))
                                .optMomentum(0)
                                .optWeightDecay(0.5)
                                .build();
                sgd.step(0);
                List<Pair<String, Parameter>> params = group.getParameters();
                for (int i = 0; i < 4; i++) {
                    float[] values = params.get(i).getValue().getArray().toFloatArray();
                    for (float v : values) {
                        assertEquals(
                                expectedFactors[c][i],
                                v,
                                1e-7,
                                "case " + c + " " + params.get(i).getKey());
                    }
                }
            }
        }
    }

    @Test
    void frozenGroupIsUntouchedForExactlyNIterationsThenStartsFresh() {
        double lr = 0.1;
        double mu = 0.9;
        double[][] xs = {{1, 2}, {-0.5, 1.5}, {2, -1}, {1, 1}, {0.5, -2}};
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, W0, B0);
            PairList<String, Parameter> weights = new PairList<>();
            weights.add("weight", model.weight);
            PairList<String, Parameter> biases = new PairList<>();
            biases.add("bias", model.bias);
            Sgd sgd =
                    Sgd.builder()
                            .setManager(m)
                            .setGroups(
                                    List.of(
                                            ParamGroup.of("w", weights),
                                            ParamGroup.of("b", biases)
                                                    .frozenUntilIters(3)
                                                    .excludeBnAndBiasFromDecay(false)))
                            .setLearningRate(Schedule.constant(lr))
                            .optWeightDecay(0.1)
                            .build();
            double[] w = W0.clone();
            double b = B0;
            double[] bufW = new double[2];
            double bufB = 0;
            for (int t = 0; t < 5; t++) {
                double r = residual(w, b, xs[t], TARGET);
                double[] gW = {r * xs[t][0] + 0.1 * w[0], r * xs[t][1] + 0.1 * w[1]};
                for (int i = 0; i < 2; i++) {
                    bufW[i] = t == 0 ? gW[i] : mu * bufW[i] + gW[i];
                    w[i] -= lr * bufW[i];
                }
                if (t >= 3) { // first update at 3: buffer = gradient, as torch's fresh state
                    double gB = r + 0.1 * b;
                    bufB = t == 3 ? gB : mu * bufB + gB;
                    b -= lr * bufB;
                }
                model.backward(xs[t], TARGET);
                sgd.step(t);
                assertClose(w[0], model.w()[0], "w0 at " + t);
                assertClose(w[1], model.w()[1], "w1 at " + t);
                if (t < 3) {
                    assertEquals(B0, model.b(), 0, "frozen bias is bit-identical at " + t);
                    assertFalse(
                            sgd.state().containsKey("b/bias/momentum_buffer"), "no state at " + t);
                    assertEquals(0, model.gradB(), 0, "frozen gradient is zeroed, not accumulated");
                } else {
                    assertClose(b, model.b(), "b at " + t);
                }
            }
        }
    }

    @Test
    void badGroupsFailNamingTheProblem() {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model = new TinyModel(m, W0, B0);
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> ParamGroup.of("a/b", model.linear));
            assertTrue(e.getMessage().contains("a/b"), e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> ParamGroup.of("x", model.linear).frozenUntilIters(-5));
            assertTrue(e.getMessage().contains("-5"), e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    Sgd.builder()
                                            .setManager(m)
                                            .setLearningRate(Schedule.constant(1))
                                            .setGroups(
                                                    List.of(
                                                            ParamGroup.of("x", model.linear),
                                                            ParamGroup.of("y", model.linear)))
                                            .build());
            assertTrue(e.getMessage().contains("two groups"), e.getMessage());
            e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () ->
                                    Sgd.builder()
                                            .setManager(m)
                                            .setLearningRate(Schedule.constant(1))
                                            .setGroups(
                                                    List.of(
                                                            ParamGroup.of("x", model.linear),
                                                            ParamGroup.of(
                                                                    "x",
                                                                    new TinyModel(m, W0, B0)
                                                                            .linear)))
                                            .build());
            assertTrue(e.getMessage().contains("'x'"), e.getMessage());
        }
    }
}
