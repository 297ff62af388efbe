package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.engine.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Linear classification on frozen features (METHODS.md §10): an optional BatchNorm without affine
 * parameters, then {@code Linear(F → C)} initialised N(0, 0.01) with zero bias, trained by SGD with
 * momentum on cross-entropy.
 *
 * <p>This is the fast path on cached feature tensors ({@link FeatureExtractor}, {@link
 * FeatureCache}): the backbone never runs here, so the presets' training augmentation is not
 * applied. Gradients are written out in closed form ({@code ∂CE/∂logits = softmax − onehot}), so no
 * {@code GradientCollector} is opened and a probe may run while a training step holds one.
 *
 * <p>SGD follows {@code torch.optim.SGD} (dampening 0, no Nesterov): {@code g ← g + wd·p; buf ←
 * μ·buf + g} (buf = g on the first step); {@code p ← p − lr·buf}; weight decay applies to weight
 * and bias, as in both reference scripts. Each epoch visits the training rows in the order of a
 * permutation drawn from {@code Seeds.derive(seed, "probe-shuffle", epoch)}; the last batch may be
 * smaller (PyTorch's {@code drop_last=False}).
 */
public final class LinearProbe {
    /** MAE's BatchNorm1d(affine=False, eps=1e-6). */
    private static final float BN_EPSILON = 1e-6f;

    /** PyTorch's BatchNorm running-statistics momentum. */
    private static final float BN_MOMENTUM = 0.1f;

    /** Test rows scored at once. */
    private static final int EVAL_ROWS = 8192;

    private LinearProbe() {}

    /**
     * Trains a linear classifier on training features and reports test accuracy.
     *
     * @param trainFeatures training features, [N, F], any float type
     * @param trainLabels training labels, [N], integer in [0, numClasses)
     * @param testFeatures test features, [M, F]
     * @param testLabels test labels, [M], integer in [0, numClasses)
     * @param numClasses number of classes C, {@code >= 2}
     * @param protocol the hyper-parameters
     * @param seed seeds weight initialisation ({@code "probe-init"}) and per-epoch shuffling
     *     ({@code "probe-shuffle", epoch})
     * @return best and last top-1/top-5, the evaluation history and the protocol
     * @throws IllegalArgumentException if a shape, label or argument is out of range
     */
    public static ProbeResult train(
            NDArray trainFeatures,
            NDArray trainLabels,
            NDArray testFeatures,
            NDArray testLabels,
            int numClasses,
            ProbeProtocol protocol,
            long seed) {
        long start = System.nanoTime();
        checkPair("train", trainFeatures, trainLabels, numClasses);
        checkPair("test", testFeatures, testLabels, numClasses);
        checkArgument(
                trainFeatures.getShape().get(1) == testFeatures.getShape().get(1),
                "feature widths differ: train %s, test %s",
                trainFeatures.getShape(),
                testFeatures.getShape());
        checkArgument(numClasses >= 2, "numClasses must be >= 2, got %s", numClasses);
        int n = (int) trainFeatures.getShape().get(0);
        int f = (int) trainFeatures.getShape().get(1);
        List<ProbeResult.EpochScore> history = new ArrayList<>();
        try (NDManager run = trainFeatures.getManager().newSubManager()) {
            State s = new State(run, numClasses, f, Seeds.derive(seed, "probe-init"));
            NDArray labels = trainLabels.toType(DataType.INT64, true);
            labels.attach(run);
            for (int epoch = 0; epoch < protocol.epochs(); epoch++) {
                float lr = (float) protocol.learningRateAt(epoch);
                long[] order = permutation(n, Seeds.derive(seed, "probe-shuffle", epoch));
                for (int from = 0; from < n; from += protocol.batchSize()) {
                    int to = Math.min(n, from + protocol.batchSize());
                    step(
                            s,
                            trainFeatures,
                            labels,
                            Arrays.copyOfRange(order, from, to),
                            lr,
                            protocol);
                }
                double lossSum = s.takeEpochLoss();
                boolean last = epoch + 1 == protocol.epochs();
                if (last || (epoch + 1) % protocol.evalEveryEpochs() == 0) {
                    double[] top = evaluate(s, testFeatures, testLabels, protocol.batchNorm());
                    history.add(
                            new ProbeResult.EpochScore(epoch + 1, lr, lossSum / n, top[0], top[1]));
                }
            }
        }
        return result(protocol, seed, history, start);
    }

    /** Best (earliest on ties) and last of an evaluation history, with the elapsed time. */
    static ProbeResult result(
            ProbeProtocol protocol,
            long seed,
            List<ProbeResult.EpochScore> history,
            long startNanos) {
        ProbeResult.EpochScore best = history.get(0);
        for (ProbeResult.EpochScore e : history) {
            if (e.top1() > best.top1()) {
                best = e;
            }
        }
        ProbeResult.EpochScore last = history.get(history.size() - 1);
        return new ProbeResult(
                protocol,
                seed,
                best.epoch(),
                best.top1(),
                best.top5(),
                last.epoch(),
                last.top1(),
                last.top5(),
                history,
                (System.nanoTime() - startNanos) / 1e9);
    }

    /**
     * Trains without evaluating and returns the classifier, for tests that check the optimiser
     * against a hand-written reference.
     *
     * @return {weight [C·F] row-major, bias [C]}
     */
    static float[][] trainedParameters(
            NDArray trainFeatures,
            NDArray trainLabels,
            int numClasses,
            ProbeProtocol protocol,
            long seed) {
        checkPair("train", trainFeatures, trainLabels, numClasses);
        int n = (int) trainFeatures.getShape().get(0);
        int f = (int) trainFeatures.getShape().get(1);
        try (NDManager run = trainFeatures.getManager().newSubManager()) {
            State s = new State(run, numClasses, f, Seeds.derive(seed, "probe-init"));
            NDArray labels = trainLabels.toType(DataType.INT64, true);
            labels.attach(run);
            for (int epoch = 0; epoch < protocol.epochs(); epoch++) {
                float lr = (float) protocol.learningRateAt(epoch);
                long[] order = permutation(n, Seeds.derive(seed, "probe-shuffle", epoch));
                for (int from = 0; from < n; from += protocol.batchSize()) {
                    int to = Math.min(n, from + protocol.batchSize());
                    step(
                            s,
                            trainFeatures,
                            labels,
                            Arrays.copyOfRange(order, from, to),
                            lr,
                            protocol);
                }
            }
            float[] wb = s.weight.toFloatArray();
            float[] weight = new float[numClasses * f];
            float[] bias = new float[numClasses];
            for (int k = 0; k < numClasses; k++) {
                System.arraycopy(wb, k * (f + 1), weight, k * f, f);
                bias[k] = wb[k * (f + 1) + f];
            }
            return new float[][] {weight, bias};
        }
    }

    /**
     * Classifier parameters, momentum buffer and BatchNorm running statistics, all on run.
     *
     * <p>Weight and bias live in one [C, F + 1] matrix (bias last) and the features get a column of
     * ones: both reference scripts decay the bias like the weight, so this is the same update with
     * half the per-step engine calls, which dominate at probe sizes.
     */
    static final class State {
        final NDArray weight; // [C, F + 1], bias in the last column
        final NDArray buffer; // momentum buffer, [C, F + 1]
        final NDArray runningMean; // [F]
        final NDArray runningVar; // [F]
        final NDArray epochLoss; // [], summed cross-entropy of the current epoch
        final int classes;
        final int features;

        State(NDManager run, int classes, int features, RandomGenerator init) {
            float[] w = new float[classes * (features + 1)];
            for (int k = 0; k < classes; k++) {
                for (int j = 0; j < features; j++) {
                    w[k * (features + 1) + j] = (float) (0.01 * init.nextGaussian());
                }
            }
            this.weight = run.create(w, new Shape(classes, features + 1));
            this.buffer = run.zeros(new Shape(classes, features + 1));
            this.runningMean = run.zeros(new Shape(features));
            this.runningVar = run.ones(new Shape(features));
            this.epochLoss = run.zeros(new Shape());
            this.classes = classes;
            this.features = features;
        }

        NDArray[] all() {
            return new NDArray[] {weight, buffer, runningMean, runningVar, epochLoss};
        }

        /** Returns the epoch's summed loss and resets it. */
        double takeEpochLoss() {
            double value = epochLoss.toFloatArray()[0];
            try (NDManager scope = epochLoss.getManager().newSubManager()) {
                scope.tempAttachAll(epochLoss);
                epochLoss.muli(0);
            }
            return value;
        }
    }

    /** One SGD step on the rows {@code index}; adds the summed batch loss to the epoch's. */
    static void step(
            State s, NDArray features, NDArray labels, long[] index, float lr, ProbeProtocol p) {
        try (NDManager step = s.weight.getManager().newSubManager()) {
            step.tempAttachAll(s.all());
            step.tempAttachAll(features, labels);
            int b = index.length;
            NDArray rows = step.create(index);
            NDArray x = float32(features.get(rows)); // [b, F]
            NDArray y = labels.get(rows); // [b]
            if (p.batchNorm()) {
                NDArray mean = x.mean(new int[] {0});
                NDArray var = x.sub(mean).square().mean(new int[] {0}); // biased, for normalising
                x = x.sub(mean).div(var.add(BN_EPSILON).sqrt());
                // running variance is unbiased, as torch; a batch of one has none to give
                float unbias = b > 1 ? (float) b / (b - 1) : 1f;
                s.runningMean.muli(1 - BN_MOMENTUM).addi(mean.mul(BN_MOMENTUM));
                s.runningVar.muli(1 - BN_MOMENTUM).addi(var.mul(BN_MOMENTUM * unbias));
            }
            x = x.concat(step.ones(new Shape(b, 1)), 1); // [b, F + 1]
            NDArray logProb = x.matMul(s.weight.transpose()).logSoftmax(1); // [b, C]
            NDArray oneHot = y.oneHot(s.classes); // [b, C]
            s.epochLoss.subi(logProb.mul(oneHot).sum());
            NDArray dLogits = logProb.exp().sub(oneHot).div(b); // ∂ mean CE / ∂ logits
            NDArray grad = dLogits.transpose().matMul(x); // [C, F + 1]
            if (p.weightDecay() > 0) {
                grad = grad.add(s.weight.mul(p.weightDecay()));
            }
            s.buffer.muli(p.momentum()).addi(grad);
            s.weight.subi(s.buffer.mul(lr));
        }
    }

    /** Test top-1 and top-5 in percent, BatchNorm (if any) on running statistics. */
    static double[] evaluate(State s, NDArray features, NDArray labels, boolean batchNorm) {
        int m = (int) features.getShape().get(0);
        long top1 = 0;
        long top5 = 0;
        for (int from = 0; from < m; from += EVAL_ROWS) {
            int to = Math.min(m, from + EVAL_ROWS);
            try (NDManager chunk = s.weight.getManager().newSubManager()) {
                chunk.tempAttachAll(s.all());
                NDIndex range = new NDIndex("{}:{}", from, to);
                NDArray x = float32(features.get(chunk, range));
                if (batchNorm) {
                    x = x.sub(s.runningMean).div(s.runningVar.add(BN_EPSILON).sqrt());
                }
                x = x.concat(chunk.ones(new Shape(to - from, 1)), 1);
                NDArray logits = x.matMul(s.weight.transpose());
                NDArray truth = labels.get(chunk, range).toType(DataType.INT64, false);
                long[] hits = Accuracy.hits(logits, truth, false);
                top1 += hits[0];
                top5 += hits[1];
            }
        }
        return new double[] {100.0 * top1 / m, 100.0 * top5 / m};
    }

    private static long[] permutation(int n, RandomGenerator rng) {
        long[] order = new long[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = n - 1; i > 0; i--) { // Fisher–Yates
            int j = rng.nextInt(i + 1);
            long t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    static void checkPair(String split, NDArray features, NDArray labels, int numClasses) {
        checkArgument(
                features.getShape().dimension() == 2 && features.getShape().get(0) >= 1,
                "%s features must be [N >= 1, F], got %s",
                split,
                features.getShape());
        checkArgument(
                labels.getShape().dimension() == 1
                        && labels.getShape().get(0) == features.getShape().get(0),
                "%s labels must be [%s], got %s",
                split,
                features.getShape().get(0),
                labels.getShape());
        checkArgument(
                labels.getDataType().isInteger(),
                "%s labels must be integers, got %s",
                split,
                labels.getDataType());
        try (NDManager scope = labels.getManager().newSubManager()) {
            scope.tempAttachAll(labels);
            long min = labels.min().toType(DataType.INT64, false).getLong();
            long max = labels.max().toType(DataType.INT64, false).getLong();
            checkArgument(
                    min >= 0 && max < numClasses,
                    "%s labels must be in [0, %s), got values in [%s, %s]",
                    split,
                    numClasses,
                    min,
                    max);
        }
    }

    private static NDArray float32(NDArray x) {
        return x.getDataType() == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
    }
}
