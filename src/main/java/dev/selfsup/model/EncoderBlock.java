package dev.selfsup.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.selfsup.internal.Scalars;

/** DINO {@code Block}: x + DropPath(Attn(LN(x))), then x + DropPath(MLP(LN(x))). */
final class EncoderBlock extends TorchBlock {
    private final LayerNormLayer norm1;
    private final LinearLayer qkv;
    private final LinearLayer proj;
    private final LayerNormLayer norm2;
    private final LinearLayer fc1;
    private final LinearLayer fc2;
    private final int numHeads;
    private final double dropPath;
    private final float scale;

    EncoderBlock(int dim, int numHeads, int hidden, double dropPath) {
        this.numHeads = numHeads;
        this.dropPath = dropPath;
        this.scale = (float) Math.pow(dim / numHeads, -0.5);
        norm1 = child("norm1", new LayerNormLayer(dim, VisionTransformer.LAYER_NORM_EPSILON));
        VisionTransformer.Sequence attn = child("attn", new VisionTransformer.Sequence());
        qkv = attn.add("qkv", linear(dim, 3 * dim));
        proj = attn.add("proj", linear(dim, dim));
        norm2 = child("norm2", new LayerNormLayer(dim, VisionTransformer.LAYER_NORM_EPSILON));
        VisionTransformer.Sequence mlp = child("mlp", new VisionTransformer.Sequence());
        fc1 = mlp.add("fc1", linear(dim, hidden));
        fc2 = mlp.add("fc2", linear(hidden, dim));
    }

    private static LinearLayer linear(int in, int out) {
        return new LinearLayer(
                in,
                out,
                true,
                Inits.truncNormal(0.02),
                ai.djl.training.initializer.Initializer.ZEROS);
    }

    NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        Shape s = x.getShape(); // [B, N, D]
        long b = s.get(0);
        long n = s.get(1);
        long d = s.get(2);
        NDArray qkvOut =
                qkv.forward(ps, norm1.forward(ps, x, training), training)
                        .reshape(b, n, 3, numHeads, d / numHeads)
                        .transpose(2, 0, 3, 1, 4); // [3, B, H, N, d/H]
        NDArray q = qkvOut.get(0);
        NDArray k = qkvOut.get(1);
        NDArray v = qkvOut.get(2);
        NDArray attn =
                Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), scale).softmax(-1); // [B, H, N, N]
        NDArray y = attn.matMul(v).transpose(0, 2, 1, 3).reshape(b, n, d);
        y = proj.forward(ps, y, training);
        x = x.add(dropPath(y, dropPath, training));
        NDArray h = fc1.forward(ps, norm2.forward(ps, x, training), training);
        h = fc2.forward(ps, h.getNDArrayInternal().gelu(), training);
        return x.add(dropPath(h, dropPath, training));
    }

    /**
     * DINO's {@code drop_path}: zero whole samples with probability p, scale the rest by 1/(1-p).
     */
    static NDArray dropPath(NDArray y, double rate, boolean training) {
        if (!training || rate == 0) {
            return y;
        }
        float keep = (float) (1 - rate);
        NDArray mask =
                y.getManager()
                        .randomUniform(
                                0f,
                                1f,
                                new Shape(y.getShape().get(0), 1, 1),
                                y.getDataType(),
                                y.getDevice())
                        .add(keep)
                        .floor();
        return Scalars.div(y, keep).mul(mask);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
        return new NDList(forward(ps, in.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
