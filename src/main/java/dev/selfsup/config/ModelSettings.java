package dev.selfsup.config;

import static dev.selfsup.config.ConfigException.require;

import java.util.List;

/**
 * The {@code model:} section: backbone and projection head.
 *
 * @param backbone a {@code ModelZoo} name, e.g. resnet50, resnet18_cifar, vit_small_patch16
 * @param baseWidth ResNet stem width override (torchvision: 64); 0 keeps the named model's; small
 *     values (16, 32) make CPU-sized models
 * @param zeroInitResidual zero-init the last BN gamma of each residual block
 * @param dropPathRate ViT stochastic depth rate
 * @param headHiddenDims widths of the head's hidden layers; empty = a linear head
 * @param headOutputDim the embedding size D
 * @param headBatchNorm BatchNorm after each hidden layer (SimCLR, SwAV: true; MoCo v2: false)
 * @param headLastBatchNorm BatchNorm on the output layer (SimCLR v2 style)
 */
public record ModelSettings(
        String backbone,
        int baseWidth,
        boolean zeroInitResidual,
        double dropPathRate,
        List<Integer> headHiddenDims,
        int headOutputDim,
        boolean headBatchNorm,
        boolean headLastBatchNorm) {

    /**
     * Validates ranges.
     *
     * @param backbone a {@code ModelZoo} name, e.g. resnet50, resnet18_cifar, vit_small_patch16
     * @param baseWidth ResNet stem width override (torchvision: 64); 0 keeps the named model's;
     *     small values (16, 32) make CPU-sized models
     * @param zeroInitResidual zero-init the last BN gamma of each residual block
     * @param dropPathRate ViT stochastic depth rate
     * @param headHiddenDims widths of the head's hidden layers; empty = a linear head
     * @param headOutputDim the embedding size D
     * @param headBatchNorm BatchNorm after each hidden layer (SimCLR, SwAV: true; MoCo v2: false)
     * @param headLastBatchNorm BatchNorm on the output layer (SimCLR v2 style)
     */
    public ModelSettings {
        headHiddenDims = List.copyOf(headHiddenDims);
        require(!backbone.isBlank(), "model.backbone", "''", "a backbone name");
        require(baseWidth >= 0, "model.base_width", baseWidth, ">= 0 (0 = the model's own)");
        require(
                dropPathRate >= 0 && dropPathRate < 1,
                "model.drop_path_rate",
                dropPathRate,
                "in [0, 1)");
        require(headOutputDim > 0, "model.head_output_dim", headOutputDim, "> 0");
        require(
                headHiddenDims.stream().allMatch(d -> d > 0),
                "model.head_hidden_dims",
                headHiddenDims,
                "widths > 0");
    }

    /**
     * Defaults: resnet18_cifar with SimCLR's 2048 → 128 head.
     *
     * @return the defaults
     */
    public static ModelSettings defaults() {
        return new ModelSettings("resnet18_cifar", 0, false, 0.0, List.of(2048), 128, true, false);
    }

    /**
     * A copy with another {@code drop_path_rate} (a momentum teacher is built without one).
     *
     * @param rate the ViT stochastic depth rate
     * @return the copy, validated
     */
    public ModelSettings withDropPathRate(double rate) {
        return new ModelSettings(
                backbone,
                baseWidth,
                zeroInitResidual,
                rate,
                headHiddenDims,
                headOutputDim,
                headBatchNorm,
                headLastBatchNorm);
    }
}
