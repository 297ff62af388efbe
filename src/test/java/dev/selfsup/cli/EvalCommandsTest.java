package dev.selfsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfsup.eval.Results;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * What every evaluation command shares: bad inputs named with their fix, and the validation split.
 */
class EvalCommandsTest extends EvalCommandFixture {
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
}
