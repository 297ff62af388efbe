package dev.selfsup.model;

import static dev.selfsup.internal.Checks.checkArgument;
import static dev.selfsup.internal.Checks.checkState;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.selfsup.internal.Scalars;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Vision Transformer equal to DINO's {@code vision_transformer.py} (Dosovitskiy et al. 2021; Caron
 * et al. 2021): patch embedding by a stride-p conv, a learned cls token, learned position
 * embeddings, pre-norm blocks (LayerNorm ε 1e-6, multi-head self-attention with qkv bias, MLP with
 * exact erf GELU), a final LayerNorm, and the cls token as output.
 *
 * <p>Input {@code [B, C, H, W]}; output {@code [B, D]} with D = {@link #featureDim()} (the embed
 * dim). For an input whose patch grid differs from the {@code imageSize / patchSize} grid the
 * position embeddings are resized as DINO does it (METHODS.md §8): the cls position is kept and the
 * g×g patch grid goes through PyTorch's bicubic interpolation (A = -0.75, align_corners=False,
 * border indices clamped) with scale factor {@code (n + 0.1) / g} rather than a target size. The
 * resize is a fixed linear map, applied as a matrix product so that gradients reach {@code
 * pos_embed}.
 *
 * <p>Initialisation as DINO: {@code trunc_normal_(std=.02)} for {@code pos_embed}, {@code
 * cls_token} and every Linear weight (biases 0), LayerNorm 1 / 0, the patch conv PyTorch's default.
 * Stochastic depth (drop path) rates rise linearly from 0 to {@link Builder#optDropPathRate} over
 * the blocks; its per-sample masks are drawn from the engine's random generator in training mode.
 * Tensor names are timm / DINO's ({@code cls_token}, {@code pos_embed}, {@code
 * patch_embed.proj.weight}, {@code blocks.0.attn.qkv.weight}, …, {@code norm.weight}).
 */
public final class VisionTransformer extends TorchBlock implements Backbone {
    static final float LAYER_NORM_EPSILON = 1e-6f;

    private final int embedDim;
    private final int patchSize;
    private final int gridSize;
    private final int inputChannels;
    private final Parameter clsToken;
    private final Parameter posEmbed;
    private final Conv2dLayer patchProj;
    private final EncoderBlock[] blocks;
    private final LayerNormLayer norm;
    private final Map<Long, float[]> resizeMatrices = new ConcurrentHashMap<>();

