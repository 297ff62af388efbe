package dev.selfsup.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.selfsup.method.EmaSchedule;
import dev.selfsup.method.FeatureTransformSettings;
import dev.selfsup.method.MochiSettings;
import dev.selfsup.method.MocoSettings;
import dev.selfsup.method.SimClrSettings;
import dev.selfsup.method.SwavSettings;
import java.io.IOException;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every bundled recipe resolves to the method settings it trained with before methods had their own
 * sections (values read from the recipes as they loaded then), field by field.
 */
class BundledMethodSettingsTest {
    /** MoCHi off with its defaults, as every recipe without a {@code mochi} block has. */
    private static final int[] MOCHI_OFF = {0, 1024, 1024, 128, 0};

    /** Feature transformation off with its defaults. */
    private static final boolean FT_OFF = false;

    @Test
    void everyBundledRecipeIsCovered() throws IOException {
        assertEquals(
                new TreeSet<>(
                        List.of(
                                "dino_fashionmnist",
                                "dino_vit_small_imagenet",
                                "fashionmnist_1h",
                                "ft_mocov2_fashionmnist",
                                "ft_mocov2_resnet50_imagenet100",
                                "mochi_mocov2_fashionmnist",
                                "mochi_mocov2_resnet50_imagenet100",
                                "mocov2_fashionmnist",
                                "mocov2_resnet50_imagenet",
                                "mocov2_resnet50_imagenet100",
                                "quickstart_fashionmnist",
                                "simclr_fashionmnist",
                                "simclr_resnet50_imagenet",
                                "simclr_resnet50_imagenet100",
                                "swav_fashionmnist",
                                "swav_resnet50_imagenet100",
                                "swav_resnet50_imagenet_bs256",
                                "swav_resnet50_imagenet_multicrop",
                                "swav_vit_small_imagenet_multicrop")),
                new TreeSet<>(RecipeLoader.bundled()),
                "a new bundled recipe needs its row below");
    }

    @Test
    void simclrRecipes() throws IOException {
        simclr("quickstart_fashionmnist", 0.5);
        simclr("fashionmnist_1h", 0.5);
        simclr("simclr_fashionmnist", 0.5);
        simclr("simclr_resnet50_imagenet", 0.1);
        simclr("simclr_resnet50_imagenet100", 0.2);
    }

    @Test
    void mocoRecipes() throws IOException {
        moco("mocov2_fashionmnist", 4096, 0.99, 8, MOCHI_OFF, FT_OFF);
        moco("mochi_mocov2_fashionmnist", 4096, 0.99, 8, new int[] {1, 256, 256, 64, 2}, FT_OFF);
        moco("ft_mocov2_fashionmnist", 4096, 0.99, 8, MOCHI_OFF, true);
        moco("mocov2_resnet50_imagenet", 65_536, 0.999, 1, MOCHI_OFF, FT_OFF);
        moco("mocov2_resnet50_imagenet100", 16_384, 0.99, 1, MOCHI_OFF, FT_OFF);
        moco(
                "mochi_mocov2_resnet50_imagenet100",
                16_384,
                0.99,
                1,
                new int[] {1, 1024, 1024, 128, 10},
                FT_OFF);
        moco(
                "ft_mocov2_resnet50_imagenet100",
                65_536,
                0.999,
                1,
                MOCHI_OFF,
                true); // the official IN-100 command
    }

    @Test
    void swavRecipes() throws IOException {
        swav("swav_fashionmnist", 100, 1024, 2, 200);
        swav("swav_resnet50_imagenet_multicrop", 3000, 0, 15, 313);
        swav("swav_resnet50_imagenet_bs256", 3000, 3840, 15, 5005);
        swav("swav_resnet50_imagenet100", 1000, 3840, 30, 5005);
        swav("swav_vit_small_imagenet_multicrop", 3000, 3840, 15, 1251);
    }

    @Test
    void dinoRecipes() throws IOException {
        // the CPU recipe: its own head size and temperatures, the multi-crop of swav_fashionmnist
        Recipe fm = RecipeLoader.load("dino_fashionmnist", List.of());
        assertEquals("dino", fm.methodName());
        assertEquals(
                new dev.selfsup.method.DinoSettings(
                        1024, 512, 128, 3, false, true, 0.1, 0.04, 0.04, 0, 0.9, 0.99, 234, 2),
                fm.method());
        assertEquals(List.of(2, 4), fm.augment().crops().stream().map(c -> c.count()).toList());
        assertEquals(
                60_000 / 256,
                ((dev.selfsup.method.DinoSettings) fm.method()).freezeLastLayerIters(),
                "one epoch of 60,000 images at batch 256 (drop_last)");
        // the ImageNet recipe's values are checked against the official run in DinoRecipeTest
        assertEquals("dino", RecipeLoader.load("dino_vit_small_imagenet", List.of()).methodName());
    }

