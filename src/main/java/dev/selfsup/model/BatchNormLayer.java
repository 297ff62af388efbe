package dev.selfsup.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
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
 */
final class BatchNormLayer extends TorchBlock {
    /** PyTorch's momentum, the weight of the batch statistic. */
    static final float TORCH_MOMENTUM = 0.1f;

    static final float EPSILON = 1e-5f;

    private final int channels;
    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private long numBatchesTracked;

    BatchNormLayer(int channels, boolean zeroGamma) {
        this.channels = channels;
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
        // DJL's momentum is the weight of the old value: 1 - PyTorch's
        return x.getNDArrayInternal()
                .batchNorm(x, rm, rv, g, b, 1, 1f - TORCH_MOMENTUM, EPSILON, training)
                .singletonOrThrow();
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
