package dev.selfsup.model;

import static dev.selfsup.internal.Checks.checkArgument;
import static java.util.Map.entry;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.selfsup.model.ResNet.BlockType;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The named backbones. Each name builds a fresh, uninitialised {@link Backbone} mapping {@code [B,
 * 3, H, W]} to pooled features {@code [B, F]} (no classifier):
 *
 * <table>
 * <caption>backbones</caption>
 * <tr><th>name</th><th>F</th><th>definition</th></tr>
 * <tr><td>resnet18, resnet34</td><td>512</td><td>torchvision, basic blocks [2,2,2,2] / [3,4,6,3]</td></tr>
 * <tr><td>resnet50, resnet101, resnet152</td><td>2048</td><td>torchvision v1.5 bottlenecks [3,4,6,3] / [3,4,23,3] / [3,8,36,3]</td></tr>
 * <tr><td>resnet50w2, resnet50w4</td><td>4096, 8192</td><td>SwAV's ResNet-50 with every width ×2 / ×4</td></tr>
 * <tr><td>resnet18_cifar</td><td>512</td><td>ResNet-18 with a 3×3 stride-1 stem and no max-pool</td></tr>
 * <tr><td>vit_tiny_patch16, vit_small_patch16, vit_base_patch16</td><td>192, 384, 768</td><td>DINO ViT-Ti/S/B, 12 blocks, 3/6/12 heads, 224 px</td></tr>
 * </table>
 */
public final class ModelZoo {
    private static final Map<String, Function<Options, Backbone>> BACKBONES =
            Map.ofEntries(
                    entry("resnet18", o -> resnet(o, BlockType.BASIC, 1, false, 2, 2, 2, 2)),
                    entry("resnet34", o -> resnet(o, BlockType.BASIC, 1, false, 3, 4, 6, 3)),
                    entry("resnet50", o -> resnet(o, BlockType.BOTTLENECK, 1, false, 3, 4, 6, 3)),
                    entry("resnet101", o -> resnet(o, BlockType.BOTTLENECK, 1, false, 3, 4, 23, 3)),
                    entry("resnet152", o -> resnet(o, BlockType.BOTTLENECK, 1, false, 3, 8, 36, 3)),
                    entry("resnet50w2", o -> resnet(o, BlockType.BOTTLENECK, 2, false, 3, 4, 6, 3)),
                    entry("resnet50w4", o -> resnet(o, BlockType.BOTTLENECK, 4, false, 3, 4, 6, 3)),
                    entry("resnet18_cifar", o -> resnet(o, BlockType.BASIC, 1, true, 2, 2, 2, 2)),
                    entry("resnet10_cifar", o -> resnet(o, BlockType.BASIC, 1, true, 1, 1, 1, 1)),
                    entry("vit_tiny_patch16", o -> vit(o, 192, 3)),
                    entry("vit_small_patch16", o -> vit(o, 384, 6)),
                    entry("vit_base_patch16", o -> vit(o, 768, 12)));

    /**
     * Variations applied to a named backbone. Start from {@link #DEFAULT} and change what you need:
     *
     * <pre>{@code
     * ModelZoo.backbone("resnet18_cifar", ModelZoo.Options.DEFAULT.withBaseWidth(16));
     * ModelZoo.backbone("vit_small_patch16", ModelZoo.Options.DEFAULT.withDropPathRate(0.1).withImageSize(96));
     * }</pre>
     *
     * @param baseWidth ResNet stem width instead of 64 (all stages scale with it); 0 keeps 64.
     *     Small widths (16, 32) make CPU-sized models
     * @param zeroInitResidual zero-init the last BN gamma of each residual block (ResNets)
     * @param dropPathRate stochastic depth rate (ViTs)
     * @param imageSize the ViT's native input side (position-embedding grid); 0 keeps 224
     * @param batchNormSplits S, BatchNorm statistics per group of the batch in training mode
     *     (ResNets; see {@link ResNet.Builder#optBatchNormSplits}); 1 is plain BatchNorm. ViTs have
     *     no BatchNorm and refuse S > 1
     */
    public record Options(
            int baseWidth,
            boolean zeroInitResidual,
            double dropPathRate,
            int imageSize,
            int batchNormSplits) {
        /** The named models as published. */
        public static final Options DEFAULT = new Options(0, false, 0.0, 0, 1);

        /**
         * Variations with plain BatchNorm (S = 1).
         *
         * @param baseWidth ResNet stem width instead of 64; 0 keeps 64
         * @param zeroInitResidual zero-init the last BN gamma of each residual block (ResNets)
         * @param dropPathRate stochastic depth rate (ViTs)
         * @param imageSize the ViT's native input side; 0 keeps 224
         */
        public Options(
                int baseWidth, boolean zeroInitResidual, double dropPathRate, int imageSize) {
            this(baseWidth, zeroInitResidual, dropPathRate, imageSize, 1);
        }

        /**
         * A copy with another ResNet stem width, e.g. {@code Options.DEFAULT.withBaseWidth(16)} for
         * a CPU-sized model.
         *
         * @param width stem width ({@code > 0}), or 0 for the model's own 64
         * @return the copy
         */
        public Options withBaseWidth(int width) {
            return new Options(width, zeroInitResidual, dropPathRate, imageSize, batchNormSplits);
        }

        /**
         * A copy that zero-initialises (or not) the last BatchNorm γ of each residual block.
         *
         * @param zeroInit true to zero-initialise (ResNets)
         * @return the copy
         */
        public Options withZeroInitResidual(boolean zeroInit) {
            return new Options(baseWidth, zeroInit, dropPathRate, imageSize, batchNormSplits);
        }

        /**
         * A copy with another stochastic-depth rate.
         *
         * @param rate drop-path rate (ViTs), in [0, 1)
         * @return the copy
         */
        public Options withDropPathRate(double rate) {
            return new Options(baseWidth, zeroInitResidual, rate, imageSize, batchNormSplits);
        }

        /**
         * A copy with another native ViT input side.
         *
         * @param side the side in pixels, or 0 for 224
         * @return the copy
         */
        public Options withImageSize(int side) {
            return new Options(baseWidth, zeroInitResidual, dropPathRate, side, batchNormSplits);
        }

        /**
         * A copy with another number of BatchNorm groups.
         *
         * @param splits S, {@code >= 1}
         * @return the copy
         */
        public Options withBatchNormSplits(int splits) {
            return new Options(baseWidth, zeroInitResidual, dropPathRate, imageSize, splits);
        }
    }

