package dev.selfsup.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Five-step trajectories against torch (SGD, AdamW) and transcriptions of the reference LARS code
 * (apex LARC as SwAV uses it, solo-learn's LARS), from {@code src/test/python/torch_optimizers.py}.
 * Tolerance 1e-5 relative (STYLE.md §4, PyTorch fixtures).
 */
class TorchOptimizerFixtureTest {
    private static JsonObject fixture() throws IOException {
        try (InputStream in =
                TorchOptimizerFixtureTest.class.getResourceAsStream("torch_optimizers.json")) {
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .getAsJsonObject();
        }
    }

    private static Optimizer make(String name, NDManager m, ParamGroup group, Schedule lr) {
        return switch (name) {
            case "sgd_nesterov_bias_exempt" ->
                    Sgd.builder()
                            .setManager(m)
                            .setGroups(List.of(group))
                            .setLearningRate(lr)
                            .optWeightDecay(0.1)
                            .optNesterov(true)
                            .build();
            case "adamw_bias_exempt" ->
                    AdamW.builder()
                            .setManager(m)
                            .setGroups(List.of(group))
                            .setLearningRate(lr)
                            .optWeightDecay(0.05)
                            .build();
            case "lars_solo_learn" ->
                    Lars.builder()
                            .setManager(m)
                            .setGroups(List.of(group))
                            .setLearningRate(lr)
                            .optWeightDecay(0.1)
                            .optTrustCoefficient(0.02)
                            .build();
            case "larc_swav_zero_bias" ->
                    Lars.builder()
                            .setManager(m)
                            .setGroups(
                                    List.of(
                                            group.excludeFromLarsAdaptation(false)
                                                    .excludeBnAndBiasFromDecay(false)))
                            .setLearningRate(lr)
                            .optWeightDecay(0.1)
                            .optTrustCoefficient(0.02)
                            .build();
            case "larc_clip" ->
                    Lars.builder()
                            .setManager(m)
                            .setGroups(
                                    List.of(
                                            group.excludeFromLarsAdaptation(false)
                                                    .excludeBnAndBiasFromDecay(false)))
                            .setLearningRate(lr)
                            .optWeightDecay(0.1)
                            .optTrustCoefficient(0.02)
                            .optClip(true)
                            .build();
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static void assertRelative(double expected, double actual, String what) {
        assertEquals(expected, actual, 1e-5 * Math.max(1, Math.abs(expected)), what);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "sgd_nesterov_bias_exempt",
                "adamw_bias_exempt",
                "lars_solo_learn",
                "larc_swav_zero_bias",
                "larc_clip"
            })
    void followsTheReferenceTrajectory(String name) throws IOException {
        JsonObject all = fixture();
        JsonObject c = all.getAsJsonObject("cases").getAsJsonObject(name);
        JsonArray s = c.getAsJsonArray("schedule");
        Schedule lr =
                Schedule.warmupCosine(
                        s.get(0).getAsDouble(),
                        s.get(1).getAsDouble(),
                        s.get(2).getAsLong(),
                        s.get(3).getAsLong(),
                        s.get(4).getAsDouble());
        double target = all.get("target").getAsDouble();
        JsonArray xs = all.getAsJsonArray("xs");
        JsonArray w0 = all.getAsJsonArray("w0");
        try (NDManager m = NDManager.newBaseManager()) {
            TinyModel model =
                    new TinyModel(
                            m,
                            new double[] {w0.get(0).getAsDouble(), w0.get(1).getAsDouble()},
                            c.get("b0").getAsDouble());
            Optimizer optimizer = make(name, m, ParamGroup.of("net", model.linear), lr);
            JsonArray steps = c.getAsJsonArray("steps");
            for (int t = 0; t < steps.size(); t++) {
                JsonObject expected = steps.get(t).getAsJsonObject();
                JsonArray x = xs.get(t).getAsJsonArray();
                // the schedule itself against numpy's linspace + cosine
                assertRelative(
                        expected.get("lr").getAsDouble(), optimizer.learningRate(t), "lr " + t);
                model.backward(
                        new double[] {x.get(0).getAsDouble(), x.get(1).getAsDouble()}, target);
                optimizer.step(t);
                JsonArray w = expected.getAsJsonArray("w");
                assertRelative(w.get(0).getAsDouble(), model.w()[0], name + " w0 at " + t);
                assertRelative(w.get(1).getAsDouble(), model.w()[1], name + " w1 at " + t);
                assertRelative(expected.get("b").getAsDouble(), model.b(), name + " b at " + t);
            }
        }
    }
}
