package dev.selfsup.model;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An MLP projection head: input {@code [B, F]} → output {@code [B, D]}, optionally L2-normalised
 * along D. Each hidden layer is Linear → (BatchNorm1d) → ReLU; the last is Linear (→ BatchNorm1d).
 * Tensor names are those of the equivalent {@code nn.Sequential} ({@code 0.weight}, {@code
 * 1.running_mean}, {@code 3.weight} for SwAV's head), so a head saved inside a container child
 * named {@code projection_head} matches SwAV's {@code projection_head.0.weight}. Linear layers use
 * PyTorch's default initialisation, BN γ = 1, β = 0.
 *
 * <p>Paper heads: SimCLR 2-layer {@code setHiddenDims(2048).setOutputDim(128)} (BN; 3-layer {@code
 * setHiddenDims(2048, 2048)}); MoCo v2 {@code setHiddenDims(2048).setOutputDim(128)
 * .optBatchNorm(false)}; SwAV {@code setHiddenDims(2048).setOutputDim(128)} (BN).
 */
public final class ProjectionHead extends TorchBlock {
    private final List<TorchBlock> layers = new ArrayList<>(); // Linear / BN, in order
    private final List<Boolean> reluAfter = new ArrayList<>();
    private final boolean l2Normalize;
    private final int outputDim;

    ProjectionHead(Builder b) {
        l2Normalize = b.l2Normalize;
        outputDim = b.outputDim;
        int index = 0; // nn.Sequential index: ReLU takes one too
        int in = b.inputDim;
        int[] dims = Arrays.copyOf(b.hiddenDims, b.hiddenDims.length + 1);
        dims[dims.length - 1] = b.outputDim;
        for (int i = 0; i < dims.length; i++) {
            boolean last = i == dims.length - 1;
            add(Integer.toString(index++), new LinearLayer(in, dims[i], b.bias, null, null), false);
            if (last ? b.lastBatchNorm : b.batchNorm) {
                add(
                        Integer.toString(index++),
                        new BatchNormLayer(dims[i], false, b.batchNormSplits),
                        false);
            }
            if (!last) {
                reluAfter.set(reluAfter.size() - 1, true);
                index++;
            }
            in = dims[i];
        }
    }

    private void add(String name, TorchBlock layer, boolean relu) {
        layers.add(child(name, layer));
        reluAfter.add(relu);
    }

    /**
     * Returns a builder; the output dim is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The output width D.
     *
     * @return D
     */
    public int outputDim() {
        return outputDim;
    }

    @Override
    protected void initializeChildBlocks(
            NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape shape = inputShapes[0];
        for (TorchBlock layer : layers) {
            layer.initialize(manager, dataType, shape);
            shape = layer.getOutputShapes(new Shape[] {shape})[0];
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        checkArgument(
                x.getShape().dimension() == 2, "head input must be [B, F], got %s", x.getShape());
        for (int i = 0; i < layers.size(); i++) {
            TorchBlock layer = layers.get(i);
            x =
                    layer instanceof LinearLayer
                            ? ((LinearLayer) layer).forward(ps, x, training)
                            : ((BatchNormLayer) layer).forward(ps, x, training);
            if (reluAfter.get(i)) {
                x = x.getNDArrayInternal().relu();
            }
        }
        return new NDList(l2Normalize ? x.normalize(2, 1) : x);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), outputDim)};
    }

    /** Builder of {@link ProjectionHead}. */
    public static final class Builder {
        private int inputDim;
        private int[] hiddenDims = {};
        private int outputDim;
        private boolean batchNorm = true;
        private boolean lastBatchNorm;
        private boolean bias = true;
        private boolean l2Normalize;
        private int batchNormSplits = 1;

        Builder() {}

        /**
         * Sets the input width F. Defaults to 0: taken from the input shape at initialisation.
         *
         * @param dim {@code > 0}, or 0 to infer
         * @return this builder
         */
        public Builder optInputDim(int dim) {
            inputDim = dim;
            return this;
        }

        /**
         * Sets the widths of the hidden layers, one per hidden layer. Defaults to none (a single
         * Linear).
         *
         * @param dims each {@code > 0}, e.g. {@code 2048}
         * @return this builder
         */
        public Builder setHiddenDims(int... dims) {
            hiddenDims = dims.clone();
            return this;
        }

        /**
         * Sets the output width D (required), e.g. 128.
         *
         * @param dim {@code > 0}
         * @return this builder
         */
        public Builder setOutputDim(int dim) {
            outputDim = dim;
            return this;
        }

        /**
         * Puts a BatchNorm1d after each hidden Linear. Defaults to true (SimCLR, SwAV); MoCo v2:
         * false.
         *
         * @param on whether to use BN on hidden layers
         * @return this builder
         */
        public Builder optBatchNorm(boolean on) {
            batchNorm = on;
            return this;
        }

        /**
         * Puts a BatchNorm1d after the last Linear (SimCLR v2 style). Defaults to false.
         *
         * @param on whether to use BN on the output layer
         * @return this builder
         */
        public Builder optLastBatchNorm(boolean on) {
            lastBatchNorm = on;
            return this;
        }

        /**
         * Gives every Linear a bias. Defaults to true (PyTorch's default, SwAV, solo-learn).
         *
         * @param on whether Linear layers have a bias
         * @return this builder
         */
        public Builder optBias(boolean on) {
            bias = on;
            return this;
        }

        /**
         * L2-normalises the output rows. Defaults to false (the methods normalise themselves).
         *
         * @param on whether to normalise
         * @return this builder
         */
        public Builder optL2Normalize(boolean on) {
            l2Normalize = on;
            return this;
        }

        /**
         * Takes the BatchNorm layers' training-mode statistics per group of the batch (sample n in
         * group n mod S; MoCo's single-device shuffle-BN, see {@link
         * ResNet.Builder#optBatchNormSplits}). The batch must then be a multiple of S. No effect on
         * a head without BatchNorm. Defaults to 1 (plain BatchNorm).
         *
         * @param splits S, {@code >= 1}
         * @return this builder
         */
        public Builder optBatchNormSplits(int splits) {
            batchNormSplits = splits;
            return this;
        }

        /**
         * Builds the head.
         *
         * @return the head
         * @throws IllegalArgumentException if a width is out of range
         */
        public ProjectionHead build() {
            checkArgument(
                    outputDim > 0, "setOutputDim is required and must be > 0, got %s", outputDim);
            checkArgument(inputDim >= 0, "inputDim must be > 0, or 0 to infer, got %s", inputDim);
            checkArgument(
                    batchNormSplits >= 1, "batchNormSplits must be >= 1, got %s", batchNormSplits);
            for (int d : hiddenDims) {
                checkArgument(
                        d > 0, "hidden dims must be > 0, got %s", Arrays.toString(hiddenDims));
            }
            return new ProjectionHead(this);
        }
    }
}
