package dev.selfsup.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.selfsup.config.Recipe;
import dev.selfsup.config.RecipeLoader;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.loss.HardNegativeMixing;
import dev.selfsup.loss.Sampling;
import dev.selfsup.optim.Optimizer;
import dev.selfsup.run.Pretraining;
import dev.selfsup.train.TrainStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each method on a fixed tiny batch: learning, state updates, freezing, devices, memory. */
class MethodTest {
    static final int B = 8;

    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    static Recipe recipe(String method, String... extra) {
        StringBuilder y = new StringBuilder("method: " + method + "\nseed: 5\n");
        y.append("data: {dataset: synthetic, batch_size: 8}\n");
        if (method.equals("swav")) {
            y.append("augment: {preset: swav, crops: [{count: 2, size: 16, scale_min: 0.4, scale_max: 1.0},"
                    + " {count: 2, size: 8, scale_min: 0.1, scale_max: 0.4}]}\n");
        } else {
            y.append("augment: {preset: simclr, crops: [{count: 2, size: 16, scale_min: 0.3, scale_max: 1.0}]}\n");
        }
        y.append("model: {backbone: resnet10_cifar, base_width: 4, head_hidden_dims: [16], head_output_dim: 8}\n");
        y.append("optimizer: {name: sgd, base_lr: 0.1, lr_scaling: none, weight_decay: 0.01, schedule: constant}\n");
        y.append("train: {epochs: 1}\n");
        for (String e : extra) {
            y.append(e).append('\n');
        }
        return RecipeLoader.parse(y.toString(), "method-test");
    }

    /** A fixed batch: the same random crops every step. */
    static MultiCropBatch batch(NDManager m, Recipe r) {
        List<MultiCropBatch.Group> groups = new ArrayList<>();
        for (var c : r.augment().crops()) {
            groups.add(new MultiCropBatch.Group(c.size(), c.count(), m.randomNormal(new Shape((long) c.count() * B, 3, c.size(), c.size()))));
        }
        return new MultiCropBatch(groups, m.zeros(new Shape(B), ai.djl.ndarray.types.DataType.INT64), new int[B]);
    }

    static float[] train(Method method, Optimizer opt, NDManager run, Recipe r, int steps) {
        return train(method, opt, run, r, steps, true);
    }

    static float[] train(Method method, Optimizer opt, NDManager run, Recipe r, int steps, boolean resetQueue) {
        TrainStep stepper = new TrainStep(method, opt, new ParameterStore(run, false), 1, 0);
        float[] losses = new float[steps];
        try (NDManager data = run.newSubManager()) {
            Engine.getInstance().setRandomSeed(11);
            MultiCropBatch fixed = batch(data, r);
            for (int i = 0; i < steps; i++) {
                method.beforeEpoch(0);
                if (method instanceof MocoV2 moco && resetQueue) {
                    // a fixed batch would otherwise fill the queue with its own keys (false negatives)
                    moco.queue().randomUnitInit(run);
                }
                try (NDManager step = run.newSubManager()) {
                    step.tempAttachAll(fixed.arrays().toArray(new NDArray[0]));
                    losses[i] = stepper.run(step, fixed, new Step(i, 0, steps, r.seed()), true, "none");
                    if (Boolean.getBoolean("debug.losses")) {
                        System.err.println(i + " " + losses[i] + " " + method.stepMetrics());
                    }
                }
            }
        }
        return losses;
    }

    @Test
    void everyMethodLearnsAFixedBatch() {
        for (String name : List.of("simclr", "mocov2", "swav")) {
            Recipe r = recipe(name, "moco: {queue_length: 64, ema_momentum: 0.9}", "swav: {prototypes: 16}");
            try (NDManager run = NDManager.newBaseManager()) {
                SelfsupEngine.seed(r.seed());
                Method m = Pretraining.method(r, run, 16);
                Optimizer opt = Pretraining.optimizer(r, m, run, 40);
                float[] losses = train(m, opt, run, r, 40);
                float first = (losses[0] + losses[1]) / 2;
                float last = (losses[38] + losses[39]) / 2;
                assertTrue(last < 0.8 * first, name + ": loss " + first + " -> " + last);
            }
        }
    }