    private ModelZoo() {}

    private static Backbone resnet(
            Options o, BlockType type, int widen, boolean cifar, int... blocks) {
        ResNet.Builder b =
                ResNet.builder()
                        .setBlockType(type)
                        .setStageBlocks(blocks)
                        .optWidthMultiplier(widen)
                        .optCifarStem(cifar)
                        .optZeroInitResidual(o.zeroInitResidual())
                        .optBatchNormSplits(o.batchNormSplits());
        if (o.baseWidth() > 0) {
            b.optBaseWidth(o.baseWidth());
        }
        return b.build();
    }

    private static Backbone vit(Options o, int dim, int heads) {
        checkArgument(
                o.batchNormSplits() == 1,
                "ViT backbones have no BatchNorm to split: batchNormSplits must be 1, got %s",
                o.batchNormSplits());
        VisionTransformer.Builder b =
                VisionTransformer.builder()
                        .setEmbedDim(dim)
                        .setDepth(12)
                        .setNumHeads(heads)
                        .setPatchSize(16)
                        .optDropPathRate(o.dropPathRate());
        if (o.imageSize() > 0) {
            b.optImageSize(o.imageSize());
        }
        return b.build();
    }

    /**
     * Builds a named backbone, uninitialised; call {@code initialize(manager, FLOAT32, new Shape(1,
     * 3, H, W))} before use.
     *
     * @param name one of {@link #names()}
     * @return a new backbone [B, 3, H, W] → [B, F]
     * @throws IllegalArgumentException if the name is unknown, listing the valid names
     */
    public static Backbone backbone(String name) {
        return backbone(name, Options.DEFAULT);
    }

    /**
     * Builds a named backbone with variations (width, zero-init, drop path), uninitialised.
     *
     * @param name one of {@link #names()}
     * @param options the variations
     * @return a new backbone [B, 3, H, W] → [B, F]
     * @throws IllegalArgumentException if the name is unknown, listing the valid names
     */
    public static Backbone backbone(String name, Options options) {
        Function<Options, Backbone> make = BACKBONES.get(name);
        if (make == null) {
            throw new IllegalArgumentException(
                    "unknown backbone '" + name + "'; valid: " + names());
        }
        return make.apply(options);
    }

    /**
     * The valid backbone names, sorted.
     *
     * @return the names
     */
    public static List<String> names() {
        return List.copyOf(new TreeSet<>(BACKBONES.keySet()));
    }

    /**
     * The feature width F of a named backbone.
     *
     * @param name one of {@link #names()}
     * @return F
     * @throws IllegalArgumentException if the name is unknown
     */
    public static int featureDim(String name) {
        return backbone(name).featureDim();
    }

    /**
     * The number of trainable scalars of a block (PyTorch's {@code sum(p.numel() for p in
     * model.parameters())}; BN running statistics excluded). Works before initialisation for blocks
     * whose shapes are fixed at construction (all backbones).
     *
     * @param block a block
     * @return the count
     * @throws IllegalStateException if a parameter's shape is not known yet
     */
    public static long parameterCount(Block block) {
        long n = 0;
        for (Parameter p : block.getParameters().values()) {
            if (p.getShape() == null) {
                throw new IllegalStateException(
                        "shape of " + p.getName() + " unknown until the block is initialised");
            }
            if (p.requiresGradient()) {
                n += p.getShape().size();
            }
        }
        return n;
    }
}
