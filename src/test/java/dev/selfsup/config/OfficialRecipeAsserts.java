package dev.selfsup.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.selfsup.config.AugmentSettings.CropSettings;
import dev.selfsup.method.FeatureTransformSettings;
import dev.selfsup.method.MochiSettings;
import java.util.List;

/** Checks the official-recipe tests share: the trainer's learning rate, crops, options off. */
final class OfficialRecipeAsserts {
    static final double EPS = 1e-12;

    private OfficialRecipeAsserts() {}

    /**
     * The learning rate the trainer uses: base lr scaled to the global batch
     * (Optimizers.optimizer).
     */
    static double scaledLr(Recipe recipe) {
        OptimizerSettings o = recipe.optimizer();
        return o.lrScaling().scale(o.baseLr(), recipe.data().batchSize() * o.accumulateSteps());
    }

    static void assertCrops(String r, Recipe recipe, List<CropSettings> expected, String source) {
        List<CropSettings> actual = recipe.augment().crops();
        assertEquals(expected.size(), actual.size(), r + ": crop groups, " + source);
        for (int i = 0; i < expected.size(); i++) {
            CropSettings e = expected.get(i);
            CropSettings a = actual.get(i);
            String at = r + ": crop group " + i + ", " + source + ": ";
            assertEquals(e.count(), a.count(), at + "count");
            assertEquals(e.size(), a.size(), at + "size");
            assertEquals(e.scaleMin(), a.scaleMin(), EPS, at + "scale_min");
            assertEquals(e.scaleMax(), a.scaleMax(), EPS, at + "scale_max");
        }
    }

    static void assertMochiOff(String r, MochiSettings m) {
        assertEquals(
                false, m.enabled(), r + ": the official run mixes no hard negatives (mochi off)");
    }

    static void assertFeatureTransformOff(String r, FeatureTransformSettings f) {
        assertEquals(
                false,
                f.enabled(),
                r + ": the official run transforms no features (feature_transform off)");
    }
}
