package dev.selfsup.model;

import static dev.selfsup.internal.Checks.checkArgument;

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
                        ((long) gh << 32) | gw,
                        k -> PosEmbedInterpolation.resizeMatrix(gridSize, gh, gw));
        NDArray k = Scalars.owned(manager.create(matrix, new Shape(1L + gh * gw, 1L + n)));
        if (pos.getDataType() != DataType.FLOAT32) {
            k = k.toType(pos.getDataType(), false);
        }
        k = k.toDevice(pos.getDevice(), false);
        // [1 + gh·gw, 1 + g²] @ [1, 1 + g², D] broadcasts to [1, 1 + gh·gw, D]
        return k.matMul(pos);
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
}