    VisionTransformer(Builder b) {
        embedDim = b.embedDim;
        patchSize = b.patchSize;
        gridSize = b.imageSize / b.patchSize;
        inputChannels = b.inputChannels;
        clsToken =
                param(
                        "cls_token",
                        Parameter.builder()
                                .setName("cls_token")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(1, 1, embedDim))
                                .optInitializer(Inits.truncNormal(0.02))
                                .build());
        posEmbed =
                param(
                        "pos_embed",
                        Parameter.builder()
                                .setName("pos_embed")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(1, (long) gridSize * gridSize + 1, embedDim))
                                .optInitializer(Inits.truncNormal(0.02))
                                .build());
        Sequence patchEmbed = child("patch_embed", new Sequence());
        patchProj =
                patchEmbed.add(
                        "proj",
                        new Conv2dLayer(
                                inputChannels,
                                embedDim,
                                patchSize,
                                patchSize,
                                0,
                                true,
                                Inits.torchDefault((long) inputChannels * patchSize * patchSize)));
        Sequence blockList = child("blocks", new Sequence());
        blocks = new EncoderBlock[b.depth];
        int hidden = (int) (embedDim * b.mlpRatio);
        for (int i = 0; i < b.depth; i++) {
            // DINO: torch.linspace(0, drop_path_rate, depth)
            double rate = b.depth == 1 ? 0 : b.dropPathRate * i / (b.depth - 1);
            blocks[i] =
                    blockList.add(
                            Integer.toString(i),
                            new EncoderBlock(embedDim, b.numHeads, hidden, rate));
        }
        norm = child("norm", new LayerNormLayer(embedDim, LAYER_NORM_EPSILON));
    }

    /**
     * Returns a builder; embed dim, depth, heads and patch size are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public int featureDim() {
        return embedDim;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape s = x.getShape();
        checkArgument(
                s.dimension() == 4
                        && s.get(1) == inputChannels
                        && s.get(2) >= patchSize
                        && s.get(3) >= patchSize,
                "ViT input must be [B, %d, H, W] with H, W >= patch size %d, got %s",
                inputChannels,
                patchSize,
                s);
        long batch = s.get(0);
        NDArray tokens = patchProj.forward(ps, x, training); // [B, D, h, w]
        int gh = (int) tokens.getShape().get(2);
        int gw = (int) tokens.getShape().get(3);
        tokens = tokens.reshape(batch, embedDim, (long) gh * gw).transpose(0, 2, 1); // [B, N, D]
        NDArray cls = ps.getValue(clsToken, x.getDevice(), training);
        // derived arrays must land on the input's manager, never on the parameters' one: every
        // op below has an input-side array first
        NDArray clsTokens =
                tokens.getManager()
                        .zeros(new Shape(batch, 1, embedDim), cls.getDataType(), x.getDevice())
                        .add(cls);
        tokens = clsTokens.concat(tokens, 1); // [B, 1 + N, D]
        NDArray pos = ps.getValue(posEmbed, x.getDevice(), training);
        boolean same = gh * gw == gridSize * gridSize && s.get(2) == s.get(3); // DINO's test
        tokens = tokens.add(same ? pos : interpolatePosEmbed(pos, gh, gw, tokens.getManager()));
        for (EncoderBlock block : blocks) {
            tokens = block.forward(ps, tokens, training);
        }
        tokens = norm.forward(ps, tokens, training);
        return new NDList(tokens.get(new NDIndex(":, 0"))); // [B, D]
    }

    /**
     * DINO's {@code interpolate_pos_encoding}: [1, 1 + g², D] → [1, 1 + gh·gw, D].
     *
     * @param pos the position embedding [1, 1 + g², D]
     * @param gh the number of patch rows of the input
     * @param gw the number of patch columns of the input
     * @param manager where the result and temporaries go (not the parameter's manager)
     * @return the resized embedding; differentiable in {@code pos}
     */
    NDArray interpolatePosEmbed(NDArray pos, int gh, int gw, NDManager manager) {
        int n = gridSize * gridSize;
        float[] matrix =
                resizeMatrices.computeIfAbsent(
                        ((long) gh << 32) | gw, k -> resizeMatrix(gridSize, gh, gw));
        NDArray k = Scalars.owned(manager.create(matrix, new Shape(1L + gh * gw, 1L + n)));
        if (pos.getDataType() != DataType.FLOAT32) {
            k = k.toType(pos.getDataType(), false);
        }
        k = k.toDevice(pos.getDevice(), false);
        // [1 + gh·gw, 1 + g²] @ [1, 1 + g², D] broadcasts to [1, 1 + gh·gw, D]
        return k.matMul(pos);
    }

    /**
     * The [1 + gh·gw, 1 + g²] matrix that keeps the cls position (row and column 0) and maps the
     * g×g grid by PyTorch's {@code F.interpolate(mode="bicubic", align_corners=False,
     * scale_factor=((gh + 0.1) / g, (gw + 0.1) / g))}, as the Kronecker product of the two 1-D maps
     * (the kernel is separable).
     */
    static float[] resizeMatrix(int g, int gh, int gw) {
        return gridMatrix(
                g, bicubicWeights(g, gh, (gh + 0.1) / g), bicubicWeights(g, gw, (gw + 0.1) / g));
    }

    /**
     * The [1 + gh·gw, 1 + g²] matrix that keeps the cls position and maps a g×g grid by the 1-D
     * maps {@code rows} [gh, g] and {@code cols} [gw, g] (their Kronecker product).
     */
    private static float[] gridMatrix(int g, float[][] rows, float[][] cols) {
        int gh = rows.length;
        int gw = cols.length;
        int width = 1 + g * g;
        float[] k = new float[(1 + gh * gw) * width];
        k[0] = 1f;
        for (int i = 0; i < gh; i++) {
            for (int j = 0; j < gw; j++) {
                int r = (1 + i * gw + j) * width + 1;
                for (int a = 0; a < g; a++) {
                    for (int b = 0; b < g; b++) {
                        k[r + a * g + b] = rows[i][a] * cols[j][b];
                    }
                }
            }
        }
        return k;
    }

    /**
     * The 1-D bicubic map [out, in] of PyTorch's {@code upsample_bicubic2d} with {@code
     * align_corners=False} and an explicit scale factor: the source of output o is {@code (o + 0.5)
     * / scale - 0.5}, taps at ⌊src⌋-1 … ⌊src⌋+2 clamped to the border, A = -0.75. Computed in float
     * like PyTorch's float kernel.
     */
    static float[][] bicubicWeights(int in, int out, double scale) {
        int size = (int) Math.floor(in * scale); // PyTorch: floor(input_size * scale_factor)
        checkState(
                size == out,
                "bicubic resize of %d by %s gives %d, not %d (DINO asserts the same)",
                in,
                scale,
                size,
                out);
        return bicubicMap(in, out, (float) (1.0 / scale));
    }

    /**
     * The 1-D bicubic map of {@code F.interpolate(mode="bicubic", align_corners=False)} from {@code
     * in} to {@code out} samples, source position {@code ratio·(o + 0.5) − 0.5}, edges clamped.
     */
    static float[][] bicubicMap(int in, int out, float ratio) {
        float[][] w = new float[out][in];
        for (int o = 0; o < out; o++) {
            float src = ratio * (o + 0.5f) - 0.5f;
            int floor = (int) Math.floor(src);
            float t = src - floor;
            float[] c = cubicCoefficients(t);
            for (int tap = 0; tap < 4; tap++) {
                int idx = Math.min(Math.max(floor - 1 + tap, 0), in - 1);
                w[o][idx] += c[tap];
            }
        }
        return w;
    }

    /**
     * timm's {@code resample_abs_pos_embed} for a checkpoint trained at another resolution: the
     * class token's row is kept, the {@code from × from} grid is resized to {@code to × to} by
     * {@code F.interpolate(size=(to, to), mode="bicubic", align_corners=False)}.
     *
     * @param pos [1 + from², dim] row-major
     * @param from source grid side
     * @param to target grid side
     * @param dim embedding width
     * @return [1 + to², dim] row-major
     */
    static float[] resamplePosEmbed(float[] pos, int from, int to, int dim) {
        checkArgument(
                pos.length == (1 + from * from) * dim,
                "pos_embed of %s values is not [1 + %s², %s]",
                pos.length,
                from,
                dim);
        float[][] map = bicubicMap(from, to, (float) from / to);
        float[] k = gridMatrix(from, map, map);
        int width = 1 + from * from;
        float[] out = new float[(1 + to * to) * dim];
        for (int r = 0; r < 1 + to * to; r++) {
            for (int c = 0; c < width; c++) {
                float w = k[r * width + c];
                if (w != 0f) {
                    for (int d = 0; d < dim; d++) {
                        out[r * dim + d] += w * pos[c * dim + d];
                    }
                }
            }
        }
        return out;
    }

    /** PyTorch's {@code get_cubic_upsample_coefficients} with A = -0.75. */
    static float[] cubicCoefficients(float t) {
        float a = -0.75f;
        float x1 = t;
        float x2 = 1f - t;
        return new float[] {cubic2(x1 + 1f, a), cubic1(x1, a), cubic1(x2, a), cubic2(x2 + 1f, a)};
    }

    private static float cubic1(float x, float a) {
        return ((a + 2) * x - (a + 3)) * x * x + 1;
    }

    private static float cubic2(float x, float a) {
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), embedDim)};
    }

    /** Builder of {@link VisionTransformer}; named variants are in {@link ModelZoo}. */
    public static final class Builder {
        private int embedDim;
        private int depth;
        private int numHeads;
        private int patchSize;
        private double mlpRatio = 4.0;
        private int imageSize = 224;
        private double dropPathRate;
        private int inputChannels = 3;

        Builder() {}

        /**
         * Sets the token width D (required), e.g. 384 for ViT-S.
         *
         * @param dim {@code > 0}, divisible by the number of heads
         * @return this builder
         */
        public Builder setEmbedDim(int dim) {
            embedDim = dim;
            return this;
        }

        /**
         * Sets the number of transformer blocks (required), 12 for ViT-Ti/S/B.
         *
         * @param blocks {@code >= 1}
         * @return this builder
         */
        public Builder setDepth(int blocks) {
            depth = blocks;
            return this;
        }

        /**
         * Sets the number of attention heads (required), e.g. 6 for ViT-S.
         *
         * @param heads {@code >= 1}, dividing the embed dim
         * @return this builder
         */
        public Builder setNumHeads(int heads) {
            numHeads = heads;
            return this;
        }

        /**
         * Sets the patch side p in pixels (required), 16 for the zoo models.
         *
         * @param pixels {@code >= 1}
         * @return this builder
         */
        public Builder setPatchSize(int pixels) {
            patchSize = pixels;
            return this;
        }

        /**
         * Sets the MLP hidden width as a multiple of D. Defaults to 4.
         *
         * @param ratio {@code > 0}
         * @return this builder
         */
        public Builder optMlpRatio(double ratio) {
            mlpRatio = ratio;
            return this;
        }

        /**
         * Sets the image side the position embeddings are learned for; other sizes are
         * interpolated. Defaults to 224.
         *
         * @param pixels a positive multiple of the patch size
         * @return this builder
         */
        public Builder optImageSize(int pixels) {
            imageSize = pixels;
            return this;
        }

        /**
         * Sets the stochastic-depth rate of the last block (linear from 0). Defaults to 0 (off);
         * DINO uses 0.1 for ViT-S.
         *
         * @param rate in [0, 1)
         * @return this builder
         */
        public Builder optDropPathRate(double rate) {
            dropPathRate = rate;
            return this;
        }

        /**
         * Sets the number of input channels C. Defaults to 3.
         *
         * @param channels {@code > 0}
         * @return this builder
         */
        public Builder optInputChannels(int channels) {
            inputChannels = channels;
            return this;
        }

        /**
         * Builds the transformer (parameters are created on {@code initialize}).
         *
         * @return the ViT
         * @throws IllegalArgumentException if a required value is missing or out of range
         */
        public VisionTransformer build() {
            checkArgument(
                    embedDim > 0, "setEmbedDim is required and must be > 0, got %s", embedDim);
            checkArgument(depth > 0, "setDepth is required and must be > 0, got %s", depth);
            checkArgument(
                    numHeads > 0, "setNumHeads is required and must be > 0, got %s", numHeads);
            checkArgument(
                    patchSize > 0, "setPatchSize is required and must be > 0, got %s", patchSize);
            checkArgument(
                    embedDim % numHeads == 0,
                    "embedDim %s must be divisible by numHeads %s",
                    embedDim,
                    numHeads);
            checkArgument(mlpRatio > 0, "mlpRatio must be > 0, got %s", mlpRatio);
            checkArgument(
                    imageSize >= patchSize && imageSize % patchSize == 0,
                    "imageSize must be a positive multiple of patchSize %s, got %s",
                    patchSize,
                    imageSize);
            checkArgument(
                    dropPathRate >= 0 && dropPathRate < 1,
                    "dropPathRate must be in [0, 1), got %s",
                    dropPathRate);
            checkArgument(inputChannels > 0, "inputChannels must be > 0, got %s", inputChannels);
            return new VisionTransformer(this);
        }
    }

    /** A container whose children are named like an {@code nn.Module} attribute or list index. */
    static final class Sequence extends TorchBlock {
        <B extends TorchBlock> B add(String name, B block) {
            return child(name, block);
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
            throw new IllegalStateException(
                    "this container is never run directly: its owner runs its children in order");
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }
    }

    /** DINO {@code Block}: x + DropPath(Attn(LN(x))), then x + DropPath(MLP(LN(x))). */
    static final class EncoderBlock extends TorchBlock {
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
            norm1 = child("norm1", new LayerNormLayer(dim, LAYER_NORM_EPSILON));
            Sequence attn = child("attn", new Sequence());
            qkv = attn.add("qkv", linear(dim, 3 * dim));
            proj = attn.add("proj", linear(dim, dim));
            norm2 = child("norm2", new LayerNormLayer(dim, LAYER_NORM_EPSILON));
            Sequence mlp = child("mlp", new Sequence());
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
                    Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), scale)
                            .softmax(-1); // [B, H, N, N]
            NDArray y = attn.matMul(v).transpose(0, 2, 1, 3).reshape(b, n, d);
            y = proj.forward(ps, y, training);
            x = x.add(dropPath(y, dropPath, training));
            NDArray h = fc1.forward(ps, norm2.forward(ps, x, training), training);
            h = fc2.forward(ps, h.getNDArrayInternal().gelu(), training);
            return x.add(dropPath(h, dropPath, training));
        }

        /**
         * DINO's {@code drop_path}: zero whole samples with probability p, scale the rest by
         * 1/(1-p).
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
}
