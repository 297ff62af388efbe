package dev.selfsup.model;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Arrays;

/**
 * ResNet backbones equal to torchvision's (He et al. 2016; torchvision v1.5 bottleneck with the
 * stride on the 3×3 conv), SwAV's widened ResNet-50 (all widths × {@code widthMultiplier}, as in
 * facebookresearch/swav {@code src/resnet50.py}), and the CIFAR variant (3×3 stride-1 stem, no
 * max-pool).
 *
 * <p>Input {@code [B, C, H, W]} (C = input channels, default 3); output the global average of the
 * last stage, {@code [B, F]} with F = {@link #featureDim()} (512 for ResNet-18/34, 2048 for
 * ResNet-50/101/152, 2048·w for ResNet-50-w). No classifier. Child names are torchvision's ({@code
 * conv1}, {@code bn1}, {@code layer1.0.conv1}, {@code layer1.0.downsample.0}, …).
 *
 * <p>Initialisation as torchvision: convs {@code kaiming_normal_(fan_out, relu)}, BN γ = 1, β = 0;
 * with {@link Builder#optZeroInitResidual} the last BN γ of every residual block is 0 (Goyal et al.
 * 2017). Draws come from the engine's generator.
 */
public final class ResNet extends TorchBlock implements SpatialBackbone {

    /** The residual block type of a ResNet. */
    public enum BlockType {
        /** Two 3×3 convs, expansion 1 (ResNet-18/34). */
        BASIC(1),
        /** 1×1 → 3×3 (with the stride) → 1×1, expansion 4 (ResNet-50/101/152). */
        BOTTLENECK(4);

        private final int expansion;

        BlockType(int expansion) {
            this.expansion = expansion;
        }

        /**
         * The ratio of a block's output channels to its planes.
         *
         * @return 1 (basic) or 4 (bottleneck)
         */
        public int expansion() {
            return expansion;
        }
    }

    private final int inputChannels;
    private final boolean cifarStem;
    private final int featureDim;
    private final Conv2dLayer conv1;
    private final BatchNormLayer bn1;
    private final ResNetStage[] stages;

    ResNet(Builder b) {
        inputChannels = b.inputChannels;
        cifarStem = b.cifarStem;
        int width = b.baseWidth * b.widthMultiplier;
        conv1 =
                child(
                        "conv1",
                        cifarStem
                                ? conv(inputChannels, width, 3, 1, 1)
                                : conv(inputChannels, width, 7, 2, 3));
        bn1 = child("bn1", new BatchNormLayer(width, false, b.batchNormSplits));
        stages = new ResNetStage[b.stageBlocks.length];
        int inplanes = width;
        for (int i = 0; i < stages.length; i++) {
            int planes = width << i;
            stages[i] =
                    child(
                            "layer" + (i + 1),
                            new ResNetStage(
                                    b.blockType,
                                    inplanes,
                                    planes,
                                    b.stageBlocks[i],
                                    i == 0 ? 1 : 2,
                                    b.zeroInitResidual,
                                    b.batchNormSplits));
            inplanes = planes * b.blockType.expansion();
        }
        featureDim = inplanes;
    }

    static Conv2dLayer conv(int in, int out, int kernel, int stride, int padding) {
        return new Conv2dLayer(
                in, out, kernel, stride, padding, false, Inits.kaimingNormalFanOut());
    }

    /**
     * Returns a builder; {@link Builder#setStageBlocks} and {@link Builder#setBlockType} are
     * required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public int featureDim() {
        return featureDim;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = featureMap(ps, inputs.singletonOrThrow(), training);
        Shape s = x.getShape(); // adaptive average pool to 1×1, flattened
        return new NDList(x.reshape(s.get(0), s.get(1), -1).mean(new int[] {2}));
    }

    @Override
    public NDArray featureMap(ParameterStore ps, NDArray x, boolean training) {
        checkArgument(
                x.getShape().dimension() == 4 && x.getShape().get(1) == inputChannels,
                "ResNet input must be [B, %d, H, W], got %s",
                inputChannels,
                x.getShape());
        x = bn1.forward(ps, conv1.forward(ps, x, training), training).getNDArrayInternal().relu();
        if (!cifarStem) {
            x = Pool.maxPool2d(x, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);
        }
        for (ResNetStage stage : stages) {
            x = stage.forward(ps, x, training);
        }
        return x;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), featureDim)};
    }

    /** Builder of {@link ResNet}; named variants are in {@link ModelZoo}. */
    public static final class Builder {
        private int[] stageBlocks;
        private BlockType blockType;
        private int baseWidth = 64;
        private int widthMultiplier = 1;
        private boolean cifarStem;
        private boolean zeroInitResidual;
        private int inputChannels = 3;
        private int batchNormSplits = 1;

