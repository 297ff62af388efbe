package dev.selfsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickstartCommandTest {
    @TempDir Path dir;

    @Test
    void writesQuickstartJsonWithEveryRow() throws Exception {
        int code =
                Main.commandLine()
                        .execute(
                                "quickstart",
                                "--out",
                                dir.toString(),
                                "--threads",
                                "1",
                                "--set",
                                "train.epochs=1",
                                "--set",
                                "train.steps_per_epoch=2",
                                "--set",
                                "model.base_width=4",
                                "--set",
                                "eval.probe_epochs=2");
        assertEquals(0, code);
        JsonObject o =
                JsonParser.parseString(Files.readString(dir.resolve("quickstart.json")))
                        .getAsJsonObject();
        for (String row : new String[] {"raw_pixels", "random_init", "pretrained"}) {
            JsonObject r = o.getAsJsonObject(row);
            for (String k : new String[] {"knn_top1", "linear_top1"}) {
                double v = r.get(k).getAsDouble();
                // ten balanced classes: anything learned is well above chance (10 %)
                assertTrue(v > 20 && v <= 100, row + "." + k + " = " + v);
            }
        }
        assertTrue(o.get("seconds").getAsDouble() > 0);
        assertEquals(10_000, o.get("train_images").getAsInt());
        assertEquals(2_000, o.get("test_images").getAsInt());
        assertTrue(Files.exists(dir.resolve("pretrain").resolve("backbone.safetensors")));
        assertEquals("pretrain", o.get("run_folder").getAsString());
    }
}
