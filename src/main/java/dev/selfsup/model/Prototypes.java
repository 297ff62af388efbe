package dev.selfsup.model;

import static dev.selfsup.internal.Checks.checkArgument;
import static dev.selfsup.internal.Checks.checkState;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * SwAV's prototypes: a bias-free linear map D → K, {@code scores = z · Cᵀ} for z {@code [B, D]} and
 * prototype matrix C {@code [K, D]} (tensor name {@code weight}; {@code prototypes.weight} inside a
 * container child named {@code prototypes}, as in SwAV). PyTorch's default Linear initialisation;
 * call {@link #normaliseRows()} before every forward pass to keep each prototype at unit norm, as
 * SwAV does.
 */
public final class Prototypes extends TorchBlock {
    private final LinearLayer linear;
    private final int count;

    Prototypes(Builder b) {
        count = b.prototypes;
        linear = new LinearLayer(b.inputDim, b.prototypes, false, null, null);
        // no container level: the weight is this block's own "weight"
        param("weight", linear.weight());
    }

    /**
     * Returns a builder; the number of prototypes is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The number of prototypes K.
     *
     * @return K
     */
    public int prototypes() {
        return count;
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        if (!linear.inFeaturesKnown()) {
            linear.prepare(inputShapes);
        }
    }

    /**
     * Scales each prototype (row of C) to unit L2 norm, in place and without gradient: the
     * parameter keeps the same array object, nothing is recorded for autograd, and temporaries are
     * freed (SwAV: {@code w = prototypes.weight.data.clone(); w = normalize(w); copy_(w)} under
     * {@code no_grad}). Safe inside an open {@code GradientCollector}.
     *
     * @throws IllegalStateException if the block is not initialised
     */
    public void normaliseRows() {
        Parameter weight = linear.weight();
        checkState(weight.isInitialized(), "prototypes are not initialised");
        NDArray w = weight.getArray();
        try (NDManager scope = w.getManager().newSubManager()) {
            scope.tempAttachAll(w);
            // a detached alias shares storage: writing it changes the weight with no autograd
            // record
            NDArray alias = w.stopGradient();
            NDArray norms = alias.norm(new int[] {1}, true).maximum(1e-12f); // [K, 1]
            alias.divi(norms);
        }
    }

    /**
     * Prototype scores {@code z · Cᵀ}.
     *
     * @param ps the parameter store
     * @param z embeddings {@code [B, D]}, normalised by the caller
     * @param training whether this is a training pass
     * @return scores {@code [B, K]}; gradients flow to z and C
     */
    public NDArray scores(ParameterStore ps, NDArray z, boolean training) {
        checkArgument(z.getShape().dimension() == 2, "z must be [B, D], got %s", z.getShape());
        return linear.forward(ps, z, training);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(scores(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), count)};
    }

    /** Builder of {@link Prototypes}. */
    public static final class Builder {
        private int prototypes;
        private int inputDim;

        Builder() {}

        /**
         * Sets the number of prototypes K (required); SwAV uses 3000 on ImageNet.
         *
         * @param k {@code > 0}
         * @return this builder
         */
        public Builder setPrototypes(int k) {
            prototypes = k;
            return this;
        }

        /**
         * Sets the embedding width D. Defaults to 0: taken from the input at initialisation.
         *
         * @param dim {@code > 0}, or 0 to infer
         * @return this builder
         */
        public Builder optInputDim(int dim) {
            inputDim = dim;
            return this;
        }

        /**
         * Builds the prototypes.
         *
         * @return the block
         * @throws IllegalArgumentException if K is missing or a width is out of range
         */
        public Prototypes build() {
            checkArgument(
                    prototypes > 0,
                    "setPrototypes is required and must be > 0, got %s",
                    prototypes);
            checkArgument(inputDim >= 0, "inputDim must be > 0, or 0 to infer, got %s", inputDim);
            return new Prototypes(this);
        }
    }
}
