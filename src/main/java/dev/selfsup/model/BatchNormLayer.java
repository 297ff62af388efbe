package dev.selfsup.model;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * {@code nn.BatchNorm2d} / {@code nn.BatchNorm1d} with PyTorch semantics: input [B, C, ...]
 * normalised per channel C; momentum 0.1 in PyTorch's convention ({@code running = 0.9 running +
 * 0.1 batch}), eps 1e-5, running variance from the <em>unbiased</em> batch variance, and an int64
 * {@code num_batches_tracked} counter. It calls the engine's {@code batch_norm}, which updates the
 * running statistics in place in training mode (checked against PyTorch in the tests).
 *
 * <p>With {@code splits} S > 1 the layer is MoCo's single-device shuffle-BN stand-in, {@code
 * SplitBatchNorm} of the official CIFAR demo (facebookresearch/moco, {@code
 * colab/moco_cifar10_demo.ipynb}): in training mode the input [B, C, ...] is viewed as [B/S, S·C,
 * ...] and normalised by a BN of S·C channels whose γ, β and running statistics are the layer's own
 * repeated S times, so sample n falls in group n mod S and each group of B/S samples gets its own
 * mean and variance (as if each group were on its own device). The running statistics then become
 * the mean over the S groups of their updated copies: {@code running = 0.9 running + 0.1
 * mean_s(batch_s)}, with each group's unbiased variance. Eval mode uses the running statistics as
 * usual. Parameter shapes and names do not depend on S, so weights move freely between split and
 * unsplit layers.
 */
final class BatchNormLayer extends TorchBlock {
    /** PyTorch's momentum, the weight of the batch statistic. */
    static final float TORCH_MOMENTUM = 0.1f;

    static final float EPSILON = 1e-5f;

    private final int channels;
    private final int splits;
    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private long numBatchesTracked;

    BatchNormLayer(int channels, boolean zeroGamma) {
        this(channels, zeroGamma, 1);
    }

    /**
     * A BatchNorm over {@code channels} whose training-mode statistics are taken per group of the
     * batch.
     *
     * @param channels C
     * @param zeroGamma initialise γ to 0 instead of 1
     * @param splits S, the number of groups, {@code >= 1}; 1 is plain BatchNorm
     */
    BatchNormLayer(int channels, boolean zeroGamma, int splits) {
        checkArgument(splits >= 1, "BatchNorm splits must be >= 1, got %s", splits);
        this.channels = channels;
        this.splits = splits;
        gamma =
                param(
                        "weight",
                        vector(
                                "weight",
                                Parameter.Type.GAMMA,
                                zeroGamma ? Initializer.ZEROS : Initializer.ONES,
                                true));
        beta = param("bias", vector("bias", Parameter.Type.BETA, Initializer.ZEROS, true));
        runningMean =
                param(
                        "running_mean",
                        vector(
                                "running_mean",
                                Parameter.Type.RUNNING_MEAN,
                                Initializer.ZEROS,
                                false));
        runningVar =
                param(
                        "running_var",
                        vector("running_var", Parameter.Type.RUNNING_VAR, Initializer.ONES, false));
    }

    private Parameter vector(String name, Parameter.Type type, Initializer init, boolean grad) {
        return Parameter.builder()
                .setName(name)
                .setType(type)
                .optShape(new Shape(channels))
                .optInitializer(init)
                .optRequiresGrad(grad)
                .build();
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray rm = ps.getValue(runningMean, x.getDevice(), training);
        NDArray rv = ps.getValue(runningVar, x.getDevice(), training);
        NDArray g = ps.getValue(gamma, x.getDevice(), training);
        NDArray b = ps.getValue(beta, x.getDevice(), training);
        if (training) {
            numBatchesTracked++;
        }
        if (training && splits > 1) {
            return splitForward(x, rm, rv, g, b);
        }
        // DJL's momentum is the weight of the old value: 1 - PyTorch's
        return x.getNDArrayInternal()
                .batchNorm(x, rm, rv, g, b, 1, 1f - TORCH_MOMENTUM, EPSILON, training)
                .singletonOrThrow();
    }

    /** Training-mode BN per group of samples n mod S (the official SplitBatchNorm). */
    private NDArray splitForward(NDArray x, NDArray rm, NDArray rv, NDArray g, NDArray b) {
        Shape shape = x.getShape();
        long batch = shape.get(0);
        checkArgument(
                batch % splits == 0,
                "BatchNorm with %s splits needs a batch divisible by %s, got batch %s",
                splits,
                splits,
                batch);
        long[] grouped = shape.getShape().clone(); // getShape() is the Shape's own array
        grouped[0] = batch / splits;
        grouped[1] = (long) channels * splits;
        // the repeated statistics and the step's temporaries live in the scope; only the output
        // leaves (the running statistics are long-lived and only written in place)
        try (NDManager scope = x.getManager().newSubManager()) {
            scope.tempAttachAll(x, rm, rv, g, b);
            NDArray rmSplit = rm.tile(splits); // [S·C], group s at s·C … s·C + C − 1
            NDArray rvSplit = rv.tile(splits);
            NDArray out =
                    x.getNDArrayInternal()
                            .batchNorm(
                                    x.reshape(new Shape(grouped)),
                                    rmSplit,
                                    rvSplit,
                                    g.tile(splits),
                                    b.tile(splits),
                                    1,
                                    1f - TORCH_MOMENTUM,
                                    EPSILON,
                                    true)
                            .singletonOrThrow()
                            .reshape(shape);
            // batch_norm updated the repeated copies in place; their mean over groups is the new
            // value
            rm.set(new NDIndex(":"), rmSplit.reshape(splits, channels).mean(new int[] {0}));
            rv.set(new NDIndex(":"), rvSplit.reshape(splits, channels).mean(new int[] {0}));
            return scope.ret(out);
        }
    }

    /**
     * The number of groups S the training-mode statistics are taken over.
     *
     * @return S, 1 for plain BatchNorm
     */
    int splits() {
        return splits;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    void collect(String prefix, List<TensorSlot> out) {
        super.collect(prefix, out);
        out.add(new TensorSlot.Counter(prefix + "num_batches_tracked", this));
    }

    long numBatchesTracked() {
        return numBatchesTracked;
    }

    void setNumBatchesTracked(long value) {
        numBatchesTracked = value;
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        super.saveMetadata(os);
        os.writeLong(numBatchesTracked);
    }

    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is)
            throws IOException, MalformedModelException {
        super.loadMetadata(loadVersion, is);
        numBatchesTracked = is.readLong();
    }
}
