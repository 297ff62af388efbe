package dev.selfsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.data.SyntheticShapes;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.eval.Fingerprint;
import dev.selfsup.eval.Results;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ModelZoo;
import dev.selfsup.model.Weights;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What the evaluation command tests share: a tiny image folder, the weights of a tiny backbone, the
 * common arguments, running a command as {@code main} would, and the fields every results file must
 * have.
 */
abstract class EvalCommandFixture {
    // Set again by each test class, in a folder of its own: test classes run one at a time.
    @TempDir static Path data;

    @TempDir Path out;

    static Path trainDir;
    static Path testDir;
    static Path weights;

    @BeforeAll
    static void fixtures() throws IOException {
        SelfsupEngine.boot(1);
        trainDir = writeFolder(data.resolve("train"), new SyntheticShapes(18, 3, 16, 16, 1));
        testDir = writeFolder(data.resolve("test"), new SyntheticShapes(9, 3, 16, 16, 2));
        weights = data.resolve("tiny.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Backbone b = tiny();
            b.initialize(m, DataType.FLOAT32, new Shape(1, 3, 16, 16));
            Weights.save(b, weights);
        }
    }

    static Backbone tiny() {
        return ModelZoo.backbone("resnet10_cifar", ModelZoo.Options.DEFAULT.withBaseWidth(4));
    }

    /** Common arguments: tiny folder data, one thread, small batches. */
    List<String> args(String... more) {
        List<String> a =
                new ArrayList<>(
                        List.of(
                                "--threads",
                                "1",
                                "--dataset",
                                "image_folder",
                                "--train",
                                trainDir.toString(),
                                "--test",
                                testDir.toString(),
                                "--size",
                                "16",
                                "--workers",
                                "1",
                                "--extract-batch",
                                "8",
                                "--out",
                                out.toString()));
        a.addAll(List.of(more));
        return a;
    }

    static final class Run {
        int code;
        String err;
    }

    static Run execute(Callable<Integer> command, List<String> args) {
        CommandLine cl =
                new CommandLine(command)
                        .setExitCodeExceptionMapper(ExitCodes::of)
                        .setExecutionExceptionHandler(ExitCodes::handle);
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        Run r = new Run();
        r.code = cl.execute(args.toArray(new String[0]));
        r.err = err.toString();
        return r;
    }

    static void assertComplete(Results r, String metric, String protocol) throws IOException {
        assertEquals(metric, r.metric());
        assertEquals(protocol, r.protocol().name());
        assertEquals(r.top1(), r.value(), 0);
        assertTrue(r.top1() >= 0 && r.top1() <= r.top5() && r.top5() <= 100, r.toJson());
        assertEquals(18, r.dataset().trainSize());
        assertEquals(9, r.dataset().testSize());
        assertEquals(3, r.dataset().numClasses());
        assertTrue(r.dataset().name().startsWith("image_folder:"), r.dataset().name());
        assertEquals(Fingerprint.ofFile(weights), r.weights().sha256());
        assertEquals("file", r.weights().sha256Of());
        assertEquals(weights.toString(), r.weights().path());
        assertNotNull(OffsetDateTime.parse(r.date()));
    }

    static void tinyJpeg(Path file, int seed) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                img.setRGB(
                        x,
                        y,
                        ((seed * 31 + x * 17) & 0xff) << 16
                                | ((seed * 7 + y * 13) & 0xff) << 8
                                | (seed & 0xff));
            }
        }
        ImageIO.write(img, "jpeg", file.toFile());
    }

    static Path writeFolder(Path root, SyntheticShapes shapes) throws IOException {
        for (int i = 0; i < shapes.size(); i++) {
            Path classDir = Files.createDirectories(root.resolve("class" + shapes.label(i)));
            var img = shapes.decode(i);
            BufferedImage png =
                    new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.height(); y++) {
                for (int x = 0; x < img.width(); x++) {
                    png.setRGB(
                            x,
                            y,
                            (img.get(x, y, 0) << 16) | (img.get(x, y, 1) << 8) | img.get(x, y, 2));
                }
            }
            ImageIO.write(png, "png", classDir.resolve("img" + i + ".png").toFile());
        }
        return root;
    }
}
