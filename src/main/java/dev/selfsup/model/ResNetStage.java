package dev.selfsup.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** {@code layerN}: an {@code nn.Sequential} of residual blocks named "0", "1", …. */
final class ResNetStage extends TorchBlock {
    private final TorchBlock[] blocks;

    ResNetStage(
            ResNet.BlockType type,
            int inplanes,
            int planes,
            int count,
            int stride,
            boolean zeroInit,
            int splits) {
        blocks = new TorchBlock[count];
        for (int i = 0; i < count; i++) {
            int in = i == 0 ? inplanes : planes * type.expansion();
            int s = i == 0 ? stride : 1;
            blocks[i] =
                    child(
                            Integer.toString(i),
                            type == ResNet.BlockType.BASIC
                                    ? new ResNet.BasicBlock(in, planes, s, zeroInit, splits)
                                    : new ResNet.Bottleneck(in, planes, s, zeroInit, splits));
        }
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        for (TorchBlock block : blocks) {
            x =
                    block instanceof ResNet.BasicBlock
                            ? ((ResNet.BasicBlock) block).forward(ps, x, training)
                            : ((ResNet.Bottleneck) block).forward(ps, x, training);
        }
        return x;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
        return new NDList(forward(ps, in.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (TorchBlock block : blocks) {
            shapes = block.getOutputShapes(shapes);
        }
        return shapes;
    }
}
