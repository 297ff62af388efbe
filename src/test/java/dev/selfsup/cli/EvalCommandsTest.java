package dev.selfsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.data.ImageFolder;
import dev.selfsup.data.SyntheticShapes;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.eval.DatasetFeatureSource;
import dev.selfsup.eval.FeatureExtractor;
import dev.selfsup.eval.Features;
import dev.selfsup.eval.Fingerprint;
import dev.selfsup.eval.Knn;
import dev.selfsup.eval.Readout;
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
import java.util.Map;
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

    @Test
    void linearProbeWritesEveryField() throws IOException {
        Run run =
                execute(
                        new LinearProbeCommand(),
                        args(
                                "--weights",
                                weights.toString(),
                                "--backbone",
                                "resnet10_cifar",
                                "--base-width",
                                "4",
                                "--protocol",
                                "custom",
                                "--lr",
                                "0.1",
                                "--epochs",
                                "3",
                                "--batch",
                                "8"));
        assertEquals(0, run.code, run.err);
        Results r = Results.read(out.resolve("results.json"));
        assertComplete(r, "linear_top1", "linear/custom");
        assertEquals(0.1, ((Number) r.protocol().hyperParameters().get("lr")).doubleValue());
        assertEquals(3, ((Number) r.protocol().hyperParameters().get("epochs")).intValue());
        assertEquals(
                "cached (extracted once)", r.protocol().hyperParameters().get("train_features"));
        assertTrue(
                r.protocol()
                        .hyperParameters()
                        .get("test_transform")
                        .toString()
                        .contains("ResizeCenterCrop"));
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
        Files.writeString(
                runDir.resolve("recipe.yaml"),
                "model:\n  backbone: resnet10_cifar\n  base_width: 4\n");
        Files.copy(weights, runDir.resolve("backbone.safetensors"));
        Run run =
                execute(
                        new LinearProbeCommand(),
                        List.of(
                                "--threads",
                                "1",
                                "--run",
                                runDir.toString(),
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
                                "--protocol",
                                "swav",
                                "--epochs",
                                "2",
                                "--batch",
                                "8",
                                "--augment"));
        assertEquals(0, run.code, run.err);
        Results r = Results.read(runDir.resolve("results.json")); // default --out: the run folder
        assertEquals("linear/swav", r.protocol().name());
        assertEquals(0.3, ((Number) r.protocol().hyperParameters().get("lr")).doubleValue());
        assertEquals(
                "online, frozen backbone in eval mode",
                r.protocol().hyperParameters().get("train_features"));
        assertTrue(
                r.protocol()
                        .hyperParameters()
                        .get("train_transform")
                        .toString()
                        .contains("RandomResizedCrop"));
        assertEquals(runDir.resolve("backbone.safetensors").toString(), r.weights().path());
        assertEquals(2, r.lastEpoch());
    }

    /** The command's numbers are Knn.evaluate's on features extracted here independently. */
    @Test
    void knnWritesOneRecordPerKWithTheLibrarysScores() throws IOException {
        Run run =
                execute(
                        new KnnCommand(),
                        args(
                                "--weights",
                                weights.toString(),
                                "--backbone",
                                "resnet10_cifar",
                                "--base-width",
                                "4",
                                "--k",
                                "1,5",
                                "--temperature",
                                "0.1",
                                "--no-cache"));
        assertEquals(0, run.code, run.err);
        List<Results> all = Results.readAll(out.resolve("results.json"));
        assertEquals(2, all.size());
        List<Knn.Score> expected;
        try (NDManager m = NDManager.newBaseManager()) {
            Backbone b = tiny();
            b.initialize(m, DataType.FLOAT32, new Shape(1, 3, 16, 16));
            Weights.load(b, weights);
            try (DatasetFeatureSource tr =
                            DatasetFeatureSource.builder(
                                            ImageFolder.builder().setRoot(trainDir).build())
                                    .setTransform(MultiCrop.evaluation(16))
                                    .build();
                    DatasetFeatureSource te =
                            DatasetFeatureSource.builder(
                                            ImageFolder.builder().setRoot(testDir).build())
                                    .setTransform(MultiCrop.evaluation(16))
                                    .build();
                    Features ftr = FeatureExtractor.extract(b, tr, 5, m);
                    Features fte = FeatureExtractor.extract(b, te, 5, m)) {
                expected =
                        Knn.evaluate(
                                ftr.features(),
                                ftr.labels(),
                                fte.features(),
                                fte.labels(),
                                new int[] {1, 5},
                                0.1,
                                3);
            }
        }
        for (int i = 0; i < 2; i++) {
            Results r = all.get(i);
            assertComplete(r, "knn_top1", "knn");
            assertEquals(
                    expected.get(i).k(),
                    ((Number) r.protocol().hyperParameters().get("k")).intValue());
            assertEquals(
                    0.1,
                    ((Number) r.protocol().hyperParameters().get("temperature")).doubleValue());
            assertEquals(expected.get(i).top1(), r.top1(), 1e-9);
            assertEquals(expected.get(i).top5(), r.top5(), 1e-9);
        }
        assertTrue(
                Files.notExists(out.resolve("feature-cache")),
                "--no-cache must not write the cache");
    }

    @Test
    void knnOnAReadoutGridScoresTheGridFeaturesAndRecordsTheReadout() throws IOException {
        Run run =
                execute(
                        new KnnCommand(),
                        args(
                                "--weights",
                                weights.toString(),
                                "--backbone",
                                "resnet10_cifar",
                                "--base-width",
                                "4",
                                "--k",
                                "3",
                                "--readout-grid",
                                "2",
                                "--no-cache"));
        assertEquals(0, run.code, run.err);
        Results r = Results.readAll(out.resolve("results.json")).get(0);
        assertEquals(
                "average pool to 2x2 grid of the last feature map, flattened",
                r.protocol().hyperParameters().get("readout"));
        try (NDManager m = NDManager.newBaseManager()) {
            Backbone b = tiny();
            b.initialize(m, DataType.FLOAT32, new Shape(1, 3, 16, 16));
            Weights.load(b, weights);
            Block grid = Readout.of(b, 2);
            try (DatasetFeatureSource tr =
                            DatasetFeatureSource.builder(
                                            ImageFolder.builder().setRoot(trainDir).build())
                                    .setTransform(MultiCrop.evaluation(16))
                                    .build();
                    DatasetFeatureSource te =
                            DatasetFeatureSource.builder(
                                            ImageFolder.builder().setRoot(testDir).build())
                                    .setTransform(MultiCrop.evaluation(16))
                                    .build();
                    Features ftr = FeatureExtractor.extract(grid, tr, 5, m);
                    Features fte = FeatureExtractor.extract(grid, te, 5, m)) {
                assertEquals(
                        4L * b.featureDim(),
                        ftr.features().getShape().get(1),
                        "2x2 cells of every channel");
                Knn.Score expected =
                        Knn.evaluate(
                                        ftr.features(),
                                        ftr.labels(),
                                        fte.features(),
                                        fte.labels(),
                                        new int[] {3},
                                        0.07,
                                        3)
                                .get(0);
                assertEquals(expected.top1(), r.top1(), 1e-9);
                assertEquals(expected.top5(), r.top5(), 1e-9);
            }
        }
    }

    @Test
    void transferFineTuneAndLinear() throws IOException {
        String hash = Fingerprint.ofFile(weights);
        Run run =
                execute(
                        new TransferCommand(),
                        args(
                                "--weights",
                                weights.toString(),
                                "--backbone",
                                "resnet10_cifar",
                                "--base-width",
                                "4",
                                "--mode",
                                "finetune",
                                "--lr",
                                "0.05",
                                "--epochs",
                                "2",
                                "--batch",
                                "6"));
        assertEquals(0, run.code, run.err);
        Results r = Results.read(out.resolve("results.json"));
        assertComplete(r, "finetune_top1", "finetune/custom");
        assertEquals(2, r.lastEpoch());
        assertEquals(6, ((Number) r.protocol().hyperParameters().get("batch_size")).intValue());
        assertEquals(hash, Fingerprint.ofFile(weights), "the weights file is read, never written");

        run =
                execute(
                        new TransferCommand(),
                        args(
                                "--weights",
                                weights.toString(),
                                "--backbone",
                                "resnet10_cifar",
                                "--base-width",
                                "4",
                                "--mode",
                                "linear",
                                "--protocol",
                                "custom",
                                "--lr",
                                "0.1",
                                "--epochs",
                                "2",
                                "--batch",
                                "8"));
        assertEquals(0, run.code, run.err);
        assertComplete(Results.read(out.resolve("results.json")), "linear_top1", "linear/custom");
    }

    @Test
    void configFileSuppliesOptionsAndTheCommandLineWins() throws IOException {
        Path yaml =
                Files.writeString(
                        out.resolve("probe.yaml"),
                        String.join(
                                "\n",
                                "protocol: custom",
                                "lr: 0.2",
                                "epochs: 4",
                                "batch: 8",
                                "bn: true",
                                "dataset: image_folder",
                                "train: " + trainDir,
                                "test: " + testDir,
                                "size: 16",
                                "extract_batch: 8",
                                "workers: 1",
                                ""));
        Run run =
                execute(
                        new LinearProbeCommand(),
                        List.of(
                                "--threads",
                                "1",
                                "--config",
                                yaml.toString(),
                                "--weights",
                                weights.toString(),
                                "--backbone",
                                "resnet10_cifar",
                                "--base-width",
                                "4",
                                "--epochs",
                                "2",
                                "--out",
                                out.toString()));
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
        assertTrue(
                EvalConfig.fromFile(
                                Path.of("configs/eval/linear_moco.yaml"), probe.getCommandSpec())
                        .containsAll(List.of("--protocol=moco", "--augment=true")));
        assertTrue(
                EvalConfig.fromFile(
                                Path.of("configs/eval/linear_swav.yaml"), probe.getCommandSpec())
                        .contains("--protocol=swav"));
        assertEquals(
                List.of("--k=20,200", "--temperature=0.07"),
                EvalConfig.fromFile(Path.of("configs/eval/knn.yaml"), knn.getCommandSpec()));
        assertTrue(
                EvalConfig.fromFile(
                                Path.of("configs/eval/finetune.yaml"), transfer.getCommandSpec())
                        .containsAll(List.of("--mode=finetune", "--lr=0.01", "--epochs=30")));
        assertTrue(
                EvalConfig.fromFile(
                                Path.of("configs/eval/semisup_1pct.yaml"),
                                transfer.getCommandSpec())
                        .containsAll(
                                List.of(
                                        "--file-list=imagenet_1percent",
                                        "--lr=0.02",
                                        "--head-lr=5",
                                        "--wd=0",
                                        "--epochs=20",
                                        "--milestones=12,16",
                                        "--gamma=0.2",
                                        "--batch=256",
                                        "--momentum=0.9")));
        assertTrue(
                EvalConfig.fromFile(
                                Path.of("configs/eval/semisup_10pct.yaml"),
                                transfer.getCommandSpec())
                        .containsAll(
                                List.of(
                                        "--file-list=imagenet_10percent",
                                        "--lr=0.01",
                                        "--head-lr=0.2")));
        assertTrue(
                EvalConfig.fromFile(
                                Path.of("configs/eval/fashionmnist_linear.yaml"),
                                probe.getCommandSpec())
                        .containsAll(
                                List.of(
                                        "--size=28",
                                        "--readout-grid=4",
                                        "--protocol=custom",
                                        "--lr=0.05",
                                        "--bn=false")));
        assertTrue(
                EvalConfig.fromFile(
                                Path.of("configs/eval/fashionmnist_knn.yaml"), knn.getCommandSpec())
                        .containsAll(List.of("--size=28", "--readout-grid=4", "--k=20,200")));
    }

    @Test
    void badInputsFailWithThePathAndTheFix() throws IOException {
        Path missing = out.resolve("nope.safetensors");
        Run r =
                execute(
                        new LinearProbeCommand(),
                        args("--weights", missing.toString(), "--backbone", "resnet10_cifar"));
        assertEquals(ExitCodes.BAD_INPUT, r.code, r.err);
        assertTrue(r.err.contains(missing.toString()) && r.err.contains("no such file"), r.err);

        r =
                execute(
                        new KnnCommand(),
                        args(
                                "--weights",
                                weights.toString(),
                                "--backbone",
                                "resnet9000",
                                "--k",
                                "3"));
        assertEquals(ExitCodes.BAD_INPUT, r.code, r.err);
        assertTrue(r.err.contains("resnet9000") && r.err.contains("resnet18_cifar"), r.err);

        r =
                execute(
                        new KnnCommand(),
                        args("--baseline", "raw-pixels", "--readout-grid", "2", "--k", "3"));
        assertEquals(ExitCodes.BAD_INPUT, r.code, r.err);
        assertTrue(
                r.err.contains("--readout-grid 2") && r.err.contains("raw pixels have none"),
                r.err);

        Path runDir = Files.createDirectories(out.resolve("unfinished"));
        Files.writeString(runDir.resolve("recipe.yaml"), "model:\n  backbone: resnet10_cifar\n");
        r = execute(new TransferCommand(), args("--run", runDir.toString()));
        assertEquals(ExitCodes.BAD_INPUT, r.code, r.err);
        assertTrue(
                r.err.contains(runDir.toString())
                        && r.err.contains("backbone.safetensors")
                        && r.err.contains("--resume"),
                r.err);

        r =
                execute(
                        new LinearProbeCommand(),
                        args("--weights", weights.toString(), "--backbone", "resnet18_cifar"));
        assertEquals(ExitCodes.BAD_INPUT, r.code, r.err);
        assertTrue(
                r.err.contains("--base-width"),
                r.err); // shapes do not fit: the hint names the option

        Path yaml = Files.writeString(out.resolve("bad.yaml"), "epochz: 3\n");
        r =
                execute(
                        new LinearProbeCommand(),
                        args("--config", yaml.toString(), "--baseline", "raw-pixels"));
        assertEquals(ExitCodes.BAD_INPUT, r.code, r.err);
        assertTrue(
                r.err.contains("epochz")
                        && r.err.contains(yaml.toString())
                        && r.err.contains("epochs"),
                r.err);

        r =
                execute(
                        new LinearProbeCommand(),
                        args("--baseline", "raw-pixels", "--protocol", "moco", "--lr", "1"));
        assertEquals(ExitCodes.BAD_INPUT, r.code, r.err);
        assertTrue(r.err.contains("--protocol custom"), r.err);
    }

    /** --val-fraction holds out training images for every command; results.json names the split. */
    @Test
    void validationSplitAppliesToEveryEvaluationCommandAndIsRecorded() throws IOException {
        String[] model = {
            "--weights", weights.toString(), "--backbone", "resnet10_cifar", "--base-width", "4"
        };
        List<Callable<Integer>> commands =
                List.of(new KnnCommand(), new LinearProbeCommand(), new TransferCommand());
        List<List<String>> extra =
                List.of(
                        List.of("--k", "3", "--no-cache"),
                        List.of(
                                "--protocol",
                                "custom",
                                "--lr",
                                "0.1",
                                "--epochs",
                                "1",
                                "--batch",
                                "8",
                                "--no-cache"),
                        List.of(
                                "--mode",
                                "finetune",
                                "--lr",
                                "0.01",
                                "--epochs",
                                "1",
                                "--batch",
                                "6"));
        for (int c = 0; c < commands.size(); c++) {
            List<String> a = args(model);
            a.addAll(extra.get(c));
            a.addAll(List.of("--val-fraction", "0.25", "--val-seed", "3"));
            Run run = execute(commands.get(c), a);
            assertEquals(0, run.code, commands.get(c).getClass().getSimpleName() + ": " + run.err);
            Results r = Results.readAll(out.resolve("results.json")).get(0);
            assertEquals(Results.Split.validation(0.25, 3), r.split(), r.toJson());
            assertEquals(
                    13,
                    r.dataset().trainSize(),
                    "18 training images minus round(0.25 * 18) = 5 held out");
            assertEquals(
                    5,
                    r.dataset().testSize(),
                    "evaluated on the 5 held-out training images, not the 9 test images");
            assertTrue(r.toJson().contains("\"evaluated_on\": \"validation\""), r.toJson());
        }
        Run run =
                execute(
                        new KnnCommand(),
                        args(
                                "--weights",
                                weights.toString(),
                                "--backbone",
                                "resnet10_cifar",
                                "--base-width",
                                "4",
                                "--k",
                                "3",
                                "--no-cache"));
        assertEquals(0, run.code, run.err);
        Results r = Results.readAll(out.resolve("results.json")).get(0);
        assertEquals(Results.Split.test(), r.split());
        assertEquals(9, r.dataset().testSize());
        assertTrue(!r.toJson().contains("val_fraction"), r.toJson());
    }

    /**
     * The acceptance case of issue 15: ImageNet-style train/val trees, the bundled ImageNet-100
     * class list and SimCLR 1 % file list select 1,278 training images of 100 classes; classes
     * outside the list in the tree are ignored.
     */
    @Test
    void linearProbeOnImagenet100WithTheOnePercentListUses1278TrainingImages() throws IOException {
        Path train = out.resolve("in/train");
        Path val = out.resolve("in/val");
        java.util.Set<String> in100 =
                new java.util.HashSet<>(
                        dev.selfsup.data.SubsetList.bundled("imagenet100").entries());
        int written = 0;
        for (String name : dev.selfsup.data.SubsetList.bundled("imagenet_1percent").entries()) {
            String wnid = name.substring(0, name.indexOf('_'));
            if (in100.contains(wnid)) {
                tinyJpeg(train.resolve(wnid).resolve(name), wnid.hashCode());
                written++;
            }
        }
        assertEquals(1278, written);
        tinyJpeg(
                train.resolve("n01440764/n01440764_10026.JPEG"), 1); // a class outside ImageNet-100
        for (String wnid : in100) {
            tinyJpeg(
                    val.resolve(wnid).resolve("ILSVRC2012_val_" + wnid + ".JPEG"), wnid.hashCode());
        }
        Run run =
                execute(
                        new LinearProbeCommand(),
                        List.of(
                                "--threads",
                                "1",
                                "--baseline",
                                "raw-pixels",
                                "--dataset",
                                "image_folder",
                                "--train",
                                train.toString(),
                                "--test",
                                val.toString(),
                                "--class-list",
                                "imagenet100",
                                "--file-list",
                                "imagenet_1percent",
                                "--size",
                                "8",
                                "--workers",
                                "1",
                                "--protocol",
                                "custom",
                                "--lr",
                                "0.1",
                                "--epochs",
                                "1",
                                "--no-cache",
                                "--out",
                                out.toString()));
        assertEquals(0, run.code, run.err);
        Results r = Results.read(out.resolve("results.json"));
        assertEquals(1278, r.dataset().trainSize());
        assertEquals(100, r.dataset().testSize());
        assertEquals(100, r.dataset().numClasses());
        assertTrue(
                r.dataset().name().contains("class-list=imagenet100 file-list=imagenet_1percent"),
                r.dataset().name());
        assertEquals(Results.Split.test(), r.split());
    }

    /** Both semi-supervised presets run (shortened) and record the per-group learning rates. */
    @Test
    void semisupPresetsFineTuneWithPerGroupLearningRates() throws IOException {
        List<String> wnids =
                dev.selfsup.data.SubsetList.bundled("imagenet100").entries().subList(0, 2);
        Path classes = Files.writeString(out.resolve("two.txt"), String.join("\n", wnids) + "\n");
        for (String preset : List.of("1pct", "10pct")) {
            Path train = out.resolve(preset + "/train");
            Path val = out.resolve(preset + "/val");
            int n = 0;
            String list = preset.equals("1pct") ? "imagenet_1percent" : "imagenet_10percent";
            for (String name : dev.selfsup.data.SubsetList.bundled(list).entries()) {
                String wnid = name.substring(0, name.indexOf('_'));
                if (wnids.contains(wnid)) {
                    tinyJpeg(train.resolve(wnid).resolve(name), wnids.indexOf(wnid) * 97 + n++);
                }
            }
            for (String wnid : wnids) {
                tinyJpeg(
                        val.resolve(wnid).resolve("v_" + wnid + ".JPEG"), wnids.indexOf(wnid) * 97);
            }
            Run run =
                    execute(
                            new TransferCommand(),
                            List.of(
                                    "--threads",
                                    "1",
                                    "--config",
                                    "configs/eval/semisup_" + preset + ".yaml",
                                    "--weights",
                                    weights.toString(),
                                    "--backbone",
                                    "resnet10_cifar",
                                    "--base-width",
                                    "4",
                                    "--train",
                                    train.toString(),
                                    "--test",
                                    val.toString(),
                                    "--class-list",
                                    classes.toString(),
                                    "--size",
                                    "16",
                                    "--workers",
                                    "1",
                                    "--epochs",
                                    "1",
                                    "--batch",
                                    "16",
                                    "--out",
                                    out.toString()));
            assertEquals(0, run.code, preset + ": " + run.err);
            Results r = Results.read(out.resolve("results.json"));
            Map<String, Object> hp = r.protocol().hyperParameters();
            double trunk = preset.equals("1pct") ? 0.02 : 0.01;
            double head = preset.equals("1pct") ? 5 : 0.2;
            assertEquals("finetune_top1", r.metric());
            assertEquals(n, r.dataset().trainSize());
            assertTrue(r.dataset().name().contains("file-list=" + list), r.dataset().name());
            assertEquals(trunk, ((Number) hp.get("lr")).doubleValue());
            assertEquals(head, ((Number) hp.get("head_lr")).doubleValue());
            assertEquals(
                    "[{name=backbone, lr=" + trunk + "}, {name=classifier, lr=" + head + "}]",
                    hp.get("param_groups").toString());
            assertEquals("step", hp.get("schedule"));
            assertEquals(0.2, ((Number) hp.get("gamma")).doubleValue());
            assertEquals(0.0, ((Number) hp.get("weight_decay")).doubleValue());
            assertEquals(0.9, ((Number) hp.get("momentum")).doubleValue());
        }
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