    private static void simclr(String recipe, double temperature) throws IOException {
        Recipe r = RecipeLoader.load(recipe, List.of());
        assertEquals("simclr", r.methodName(), recipe);
        SimClrSettings s = assertInstanceOf(SimClrSettings.class, r.method(), recipe);
        assertEquals(temperature, s.temperature(), 0, recipe + " temperature");
        mochi(recipe, s.mochi(), MOCHI_OFF);
        featureTransform(recipe, s.featureTransform(), FT_OFF);
    }

    private static void moco(
            String recipe,
            int queueLength,
            double emaMomentum,
            int bnSplits,
            int[] mochi,
            boolean featureTransform)
            throws IOException {
        Recipe r = RecipeLoader.load(recipe, List.of());
        assertEquals("mocov2", r.methodName(), recipe);
        MocoSettings s = assertInstanceOf(MocoSettings.class, r.method(), recipe);
        assertEquals(queueLength, s.queueLength(), recipe + " queue_length");
        assertEquals(emaMomentum, s.emaMomentum(), 0, recipe + " ema_momentum");
        assertEquals(EmaSchedule.CONSTANT, s.emaSchedule(), recipe + " ema_schedule");
        assertEquals(0.2, s.temperature(), 0, recipe + " temperature");
        assertEquals(true, s.shuffleBn(), recipe + " shuffle_bn");
        assertEquals(bnSplits, s.bnSplits(), recipe + " bn_splits");
        mochi(recipe, s.mochi(), mochi);
        featureTransform(recipe, s.featureTransform(), featureTransform);
    }

    private static void swav(
            String recipe,
            int prototypes,
            int queueLength,
            int queueStartEpoch,
            int freezePrototypesIters)
            throws IOException {
        Recipe r = RecipeLoader.load(recipe, List.of());
        assertEquals("swav", r.methodName(), recipe);
        SwavSettings s = assertInstanceOf(SwavSettings.class, r.method(), recipe);
        assertEquals(prototypes, s.prototypes(), recipe + " prototypes");
        assertEquals(0.1, s.temperature(), 0, recipe + " temperature");
        assertEquals(0.05, s.epsilon(), 0, recipe + " epsilon");
        assertEquals(3, s.sinkhornIterations(), recipe + " sinkhorn_iterations");
        assertEquals(List.of(0, 1), s.cropsForAssign(), recipe + " crops_for_assign");
        assertEquals(queueLength, s.queueLength(), recipe + " queue_length");
        assertEquals(queueStartEpoch, s.queueStartEpoch(), recipe + " queue_start_epoch");
        assertEquals(
                freezePrototypesIters,
                s.freezePrototypesIters(),
                recipe + " freeze_prototypes_iters");
    }

    /** {@code expected}: enabled (0/1), hardest, mixed, mixed_with_query, start_epoch. */
    private static void mochi(String recipe, MochiSettings m, int[] expected) {
        assertEquals(expected[0] == 1, m.enabled(), recipe + " mochi.enabled");
        assertEquals(expected[1], m.hardest(), recipe + " mochi.hardest");
        assertEquals(expected[2], m.mixed(), recipe + " mochi.mixed");
        assertEquals(expected[3], m.mixedWithQuery(), recipe + " mochi.mixed_with_query");
        assertEquals(expected[4], m.startEpoch(), recipe + " mochi.start_epoch");
    }

    /** Every bundled recipe that transforms features uses the paper's both-sided setting. */
    private static void featureTransform(
            String recipe, FeatureTransformSettings f, boolean enabled) {
        assertEquals(enabled, f.enabled(), recipe + " feature_transform.enabled");
        assertEquals(
                true,
                f.positiveExtrapolation(),
                recipe + " feature_transform.positive_extrapolation");
        assertEquals(2.0, f.positiveAlpha(), 0, recipe + " feature_transform.positive_alpha");
        assertEquals(
                true,
                f.negativeInterpolation(),
                recipe + " feature_transform.negative_interpolation");
        assertEquals(1.6, f.negativeAlpha(), 0, recipe + " feature_transform.negative_alpha");
        assertEquals(0, f.startEpoch(), recipe + " feature_transform.start_epoch");
    }
}