        Builder() {}

        /**
         * Sets the number of residual blocks per stage (required), e.g. {@code 2, 2, 2, 2} for
         * ResNet-18, {@code 3, 4, 6, 3} for ResNet-50. Stage i > 0 halves the resolution and
         * doubles the width.
         *
         * @param blocks one count {@code >= 1} per stage, at least one stage
         * @return this builder
         */
        public Builder setStageBlocks(int... blocks) {
            stageBlocks = blocks.clone();
            return this;
        }

        /**
         * Sets the residual block type (required).
         *
         * @param type {@link BlockType#BASIC} or {@link BlockType#BOTTLENECK}
         * @return this builder
         */
        public Builder setBlockType(BlockType type) {
            blockType = type;
            return this;
        }

        /**
         * Sets the stem width; stage i has {@code baseWidth · 2^i} planes. Defaults to 64
         * (torchvision); 16 or 32 gives a tiny fast network.
         *
         * @param width {@code > 0}
         * @return this builder
         */
        public Builder optBaseWidth(int width) {
            baseWidth = width;
            return this;
        }

        /**
         * Multiplies every width, stem included (SwAV's {@code widen}). Defaults to 1.
         *
         * @param multiplier {@code >= 1}
         * @return this builder
         */
        public Builder optWidthMultiplier(int multiplier) {
            widthMultiplier = multiplier;
            return this;
        }

        /**
         * Uses a 3×3 stride-1 padding-1 stem conv and no max-pool, for 32-px images. Defaults to
         * false (7×7 stride-2 conv + 3×3 stride-2 max-pool).
         *
         * @param cifar whether to use the small-image stem
         * @return this builder
         */
        public Builder optCifarStem(boolean cifar) {
            cifarStem = cifar;
            return this;
        }

        /**
         * Initialises the last BN γ of each residual block to 0, so every block starts as the
         * identity (torchvision {@code zero_init_residual}). Defaults to false.
         *
         * @param zero whether to zero-initialise
         * @return this builder
         */
        public Builder optZeroInitResidual(boolean zero) {
            zeroInitResidual = zero;
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
         * Takes every BatchNorm's training-mode statistics per group of the batch: sample n in
         * group n mod S, each group normalised with its own mean and variance, running statistics
         * averaged over the groups (MoCo's single-device shuffle-BN, the official CIFAR demo's
         * {@code SplitBatchNorm}). The batch must then be a multiple of S. Eval mode and the tensor
         * names and shapes are unchanged. Defaults to 1 (plain BatchNorm).
         *
         * @param splits S, {@code >= 1}
         * @return this builder
         */
        public Builder optBatchNormSplits(int splits) {
            batchNormSplits = splits;
            return this;
        }

        /**
         * Builds the network (parameters are created on {@code initialize}).
         *
         * @return the ResNet
         * @throws IllegalArgumentException if a required value is missing or out of range
         */
        public ResNet build() {
            checkArgument(
                    stageBlocks != null && stageBlocks.length > 0,
                    "setStageBlocks is required (e.g. 2, 2, 2, 2), got %s",
                    Arrays.toString(stageBlocks));
            for (int n : stageBlocks) {
                checkArgument(
                        n >= 1,
                        "every stage needs >= 1 block, got %s",
                        Arrays.toString(stageBlocks));
            }
            checkArgument(blockType != null, "setBlockType is required (BASIC or BOTTLENECK)");
            checkArgument(baseWidth > 0, "baseWidth must be > 0, got %s", baseWidth);
            checkArgument(
                    widthMultiplier >= 1, "widthMultiplier must be >= 1, got %s", widthMultiplier);
            checkArgument(inputChannels > 0, "inputChannels must be > 0, got %s", inputChannels);
            checkArgument(
                    batchNormSplits >= 1, "batchNormSplits must be >= 1, got %s", batchNormSplits);
            return new ResNet(this);
        }
    }

