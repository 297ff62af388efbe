package dev.selfsup.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfsup.method.MocoSettings;
import dev.selfsup.method.SwavSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipeLoaderTest {
    @TempDir Path dir;

    @Test
    void everyShippedRecipeParsesAndIsIndexed() throws IOException {
        List<String> files;
        try (Stream<Path> s = Files.list(Path.of("configs"))) {
            files =
                    s.map(p -> p.getFileName().toString())
                            .filter(n -> n.endsWith(".yaml"))
                            .sorted()
                            .collect(Collectors.toList());
        }
        assertTrue(files.size() >= 10, files.toString());
        for (String f : files) {
            Recipe r = RecipeLoader.load("configs/" + f, List.of());
            assertEquals(f.replace(".yaml", ""), r.name());
            Recipe again = RecipeLoader.parse(YamlWriter.write(r), "resolved " + f);
            assertEquals(r, again, "resolved recipe must load back equal: " + f);
        }
        List<String> index =
                Files.readAllLines(Path.of("configs/index.txt")).stream()
                        .filter(l -> !l.isBlank())
                        .sorted()
                        .collect(Collectors.toList());
        assertEquals(
                files, index, "configs/index.txt must list every recipe (the jar's bundled list)");
        assertEquals(
                new TreeSet<>(files.stream().map(f -> f.replace(".yaml", "")).toList()),
                new TreeSet<>(RecipeLoader.bundled()));
    }

    @Test
    void paperRecipesCarryTheirDefaults() throws IOException {
        Recipe swav = RecipeLoader.load("swav_resnet50_imagenet_bs256", List.of());
        assertEquals("swav", swav.methodName());
        assertEquals(256, swav.data().batchSize());
        assertEquals(3840, swavSettings(swav).queueLength());
        assertEquals(15, swavSettings(swav).queueStartEpoch());
        assertEquals(5005, swavSettings(swav).freezePrototypesIters());
        assertEquals(0.6, swav.optimizer().baseLr());
        assertEquals(8, swav.augment().cropCount());
        assertEquals(OptimizerSettings.Name.LARS, swav.optimizer().name());
        Recipe moco = RecipeLoader.load("mocov2_resnet50_imagenet", List.of());
        assertEquals(65_536, moco(moco).queueLength());
        assertEquals(0.2, moco(moco).temperature());
        assertEquals(false, moco.model().headBatchNorm());
    }

    @Test
    void misspeltKeyNamesFileLineAndValidKeys() throws IOException {
        Path f = write("bad.yaml", "method: swav\nswav:\n  prototypes: 10\n  temprature: 0.1\n");
        ConfigException e =
                assertThrows(
                        ConfigException.class, () -> RecipeLoader.load(f.toString(), List.of()));
        assertTrue(e.getMessage().contains(f + ":4"), e.getMessage());
        assertTrue(e.getMessage().contains("swav.temprature"), e.getMessage());
        assertTrue(e.getMessage().contains("temperature"), e.getMessage());
    }

    @Test
    void wrongTypeNamesKeyAndExpectedType() throws IOException {
        Path f = write("bad.yaml", "data:\n  batch_size: many\n");
        ConfigException e =
                assertThrows(
                        ConfigException.class, () -> RecipeLoader.load(f.toString(), List.of()));
        assertTrue(e.getMessage().contains(f + ":2"), e.getMessage());
        assertTrue(
                e.getMessage().contains("data.batch_size") && e.getMessage().contains("an integer"),
                e.getMessage());
        Path g = write("bad2.yaml", "optimizer:\n  name: adagrad\n");
        e = assertThrows(ConfigException.class, () -> RecipeLoader.load(g.toString(), List.of()));
        assertTrue(
                e.getMessage().contains("[sgd, lars, adamw]") && e.getMessage().contains(g + ":2"),
                e.getMessage());
    }

    @Test
    void outOfRangeValueNamesKeyAndRange() throws IOException {
        Path f = write("bad.yaml", "method: simclr\nsimclr:\n  temperature: -1\n");
        ConfigException e =
                assertThrows(
                        ConfigException.class, () -> RecipeLoader.load(f.toString(), List.of()));
        assertTrue(
                e.getMessage().contains("simclr.temperature") && e.getMessage().contains("> 0"),
                e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        Path g =
                write(
                        "bad2.yaml",
                        "method: mocov2\ndata:\n  batch_size: 100\nmoco:\n  queue_length: 1050\n");
        e = assertThrows(ConfigException.class, () -> RecipeLoader.load(g.toString(), List.of()));
        assertTrue(
                e.getMessage().contains("moco.queue_length") && e.getMessage().contains("multiple"),
                e.getMessage());
    }

    @Test
    void mocoBnSplitsDefaultsToOneBatchAndMustDivideTheBatch() throws IOException {
        assertEquals(1, moco(RecipeLoader.load("mocov2_resnet50_imagenet", List.of())).bnSplits());
        for (String name :
                List.of(
                        "mocov2_fashionmnist",
                        "mochi_mocov2_fashionmnist",
                        "ft_mocov2_fashionmnist")) {
            Recipe r = RecipeLoader.load(name, List.of());
            assertEquals(8, moco(r).bnSplits(), name);
            assertEquals(0, r.data().batchSize() % moco(r).bnSplits(), name);
        }
        Path f =
                write(
                        "split.yaml",
                        "method: mocov2\ndata:\n  batch_size: 100\nmoco:\n  queue_length: 1000\n  bn_splits: 8\n");
        ConfigException e =
                assertThrows(
                        ConfigException.class, () -> RecipeLoader.load(f.toString(), List.of()));
        assertTrue(
                e.getMessage().contains("moco.bn_splits")
                        && e.getMessage().contains("got 8")
                        && e.getMessage().contains("data.batch_size (100)"),
                e.getMessage());
        e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                RecipeLoader.load(
                                        "mocov2_fashionmnist", List.of("data.drop_last=false")));
        assertTrue(
                e.getMessage().contains("moco.bn_splits") && e.getMessage().contains("drop_last"),
                e.getMessage());
        e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                RecipeLoader.load(
                                        "mocov2_fashionmnist", List.of("moco.bn_splits=0")));
        assertTrue(
                e.getMessage().contains("moco.bn_splits") && e.getMessage().contains(">= 1"),
                e.getMessage());
        // another method's recipe has no moco section
        e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                RecipeLoader.load(
                                        "simclr_fashionmnist", List.of("moco.bn_splits=7")));
        assertTrue(
                e.getMessage().contains("moco") && e.getMessage().contains("trains simclr"),
                e.getMessage());
    }

    @Test
    void mochiAndFeatureTransformTogetherLoad() throws IOException {
        Recipe r =
                RecipeLoader.load(
                        "mochi_mocov2_fashionmnist",
                        List.of("moco.feature_transform.enabled=true"));
        assertEquals("mocov2", r.methodName());
        assertTrue(moco(r).mochi().enabled() && moco(r).featureTransform().enabled());
        assertEquals(r, RecipeLoader.parse(YamlWriter.write(r), "resolved"));
    }

    @Test
    void monitorAndDiagnosticsAreOffByDefaultAndValidated() throws IOException {
        Recipe plain = RecipeLoader.load("quickstart_fashionmnist", List.of());
        assertTrue(
                !plain.monitor().enabled() && !plain.diagnostics().enabled(),
                "both off unless a recipe asks");
        Recipe on =
                RecipeLoader.load(
                        "quickstart_fashionmnist",
                        List.of(
                                "monitor.every_epochs=2",
                                "monitor.val_fraction=0.2",
                                "monitor.max_bank=5000",
                                "diagnostics.every_steps=25",
                                "diagnostics.batch=128"));
        assertEquals(new MonitorSettings(2, 0.2, 0, 20, 0.07, 1, 5000, 256), on.monitor());
        assertEquals(new DiagnosticsSettings(25, 128, 0.01, 0.5), on.diagnostics());
        assertEquals(
                on,
                RecipeLoader.parse(YamlWriter.write(on), "resolved"),
                "the run folder's recipe.yaml keeps them");
        for (String[] bad :
                new String[][] {
                    {"monitor.val_fraction=0", "monitor.val_fraction"},
                    {"monitor.val_fraction=1.0", "monitor.val_fraction"},
                    {"monitor.knn_k=0", "monitor.knn_k"},
                    {"monitor.every_epochs=-1", "monitor.every_epochs"},
                    {"diagnostics.batch=1", "diagnostics.batch"},
                    {"diagnostics.rank_warn_drop=1.5", "diagnostics.rank_warn_drop"}
                }) {
            ConfigException e =
                    assertThrows(
                            ConfigException.class,
                            () -> RecipeLoader.load("quickstart_fashionmnist", List.of(bad[0])));
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
        }
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                RecipeLoader.load(
                                        "quickstart_fashionmnist", List.of("monitor.every_n=3")));
        assertTrue(
                e.getMessage().contains("every_epochs"), "lists the valid keys: " + e.getMessage());
    }

    @Test
    void overridesApplyIncludingListElements() throws IOException {
        Recipe r =
                RecipeLoader.load(
                        "swav_resnet50_imagenet_bs256",
                        List.of(
                                "data.batch_size=64",
                                "augment.crops.1.size=64",
                                "swav.crops_for_assign=[0]",
                                "optimizer.name=sgd"));
        assertEquals(64, r.data().batchSize());
        assertEquals(64, r.augment().crops().get(1).size());
        assertEquals(List.of(0), swavSettings(r).cropsForAssign());
        assertEquals(OptimizerSettings.Name.SGD, r.optimizer().name());
        ConfigException e =
                assertThrows(
                        ConfigException.class,
                        () ->
                                RecipeLoader.load(
                                        "swav_resnet50_imagenet_bs256", List.of("swav.bogus=1")));
        assertTrue(e.getMessage().contains("--set swav.bogus"), e.getMessage());
    }

    @Test
    void extendsMergesMappingsAndReplacesLists() throws IOException {
        write(
                "parent.yaml",
                "method: swav\nseed: 5\naugment:\n  preset: swav\n  blur_probability: 0.3\n"
                        + "  crops:\n    - {count: 2, size: 32, scale_min: 0.5, scale_max: 1.0}\n    - {count: 4, size: 16, scale_min: 0.1, scale_max: 0.5}\n");
        Path child =
                write(
                        "child.yaml",
                        "extends: parent.yaml\naugment:\n  grayscale_probability: 0.0\n"
                                + "  crops:\n    - {count: 3, size: 32, scale_min: 0.5, scale_max: 1.0}\n");
        Recipe r = RecipeLoader.load(child.toString(), List.of());
        assertEquals("child", r.name());
        assertEquals(5, r.seed());
        assertEquals(0.3, r.augment().blurProbability());
        assertEquals(0.0, r.augment().grayscaleProbability());
        assertEquals(1, r.augment().crops().size());
        assertEquals(3, r.augment().crops().get(0).count());
        assertEquals("swav", r.methodName());
    }

    @Test
    void extendsCycleAndMissingParentAreErrors() throws IOException {
        write("a.yaml", "extends: b.yaml\n");
        Path b = write("b.yaml", "extends: a.yaml\n");
        ConfigException e =
                assertThrows(
                        ConfigException.class, () -> RecipeLoader.load(b.toString(), List.of()));
        assertTrue(e.getMessage().contains("cycle"), e.getMessage());
        Path c = write("c.yaml", "extends: nowhere.yaml\n");
        e = assertThrows(ConfigException.class, () -> RecipeLoader.load(c.toString(), List.of()));
        assertTrue(
                e.getMessage().contains("nowhere.yaml") && e.getMessage().contains(c + ":1"),
                e.getMessage());
    }

    @Test
    void yamlSyntaxErrorNamesTheLine() throws IOException {
        Path f = write("bad.yaml", "data:\n  batch_size: [1,\n");
        ConfigException e =
                assertThrows(
                        ConfigException.class, () -> RecipeLoader.load(f.toString(), List.of()));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    @Test
    void aPathThatDoesNotExistIsAnErrorNeverTheBundledRecipeOfThatName() throws IOException {
        for (String missing :
                List.of(
                        dir.resolve("fashionmnist_1h.yaml").toString(),
                        "nowhere/fashionmnist_1h",
                        "fashionmnist_1h.yml")) {
            java.nio.file.NoSuchFileException e =
                    assertThrows(
                            java.nio.file.NoSuchFileException.class,
                            () -> RecipeLoader.load(missing, List.of()));
            assertTrue(
                    e.getMessage().contains(missing)
                            && e.getMessage().contains("without folder and .yaml")
                            && e.getMessage().contains("fashionmnist_1h"),
                    e.getMessage());
        }
        assertEquals(
                "fashionmnist_1h",
                RecipeLoader.load("fashionmnist_1h", List.of()).name(),
                "a bare name is bundled");
        java.nio.file.NoSuchFileException e =
                assertThrows(
                        java.nio.file.NoSuchFileException.class,
                        () -> RecipeLoader.load("fashionmnist_2h", List.of()));
        assertTrue(
                e.getMessage().contains("no bundled recipe")
                        && e.getMessage().contains("fashionmnist_1h"),
                e.getMessage());
    }

    @Test
    void keysAnAugmentSectionLeavesOutTakeItsPresetsValues() {
        AugmentSettings moco = RecipeLoader.parse("augment: {preset: mocov2}", "t.yaml").augment();
        assertEquals(AugmentSettings.defaults(AugmentSettings.Preset.MOCOV2), moco);
        assertEquals(0.5, moco.jitterStrength(), "MoCo v2's (0.4, 0.4, 0.4, 0.1)");
        AugmentSettings dino =
                RecipeLoader.parse("augment: {preset: dino, flip_probability: 0.0}", "t.yaml")
                        .augment();
        assertEquals(0.2, dino.solarizeProbability());
        assertEquals(0.0, dino.flipProbability(), "a given key wins");
        assertEquals(
                List.of(2, 8),
                dino.crops().stream().map(AugmentSettings.CropSettings::count).toList());
        assertEquals(
                AugmentSettings.defaults(),
                RecipeLoader.parse("seed: 1", "t.yaml").augment(),
                "no preset: SimCLR");
    }

    private static MocoSettings moco(Recipe r) {
        return (MocoSettings) r.method();
    }

    private static SwavSettings swavSettings(Recipe r) {
        return (SwavSettings) r.method();
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }
}
