package dev.selfsup.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonObject;
import dev.selfsup.config.Recipe;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.method.MochiSettings;
import dev.selfsup.method.MocoSettings;
import dev.selfsup.train.MetricsLog;
import dev.selfsup.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MocoV2WithMochiTest {
    /**
     * Shrinks the ResNet-50 / ImageNet-100 recipe to a few CPU steps; MoCHi stays on from step 0.
     */
    static final List<String> TINY =
            List.of(
                    "data.batch_size=8",
                    "data.workers=1",
                    "augment.crops.0.size=16",
                    "model.backbone=resnet10_cifar",
                    "model.base_width=4",
                    "model.head_hidden_dims=[32]",
                    "model.head_output_dim=16",
                    "moco.queue_length=32",
                    "moco.mochi.hardest=16",
                    "moco.mochi.mixed=8",
                    "moco.mochi.mixed_with_query=4",
                    "moco.mochi.start_epoch=0",
                    "train.epochs=2",
                    "train.steps_per_epoch=2",
                    "train.log_every_steps=1");

    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    @Test
    void bundledRecipeKeepsPaperSettingsUnlessOverridden(@TempDir Path tmp) throws Exception {
        Path classes = Files.writeString(tmp.resolve("imagenet100.txt"), "class_0\n");
        Recipe paper = MocoV2WithMochi.recipe(tmp, classes, List.of());
        assertEquals("mocov2", paper.methodName());
        MocoSettings moco = (MocoSettings) paper.method();
        assertEquals(new MochiSettings(true, 1024, 1024, 128, 10), moco.mochi());
        assertEquals(16384, moco.queueLength());
        assertEquals("resnet50", paper.model().backbone());
        assertEquals(tmp.toAbsolutePath().toString(), paper.data().path());
        assertEquals(classes.toAbsolutePath().toString(), paper.data().classList());
    }

    @Test
    void tinyRunTrainsWithMixingAndWritesTheRunFolder(@TempDir Path tmp) throws Exception {
        Path images = TestImages.writeFolder(tmp.resolve("train"), 3, 8, 24, 20, 5);
        Path classes = Files.writeString(tmp.resolve("imagenet100.txt"), "class_0\nclass_2\n");
        Recipe r = MocoV2WithMochi.recipe(images, classes, TINY);
        Path runDir = tmp.resolve("run");

        Trainer.Result result = MocoV2WithMochi.run(r, runDir, Device.cpu(), false);

        assertEquals(4, result.iterations());
        assertTrue(
                Double.isFinite(result.lastLoss()) && result.lastLoss() > 0,
                "loss " + result.lastLoss());
        assertTrue(Files.readString(runDir.resolve("recipe.yaml")).contains("mixed_with_query: 4"));
        assertTrue(Files.size(runDir.resolve("backbone.safetensors")) > 0);
        List<JsonObject> steps =
                MetricsLog.read(runDir.resolve("metrics.jsonl")).stream()
                        .filter(o -> o.get("kind").getAsString().equals("step"))
                        .toList();
        assertEquals(4, steps.size());
        for (JsonObject o : steps) {
            // MoCo's InfoNCE over 1 positive and 32 + 8 + 4 negatives: finite, and not yet far
            // below log(45)
            double loss = o.get("loss").getAsDouble();
            assertTrue(
                    Double.isFinite(loss) && loss > 0.5 && loss < 2 * Math.log(45), o.toString());
        }

        // resuming a finished run does no more steps
        Trainer.Result again = MocoV2WithMochi.run(r, runDir, Device.cpu(), true);
        assertEquals(4, again.iterations());
    }
}
