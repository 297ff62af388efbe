package dev.selfsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfsup.eval.Fingerprint;
import dev.selfsup.eval.Results;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The transfer command end to end on a tiny image folder with a tiny backbone: fine-tuning, a
 * linear head, and the semi-supervised presets.
 */
class TransferCommandTest extends EvalCommandFixture {
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
}
