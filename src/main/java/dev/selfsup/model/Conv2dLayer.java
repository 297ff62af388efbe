package dev.selfsup.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * {@code nn.Conv2d}: input [B, Cin, H, W], weight [Cout, Cin, k, k], optional bias [Cout], output
 * [B, Cout, H', W'].
 */
final class Conv2dLayer extends TorchBlock {
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final Parameter weight;
    private final Parameter bias;

    Conv2dLayer(
            int inChannels,
            int outChannels,
            int kernel,
            int stride,
            int padding,
            boolean withBias,
            Initializer weightInit) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        weight =
                param(
                        "weight",
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(outChannels, inChannels, kernel, kernel))
                                .optInitializer(weightInit)
                                .build());
        bias =
                withBias
                        ? param(
                                "bias",
                                Parameter.builder()
                                        .setName("bias")
                                        .setType(Parameter.Type.BIAS)
                                        .optShape(new Shape(outChannels))
                                        .optInitializer(
                                                Inits.torchDefault(
                                                        (long) inChannels * kernel * kernel))
                                        .build())
                        : null;
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
        return Conv2d.conv2d(
                        x,
                        w,
                        b,
                        new Shape(stride, stride),
                        new Shape(padding, padding),
                        new Shape(1, 1),
                        1)
                .singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long h = (in.get(2) + 2L * padding - kernel) / stride + 1;
        long w = (in.get(3) + 2L * padding - kernel) / stride + 1;
        return new Shape[] {new Shape(in.get(0), outChannels, h, w)};
    }

    int inChannels() {
        return inChannels;
    }
}
