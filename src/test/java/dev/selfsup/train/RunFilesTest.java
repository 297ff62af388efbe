package dev.selfsup.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunFilesTest {
    @TempDir Path dir;

    @Test
    void metricsLinesParseAndResumeDropsLinesAfterTheCheckpoint() throws IOException {
        Path f = dir.resolve("metrics.jsonl");
        try (MetricsLog log = new MetricsLog(f, -1)) {
            for (int s = 0; s < 5; s++) {
                log.write("step", Map.of("step", s, "loss", 5.0 - s, "lr", 0.1));
            }
            log.write("epoch", Map.of("epoch", 0, "loss", 3.0));
        }
        List<JsonObject> rows = MetricsLog.read(f);
        assertEquals(6, rows.size());
        assertEquals(2.0, rows.get(3).get("loss").getAsDouble());
        try (MetricsLog log = new MetricsLog(f, 2)) {
            log.write("step", Map.of("step", 3, "loss", 9.0));
        }
        rows = MetricsLog.read(f);
        assertEquals(5, rows.size(), "steps 3 and 4 dropped, the epoch line kept, one new line");
        assertEquals(9.0, rows.get(4).get("loss").getAsDouble());
    }

    @Test
    void plotsAreValidPngs() throws IOException {
        Path f = dir.resolve("metrics.jsonl");
        try (MetricsLog log = new MetricsLog(f, -1)) {
            for (int s = 0; s < 50; s++) {
                log.write(
                        "step",
                        Map.of(
                                "step",
                                s,
                                "loss",
                                Math.exp(-s / 10.0),
                                "lr",
                                0.1 * s,
                                "images_per_second",
                                100 + s));
            }
        }
        List<Path> files =
                Plots.write(
                        MetricsLog.read(f), chart -> dir.resolve("plots").resolve(chart + ".png"));
        assertEquals(3, files.size());
        for (Path p : files) {
            BufferedImage img = ImageIO.read(p.toFile());
            assertEquals(720, img.getWidth());
            assertEquals(400, img.getHeight());
        }
        assertEquals(dir.resolve("plots/loss.png"), files.get(0), "the caller names the files");
        BufferedImage loss = ImageIO.read(files.get(0).toFile());
        boolean blue = false;
        for (int x = 0; x < loss.getWidth() && !blue; x++) {
            for (int y = 0; y < loss.getHeight(); y++) {
                if ((loss.getRGB(x, y) & 0xffffff) == 0x1f77b4) {
                    blue = true;
                    break;
                }
            }
        }
        assertTrue(blue, "the curve is drawn");
        Path two =
                Plots.lines(
                        dir.resolve("two.png"),
                        "two series",
                        "epoch",
                        List.of(
                                new Plots.Series(
                                        "a", List.of(new double[] {1, 1}, new double[] {2, 3})),
                                new Plots.Series(
                                        "b",
                                        List.of(
                                                new double[] {1, 2},
                                                new double[] {2, Double.NaN},
                                                new double[] {3, 0}))));
        BufferedImage img = ImageIO.read(two.toFile());
        boolean orange = false;
        for (int x = 0; x < img.getWidth() && !orange; x++) {
            for (int y = 0; y < img.getHeight(); y++) {
                if ((img.getRGB(x, y) & 0xffffff) == 0xff7f0e) {
                    orange = true;
                    break;
                }
            }
        }
        assertTrue(orange, "the second series is drawn in the second colour");
    }

    @Test
    void plainProgressPrintsEveryNStepsAndTheLast() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(buf, true, StandardCharsets.UTF_8), false, 4);
        for (int s = 0; s < 10; s++) {
            p.step(0, 2, s, 10, 1.5, 123.4, 65);
        }
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(3, lines.length, String.join("|", lines));
        assertTrue(
                lines[0].contains("epoch 1/2")
                        && lines[0].contains("4/10")
                        && lines[0].contains("01:05"),
                lines[0]);
        assertTrue(
                lines[2].contains("10/10") && lines[2].contains("[####################]"),
                lines[2]);
    }
}
