package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkArgument;
import static dev.selfsup.internal.Checks.checkState;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.data.HostBatch;
import dev.selfsup.data.ImageDataset;
import dev.selfsup.data.Loader;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.engine.Precision;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.LinearClassifier;
import dev.selfsup.optim.Optimizer;
import dev.selfsup.optim.ParamGroup;
import dev.selfsup.optim.Schedule;
import dev.selfsup.optim.Sgd;
import java.util.ArrayList;
import java.util.List;

/**
 * Full fine-tuning for transfer (METHODS.md §10): backbone + {@link LinearClassifier} trained end
 * to end on a labelled dataset with cross-entropy and SGD ({@link Sgd}, PyTorch form), the backbone
 * in training mode (BatchNorm on batch statistics, running statistics updated), training images
 * augmented with one random crop each ({@link MultiCrop#linearProbe(int)}: RandomResizedCrop +
 * flip). Every {@code evalEveryEpochs} epochs and after the last, the whole network in eval mode
 * scores the test set (deterministic evaluation transform) for top-1 / top-5.
 *
 * <p>The hyper-parameters are a {@link ProbeProtocol} (its own lr, epochs, per-epoch schedule,
 * momentum, weight decay, batch; {@code batchNorm} is ignored): weight decay applies to every
 * parameter, BatchNorm and biases included ({@code torch.optim.SGD(model.parameters(), ...)}, as in
 * torchvision's reference scripts). The last incomplete batch of each epoch is dropped when the set
 * holds at least one batch, so BatchNorm never sees a batch of one. The classifier is initialised
 * N(0, 0.01), bias 0, from the engine's seeded generator.
 *
 * <p>The trunk and the new classifier may learn at different rates, as in SwAV's semi-supervised
 * protocol ({@code eval_semisup.py}: 1 % labels trunk 0.02 / head 5, 10 % labels 0.01 / 0.2, both
 * following the protocol's per-epoch schedule); {@link #train(Backbone, ImageDataset, MultiCrop,
 * FeatureSource, int, ProbeProtocol, double, long, int, NDManager)} takes the head's rate, the
 * protocol's {@code learningRate} is the trunk's.
 *
 * <p>The backbone is modified in place: pass a copy if the original weights are still needed.
 */
public final class FineTune {
    private FineTune() {}

    /**
     * Fine-tunes a backbone with a new linear classifier.
     *
     * @param backbone an initialised backbone, trained in place
     * @param train labelled training images
     * @param transform the training transform, one crop per image
     * @param test test images with the deterministic evaluation transform
     * @param numClasses C, {@code >= 2}
     * @param protocol lr, epochs, schedule, momentum, weight decay, batch size, evaluation period
     * @param seed seeds crops and shuffling (weights come from the engine's seeded generator)
     * @param loaderThreads decoding threads, {@code >= 1}
     * @param manager where the classifier, optimiser state and temporaries live (its device is
     *     used)
     * @return best and last top-1/top-5 and the history
     * @throws IllegalArgumentException if an input is out of range
     */
    public static ProbeResult train(
            Backbone backbone,
            ImageDataset train,
            MultiCrop transform,
            FeatureSource test,
            int numClasses,
            ProbeProtocol protocol,
            long seed,
            int loaderThreads,
            NDManager manager) {
        return train(
                backbone,
                train,
                transform,
                test,
                numClasses,
                protocol,
                protocol.learningRate(),
                seed,
                loaderThreads,
                manager);
    }

