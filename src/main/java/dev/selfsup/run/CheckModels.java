package dev.selfsup.run;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.engine.Precision;
import dev.selfsup.method.DinoSettings;
import dev.selfsup.method.Method;
import dev.selfsup.method.MethodSettings;
import dev.selfsup.method.Methods;
import dev.selfsup.method.MocoSettings;
import dev.selfsup.method.Parts;
import dev.selfsup.method.SwavSettings;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ModelZoo;
import dev.selfsup.model.ProjectionHead;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The tiny models and synthetic batches of {@link DeviceCheck}: every registered method, small. */
final class CheckModels {
    static final int BATCH = 16;
    static final int SIZE = 32;
    static final int LOCAL = 16;

    private CheckModels() {}

    /**
     * The tiny model of every check, built through the method registry on {@code run} (the engine
     * is seeded by the caller): every registered method is checked, each with settings small enough
     * for a batch of {@code BATCH}.
     */
    static Method build(String method, NDManager run) {
        Methods.Entry<?> entry = Methods.named(method);
        return entry.create(tiny(entry.defaults()), new TinyParts(run));
    }

    private static MethodSettings tiny(MethodSettings defaults) {
        if (defaults instanceof MocoSettings s) {
            return s.withQueueLength(4 * BATCH);
        } else if (defaults instanceof SwavSettings s) {
            return s.withPrototypes(16).withQueueLength(0);
        } else if (defaults instanceof DinoSettings s) {
            return s.withHead(64, 32, 16);
        }
        return defaults;
    }

    /** Whether a method trains on more than two crops (the batch then has two small ones too). */
    private static boolean multiCrop(String method) {
        MethodSettings s = Methods.named(method).defaults();
        return s instanceof SwavSettings || s instanceof DinoSettings;
    }

    private record TinyParts(NDManager manager) implements Parts {
        @Override
        public int batchSize() {
            return BATCH;
        }

        @Override
        public Backbone backbone(int bnSplits) {
            Backbone b =
                    ModelZoo.backbone(
                            "resnet10_cifar",
                            ModelZoo.Options.DEFAULT
                                    .withBaseWidth(8)
                                    .withBatchNormSplits(bnSplits));
            b.initialize(manager, Precision.DEFAULT.parameterType(), new Shape(1, 3, SIZE, SIZE));
            return b;
        }

        @Override
        public ProjectionHead head(int features, int bnSplits) {
            ProjectionHead h =
                    ProjectionHead.builder()
                            .optInputDim(features)
                            .setHiddenDims(64)
                            .setOutputDim(32)
                            .build();
            h.initialize(manager, Precision.DEFAULT.parameterType(), new Shape(1, features));
            return h;
        }
    }

    /**
     * Normalised-looking random crops from a Java generator, so CPU and device get equal inputs.
     */
    static MultiCropBatch batch(String method, NDManager manager, long seed) {
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5EEDL);
        List<MultiCropBatch.Group> groups = new ArrayList<>();
        groups.add(new MultiCropBatch.Group(SIZE, 2, gaussian(manager, rng, 2 * BATCH, SIZE)));
        if (multiCrop(method)) {
            groups.add(
                    new MultiCropBatch.Group(LOCAL, 2, gaussian(manager, rng, 2 * BATCH, LOCAL)));
        }
        return new MultiCropBatch(
                groups, manager.zeros(new Shape(BATCH), DataType.INT64), new int[BATCH]);
    }

    private static NDArray gaussian(NDManager manager, SplittableRandom rng, int n, int side) {
        float[] v = new float[n * 3 * side * side];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) gaussian(rng);
        }
        // duplicate(): an engine-owned copy, not a view of the Java buffer (see engine.Scalars)
        return manager.create(v, new Shape(n, 3, side, side)).duplicate();
    }

    private static double gaussian(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }
}
