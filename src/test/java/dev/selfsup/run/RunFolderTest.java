package dev.selfsup.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.config.Recipe;
import dev.selfsup.config.RecipeLoader;
import dev.selfsup.engine.Precision;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFolderTest {
    @TempDir Path dir;

    static final String TINY =
            "method: simclr\nseed: 2\n"
                    + "data: {dataset: synthetic, batch_size: 8, workers: 1, synthetic_images: 64, synthetic_classes: 4,"
                    + " synthetic_resolution: 20}\n"
                    + "augment: {preset: simclr, crops: [{count: 2, size: 16, scale_min: 0.3, scale_max: 1.0}]}\n"
                    + "model: {backbone: resnet10_cifar, base_width: 4, head_hidden_dims: [16], head_output_dim: 8}\n"
                    + "train: {epochs: 3}\n";

    @Test
    void namesEveryFileOfTheLayout() {
        RunFolder f = RunFolder.of(dir);
        assertEquals(dir.resolve("recipe.yaml"), f.recipeFile());
        assertEquals(dir.resolve("metrics.jsonl"), f.metricsFile());
        assertEquals(dir.resolve("checkpoints/latest.ckpt"), f.latestCheckpoint());
        assertEquals(dir.resolve("checkpoints/epoch_0012.ckpt"), f.epochCheckpoint(12));
        assertEquals(dir.resolve("backbone.safetensors"), f.backboneFile());
        assertEquals(dir.resolve("loss.png"), f.plotFile("loss"));
        assertEquals(dir.resolve("results.json"), f.resultsFile());
        assertEquals(dir.resolve("feature-cache"), f.featureCacheDir());
    }

    @Test
    void aFolderWithMetricsOrACheckpointHoldsARunAndIsNotFresh() throws IOException {
        RunFolder f = RunFolder.of(dir.resolve("run"));
        assertFalse(f.holdsRun());
        f.checkFresh();
        f.writeRecipe(RecipeLoader.parse(TINY, "tiny.yaml"));
        assertFalse(f.holdsRun(), "a recipe alone is no run yet");
        Files.writeString(f.metricsFile(), "{}\n");
        assertTrue(f.holdsRun());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, f::checkFresh);
        assertTrue(
                e.getMessage().contains("metrics.jsonl")
                        && e.getMessage().contains("--resume " + f.dir()),
                e.getMessage());
    }

    @Test
    void resumeNeedsTheRecipeAndACheckpointAndSaysWhichIsMissing() throws IOException {
        RunFolder f = RunFolder.of(dir.resolve("run"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, f::checkResumable);
        assertTrue(e.getMessage().contains("not a folder"), e.getMessage());
        Files.createDirectories(f.dir());
        e = assertThrows(IllegalArgumentException.class, f::checkResumable);
        assertTrue(e.getMessage().contains("recipe.yaml"), e.getMessage());
        f.writeRecipe(RecipeLoader.parse(TINY, "tiny.yaml"));
        e = assertThrows(IllegalArgumentException.class, f::checkResumable);
        assertTrue(
                e.getMessage().contains(Path.of("checkpoints", "latest.ckpt").toString()),
                e.getMessage());
        Files.createDirectories(f.checkpointDir());
        Files.writeString(f.latestCheckpoint(), "");
        f.checkResumable();
    }

    @Test
    void aDifferentRecipeBesideResumeIsRefusedListingTheKeys() throws IOException {
        RunFolder f = RunFolder.of(dir);
        f.writeRecipe(RecipeLoader.parse(TINY, "tiny.yaml"));
        Recipe resumed = f.recipe(List.of("train.epochs=5"));
        assertEquals(5, resumed.train().epochs(), "--set changes the run's own recipe");
        String same = TINY.replace("epochs: 3", "epochs: 5");
        f.checkSameRecipe(
                RecipeLoader.parse(same, "other-name.yaml"), resumed, "--config other-name.yaml");
        Recipe other =
                RecipeLoader.parse(
                        same.replace("scale_min: 0.3", "scale_min: 0.2")
                                + "optimizer: {base_lr: 0.7}\n",
                        "other.yaml");
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> f.checkSameRecipe(other, resumed, "--config other.yaml"));
        assertTrue(
                e.getMessage().contains("--config other.yaml")
                        && e.getMessage().contains("optimizer.base_lr")
                        && e.getMessage().contains("augment.crops.0.scale_min: 0.3 → 0.2")
                        && !e.getMessage().contains("train.epochs")
                        && !e.getMessage().contains("name:"),
                e.getMessage());
        assertTrue(
                e.getMessage().contains("--set") && e.getMessage().contains("--out"),
                "says the fix: " + e.getMessage());
    }

    @Test
    void loadBackboneBuildsTheRecipesBackboneWithTheExportedWeights() throws IOException {
        RunFolder f = RunFolder.of(dir);
        Recipe recipe = RecipeLoader.parse(TINY, "tiny.yaml");
        f.writeRecipe(recipe);
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> f.loadBackbone(m, 16));
            assertTrue(
                    e.getMessage().contains("backbone.safetensors")
                            && e.getMessage().contains("--resume"),
                    e.getMessage());
            SelfsupEngine.seed(7);
            Backbone trained = Pretraining.backbone(recipe.model());
            trained.initialize(m, Precision.DEFAULT.parameterType(), new Shape(1, 3, 16, 16));
            Weights.save(trained, f.backboneFile());
            SelfsupEngine.seed(8);
            Backbone loaded = f.loadBackbone(m, 16);
            var a = trained.getParameters();
            var b = loaded.getParameters();
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(
                        a.valueAt(i).getArray().toFloatArray(),
                        b.valueAt(i).getArray().toFloatArray(),
                        a.keyAt(i));
            }
        }
    }
}