    @Test
    void mochiAndFeatureTransformTrainToo() {
        for (String extra : List.of("mochi: {enabled: true, hardest: 16, mixed: 8, mixed_with_query: 4}",
                "feature_transform: {enabled: true}")) {
            for (String name : List.of("simclr", "mocov2")) {
                String ft = name.equals("simclr") && extra.startsWith("feature")
                        ? "feature_transform: {enabled: true, negative_interpolation: false}" : extra;
                Recipe r = recipe(name, "moco: {queue_length: 64, ema_momentum: 0.9}", ft);
                try (NDManager run = NDManager.newBaseManager()) {
                    SelfsupEngine.seed(r.seed());
                    Method m = Pretraining.method(r, run, 16);
                    float[] losses = train(m, Pretraining.optimizer(r, m, run, 30), run, r, 30);
                    assertTrue(Float.isFinite(losses[29]) && losses[29] < losses[0], name + " " + ft + ": " + losses[0] + " -> " + losses[29]);
                }
            }
        }
    }

    @Test
    void mochiFeatureTransformAndSplitBatchNormTrainTogether() {
        Recipe r = recipe("mocov2", "moco: {queue_length: 64, ema_momentum: 0.9, bn_splits: 4}",
                "mochi: {enabled: true, hardest: 16, mixed: 8, mixed_with_query: 4}", "feature_transform: {enabled: true}");
        try (NDManager run = NDManager.newBaseManager()) {
            SelfsupEngine.seed(r.seed());
            Method m = Pretraining.method(r, run, 16);
            float[] losses = train(m, Pretraining.optimizer(r, m, run, 30), run, r, 30);
            assertTrue(Float.isFinite(losses[29]) && losses[29] < losses[0], losses[0] + " -> " + losses[29]);
        }
    }

    @Test
    void mocoAppliesFeatureTransformThenMochiAsAHostReimplementation() {
        int b = 3;
        int d = 8; // the recipe's head_output_dim
        int kq = 16;
        Recipe r = recipe("mocov2", "moco: {queue_length: 16, temperature: 0.2}",
                "mochi: {enabled: true, hardest: 6, mixed: 3, mixed_with_query: 2, start_epoch: 1}",
                "feature_transform: {enabled: true, positive_alpha: 2.0, negative_alpha: 1.6}");
        java.util.Random rng = new java.util.Random(9);
        double[] q = unitRows(rng, b, d);
        double[] k = unitRows(rng, b, d);
        double[] queue = unitRows(rng, kq, d);
        try (NDManager run = NDManager.newBaseManager()) {
            SelfsupEngine.seed(r.seed());
            MocoV2 m = (MocoV2) Pretraining.method(r, run, 16);
            for (int epoch : new int[] {0, 1}) {
                Step step = new Step(5, epoch, 10, r.seed());
                double loss;
                try (NDManager scope = run.newSubManager()) {
                    loss = m.contrast(scope.create(q, new Shape(b, d)), scope.create(k, new Shape(b, d)),
                            scope.create(queue, new Shape(kq, d)), step).getDouble();
                }
                boolean mochiOn = epoch >= 1; // feature transformation from epoch 0, MoCHi from epoch 1
                double expected = ftThenMochi(q, k, queue, b, d, kq, step, 0.2, 6, mochiOn ? 3 : 0, mochiOn ? 2 : 0);
                assertEquals(expected, loss, 1e-9, "epoch " + epoch);
                if (mochiOn) {
                    double ftOnly = ftThenMochi(q, k, queue, b, d, kq, step, 0.2, 6, 0, 0);
                    assertTrue(Math.abs(ftOnly - loss) > 1e-3, "MoCHi's negatives are in the loss: " + ftOnly + " vs " + loss);
                }
            }
        }
    }

    private static double[] unitRows(java.util.Random rng, int rows, int d) {
        double[] out = new double[rows * d];
        for (int r = 0; r < rows; r++) {
            double n = 0;
            for (int j = 0; j < d; j++) {
                out[r * d + j] = rng.nextGaussian();
                n += out[r * d + j] * out[r * d + j];
            }
            for (int j = 0; j < d; j++) {
                out[r * d + j] /= Math.sqrt(n);
            }
        }
        return out;
    }

