package dev.selfsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfsup.eval.Results;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Evaluation config files: options from a file under the command line, and the shipped files. */
class EvalConfigTest extends EvalCommandFixture {
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
}
