package dev.selfsup.run;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfsup.augment.ColorJitter;
import dev.selfsup.augment.CropGroup;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.augment.Photometric;
import dev.selfsup.augment.RandomResizedCrop;
import dev.selfsup.config.AugmentSettings;
import dev.selfsup.config.ConfigException;
import dev.selfsup.config.RecipeLoader;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class AugmentationsTest {
    /**
     * What {@code Pretraining.multiCrop} built for every bundled recipe before the augment section
     * moved to {@link Augmentations} (main at 6978c8c), one line per crop group in crop order.
     */
    private static final Map<String, List<String>> BUNDLED =
            Map.ofEntries(
                    // DataAugmentationDINO (official main_dino.py): global crop 1 always blurred,
                    // global crop 2
                    // blurred with p 0.1 and solarised with p 0.2, local crops blurred with p 0.5
                    entry(
                            "dino_vit_small_imagenet",
                            List.of(
                                    "1x224 scale 0.4-1.0 flip 0.5 jitter 0.4/0.4/0.2/0.1 p0.8 gray 0.2 blur 1.0 k23 solarize 0.0 mean 0.485 std 0.229",
                                    "1x224 scale 0.4-1.0 flip 0.5 jitter 0.4/0.4/0.2/0.1 p0.8 gray 0.2 blur 0.1 k23 solarize 0.2 mean 0.485 std 0.229",
                                    "8x96 scale 0.05-0.4 flip 0.5 jitter 0.4/0.4/0.2/0.1 p0.8 gray 0.2 blur 0.5 k9 solarize 0.0 mean 0.485 std 0.229")),
                    // the crops of swav_fashionmnist, which it extends
                    entry(
                            "dino_fashionmnist",
                            List.of(
                                    "2x28 scale 0.3-1.0 flip 0.5 jitter 0.4/0.4/0.4/0.1 p0.8 gray 0.2 blur 0.0 k3 solarize 0.0 mean 0.485 std 0.228",
                                    "4x16 scale 0.1-0.3 flip 0.5 jitter 0.4/0.4/0.4/0.1 p0.8 gray 0.2 blur 0.0 k1 solarize 0.0 mean 0.485 std 0.228")),
                    entry(
                            "fashionmnist_1h",
                            List.of(
                                    "2x28 scale 0.25-1.0 flip 0.5 jitter 0.4/0.4/0.4/0.1 p0.8 gray 0.2 blur 0.0 k3 solarize 0.0 mean 0.485 std 0.229")),
                    entry(
                            "ft_mocov2_fashionmnist",
                            List.of(
                                    "2x28 scale 0.25-1.0 flip 0.5 jitter 0.4/0.4/0.4/0.1 p0.8 gray 0.2 blur 0.0 k3 solarize 0.0 mean 0.485 std 0.229")),
                    entry(
                            "ft_mocov2_resnet50_imagenet100",
                            List.of(
                                    "2x224 scale 0.2-1.0 flip 0.5 jitter 0.4/0.4/0.4/0.1 p0.8 gray 0.2 blur 0.5 k23 solarize 0.0 mean 0.485 std 0.229")),
                    entry(
                            "mochi_mocov2_fashionmnist",
                            List.of(
                                    "2x28 scale 0.25-1.0 flip 0.5 jitter 0.4/0.4/0.4/0.1 p0.8 gray 0.2 blur 0.0 k3 solarize 0.0 mean 0.485 std 0.229")),
                    entry(
                            "mochi_mocov2_resnet50_imagenet100",
                            List.of(
                                    "2x224 scale 0.2-1.0 flip 0.5 jitter 0.4/0.4/0.4/0.1 p0.8 gray 0.2 blur 0.5 k23 solarize 0.0 mean 0.485 std 0.229")),
                    entry(
                            "mocov2_fashionmnist",
                            List.of(
                                    "2x28 scale 0.25-1.0 flip 0.5 jitter 0.4/0.4/0.4/0.1 p0.8 gray 0.2 blur 0.0 k3 solarize 0.0 mean 0.485 std 0.229")),
                    entry(
                            "mocov2_resnet50_imagenet",
                            List.of(
                                    "2x224 scale 0.2-1.0 flip 0.5 jitter 0.4/0.4/0.4/0.1 p0.8 gray 0.2 blur 0.5 k23 solarize 0.0 mean 0.485 std 0.229")),
                    entry(
                            "mocov2_resnet50_imagenet100",
                            List.of(
                                    "2x224 scale 0.2-1.0 flip 0.5 jitter 0.4/0.4/0.4/0.1 p0.8 gray 0.2 blur 0.5 k23 solarize 0.0 mean 0.485 std 0.229")),
                    entry(
                            "quickstart_fashionmnist",
                            List.of(
                                    "2x28 scale 0.25-1.0 flip 0.5 jitter 0.4/0.4/0.4/0.1 p0.8 gray 0.2 blur 0.0 k3 solarize 0.0 mean 0.485 std 0.229")),
                    entry(
                            "simclr_fashionmnist",
                            List.of(
                                    "2x28 scale 0.25-1.0 flip 0.5 jitter 0.4/0.4/0.4/0.1 p0.8 gray 0.2 blur 0.0 k3 solarize 0.0 mean 0.485 std 0.229")),
                    entry(
                            "simclr_resnet50_imagenet",
                            List.of(
                                    "2x224 scale 0.08-1.0 flip 0.5 jitter 0.8/0.8/0.8/0.2 p0.8 gray 0.2 blur 0.5 k23 solarize 0.0 mean 0.485 std 0.229")),
                    entry(
                            "simclr_resnet50_imagenet100",
                            List.of(
                                    "2x224 scale 0.08-1.0 flip 0.5 jitter 0.8/0.8/0.8/0.2 p0.8 gray 0.2 blur 0.5 k23 solarize 0.0 mean 0.485 std 0.229")),
                    entry(
                            "swav_fashionmnist",
                            List.of(
                                    "2x28 scale 0.3-1.0 flip 0.5 jitter 0.4/0.4/0.4/0.1 p0.8 gray 0.2 blur 0.0 k3 solarize 0.0 mean 0.485 std 0.228",
                                    "4x16 scale 0.1-0.3 flip 0.5 jitter 0.4/0.4/0.4/0.1 p0.8 gray 0.2 blur 0.0 k1 solarize 0.0 mean 0.485 std 0.228")),
                    entry(
                            "swav_resnet50_imagenet100",
                            List.of(
                                    "2x224 scale 0.14-1.0 flip 0.5 jitter 0.8/0.8/0.8/0.2 p0.8 gray 0.2 blur 0.5 k23 solarize 0.0 mean 0.485 std 0.228",
                                    "6x96 scale 0.05-0.14 flip 0.5 jitter 0.8/0.8/0.8/0.2 p0.8 gray 0.2 blur 0.5 k9 solarize 0.0 mean 0.485 std 0.228")),
                    entry(
                            "swav_resnet50_imagenet_bs256",
                            List.of(
                                    "2x224 scale 0.14-1.0 flip 0.5 jitter 0.8/0.8/0.8/0.2 p0.8 gray 0.2 blur 0.5 k23 solarize 0.0 mean 0.485 std 0.228",
                                    "6x96 scale 0.05-0.14 flip 0.5 jitter 0.8/0.8/0.8/0.2 p0.8 gray 0.2 blur 0.5 k9 solarize 0.0 mean 0.485 std 0.228")),
                    entry(
                            "swav_resnet50_imagenet_multicrop",
                            List.of(
                                    "2x224 scale 0.14-1.0 flip 0.5 jitter 0.8/0.8/0.8/0.2 p0.8 gray 0.2 blur 0.5 k23 solarize 0.0 mean 0.485 std 0.228",
                                    "6x96 scale 0.05-0.14 flip 0.5 jitter 0.8/0.8/0.8/0.2 p0.8 gray 0.2 blur 0.5 k9 solarize 0.0 mean 0.485 std 0.228")),
                    entry(
                            "swav_vit_small_imagenet_multicrop",
                            List.of(
                                    "2x224 scale 0.14-1.0 flip 0.5 jitter 0.8/0.8/0.8/0.2 p0.8 gray 0.2 blur 0.5 k23 solarize 0.0 mean 0.485 std 0.228",
                                    "6x96 scale 0.05-0.14 flip 0.5 jitter 0.8/0.8/0.8/0.2 p0.8 gray 0.2 blur 0.5 k9 solarize 0.0 mean 0.485 std 0.228")));

    @Test
    void bundledRecipesBuildTheCropsTheyBuiltBefore() throws IOException {
        assertEquals(
                new TreeSet<>(BUNDLED.keySet()),
                new TreeSet<>(RecipeLoader.bundled()),
                "every bundled recipe is in the table");
        for (String name : RecipeLoader.bundled()) {
            MultiCrop crops = Augmentations.multiCrop(RecipeLoader.load(name, List.of()).augment());
            assertEquals(
                    BUNDLED.get(name),
                    crops.groups().stream().map(AugmentationsTest::describe).toList(),
                    name);
        }
    }

    @Test
    void mocov2PresetSetsMocoV2Jitter() {
        MultiCrop crops = Augmentations.multiCrop(augment("augment: {preset: mocov2}"));
        assertEquals(
                List.of(
                        "2x224 scale 0.2-1.0 flip 0.5 jitter 0.4/0.4/0.4/0.1 p0.8 gray 0.2 blur 0.5 k23 solarize 0.0"
                                + " mean 0.485 std 0.229"),
                crops.groups().stream().map(AugmentationsTest::describe).toList(),
                "MoCo v2's (0.4, 0.4, 0.4, 0.1), not SimCLR's s = 1");
        ColorJitter explicit =
                Augmentations.multiCrop(augment("augment: {preset: mocov2, jitter_strength: 1.0}"))
                        .groups()
                        .get(0)
                        .photometric()
                        .jitter();
        assertEquals(
                0.8, explicit.brightness(), 1e-12, "a key the recipe gives wins over the preset");
    }

    @Test
    void dinoPresetTreatsItsTwoGlobalCropsDifferently() {
        MultiCrop crops = Augmentations.multiCrop(augment("augment: {preset: dino}"));
        assertEquals(
                List.of(
                        "1x224 scale 0.4-1.0 flip 0.5 jitter 0.4/0.4/0.2/0.1 p0.8 gray 0.2 blur 1.0 k23 solarize 0.0 mean 0.485 std 0.229",
                        "1x224 scale 0.4-1.0 flip 0.5 jitter 0.4/0.4/0.2/0.1 p0.8 gray 0.2 blur 0.1 k23 solarize 0.2 mean 0.485 std 0.229",
                        "8x96 scale 0.05-0.4 flip 0.5 jitter 0.4/0.4/0.2/0.1 p0.8 gray 0.2 blur 0.5 k9 solarize 0.0 mean 0.485 std 0.229"),
                crops.groups().stream().map(AugmentationsTest::describe).toList());
    }

    @Test
    void dinoHonoursJitterGrayscaleFlipNormalisationAndAnyNumberOfLocalGroups() {
        MultiCrop crops =
                Augmentations.multiCrop(
                        augment(
                                "augment: {preset: dino, jitter_strength: 1.0,"
                                        + " jitter_probability: 0.5, grayscale_probability: 0.1, flip_probability: 0.3,"
                                        + " mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], crops: [{count: 2, size: 32, scale_min: 0.4,"
                                        + " scale_max: 1.0}, {count: 3, size: 16, scale_min: 0.1, scale_max: 0.4}, {count: 2, size: 8,"
                                        + " scale_min: 0.05, scale_max: 0.1}]}"));
        assertEquals(
                List.of(
                        "1x32 scale 0.4-1.0 flip 0.3 jitter 0.8/0.8/0.4/0.2 p0.5 gray 0.1 blur 1.0 k3 solarize 0.0 mean 0.5 std 0.25",
                        "1x32 scale 0.4-1.0 flip 0.3 jitter 0.8/0.8/0.4/0.2 p0.5 gray 0.1 blur 0.1 k3 solarize 0.2 mean 0.5 std 0.25",
                        "3x16 scale 0.1-0.4 flip 0.3 jitter 0.8/0.8/0.4/0.2 p0.5 gray 0.1 blur 0.5 k1 solarize 0.0 mean 0.5 std 0.25",
                        "2x8 scale 0.05-0.1 flip 0.3 jitter 0.8/0.8/0.4/0.2 p0.5 gray 0.1 blur 0.5 k1 solarize 0.0 mean 0.5 std 0.25"),
                crops.groups().stream().map(AugmentationsTest::describe).toList());
        assertEquals(
                2,
                Augmentations.multiCrop(
                                augment(
                                        "augment: {preset: dino, crops: [{count: 2, size: 32,"
                                                + " scale_min: 0.4, scale_max: 1.0}]}"))
                        .cropCount(),
                "global crops only");
    }

    @Test
    void dinoRefusesWhatItCannotHonourNamingTheKeyAndTheFix() {
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                Augmentations.multiCrop(
                                        augment(
                                                "augment: {preset: dino, crops: [{count: 3, size: 32, scale_min: 0.4, scale_max: 1.0}]}")));
        assertEquals("augment.crops.0.count", e.key());
        assertTrue(
                e.getMessage().contains("3") && e.getMessage().contains("preset swav"),
                e.getMessage());
        e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                Augmentations.multiCrop(
                                        augment("augment: {preset: dino, blur_probability: 0.3}")));
        assertEquals("augment.blur_probability", e.key());
        assertTrue(
                e.getMessage().contains("0.3") && e.getMessage().contains("drop the key"),
                e.getMessage());
        e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                Augmentations.multiCrop(
                                        augment(
                                                "augment: {preset: dino, solarize_probability: 0.0}")));
        assertEquals("augment.solarize_probability", e.key());
        assertTrue(e.getMessage().contains("drop the key"), e.getMessage());
    }

    @Test
    void everyUniformPresetKeyReachesEveryCrop() {
        MultiCrop crops =
                Augmentations.multiCrop(
                        augment(
                                "augment: {preset: swav, jitter_strength: 0.25,"
                                        + " jitter_probability: 0.6, grayscale_probability: 0.3, blur_probability: 0.4,"
                                        + " solarize_probability: 0.1, flip_probability: 0.2, mean: [0.1, 0.2, 0.3], std: [0.4, 0.5, 0.6],"
                                        + " crops: [{count: 2, size: 32, scale_min: 0.3, scale_max: 1.0}, {count: 4, size: 16,"
                                        + " scale_min: 0.1, scale_max: 0.3}]}"));
        assertEquals(
                List.of(
                        "2x32 scale 0.3-1.0 flip 0.2 jitter 0.2/0.2/0.2/0.05 p0.6 gray 0.3 blur 0.4 k3 solarize 0.1 mean 0.1 std 0.4",
                        "4x16 scale 0.1-0.3 flip 0.2 jitter 0.2/0.2/0.2/0.05 p0.6 gray 0.3 blur 0.4 k1 solarize 0.1 mean 0.1 std 0.4"),
                crops.groups().stream().map(AugmentationsTest::describe).toList());
    }

    private static AugmentSettings augment(String yaml) {
        return RecipeLoader.parse(yaml, "test.yaml").augment();
    }

    /**
     * One line per crop group: count, side, scale, flip, jitter, grayscale, blur, solarise, first
     * mean / std.
     */
    private static String describe(CropGroup g) {
        Photometric p = g.photometric();
        RandomResizedCrop c = (RandomResizedCrop) g.geometry();
        ColorJitter j = p.jitter();
        return g.count()
                + "x"
                + c.size()
                + " scale "
                + c.scaleMin()
                + "-"
                + c.scaleMax()
                + " flip "
                + g.flipProbability()
                + " jitter "
                + j.brightness()
                + "/"
                + j.contrast()
                + "/"
                + j.saturation()
                + "/"
                + j.hue()
                + " p"
                + j.probability()
                + " gray "
                + p.grayscale().probability()
                + " blur "
                + p.blur().probability()
                + " k"
                + p.blur().kernelSize()
                + " solarize "
                + p.solarize().probability()
                + " mean "
                + p.normalize().mean()[0]
                + " std "
                + p.normalize().std()[0];
    }
}