    private static double dot(double[] a, int ai, double[] b, int bi, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) {
            s += a[ai * d + j] * b[bi * d + j];
        }
        return s;
    }

    /**
     * METHODS.md §6 then §5 on host arrays, drawing as documented: λp = 1 + Beta(2, 2), λn =
     * Beta(1.6, 1.6), then the queue permutation from the step's "ft" generator; MoCHi's draws from
     * its "mochi" generator. Loss = mean_b (logsumexp(logits_b) − logits_b[0]).
     */
    private static double ftThenMochi(double[] q, double[] k, double[] queue, int b, int d, int kq, Step step,
            double temperature, int hardest, int mixed, int mixedWithQuery) {
        RandomGenerator ft = step.random("ft");
        double lp = 1 + Sampling.beta(ft, 2.0, 2.0);
        double ln = Sampling.beta(ft, 1.6, 1.6);
        int[] perm = Sampling.permutation(ft, kq);
        double[] qh = new double[b * d];
        double[] kh = new double[b * d];
        for (int i = 0; i < b * d; i++) {
            qh[i] = lp * q[i] + (1 - lp) * k[i];
            kh[i] = lp * k[i] + (1 - lp) * q[i];
        }
        double[] nh = new double[kq * d];
        for (int r = 0; r < kq; r++) {
            for (int j = 0; j < d; j++) {
                nh[r * d + j] = ln * queue[r * d + j] + (1 - ln) * queue[perm[r] * d + j];
            }
        }
        HardNegativeMixing.Draws draws = mixed + mixedWithQuery == 0 ? null
                : HardNegativeMixing.Draws.sample(step.random("mochi"), b, hardest, mixed, mixedWithQuery);
        double total = 0;
        for (int i = 0; i < b; i++) {
            List<Double> logits = new ArrayList<>();
            logits.add(dot(qh, i, kh, i, d));
            double[] sims = new double[kq];
            for (int r = 0; r < kq; r++) {
                sims[r] = dot(qh, i, nh, r, d);
                logits.add(sims[r]);
            }
            Integer[] order = java.util.stream.IntStream.range(0, kq).boxed().toArray(Integer[]::new);
            java.util.Arrays.sort(order, (x, y) -> Double.compare(sims[y], sims[x])); // hardest first
            for (int t = 0; t < mixed; t++) {
                int at = i * mixed + t;
                double alpha = draws.alpha()[at];
                int ni = order[draws.first()[at]];
                int nj = order[draws.second()[at]];
                double[] h = new double[d];
                for (int j = 0; j < d; j++) {
                    h[j] = alpha * nh[ni * d + j] + (1 - alpha) * nh[nj * d + j];
                }
                logits.add(dot(qh, i, normalised(h), 0, d));
            }
            for (int t = 0; t < mixedWithQuery; t++) {
                int at = i * mixedWithQuery + t;
                double beta = draws.beta()[at];
                int nj = order[draws.partner()[at]];
                double[] h = new double[d];
                for (int j = 0; j < d; j++) {
                    h[j] = beta * qh[i * d + j] + (1 - beta) * nh[nj * d + j];
                }
                logits.add(dot(qh, i, normalised(h), 0, d));
            }
            double max = logits.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            double sum = logits.stream().mapToDouble(v -> Math.exp((v - max) / temperature)).sum();
            total += max / temperature + Math.log(sum) - logits.get(0) / temperature;
        }
        return total / b;
    }

    private static double[] normalised(double[] v) {
        double n = Math.sqrt(dot(v, 0, v, 0, v.length));
        double[] out = new double[v.length];
        for (int j = 0; j < v.length; j++) {
            out[j] = v[j] / n;
        }
        return out;
    }

    @Test
    void mocoQueueHoldsTheKeysOfEachStepInRingOrderAndEmaFollowsTheFormula() {
        Recipe r = recipe("mocov2", "moco: {queue_length: 16, ema_momentum: 0.75, shuffle_bn: true}");
        try (NDManager run = NDManager.newBaseManager()) {
            SelfsupEngine.seed(r.seed());
            MocoV2 m = (MocoV2) Pretraining.method(r, run, 16);
            Map<String, Block> blocks = m.blocks();
            float[] queueBefore = m.queue().rows().toFloatArray();
            List<float[]> q0 = trainable(blocks.get("backbone"));
            List<float[]> k0 = trainable(blocks.get("key_backbone"));
            for (int i = 0; i < q0.size(); i++) {
                assertArrayEquals(q0.get(i), k0.get(i), 0f, "key encoder starts as a copy");
            }
            // the keys the step will enqueue: key encoder on view 2 (with one BN batch, bn_splits 1,
            // the statistics ignore the shuffle's order)
            float[] expectedKeys;
            try (NDManager tmp = run.newSubManager()) {
                Engine.getInstance().setRandomSeed(11);
                MultiCropBatch fixed = batch(tmp, r);
                ParameterStore ps = new ParameterStore(run, false);
                NDArray k = blocks.get("key_head").forward(ps, blocks.get("key_backbone").forward(ps,
                        new NDList(fixed.groups().get(0).crop(1)), true), true).singletonOrThrow().normalize(2, 1);
                expectedKeys = k.toFloatArray();
            }
            train(m, Pretraining.optimizer(r, m, run, 1), run, r, 1, false);
            float[] queue = m.queue().rows().toFloatArray();
            for (int i = 0; i < expectedKeys.length; i++) {
                assertEquals(expectedKeys[i], queue[i], 2e-5f, "row-major key " + i);
            }
            for (int i = expectedKeys.length; i < queue.length; i++) {
                assertEquals(queueBefore[i], queue[i], 0f, "rows past B untouched");
            }
            assertEquals(8, m.queue().pointer());
            List<float[]> q1 = trainable(blocks.get("backbone"));
            List<float[]> k1 = trainable(blocks.get("key_backbone"));
            for (int i = 0; i < q1.size(); i++) {
                for (int j = 0; j < q1.get(i).length; j++) {
                    assertEquals(0.75f * k0.get(i)[j] + 0.25f * q1.get(i)[j], k1.get(i)[j], 1e-6f);
                }
            }
            for (Pair<String, Parameter> p : blocks.get("key_backbone").getParameters()) {
                assertFalse(p.getValue().requiresGradient(), "key encoder takes no gradient: " + p.getKey());
            }
        }
    }

    @Test
    void shuffleBnWithSplitBatchNormNormalisesKeysPerGroupOfTheShuffledBatch() {
        for (int splits : new int[] {1, 4}) {
            String moco = "moco: {queue_length: 16, bn_splits: " + splits + ", shuffle_bn: ";
            Recipe shuffled = recipe("mocov2", moco + "true}");
            Recipe ordered = recipe("mocov2", moco + "false}");
            try (NDManager run = NDManager.newBaseManager()) {
                SelfsupEngine.seed(shuffled.seed());
                MocoV2 a = (MocoV2) Pretraining.method(shuffled, run, 16);
                SelfsupEngine.seed(ordered.seed());
                MocoV2 b = (MocoV2) Pretraining.method(ordered, run, 16);
                ParameterStore ps = new ParameterStore(run, false);
                Engine.getInstance().setRandomSeed(12);
                NDArray x = run.randomNormal(new Shape(B, 3, 16, 16));
                Step step = new Step(3, 0, 10, shuffled.seed());
                // the reference: one plain-BN key encoder per group, each from the initial key weights
                List<float[]> expectedShuffled = perGroupReference(a, x, Sampling.permutation(step.random("shuffle-bn"), B), splits, run);
                List<float[]> expectedOrdered = perGroupReference(b, x, java.util.stream.IntStream.range(0, B).toArray(), splits, run);
                float[] ka = a.keys(ps, x, step).toFloatArray();
                float[] kb = b.keys(ps, x, step).toFloatArray();
                String what = "bn_splits " + splits;
                assertArrayEquals(expectedShuffled.get(0), ka, 2e-5f, what + ": shuffled keys");
                assertArrayEquals(expectedOrdered.get(0), kb, 2e-5f, what + ": unshuffled keys");
                assertArrayEquals(expectedShuffled.get(1), runningStats(a.blocks().get("key_backbone"), a.blocks().get("key_head")), 1e-5f,
                        what + ": running statistics = mean over the groups' updated copies");
                assertArrayEquals(expectedOrdered.get(1), runningStats(b.blocks().get("key_backbone"), b.blocks().get("key_head")), 1e-5f);
                float diff = 0;
                for (int i = 0; i < ka.length; i++) {
                    diff = Math.max(diff, Math.abs(ka[i] - kb[i]));
                }
                if (splits == 1) {
                    assertTrue(diff < 2e-5f, what + ": one BN batch ignores the order, max diff " + diff);
                } else {
                    assertTrue(diff > 1e-3f, what + ": per-group statistics depend on the shuffle, max diff " + diff);
                }
            }
        }
    }

    @Test
    void splitBatchNormStepsLeaveNoArraysOnTheRunManager() {
        Recipe r = recipe("mocov2", "moco: {queue_length: 16, bn_splits: 4}");
        try (NDManager run = NDManager.newBaseManager()) {
            SelfsupEngine.seed(r.seed());
            Method m = Pretraining.method(r, run, 16);
            Optimizer opt = Pretraining.optimizer(r, m, run, 40);
            TrainStep stepper = new TrainStep(m, opt, new ParameterStore(run, false), 1, 0);
            int arrays = 0;
            for (int i = 0; i < 40; i++) {
                try (NDManager step = run.newSubManager()) {
                    stepper.run(step, batch(step, r), new Step(i, 0, 40, r.seed()), true, "none");
                }
                if (i == 9) {
                    arrays = run.getManagedArrays().size();
                }
            }
            assertEquals(arrays, run.getManagedArrays().size(), "managed arrays flat after warm-up");
        }
    }

    /**
     * Keys [B·D] and the key encoder's running statistics after one training pass, computed by
     * running each group of the permuted batch (positions j with j mod S = g) through its own
     * plain-BN copy of the key encoder and averaging the copies' statistics; the keys go back to
     * the samples' original positions.
     */
    private static List<float[]> perGroupReference(MocoV2 moco, NDArray x, int[] perm, int splits, NDManager run) {
        Recipe plain = recipe("mocov2", "moco: {queue_length: 16}");
        int size = B / splits;
        float[] keys = null;
        float[] stats = null;
        try (NDManager scope = run.newSubManager()) {
            ParameterStore ps = new ParameterStore(scope, false);
            for (int g = 0; g < splits; g++) {
                Block backbone = Pretraining.backbone(plain.model());
                backbone.initialize(scope, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 3, 16, 16));
                Block head = Pretraining.head(plain.model(), ((dev.selfsup.model.Backbone) backbone).featureDim());
                head.initialize(scope, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, ((dev.selfsup.model.Backbone) backbone).featureDim()));
                dev.selfsup.model.Weights.copy(moco.blocks().get("key_backbone"), backbone);
                dev.selfsup.model.Weights.copy(moco.blocks().get("key_head"), head);
                long[] members = new long[size];
                for (int t = 0; t < size; t++) {
                    members[t] = perm[g + t * splits];
                }
                NDArray xg = x.get(new ai.djl.ndarray.index.NDIndex("{}", scope.create(members)));
                float[] kg = head.forward(ps, backbone.forward(ps, new NDList(xg), true), true)
                        .singletonOrThrow().normalize(2, 1).toFloatArray();
                int d = kg.length / size;
                if (keys == null) {
                    keys = new float[B * d];
                }
                for (int t = 0; t < size; t++) {
                    System.arraycopy(kg, t * d, keys, (int) members[t] * d, d);
                }
                float[] sg = runningStats(backbone, head);
                if (stats == null) {
                    stats = new float[sg.length];
                }
                for (int i = 0; i < sg.length; i++) {
                    stats[i] += sg[i] / splits;
                }
            }
        }
        return List.of(keys, stats);
    }

    /** Every BN running mean and variance of the blocks, concatenated in parameter order. */
    private static float[] runningStats(Block... blocks) {
        List<Float> out = new ArrayList<>();
        for (Block block : blocks) {
            for (Pair<String, Parameter> p : block.getParameters()) {
                Parameter.Type t = p.getValue().getType();
                if (t == Parameter.Type.RUNNING_MEAN || t == Parameter.Type.RUNNING_VAR) {
                    for (float v : p.getValue().getArray().toFloatArray()) {
                        out.add(v);
                    }
                }
            }
        }
        float[] a = new float[out.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = out.get(i);
        }
        return a;
    }

    @Test
    void swavPrototypesFrozenForExactlyNIterationsWithoutWeightDecay() {
        Recipe r = recipe("swav", "swav: {prototypes: 16, freeze_prototypes_iters: 3}");
        try (NDManager run = NDManager.newBaseManager()) {
            SelfsupEngine.seed(r.seed());
            Method m = Pretraining.method(r, run, 16);
            Optimizer opt = Pretraining.optimizer(r, m, run, 10);
            NDArray w = m.blocks().get("prototypes").getParameters().get(0).getValue().getArray();
            ((dev.selfsup.model.Prototypes) m.blocks().get("prototypes")).normaliseRows();
            float[] start = w.toFloatArray();
            List<float[]> backbone0 = values(m.blocks().get("backbone"));
            TrainStep stepper = new TrainStep(m, opt, new ParameterStore(run, false), 1, 0);
            try (NDManager data = run.newSubManager()) {
                MultiCropBatch fixed = batch(data, r);
                for (int i = 0; i < 4; i++) {
                    try (NDManager step = run.newSubManager()) {
                        step.tempAttachAll(fixed.arrays().toArray(new NDArray[0]));
                        stepper.run(step, fixed, new Step(i, 0, 4, r.seed()), true, "none");
                    }
                    float[] now = w.toFloatArray();
                    if (i < 2) {
                        // iterations 0, 1, 2 are frozen; the next forward re-normalises, which is a no-op on unit rows
                        assertArrayEquals(start, now, 1e-6f, "frozen at iteration " + i);
                    }
                    if (i == 3) {
                        assertFalse(java.util.Arrays.equals(start, now), "updated at iteration 3");
                    }
                }
            }
            assertFalse(java.util.Arrays.equals(backbone0.get(0), values(m.blocks().get("backbone")).get(0)),
                    "the backbone trains meanwhile");
        }
    }

    @Test
    void everyParameterQueueAndOptimiserSlotLivesOnTheRunDevice() {
        Recipe r = recipe("mocov2", "moco: {queue_length: 16}");
        try (NDManager run = NDManager.newBaseManager(Device.cpu())) {
            SelfsupEngine.seed(r.seed());
            Method m = Pretraining.method(r, run, 16);
            Optimizer opt = Pretraining.optimizer(r, m, run, 2);
            train(m, opt, run, r, 2);
            for (Block b : m.blocks().values()) {
                for (Pair<String, Parameter> p : b.getParameters()) {
                    assertEquals(run.getDevice(), p.getValue().getArray().getDevice(), p.getKey());
                }
            }
            for (NDArray a : m.stateTensors().values()) {
                assertEquals(run.getDevice(), a.getDevice());
            }
            assertFalse(opt.state().isEmpty());
            for (NDArray a : opt.state().values()) {
                assertEquals(run.getDevice(), a.getDevice());
            }
        }
    }

    @Test
    void fiveHundredStepsLeakNeitherArraysNorNativeMemory() throws Exception {
        Recipe r = recipe("swav", "swav: {prototypes: 16, queue_length: 16, queue_start_epoch: 0}");
        try (NDManager run = NDManager.newBaseManager()) {
            SelfsupEngine.seed(r.seed());
            Method m = Pretraining.method(r, run, 16);
            Optimizer opt = Pretraining.optimizer(r, m, run, 500);
            TrainStep stepper = new TrainStep(m, opt, new ParameterStore(run, false), 1, 0);
            m.beforeEpoch(0);
            int arrays = 0;
            List<Long> samples = new ArrayList<>();
            for (int i = 1; i <= 500; i++) {
                try (NDManager step = run.newSubManager()) {
                    // a fresh batch in the step manager each time, as the trainer makes them
                    Engine.getInstance().setRandomSeed(11);
                    MultiCropBatch fresh = batch(step, r);
                    stepper.run(step, fresh, new Step(i, 0, 501, r.seed()), true, "none");
                }
                if (i == 100) {
                    arrays = run.getManagedArrays().size();
                }
                if (i >= 100 && i % 50 == 0) {
                    samples.add(nativeKb());
                }
            }
            assertEquals(arrays, run.getManagedArrays().size(), "managed arrays flat after warm-up");
            // RSS minus the committed heap swings by tens of MB as the collector resizes the heap, so
            // compare the lowest readings: a leak raises the floor, noise does not
            long early = samples.subList(0, 3).stream().mapToLong(Long::longValue).min().orElseThrow();
            long late = samples.subList(samples.size() - 3, samples.size()).stream().mapToLong(Long::longValue).min().orElseThrow();
            System.err.println("native kB every 50 steps from step 100: " + samples);
            assertTrue(late - early < 32_000, "native memory floor rose from " + early + " to " + late + " kB: " + samples);
        }
    }

    /** Resident memory outside the Java heap, after a GC. */
    static long nativeKb() throws java.io.IOException {
        System.gc();
        long heap = Runtime.getRuntime().totalMemory() / 1024;
        return rssKb() - heap;
    }

    static long rssKb() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    static List<float[]> values(Block b) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : b.getParameters()) {
            out.add(p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    /** Values of the parameters the online encoder trains (the EMA covers exactly these). */
    static List<float[]> trainable(Block b) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : b.getParameters()) {
            if (p.getValue().getType() != Parameter.Type.RUNNING_MEAN && p.getValue().getType() != Parameter.Type.RUNNING_VAR) {
                out.add(p.getValue().getArray().toFloatArray());
            }
        }
        return out;
    }
}
