package dev.selfsup.config;

import static dev.selfsup.config.ConfigException.require;

/**
 * The {@code diagnostics:} section: embedding health measured during pretraining on one fixed batch
 * of training images (two augmented views each, drawn once from the run seed): alignment,
 * uniformity, effective rank (RankMe) of backbone features and projector output, pair score
 * statistics for contrastive methods, and tolerance when the dataset has labels.
 *
 * @param everySteps measure every N optimiser steps; 0 = off
 * @param batch images in the fixed batch, {@code >= 2}
 * @param rankWarnFraction warn when RankMe falls below this share of its ceiling min(batch, width)
 *     (0.01)
 * @param rankWarnDrop warn when RankMe falls by more than this share below its maximum so far (0.5)
 */
public record DiagnosticsSettings(
        int everySteps, int batch, double rankWarnFraction, double rankWarnDrop) {
    /**
     * Validates ranges.
     *
     * @param everySteps measure every N optimiser steps; 0 = off
     * @param batch images in the fixed batch, {@code >= 2}
     * @param rankWarnFraction warn when RankMe falls below this share of min(batch, width)
     * @param rankWarnDrop warn when RankMe falls by more than this share below its maximum so far
     */
    public DiagnosticsSettings {
        require(everySteps >= 0, "diagnostics.every_steps", everySteps, ">= 0 (0 = off)");
        require(
                batch >= 2,
                "diagnostics.batch",
                batch,
                ">= 2 (uniformity and negatives need pairs)");
        require(
                rankWarnFraction > 0 && rankWarnFraction < 1,
                "diagnostics.rank_warn_fraction",
                rankWarnFraction,
                "in (0, 1)");
        require(
                rankWarnDrop > 0 && rankWarnDrop < 1,
                "diagnostics.rank_warn_drop",
                rankWarnDrop,
                "in (0, 1)");
    }

    /**
     * Whether the diagnostics run.
     *
     * @return {@code everySteps > 0}
     */
    public boolean enabled() {
        return everySteps > 0;
    }

    /**
     * Off; when on: a batch of 256, warnings below 1 % of the ceiling or after a 50 % drop.
     *
     * @return the defaults
     */
    public static DiagnosticsSettings defaults() {
        return new DiagnosticsSettings(0, 256, 0.01, 0.5);
    }
}
