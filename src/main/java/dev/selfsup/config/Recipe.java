package dev.selfsup.config;

import static dev.selfsup.config.ConfigException.require;

/**
 * A validated pretraining recipe: one record per YAML section (STYLE.md R4).
 *
 * <p>Load one with {@link RecipeLoader#load}, or build one in code from {@link #defaults()} and
 * the records' {@code with…} copies.
 *
 * @param name the recipe's name (file stem by default)
 * @param method which method trains
 * @param seed the run seed: crops, shuffles, queue initialisation and engine RNG derive from it
 * @param data dataset and loader
 * @param augment augmentation pipeline
 * @param model backbone and projection head
 * @param simclr SimCLR settings (used when method is simclr)
 * @param moco MoCo v2 settings (used when method is mocov2)
 * @param swav SwAV settings (used when method is swav)
 * @param mochi hard negative mixing (methods with negatives)
 * @param featureTransform feature transformation (methods with negatives)
 * @param optimizer optimiser and learning-rate schedule
 * @param train loop length, checkpoints, logging
 * @param eval evaluation after pretraining (quickstart)
 * @param monitor kNN accuracy on a validation split during pretraining (off by default)
 * @param diagnostics embedding diagnostics on a fixed batch during pretraining (off by default)
 */
public record Recipe(
        String name,
        MethodName method,
        long seed,
        DataSettings data,
        AugmentSettings augment,
        ModelSettings model,
        SimClrSettings simclr,
        MocoSettings moco,
        SwavSettings swav,
        MochiSettings mochi,
        FeatureTransformSettings featureTransform,
        OptimizerSettings optimizer,
        TrainSettings train,
        EvalSettings eval,
        MonitorSettings monitor,
        DiagnosticsSettings diagnostics) {

    /** The pretraining methods. */
    public enum MethodName {
        /** SimCLR, NT-Xent on two views (METHODS.md §4). */
        SIMCLR,
        /** MoCo v2, InfoNCE with a momentum encoder and a queue (METHODS.md §3). */
        MOCOV2,
        /** SwAV, swapped prediction of Sinkhorn codes (METHODS.md §2). */
        SWAV
    }

    /**
     * Cross-section checks.
     *
     * @param name the recipe's name (file stem by default)
     * @param method which method trains
     * @param seed the run seed: crops, shuffles, queue initialisation and engine RNG derive from it
     * @param data dataset and loader
     * @param augment augmentation pipeline
     * @param model backbone and projection head
     * @param simclr SimCLR settings (used when method is simclr)
     * @param moco MoCo v2 settings (used when method is mocov2)
     * @param swav SwAV settings (used when method is swav)
     * @param mochi hard negative mixing (methods with negatives)
     * @param featureTransform feature transformation (methods with negatives)
     * @param optimizer optimiser and learning-rate schedule
     * @param train loop length, checkpoints, logging
     * @param eval evaluation after pretraining (quickstart)
     * @param monitor kNN accuracy on a validation split during pretraining (off by default)
     * @param diagnostics embedding diagnostics on a fixed batch during pretraining (off by default)
     */
    public Recipe {
        require(method != null, "method", method, "one of " + RecordBinder.enumNames(MethodName.class));
        if (method == MethodName.MOCOV2) {
            require(
                    moco.queueLength() % data.batchSize() == 0,
                    "moco.queue_length",
                    moco.queueLength(),
                    "a multiple of data.batch_size (" + data.batchSize() + ")");
            require(
                    data.batchSize() % moco.bnSplits() == 0,
                    "moco.bn_splits",
                    moco.bnSplits(),
                    "a divisor of data.batch_size (" + data.batchSize() + ") so that every BatchNorm group has the same size");
            require(
                    moco.bnSplits() == 1 || data.dropLast(),
                    "moco.bn_splits",
                    moco.bnSplits(),
                    "1 when data.drop_last is false (a last partial batch need not split into " + moco.bnSplits()
                            + " equal groups)");
        }
        if (method == MethodName.SWAV) {
            int crops = augment.cropCount();
            for (int a : swav.cropsForAssign()) {
                require(a < crops, "swav.crops_for_assign", swav.cropsForAssign(), "indices below the crop count " + crops);
            }
            require(crops >= 2, "augment.crops", augment.crops(), "at least 2 crops in all for swav");
        } else {
            require(augment.cropCount() >= 2, "augment.crops", augment.crops(), "at least 2 crops");
        }
        require(
                !(mochi.enabled() && method == MethodName.SWAV),
                "mochi.enabled",
                true,
                "false for swav (MoCHi needs negatives: mocov2 or simclr)");
        require(
                !(featureTransform.enabled() && method == MethodName.SIMCLR && featureTransform.negativeInterpolation()),
                "feature_transform.negative_interpolation",
                true,
                "false for simclr (negative interpolation mixes a queue of negatives: use mocov2)");
        require(
                !(featureTransform.enabled() && method == MethodName.SWAV),
                "feature_transform.enabled",
                true,
                "false for swav (feature transformation needs negatives: mocov2 or simclr)");
    }

    /**
     * The defaults every recipe starts from: a SimCLR run on the embedded Fashion-MNIST subset.
     *
     * @return the default recipe
     */
    public static Recipe defaults() {
        return new Recipe(
                "default",
                MethodName.SIMCLR,
                0,
                DataSettings.defaults(),
                AugmentSettings.defaults(),
                ModelSettings.defaults(),
                SimClrSettings.defaults(),
                MocoSettings.defaults(),
                SwavSettings.defaults(),
                MochiSettings.defaults(),
                FeatureTransformSettings.defaults(),
                OptimizerSettings.defaults(),
                TrainSettings.defaults(),
                EvalSettings.defaults(),
                MonitorSettings.defaults(),
                DiagnosticsSettings.defaults());
    }
}
