package dev.selfsup.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** {@code downsample}: {@code nn.Sequential(conv1x1(stride), BatchNorm2d)}. */
final class ResNetDownsample extends TorchBlock {
    private final Conv2dLayer conv;
    private final BatchNormLayer bn;

    ResNetDownsample(int in, int out, int stride, int splits) {
        conv = child("0", ResNet.conv(in, out, 1, stride, 0));
        bn = child("1", new BatchNormLayer(out, false, splits));
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        return bn.forward(ps, conv.forward(ps, x, training), training);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
        return new NDList(forward(ps, in.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return conv.getOutputShapes(inputShapes);
    }
}
