package dev.selfsup.eval;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The raw-pixel baseline as a parameter-free "backbone": [B, C, H, W] → [B, C·H·W], the flattened
 * (already normalised) pixels. It goes through {@link FeatureExtractor} and {@link FeatureCache}
 * like any backbone and gives the quickstart's {@code raw_pixels} row.
 */
public final class RawPixels extends AbstractBlock {
    private static final byte VERSION = 1;

    /** Creates the block; it has no parameters and accepts any input size. */
    public RawPixels() {
        super(VERSION);
    }

    /**
     * Always true: there is nothing to initialise.
     *
     * @return true
     */
    @Override
    public boolean isInitialized() {
        return true;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        var x = inputs.singletonOrThrow();
        return new NDList(x.reshape(x.getShape().get(0), -1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        return new Shape[] {new Shape(s.get(0), s.size() / s.get(0))};
    }

    @Override
    public void initializeChildBlocks(
            NDManager manager, ai.djl.ndarray.types.DataType dataType, Shape... inputShapes) {
        // no children
    }
}
