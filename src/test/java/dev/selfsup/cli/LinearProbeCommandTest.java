package dev.selfsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfsup.eval.Results;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The linear-probe command end to end on a tiny image folder with a tiny backbone, and on
 * ImageNet-100 selected by the bundled subset lists.
 */
class LinearProbeCommandTest extends EvalCommandFixture {
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

    /**
     * The ImageNet subset protocol end to end: ImageNet-style train/val trees, the bundled
     * ImageNet-100 class list and SimCLR 1 % file list select 1,278 training images of 100 classes;
     * classes outside the list in the tree are ignored.
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
}