    /**
     * Fine-tunes a backbone with a new linear classifier that has its own learning rate (SwAV's
     * semi-supervised protocol): the trunk starts at {@code protocol.learningRate()}, the head at
     * {@code headLearningRate}, and both follow {@code protocol.schedule()}.
     *
     * @param backbone an initialised backbone, trained in place
     * @param train labelled training images
     * @param transform the training transform, one crop per image
     * @param test test images with the deterministic evaluation transform
     * @param numClasses C, {@code >= 2}
     * @param protocol the trunk's lr, epochs, schedule, momentum, weight decay, batch size,
     *     evaluation period
     * @param headLearningRate the classifier's initial rate, {@code > 0}
     * @param seed seeds crops and shuffling (weights come from the engine's seeded generator)
     * @param loaderThreads decoding threads, {@code >= 1}
     * @param manager where the classifier, optimiser state and temporaries live (its device is
     *     used)
     * @return best and last top-1/top-5 and the history (the trunk's rate per epoch)
     * @throws IllegalArgumentException if an input is out of range
     */
    public static ProbeResult train(
            Backbone backbone,
            ImageDataset train,
            MultiCrop transform,
            FeatureSource test,
            int numClasses,
            ProbeProtocol protocol,
            double headLearningRate,
            long seed,
            int loaderThreads,
            NDManager manager) {
        long start = System.nanoTime();
        checkArgument(
                headLearningRate > 0 && Double.isFinite(headLearningRate),
                "headLearningRate must be > 0, got %s",
                headLearningRate);
        checkArgument(numClasses >= 2, "numClasses must be >= 2, got %s", numClasses);
        checkArgument(
                transform.cropCount() == 1,
                "the training transform must cut one crop, got %s",
                transform);
        checkArgument(backbone.isInitialized(), "backbone is not initialised");
        checkArgument(
                train.size() >= 2,
                "fine-tuning needs at least 2 training images, got %s",
                train.size());
        for (int label : test.labels()) {
            checkArgument(
                    label >= 0 && label < numClasses,
                    "test label %s outside [0, %s)",
                    label,
                    numClasses);
        }
        for (int i = 0; i < train.size(); i++) {
            checkArgument(
                    train.label(i) >= 0 && train.label(i) < numClasses,
                    "training label of image %s is %s, outside [0, %s)",
                    i,
                    train.label(i),
                    numClasses);
        }
        boolean dropLast = train.size() >= protocol.batchSize();
        List<ProbeResult.EpochScore> history = new ArrayList<>();
        try (NDManager run = manager.newSubManager();
                Loader loader =
                        Loader.builder()
                                .setDataset(train)
                                .setTransform(transform)
                                .setBatchSize(protocol.batchSize())
                                .optThreads(loaderThreads)
                                .optSeed(seed)
                                .optShuffle(true)
                                .optDropLast(dropLast)
                                .build()) {
            LinearClassifier classifier =
                    LinearClassifier.builder()
                            .setClasses(numClasses)
                            .optInputDim(backbone.featureDim())
                            .build();
            classifier.initialize(
                    run, Precision.DEFAULT.parameterType(), new Shape(1, backbone.featureDim()));
            int itersPerEpoch = loader.batchesPerEpoch();
            Schedule lr = iteration -> protocol.learningRateAt((int) (iteration / itersPerEpoch));
            Optimizer sgd =
                    Sgd.builder()
                            .setManager(run)
                            .setGroups(
                                    List.of(
                                            ParamGroup.of("backbone", backbone)
                                                    .excludeBnAndBiasFromDecay(false),
                                            ParamGroup.of("classifier", classifier)
                                                    .excludeBnAndBiasFromDecay(false)
                                                    .lrMultiplier(
                                                            headLearningRate
                                                                    / protocol.learningRate())))
                            .setLearningRate(lr)
                            .optMomentum(protocol.momentum())
                            .optWeightDecay(protocol.weightDecay())
                            .build();
            List<NDArray> longLived = new ArrayList<>();
            for (Pair<String, Parameter> p : backbone.getParameters()) {
                longLived.add(p.getValue().getArray());
            }
            for (Pair<String, Parameter> p : classifier.getParameters()) {
                longLived.add(p.getValue().getArray());
            }
            NDArray[] borrowed = longLived.toArray(new NDArray[0]);
            ParameterStore ps = new ParameterStore(run, false);
            long iteration = 0;
            for (int epoch = 0; epoch < protocol.epochs(); epoch++) {
                double lossSum = 0;
                long seen = 0;
                try (Loader.Epoch batches = loader.epoch(epoch)) {
                    for (HostBatch host : batches) {
                        try (NDManager step = run.newSubManager()) {
                            // borrowed: results of ops whose first input is a parameter land here
                            step.tempAttachAll(borrowed);
                            MultiCropBatch batch = host.toDevice(step);
                            NDArray loss;
                            try (GradientCollector gc =
                                    Engine.getInstance().newGradientCollector()) {
                                NDArray f =
                                        backbone.forward(
                                                        ps,
                                                        new NDList(batch.groups().get(0).images()),
                                                        true)
                                                .singletonOrThrow();
                                NDArray logits =
                                        classifier
                                                .forward(ps, new NDList(f), true)
                                                .singletonOrThrow();
                                loss = crossEntropy(logits, batch.labels(), numClasses);
                                gc.backward(loss);
                            }
                            float value = loss.getFloat();
                            checkState(
                                    Float.isFinite(value),
                                    "fine-tuning loss is %s at epoch %s, iteration %s: lower the learning rate (%s)",
                                    value,
                                    epoch,
                                    iteration,
                                    lr.value(iteration));
                            sgd.step(iteration++);
                            lossSum += (double) value * batch.batchSize();
                            seen += batch.batchSize();
                        }
                    }
                }
                boolean last = epoch + 1 == protocol.epochs();
                if (last || (epoch + 1) % protocol.evalEveryEpochs() == 0) {
                    double[] top = evaluate(backbone, classifier, test, protocol.batchSize(), run);
                    history.add(
                            new ProbeResult.EpochScore(
                                    epoch + 1,
                                    protocol.learningRateAt(epoch),
                                    lossSum / seen,
                                    top[0],
                                    top[1]));
                }
            }
        }
        return LinearProbe.result(protocol, seed, history, start);
    }

    /**
     * Mean cross-entropy of logits against integer labels, differentiable in the logits; no scalar
     * operands (see {@code Scalars}).
     */
    static NDArray crossEntropy(NDArray logits, NDArray labels, int numClasses) {
        NDArray oneHot =
                labels.toType(DataType.INT64, false)
                        .oneHot(numClasses)
                        .toType(logits.getDataType(), false);
        return logits.logSoftmax(1).mul(oneHot).sum(new int[] {1}).neg().mean();
    }

    /** Top-1 / top-5 of backbone + classifier in eval mode over the test source. */
    private static double[] evaluate(
            Backbone backbone,
            LinearClassifier classifier,
            FeatureSource test,
            int batchSize,
            NDManager run) {
        try (NDManager scope = run.newSubManager();
                Features f = FeatureExtractor.extract(backbone, test, batchSize, scope)) {
            NDArray logits = AugmentedLinearProbe.frozenFeatures(classifier, f.features(), scope);
            return Accuracy.topOneAndFive(logits, f.labels(), false);
        }
    }
}
