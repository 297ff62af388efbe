package dev.selfsup.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * {@code nn.Linear}: input [..., in], weight [out, in], optional bias [out], output [..., out]. The
 * input width may be left open (0) and is then taken from the input shape at initialisation.
 */
final class LinearLayer extends TorchBlock {
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;
    private final Initializer weightInit;
    private final Initializer biasInit;

    /**
     * @param inFeatures input width, or 0 to infer it at initialisation
     * @param weightInit weight initialiser, or null for PyTorch's default U(±1/√in)
     * @param biasInit bias initialiser, or null for PyTorch's default U(±1/√in)
     */
    LinearLayer(
            int inFeatures,
            int outFeatures,
            boolean withBias,
            Initializer weightInit,
            Initializer biasInit) {
        this.outFeatures = outFeatures;
        this.weightInit = weightInit;
        this.biasInit = biasInit;
        weight =
                param(
                        "weight",
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.WEIGHT)
                                .build());
        bias =
                withBias
                        ? param(
                                "bias",
                                Parameter.builder()
                                        .setName("bias")
                                        .setType(Parameter.Type.BIAS)
                                        .build())
                        : null;
        if (inFeatures > 0) {
            setInFeatures(inFeatures);
        }
    }

    private void setInFeatures(long in) {
        weight.setShape(new Shape(outFeatures, in));
        weight.setInitializer(weightInit != null ? weightInit : Inits.torchDefault(in));
        if (bias != null) {
            bias.setShape(new Shape(outFeatures));
            bias.setInitializer(biasInit != null ? biasInit : Inits.torchDefault(in));
        }
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        if (weight.getShape() == null) {
            setInFeatures(inputShapes[0].get(inputShapes[0].dimension() - 1));
        }
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
        return Linear.linear(x, w, b).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {in.slice(0, in.dimension() - 1).add(outFeatures)};
    }

    Parameter weight() {
        return weight;
    }

    int outFeatures() {
        return outFeatures;
    }

    boolean inFeaturesKnown() {
        return weight.getShape() != null;
    }
}
