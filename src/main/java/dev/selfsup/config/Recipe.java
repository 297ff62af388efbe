package dev.selfsup.config;

import static dev.selfsup.config.ConfigException.require;

import dev.selfsup.internal.SettingException;
import dev.selfsup.method.MethodSettings;
import dev.selfsup.method.Methods;
import dev.selfsup.method.SimClrSettings;

/**
 * A validated pretraining recipe: one record per YAML section (STYLE.md R4).
 *
 * <p>The method is {@code method: NAME} plus that method's own section and no other method's
 * ({@code simclr:}, {@code moco:} or {@code swav:}, as {@link Methods} lists them); its settings
 * record lives in {@code dev.selfsup.method}, beside the code that reads it.
 *
 * <p>Load one with {@link RecipeLoader#load}, or build one in code from {@link #defaults()} and the
 * records' {@code with…} copies.
 *
 * @param name the recipe's name (file stem by default)
 * @param method which method trains, and its settings
 * @param seed the run seed: crops, shuffles, queue initialisation and engine RNG derive from it
 * @param data dataset and loader
 * @param augment augmentation pipeline
 * @param model backbone and projection head
 * @param optimizer optimiser and learning-rate schedule
 * @param train loop length, checkpoints, logging
 * @param eval evaluation after pretraining (quickstart)
 * @param monitor kNN accuracy on a validation split during pretraining (off by default)
 * @param diagnostics embedding diagnostics on a fixed batch during pretraining (off by default)
 */
public record Recipe(
        String name,
        MethodSettings method,
        long seed,
        DataSettings data,
        AugmentSettings augment,
        ModelSettings model,
        OptimizerSettings optimizer,
        TrainSettings train,
        EvalSettings eval,
        MonitorSettings monitor,
        DiagnosticsSettings diagnostics) {

    /**
     * Cross-section checks: at least two crops, and the method's own checks against the batch
     * ({@link MethodSettings#checkBatches}).
     *
     * @param name the recipe's name (file stem by default)
     * @param method which method trains, and its settings
     * @param seed the run seed: crops, shuffles, queue initialisation and engine RNG derive from it
     * @param data dataset and loader
     * @param augment augmentation pipeline
     * @param model backbone and projection head
     * @param optimizer optimiser and learning-rate schedule
     * @param train loop length, checkpoints, logging
     * @param eval evaluation after pretraining (quickstart)
     * @param monitor kNN accuracy on a validation split during pretraining (off by default)
     * @param diagnostics embedding diagnostics on a fixed batch during pretraining (off by default)
     */
    public Recipe {
        require(method != null, "method", method, "one of " + Methods.names());
        require(augment.cropCount() >= 2, "augment.crops", augment.crops(), "at least 2 crops");
        try {
            method.checkBatches(
                    new MethodSettings.Batches(
                            data.batchSize(), augment.cropCount(), data.dropLast()));
        } catch (SettingException e) {
            throw new ConfigException(Methods.of(method).section() + "." + e.key(), e.detail());
        }
    }

    /**
     * The name of the recipe's method.
     *
     * @return e.g. {@code mocov2}
     */
    public String methodName() {
        return Methods.of(method).name();
    }

    /**
     * The defaults every recipe starts from: a SimCLR run on the embedded Fashion-MNIST subset.
     *
     * @return the default recipe
     */
    public static Recipe defaults() {
        return new Recipe(
                "default",
                SimClrSettings.defaults(),
                0,
                DataSettings.defaults(),
                AugmentSettings.defaults(),
                ModelSettings.defaults(),
                OptimizerSettings.defaults(),
                TrainSettings.defaults(),
                EvalSettings.defaults(),
                MonitorSettings.defaults(),
                DiagnosticsSettings.defaults());
    }
}
