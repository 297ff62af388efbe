package dev.selfsup.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * {@code nn.LayerNorm(dim, eps)} over the last axis: input [..., D] → [..., D]; weight 1, bias 0.
 */
final class LayerNormLayer extends TorchBlock {
    private final int dim;
    private final float epsilon;
    private final Parameter gamma;
    private final Parameter beta;

    LayerNormLayer(int dim, float epsilon) {
        this.dim = dim;
        this.epsilon = epsilon;
        gamma =
                param(
                        "weight",
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.GAMMA)
                                .optShape(new Shape(dim))
                                .optInitializer(Initializer.ONES)
                                .build());
        beta =
                param(
                        "bias",
                        Parameter.builder()
                                .setName("bias")
                                .setType(Parameter.Type.BETA)
                                .optShape(new Shape(dim))
                                .optInitializer(Initializer.ZEROS)
                                .build());
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray g = ps.getValue(gamma, x.getDevice(), training);
        NDArray b = ps.getValue(beta, x.getDevice(), training);
        return LayerNorm.layerNorm(x, new Shape(dim), g, b, epsilon).singletonOrThrow();
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
}
