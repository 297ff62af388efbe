package dev.selfsup.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.model.ResNet;
import dev.selfsup.model.Weights;
import dev.selfsup.train.MetricsLog;
import dev.selfsup.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SwavOnImageFolderTest {
    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    @Test
    void trainsOnAFolderAndExportsTheCustomBackbone(@TempDir Path tmp) throws Exception {
        Path images = TestImages.writeFolder(tmp.resolve("images"), 3, 6, 32, 20, 1);
        Path runDir = tmp.resolve("run");
        int[] stages = {1, 2, 1, 1};
        // small images: the larger crop scales; queue of 2 batches from the second epoch
        SwavOnImageFolder.Settings s =
                new SwavOnImageFolder.Settings(
                        stages,
                        4,
                        new MultiCrop.Crops(2, 16, 0.3, 1.0),
                        new MultiCrop.Crops(2, 8, 0.1, 0.3),
                        12,
                        8,
                        2,
                        2,
                        0.6,
                        16,
                        1,
                        0);

        Trainer.Result r = SwavOnImageFolder.run(images, runDir, s, Device.cpu());

        // 18 images, batch 8, drop-last: 2 batches per epoch, 2 epochs
        assertEquals(4, r.iterations());
        assertEquals(2, r.epochsCompleted());
        assertFalse(r.interrupted());
        assertTrue(Double.isFinite(r.lastLoss()) && r.lastLoss() > 0, "last loss " + r.lastLoss());
        assertTrue(Files.size(runDir.resolve("checkpoints/latest.ckpt")) > 0);
        List<JsonObject> steps =
                MetricsLog.read(runDir.resolve("metrics.jsonl")).stream()
                        .filter(o -> o.get("kind").getAsString().equals("step"))
                        .toList();
        assertEquals(4, steps.size(), "one metrics line per step");
        // LARS at 0.6 x 8/256 with cosine decay to a thousandth (the swav_* recipes' optimiser)
        assertEquals(0.6 * 8 / 256, steps.get(0).get("lr").getAsDouble(), 1e-12);
        assertTrue(steps.get(3).get("lr").getAsDouble() < steps.get(0).get("lr").getAsDouble());
        for (JsonObject o : steps) {
            assertTrue(Double.isFinite(o.get("loss").getAsDouble()), o.toString());
            // Sinkhorn codes over K = 12 prototypes: entropy in (0, log 12]
            double h = o.get("code_entropy").getAsDouble();
            assertTrue(h > 0 && h <= Math.log(12) + 1e-4, o.toString());
        }
        // the exported backbone has exactly the tensors of the custom ResNet, in torchvision names
        ResNet same =
                ResNet.builder()
                        .setBlockType(ResNet.BlockType.BASIC)
                        .setStageBlocks(stages)
                        .optBaseWidth(4)
                        .optCifarStem(true)
                        .build();
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> saved =
                    Weights.readTensors(runDir.resolve("backbone.safetensors"), m);
            assertEquals(new HashSet<>(Weights.names(same)), saved.keySet());
            assertTrue(
                    saved.containsKey("layer2.1.conv2.weight"), "custom stage depth 2 in layer2");
            assertEquals(
                    32,
                    saved.get("layer4.0.conv2.weight").getShape().get(0),
                    "width 4 · 8 in the last stage");
        }
    }

    /**
     * A Trainer built from Java refuses a folder that holds a run, as {@code selfsup pretrain}
     * does.
     */
    @Test
    void aSecondRunIntoTheSameFolderIsRefused(@TempDir Path tmp) throws Exception {
        Path images = TestImages.writeFolder(tmp.resolve("images"), 2, 4, 32, 20, 1);
        Path runDir = tmp.resolve("run");
        SwavOnImageFolder.Settings s =
                new SwavOnImageFolder.Settings(
                        new int[] {1, 1, 1, 1},
                        4,
                        new MultiCrop.Crops(2, 16, 0.3, 1.0),
                        new MultiCrop.Crops(2, 8, 0.1, 0.3),
                        8,
                        8,
                        1,
                        1,
                        0.6,
                        0,
                        0,
                        0);
        SwavOnImageFolder.run(images, runDir, s, Device.cpu());
        byte[] metrics = Files.readAllBytes(runDir.resolve("metrics.jsonl"));
        IllegalStateException e =
                assertThrows(
                        IllegalStateException.class,
                        () -> SwavOnImageFolder.run(images, runDir, s, Device.cpu()));
        assertTrue(
                e.getMessage().contains(runDir.toString()) && e.getMessage().contains("resume"),
                e.getMessage());
        assertArrayEquals(
                metrics,
                Files.readAllBytes(runDir.resolve("metrics.jsonl")),
                "the first run is untouched");
    }
}
