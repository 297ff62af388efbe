package dev.selfsup.method;

import dev.selfsup.internal.SettingException;

/**
 * The settings of one pretraining method: what a recipe's method section ({@code simclr:}, {@code
 * moco:}, {@code swav:}) holds, validated in each record's constructor. {@link Methods} maps a
 * method's name to its settings type, defaults and factory; a new method adds a record here, a
 * {@link Method} class and one {@link Methods} entry.
 */
public sealed interface MethodSettings
        permits SimClrSettings, MocoSettings, SwavSettings, DinoSettings {
    /**
     * Checks the settings against the batches the run will feed the method (a recipe's
     * cross-section checks). Nothing to check by default.
     *
     * @param batches images and crops per batch
     * @throws SettingException naming a key of this method's section and the batch value it
     *     conflicts with
     */
    default void checkBatches(Batches batches) {}

    /**
     * What the loader feeds a method, for {@link #checkBatches}.
     *
     * @param batchSize B, images per batch ({@code data.batch_size})
     * @param cropCount crops per image over all crop groups
     * @param everyBatchFull whether every batch holds B images ({@code data.drop_last})
     */
    record Batches(int batchSize, int cropCount, boolean everyBatchFull) {}
}