    /** torchvision {@code BasicBlock}: conv3×3(stride)–BN–ReLU–conv3×3–BN, + shortcut, ReLU. */
    static final class BasicBlock extends TorchBlock {
        private final Conv2dLayer conv1;
        private final BatchNormLayer bn1;
        private final Conv2dLayer conv2;
        private final BatchNormLayer bn2;
        private final ResNetDownsample downsample;

        BasicBlock(int inplanes, int planes, int stride, boolean zeroInit, int splits) {
            conv1 = child("conv1", conv(inplanes, planes, 3, stride, 1));
            bn1 = child("bn1", new BatchNormLayer(planes, false, splits));
            conv2 = child("conv2", conv(planes, planes, 3, 1, 1));
            bn2 = child("bn2", new BatchNormLayer(planes, zeroInit, splits));
            downsample =
                    stride != 1 || inplanes != planes
                            ? child(
                                    "downsample",
                                    new ResNetDownsample(inplanes, planes, stride, splits))
                            : null;
        }

        NDArray forward(ParameterStore ps, NDArray x, boolean training) {
            NDArray out = bn1.forward(ps, conv1.forward(ps, x, training), training);
            out = out.getNDArrayInternal().relu();
            out = bn2.forward(ps, conv2.forward(ps, out, training), training);
            NDArray identity = downsample == null ? x : downsample.forward(ps, x, training);
            // in place, as torchvision's out += identity: BN's backward never reads its output
            return out.addi(identity).getNDArrayInternal().relu();
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
            return new NDList(forward(ps, in.singletonOrThrow(), training));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return conv1.getOutputShapes(inputShapes);
        }
    }

    /**
     * torchvision {@code Bottleneck} (v1.5):
     * conv1×1–BN–ReLU–conv3×3(stride)–BN–ReLU–conv1×1(4·planes) –BN, + shortcut, ReLU.
     */
    static final class Bottleneck extends TorchBlock {
        private final Conv2dLayer conv1;
        private final BatchNormLayer bn1;
        private final Conv2dLayer conv2;
        private final BatchNormLayer bn2;
        private final Conv2dLayer conv3;
        private final BatchNormLayer bn3;
        private final ResNetDownsample downsample;
        private final int outChannels;

        Bottleneck(int inplanes, int planes, int stride, boolean zeroInit, int splits) {
            outChannels = planes * 4;
            conv1 = child("conv1", conv(inplanes, planes, 1, 1, 0));
            bn1 = child("bn1", new BatchNormLayer(planes, false, splits));
            conv2 = child("conv2", conv(planes, planes, 3, stride, 1));
            bn2 = child("bn2", new BatchNormLayer(planes, false, splits));
            conv3 = child("conv3", conv(planes, outChannels, 1, 1, 0));
            bn3 = child("bn3", new BatchNormLayer(outChannels, zeroInit, splits));
            downsample =
                    stride != 1 || inplanes != outChannels
                            ? child(
                                    "downsample",
                                    new ResNetDownsample(inplanes, outChannels, stride, splits))
                            : null;
        }

        NDArray forward(ParameterStore ps, NDArray x, boolean training) {
            NDArray out = bn1.forward(ps, conv1.forward(ps, x, training), training);
            out = out.getNDArrayInternal().relu();
            out = bn2.forward(ps, conv2.forward(ps, out, training), training);
            out = out.getNDArrayInternal().relu();
            out = bn3.forward(ps, conv3.forward(ps, out, training), training);
            NDArray identity = downsample == null ? x : downsample.forward(ps, x, training);
            // in place, as torchvision's out += identity: BN's backward never reads its output
            return out.addi(identity).getNDArrayInternal().relu();
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList in, boolean training, PairList<String, Object> p) {
            return new NDList(forward(ps, in.singletonOrThrow(), training));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape s = conv2.getOutputShapes(conv1.getOutputShapes(inputShapes))[0];
            return new Shape[] {new Shape(s.get(0), outChannels, s.get(2), s.get(3))};
        }
    }
}
