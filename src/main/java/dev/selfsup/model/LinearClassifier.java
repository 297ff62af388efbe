package dev.selfsup.model;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * The linear-probe classifier: features {@code [B, F]} → logits {@code [B, classes]}. Weight N(0,
 * 0.01²), bias 0, as in the MoCo / SwAV linear evaluation protocols. Tensor names {@code weight},
 * {@code bias}.
 */
public final class LinearClassifier extends TorchBlock {
    private final LinearLayer linear;
    private final int classes;

    LinearClassifier(Builder b) {
        classes = b.classes;
        linear =
                new LinearLayer(b.inputDim, b.classes, true, Inits.normal(0.01), Initializer.ZEROS);
        param("weight", linear.weight());
        param("bias", linear.getDirectParameters().get("bias"));
    }

    /**
     * Returns a builder; the number of classes is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        linear.prepare(inputShapes);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        checkArgument(
                x.getShape().dimension() == 2,
                "classifier input must be [B, F], got %s",
                x.getShape());
        return new NDList(linear.forward(ps, x, training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
    }

    /** Builder of {@link LinearClassifier}. */
    public static final class Builder {
        private int classes;
        private int inputDim;

        Builder() {}

        /**
         * Sets the number of classes (required).
         *
         * @param n {@code >= 2}
         * @return this builder
         */
        public Builder setClasses(int n) {
            classes = n;
            return this;
        }

        /**
         * Sets the feature width F. Defaults to 0: taken from the input at initialisation.
         *
         * @param dim {@code > 0}, or 0 to infer
         * @return this builder
         */
        public Builder optInputDim(int dim) {
            inputDim = dim;
            return this;
        }

        /**
         * Builds the classifier.
         *
         * @return the block
         * @throws IllegalArgumentException if the class count is missing or out of range
         */
        public LinearClassifier build() {
            checkArgument(classes >= 2, "setClasses is required and must be >= 2, got %s", classes);
            checkArgument(inputDim >= 0, "inputDim must be > 0, or 0 to infer, got %s", inputDim);
            return new LinearClassifier(this);
        }
    }
}
