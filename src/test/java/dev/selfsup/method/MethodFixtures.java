package dev.selfsup.method;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.engine.Precision;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ModelZoo;
import dev.selfsup.model.ProjectionHead;
import dev.selfsup.optim.Optimizer;
import dev.selfsup.optim.ParamGroup;
import dev.selfsup.optim.Schedule;
import dev.selfsup.optim.Sgd;
import dev.selfsup.train.TrainStep;
import java.util.ArrayList;
import java.util.List;

/**
 * The tiny setting every method test trains: a width-4 resnet10_cifar with a 16 → 8 head on 16-px
 * crops (SwAV adds two 8-px crops), batch 8, SGD lr 0.1 with weight decay 0.01 off BN and bias.
 */
final class MethodFixtures {
    static final int B = 8;
    static final long SEED = 5;

    private MethodFixtures() {}

    /** Parts of the tiny model on {@code run}; the engine draws initial weights in call order. */
    static Parts parts(NDManager run) {
        return new Parts() {
            @Override
            public NDManager manager() {
                return run;
            }

            @Override
            public int batchSize() {
                return B;
            }

            @Override
            public Backbone backbone(int bnSplits) {
                Backbone b =
                        ModelZoo.backbone(
                                "resnet10_cifar", new ModelZoo.Options(4, false, 0.0, 0, bnSplits));
                b.initialize(run, Precision.DEFAULT.parameterType(), new Shape(1, 3, 16, 16));
                return b;
            }

            @Override
            public ProjectionHead head(int inputDim, int bnSplits) {
                ProjectionHead h =
                        ProjectionHead.builder()
                                .optInputDim(inputDim)
                                .setHiddenDims(16)
                                .setOutputDim(8)
                                .optBatchNorm(true)
                                .optBatchNormSplits(bnSplits)
                                .build();
                h.initialize(run, Precision.DEFAULT.parameterType(), new Shape(1, inputDim));
                return h;
            }
        };
    }

    /** Builds a method through the registry with the engine seeded as a run would. */
    static Method create(MethodSettings settings, NDManager run) {
        dev.selfsup.engine.SelfsupEngine.seed(SEED);
        return Methods.create(settings, parts(run));
    }

    /** SGD at lr 0.1, momentum 0.9, weight decay 0.01 except on BN and bias. */
    static Optimizer sgd(Method method, NDManager run) {
        List<ParamGroup> groups = new ArrayList<>();
        for (ParamGroup g : method.paramGroups()) {
            groups.add(g.excludeBnAndBiasFromDecay(true).excludeFromLarsAdaptation(true));
        }
        return Sgd.builder()
                .setManager(run)
                .setGroups(groups)
                .setLearningRate(Schedule.constant(0.1))
                .optWeightDecay(0.01)
                .optMomentum(0.9)
                .build();
    }

    /** A fixed random batch: two 16-px crops, and for {@code multiCrop} two 8-px crops as well. */
    static MultiCropBatch batch(NDManager m, boolean multiCrop) {
        List<MultiCropBatch.Group> groups = new ArrayList<>();
        groups.add(new MultiCropBatch.Group(16, 2, m.randomNormal(new Shape(2L * B, 3, 16, 16))));
        if (multiCrop) {
            groups.add(new MultiCropBatch.Group(8, 2, m.randomNormal(new Shape(2L * B, 3, 8, 8))));
        }
        return new MultiCropBatch(groups, m.zeros(new Shape(B), DataType.INT64), new int[B]);
    }

    /** Trains on one fixed batch; MoCo's queue is re-drawn each step unless {@code keepQueue}. */
    static float[] train(
            Method method,
            Optimizer opt,
            NDManager run,
            boolean multiCrop,
            int steps,
            boolean keepQueue) {
        TrainStep stepper = new TrainStep(method, opt, new ParameterStore(run, false), 1, 0);
        float[] losses = new float[steps];
        try (NDManager data = run.newSubManager()) {
            Engine.getInstance().setRandomSeed(11);
            MultiCropBatch fixed = batch(data, multiCrop);
            for (int i = 0; i < steps; i++) {
                method.beforeEpoch(0);
                if (method instanceof MocoV2 moco && !keepQueue) {
                    // a fixed batch would otherwise fill the queue with its own keys (false
                    // negatives)
                    moco.queue().randomUnitInit(run);
                }
                try (NDManager step = run.newSubManager()) {
                    step.tempAttachAll(fixed.arrays().toArray(new NDArray[0]));
                    losses[i] = stepper.run(step, fixed, new Step(i, 0, steps, SEED), true, "none");
                }
            }
        }
        return losses;
    }

    /** Trains a fresh method 40 steps on one fixed batch and asserts the loss fell by 20 %. */
    static void assertLearnsAFixedBatch(MethodSettings settings, boolean multiCrop) {
        try (NDManager run = NDManager.newBaseManager()) {
            Method m = create(settings, run);
            float[] fl = firstAndLast(train(m, sgd(m, run), run, multiCrop, 40, false));
            org.junit.jupiter.api.Assertions.assertTrue(
                    fl[1] < 0.8 * fl[0], "loss " + fl[0] + " -> " + fl[1]);
        }
    }

    /**
     * Trains a fresh method 30 steps on two 16-px views; the last loss is finite and below the
     * first.
     */
    static void assertTrainsDown(MethodSettings settings) {
        try (NDManager run = NDManager.newBaseManager()) {
            Method m = create(settings, run);
            float[] losses = train(m, sgd(m, run), run, false, 30, false);
            org.junit.jupiter.api.Assertions.assertTrue(
                    Float.isFinite(losses[29]) && losses[29] < losses[0],
                    settings + ": " + losses[0] + " -> " + losses[29]);
        }
    }

    /** Mean of the first two and of the last two losses. */
    static float[] firstAndLast(float[] losses) {
        int n = losses.length;
        return new float[] {(losses[0] + losses[1]) / 2, (losses[n - 2] + losses[n - 1]) / 2};
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
            Parameter.Type t = p.getValue().getType();
            if (t != Parameter.Type.RUNNING_MEAN && t != Parameter.Type.RUNNING_VAR) {
                out.add(p.getValue().getArray().toFloatArray());
            }
        }
        return out;
    }
}
