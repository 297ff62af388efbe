package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkArgument;
import static dev.selfsup.internal.Checks.checkState;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.data.HostBatch;
import dev.selfsup.data.ImageDataset;
import dev.selfsup.data.Loader;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.engine.Seeds;
import java.util.ArrayList;
import java.util.List;

/**
 * The linear probe of the ImageNet protocols (METHODS.md §10) with train-time augmentation: every
 * epoch the frozen backbone (eval mode: BatchNorm on running statistics, autograd off) sees fresh
 * random crops — {@link MultiCrop#linearProbe(int)}, RandomResizedCrop(scale 0.08–1) + flip — and
 * the linear layer trains on those features. The test set is scored on fixed features (the
 * deterministic evaluation transform, usually from a {@link FeatureCache}).
 *
 * <p>The classifier, its initialisation, SGD, BatchNorm option and schedule are exactly {@link
 * LinearProbe}'s; only the training features differ. It costs one backbone forward per training
 * image per epoch, so {@link LinearProbe} on cached features stays the default (fast) path.
 *
 * <p>Reproducible: crops and order come from the loader seeded with {@code seed} ({@code
 * Seeds.derive(seed, "shuffle", epoch)} and {@code "crop"}), the weights from {@code
 * Seeds.derive(seed, "probe-init")}.
 */
public final class AugmentedLinearProbe {
    private AugmentedLinearProbe() {}

    /**
     * Trains a linear classifier on augmented features of a frozen backbone and reports test
     * accuracy.
     *
     * @param backbone an initialised block [B, 3, S, S] → [B, F]; it is not modified
     * @param train the labelled training images
     * @param transform the training transform, one crop per image, e.g. {@link
     *     MultiCrop#linearProbe(int)}
     * @param test test features [M, F] and labels, e.g. from {@link FeatureCache#extract}
     * @param numClasses C, {@code >= 2}
     * @param protocol the hyper-parameters (batch size = loader batch size)
     * @param seed seeds crops, shuffling and initialisation
     * @param loaderThreads decoding threads, {@code >= 1}
     * @return best and last top-1/top-5 and the history; the run happens on the manager of the test
     *     features
     * @throws IllegalArgumentException if an input is out of range
     */
    public static ProbeResult train(
            Block backbone,
            ImageDataset train,
            MultiCrop transform,
            Features test,
            int numClasses,
            ProbeProtocol protocol,
            long seed,
            int loaderThreads) {
        long start = System.nanoTime();
        checkArgument(numClasses >= 2, "numClasses must be >= 2, got %s", numClasses);
        checkArgument(
                transform.cropCount() == 1,
                "the training transform must cut one crop, got %s",
                transform);
        checkArgument(
                backbone.isInitialized(),
                "backbone %s is not initialised",
                backbone.getClass().getSimpleName());
        LinearProbe.checkPair("test", test.features(), test.labels(), numClasses);
        for (int i = 0; i < train.size(); i++) {
            int label = train.label(i);
            checkArgument(
                    label >= 0 && label < numClasses,
                    "training label of image %s is %s, outside [0, %s)",
                    i,
                    label,
                    numClasses);
        }
        int f = test.dim();
        List<ProbeResult.EpochScore> history = new ArrayList<>();
        NDManager parent = test.features().getManager();
        try (NDManager run = parent.newSubManager();
                Loader loader =
                        Loader.builder()
                                .setDataset(train)
                                .setTransform(transform)
                                .setBatchSize(protocol.batchSize())
                                .optThreads(loaderThreads)
                                .optSeed(seed)
                                .optShuffle(true)
                                .optDropLast(false)
                                .build()) {
            LinearProbe.State s =
                    new LinearProbe.State(run, numClasses, f, Seeds.derive(seed, "probe-init"));
            for (int epoch = 0; epoch < protocol.epochs(); epoch++) {
                float lr = (float) protocol.learningRateAt(epoch);
                long seen = 0;
                try (Loader.Epoch batches = loader.epoch(epoch)) {
                    for (HostBatch host : batches) {
                        try (NDManager step = run.newSubManager()) {
                            MultiCropBatch batch = host.toDevice(step);
                            NDArray features =
                                    frozenFeatures(backbone, batch.groups().get(0).images(), step);
                            checkState(
                                    features.getShape().get(1) == f,
                                    "backbone gives %s features, test features have %s",
                                    features.getShape().get(1),
                                    f);
                            long[] rows = new long[batch.batchSize()];
                            for (int i = 0; i < rows.length; i++) {
                                rows[i] = i;
                            }
                            LinearProbe.step(s, features, batch.labels(), rows, lr, protocol);
                            seen += rows.length;
                        }
                    }
                }
                double lossSum = s.takeEpochLoss();
                boolean last = epoch + 1 == protocol.epochs();
                if (last || (epoch + 1) % protocol.evalEveryEpochs() == 0) {
                    double[] top =
                            LinearProbe.evaluate(
                                    s, test.features(), test.labels(), protocol.batchNorm());
                    history.add(
                            new ProbeResult.EpochScore(
                                    epoch + 1, lr, lossSum / seen, top[0], top[1]));
                }
            }
        }
        return LinearProbe.result(protocol, seed, history, start);
    }

    /** Backbone features in eval mode with autograd off; the thread's grad mode is restored. */
    static NDArray frozenFeatures(Block backbone, NDArray images, NDManager step) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            NDList out =
                    backbone.forward(new ParameterStore(step, false), new NDList(images), false);
            checkState(
                    out.size() == 1,
                    "backbone returned %s arrays, expected one [B, F]",
                    out.size());
            return out.get(0);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }
}
