package dev.selfsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.data.ImageFolder;
import dev.selfsup.data.SyntheticShapes;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.eval.DatasetFeatureSource;
import dev.selfsup.eval.FeatureExtractor;
import dev.selfsup.eval.Features;
import dev.selfsup.eval.Fingerprint;
import dev.selfsup.eval.Knn;
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
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Each evaluation command end to end on a tiny image folder with a tiny backbone. */
class EvalCommandsTest {
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
        return ModelZoo.backbone("resnet10_cifar", new ModelZoo.Options(4, false, 0, 0));
    }

    /** Common arguments: tiny folder data, one thread, small batches. */
    List<String> args(String... more) {
        List<String> a = new ArrayList<>(List.of(
                "--threads", "1", "--dataset", "image_folder", "--train", trainDir.toString(), "--test",
                testDir.toString(), "--size", "16", "--workers", "1", "--extract-batch", "8", "--out", out.toString()));
        a.addAll(List.of(more));
        return a;
    }

    static final class Run {
        int code;
        String err;
    }

    static Run execute(Callable<Integer> command, List<String> args) {
        CommandLine cl = new CommandLine(command)
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

    @Test
    void linearProbeWritesEveryField() throws IOException {
        Run run = execute(new LinearProbeCommand(), args("--weights", weights.toString(), "--backbone",
                "resnet10_cifar", "--base-width", "4", "--protocol", "custom", "--lr", "0.1", "--epochs", "3",
                "--batch", "8"));
        assertEquals(0, run.code, run.err);
        Results r = Results.read(out.resolve("results.json"));
        assertComplete(r, "linear_top1", "linear/custom");
        assertEquals(0.1, ((Number) r.protocol().hyperParameters().get("lr")).doubleValue());
        assertEquals(3, ((Number) r.protocol().hyperParameters().get("epochs")).intValue());
        assertEquals("cached (extracted once)", r.protocol().hyperParameters().get("train_features"));
        assertTrue(r.protocol().hyperParameters().get("test_transform").toString().contains("ResizeCenterCrop"));
        assertEquals(3, r.lastEpoch());
        assertTrue(r.bestEpoch() >= 1 && r.bestEpoch() <= 3);
        assertTrue(r.bestTop1() >= r.top1());
        assertNotNull(r.bestTop5());
        // the features were cached next to the results
        try (Stream<Path> s = Files.list(out.resolve("feature-cache"))) {
            assertEquals(2, s.filter(p -> p.toString().endsWith(".ndlist")).count());
        }
    }

    @Test
    void augmentedLinearProbeFromARunFolder() throws IOException {
        Path runDir = Files.createDirectories(out.resolve("run"));
        Files.writeString(runDir.resolve("recipe.yaml"), "model:\n  backbone: resnet10_cifar\n  base_width: 4\n");
        Files.copy(weights, runDir.resolve("backbone.safetensors"));
        Run run = execute(new LinearProbeCommand(), List.of("--threads", "1", "--run", runDir.toString(), "--dataset",
                "image_folder", "--train", trainDir.toString(), "--test", testDir.toString(), "--size", "16",
                "--workers", "1", "--protocol", "swav", "--epochs", "2", "--batch", "8", "--augment"));
        assertEquals(0, run.code, run.err);
        Results r = Results.read(runDir.resolve("results.json")); // default --out: the run folder
        assertEquals("linear/swav", r.protocol().name());
        assertEquals(0.3, ((Number) r.protocol().hyperParameters().get("lr")).doubleValue());
        assertEquals("online, frozen backbone in eval mode", r.protocol().hyperParameters().get("train_features"));
        assertTrue(r.protocol().hyperParameters().get("train_transform").toString().contains("RandomResizedCrop"));
        assertEquals(runDir.resolve("backbone.safetensors").toString(), r.weights().path());
        assertEquals(2, r.lastEpoch());
    }

    /** The command's numbers are Knn.evaluate's on features extracted here independently. */
    @Test
    void knnWritesOneRecordPerKWithTheLibrarysScores() throws IOException {
        Run run = execute(new KnnCommand(), args("--weights", weights.toString(), "--backbone", "resnet10_cifar",
                "--base-width", "4", "--k", "1,5", "--temperature", "0.1", "--no-cache"));
        assertEquals(0, run.code, run.err);
        List<Results> all = Results.readAll(out.resolve("results.json"));
        assertEquals(2, all.size());
        List<Knn.Score> expected;
        try (NDManager m = NDManager.newBaseManager()) {
            Backbone b = tiny();
            b.initialize(m, DataType.FLOAT32, new Shape(1, 3, 16, 16));
            Weights.load(b, weights);
            try (DatasetFeatureSource tr = DatasetFeatureSource.builder(ImageFolder.builder().setRoot(trainDir).build())
                            .setTransform(MultiCrop.evaluation(16)).build();
                    DatasetFeatureSource te = DatasetFeatureSource.builder(ImageFolder.builder().setRoot(testDir).build())
                            .setTransform(MultiCrop.evaluation(16)).build();
                    Features ftr = FeatureExtractor.extract(b, tr, 5, m);
                    Features fte = FeatureExtractor.extract(b, te, 5, m)) {
                expected = Knn.evaluate(ftr.features(), ftr.labels(), fte.features(), fte.labels(), new int[] {1, 5},
                        0.1, 3);
            }
        }
        for (int i = 0; i < 2; i++) {
            Results r = all.get(i);
            assertComplete(r, "knn_top1", "knn");
            assertEquals(expected.get(i).k(), ((Number) r.protocol().hyperParameters().get("k")).intValue());
            assertEquals(0.1, ((Number) r.protocol().hyperParameters().get("temperature")).doubleValue());
            assertEquals(expected.get(i).top1(), r.top1(), 1e-9);
            assertEquals(expected.get(i).top5(), r.top5(), 1e-9);
        }
        assertTrue(Files.notExists(out.resolve("feature-cache")), "--no-cache must not write the cache");
    }

    @Test
    void transferFineTuneAndLinear() throws IOException {
        String hash = Fingerprint.ofFile(weights);
        Run run = execute(new TransferCommand(), args("--weights", weights.toString(), "--backbone", "resnet10_cifar",
                "--base-width", "4", "--mode", "finetune", "--lr", "0.05", "--epochs", "2", "--batch", "6"));
        assertEquals(0, run.code, run.err);
        Results r = Results.read(out.resolve("results.json"));
        assertComplete(r, "finetune_top1", "finetune/custom");
        assertEquals(2, r.lastEpoch());
        assertEquals(6, ((Number) r.protocol().hyperParameters().get("batch_size")).intValue());
        assertEquals(hash, Fingerprint.ofFile(weights), "the weights file is read, never written");

        run = execute(new TransferCommand(), args("--weights", weights.toString(), "--backbone", "resnet10_cifar",
                "--base-width", "4", "--mode", "linear", "--protocol", "custom", "--lr", "0.1", "--epochs", "2",
                "--batch", "8"));
        assertEquals(0, run.code, run.err);
        assertComplete(Results.read(out.resolve("results.json")), "linear_top1", "linear/custom");
    }

    @Test
    void configFileSuppliesOptionsAndTheCommandLineWins() throws IOException {
        Path yaml = Files.writeString(out.resolve("probe.yaml"), String.join("\n",
                "protocol: custom", "lr: 0.2", "epochs: 4", "batch: 8", "bn: true", "dataset: image_folder",
                "train: " + trainDir, "test: " + testDir, "size: 16", "extract_batch: 8", "workers: 1", ""));
        Run run = execute(new LinearProbeCommand(), List.of("--threads", "1", "--config", yaml.toString(),
                "--weights", weights.toString(), "--backbone", "resnet10_cifar", "--base-width", "4", "--epochs", "2",
                "--out", out.toString()));
        assertEquals(0, run.code, run.err);
        Results r = Results.read(out.resolve("results.json"));
        assertEquals(0.2, ((Number) r.protocol().hyperParameters().get("lr")).doubleValue());
        assertEquals(Boolean.TRUE, r.protocol().hyperParameters().get("batch_norm"));
        assertEquals(2, r.lastEpoch(), "--epochs on the command line overrides the file's 4");
        assertEquals(18, r.dataset().trainSize());
    }

    @Test
    void shippedEvalConfigsUseOnlyKnownKeys() throws IOException {
        CommandLine probe = new CommandLine(new LinearProbeCommand());
        probe.parseArgs();
        CommandLine knn = new CommandLine(new KnnCommand());
        knn.parseArgs();
        CommandLine transfer = new CommandLine(new TransferCommand());
        transfer.parseArgs();
        assertTrue(EvalConfig.fromFile(Path.of("configs/eval/linear_moco.yaml"), probe.getCommandSpec())
                .containsAll(List.of("--protocol=moco", "--augment=true")));
        assertTrue(EvalConfig.fromFile(Path.of("configs/eval/linear_swav.yaml"), probe.getCommandSpec())
                .contains("--protocol=swav"));
        assertEquals(List.of("--k=20,200", "--temperature=0.07"),
                EvalConfig.fromFile(Path.of("configs/eval/knn.yaml"), knn.getCommandSpec()));
        assertTrue(EvalConfig.fromFile(Path.of("configs/eval/finetune.yaml"), transfer.getCommandSpec())
                .containsAll(List.of("--mode=finetune", "--lr=0.01", "--epochs=30")));
    }

    @Test
    void badInputsFailWithThePathAndTheFix() throws IOException {
        Path missing = out.resolve("nope.safetensors");
        Run r = execute(new LinearProbeCommand(), args("--weights", missing.toString(), "--backbone", "resnet10_cifar"));
        assertEquals(ExitCodes.BAD_INPUT, r.code, r.err);
        assertTrue(r.err.contains(missing.toString()) && r.err.contains("no such file"), r.err);

        r = execute(new KnnCommand(), args("--weights", weights.toString(), "--backbone", "resnet9000", "--k", "3"));
        assertEquals(ExitCodes.BAD_INPUT, r.code, r.err);
        assertTrue(r.err.contains("resnet9000") && r.err.contains("resnet18_cifar"), r.err);

        Path runDir = Files.createDirectories(out.resolve("unfinished"));
        Files.writeString(runDir.resolve("recipe.yaml"), "model:\n  backbone: resnet10_cifar\n");
        r = execute(new TransferCommand(), args("--run", runDir.toString()));
        assertEquals(ExitCodes.BAD_INPUT, r.code, r.err);
        assertTrue(r.err.contains(runDir.toString()) && r.err.contains("backbone.safetensors")
                && r.err.contains("--resume"), r.err);

        r = execute(new LinearProbeCommand(), args("--weights", weights.toString(), "--backbone", "resnet18_cifar"));
        assertEquals(ExitCodes.BAD_INPUT, r.code, r.err);
        assertTrue(r.err.contains("--base-width"), r.err); // shapes do not fit: the hint names the option

        Path yaml = Files.writeString(out.resolve("bad.yaml"), "epochz: 3\n");
        r = execute(new LinearProbeCommand(), args("--config", yaml.toString(), "--baseline", "raw-pixels"));
        assertEquals(ExitCodes.BAD_INPUT, r.code, r.err);
        assertTrue(r.err.contains("epochz") && r.err.contains(yaml.toString()) && r.err.contains("epochs"), r.err);

        r = execute(new LinearProbeCommand(), args("--baseline", "raw-pixels", "--protocol", "moco", "--lr", "1"));
        assertEquals(ExitCodes.BAD_INPUT, r.code, r.err);
        assertTrue(r.err.contains("--protocol custom"), r.err);
    }

    static Path writeFolder(Path root, SyntheticShapes shapes) throws IOException {
        for (int i = 0; i < shapes.size(); i++) {
            Path classDir = Files.createDirectories(root.resolve("class" + shapes.label(i)));
            var img = shapes.decode(i);
            BufferedImage png = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.height(); y++) {
                for (int x = 0; x < img.width(); x++) {
                    png.setRGB(x, y, (img.get(x, y, 0) << 16) | (img.get(x, y, 1) << 8) | img.get(x, y, 2));
                }
            }
            ImageIO.write(png, "png", classDir.resolve("img" + i + ".png").toFile());
        }
        return root;
    }
}
