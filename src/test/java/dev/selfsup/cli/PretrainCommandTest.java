package dev.selfsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.selfsup.run.RunFolder;
import dev.selfsup.train.Checkpoint;
import dev.selfsup.train.MetricsLog;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainCommandTest {
    @TempDir Path dir;

    static final String TINY =
            "method: simclr\nseed: 2\n"
                    + "data: {dataset: synthetic, batch_size: 8, workers: 1, synthetic_images: 64, synthetic_classes: 4, synthetic_resolution: 20}\n"
                    + "augment: {preset: simclr, crops: [{count: 2, size: 16, scale_min: 0.3, scale_max: 1.0}]}\n"
                    + "model: {backbone: resnet10_cifar, base_width: 4, head_hidden_dims: [16], head_output_dim: 8}\n"
                    + "optimizer: {name: sgd, base_lr: 0.05, lr_scaling: none}\n";

    @Test
    void sigtermWritesACheckpointAndResumeContinuesTheCurve() throws Exception {
        Path recipe = dir.resolve("tiny.yaml");
        Files.writeString(
                recipe,
                TINY
                        + "train: {epochs: 1000, log_every_steps: 1, checkpoint_every_epochs: 1000}\n");
        Path run = dir.resolve("run");
        Process p =
                new ProcessBuilder(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                "-Dai.djl.offline=true",
                                "dev.selfsup.cli.Main",
                                "pretrain",
                                "--config",
                                recipe.toString(),
                                "--out",
                                run.toString(),
                                "--threads",
                                "1")
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("log.txt").toFile())
                        .start();
        Path metrics = run.resolve("metrics.jsonl");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline
                && (!Files.exists(metrics) || Files.readAllLines(metrics).size() < 3)) {
            Thread.sleep(200);
        }
        assertTrue(
                Files.exists(metrics),
                "training never started: " + Files.readString(dir.resolve("log.txt")));
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "process did not exit after SIGTERM");
        Path latest = RunFolder.of(run).latestCheckpoint();
        assertTrue(
                Files.exists(latest),
                "no checkpoint after SIGTERM: " + Files.readString(dir.resolve("log.txt")));
        long iteration;
        try (NDManager m = NDManager.newBaseManager()) {
            iteration = Checkpoint.read(latest, m).metadata().get("iteration").getAsLong();
        }
        assertTrue(iteration >= 3, "checkpoint at iteration " + iteration);

        // resume with the run folder only; stop after two more epochs' worth via --set
        int code =
                Main.commandLine()
                        .execute(
                                "pretrain",
                                "--resume",
                                run.toString(),
                                "--threads",
                                "1",
                                "--set",
                                "train.epochs=" + (iteration / 8 + 2));
        assertEquals(0, code);
        List<Long> steps =
                MetricsLog.read(metrics).stream()
                        .filter(o -> o.get("kind").getAsString().equals("step"))
                        .map(o -> o.get("step").getAsLong())
                        .toList();
        for (int i = 0; i < steps.size(); i++) {
            assertEquals(i, steps.get(i), "one continuous curve: " + steps);
        }
        assertTrue(steps.size() > iteration, steps.toString());
        assertTrue(Files.exists(run.resolve("backbone.safetensors")));
    }

    @Test
    void unknownRecipeKeyFailsWithFileLineAndExitCode() throws IOException {
        Path recipe = dir.resolve("bad.yaml");
        Files.writeString(recipe, "method: simclr\ntrain:\n  epocs: 3\n");
        java.io.StringWriter err = new java.io.StringWriter();
        var cl = Main.commandLine();
        cl.setErr(new java.io.PrintWriter(err));
        int code =
                cl.execute(
                        "pretrain",
                        "--config",
                        recipe.toString(),
                        "--out",
                        dir.resolve("x").toString());
        assertEquals(ExitCodes.BAD_INPUT, code);
        assertTrue(
                err.toString().contains(recipe + ":3") && err.toString().contains("train.epocs"),
                err.toString());
        assertTrue(
                !new File(dir.resolve("x").toString()).exists(), "no run folder for a bad recipe");
    }

    @Test
    void aMissingConfigPathIsAnErrorNamingItAndHowBundledRecipesAreNamed() {
        Path missing = dir.resolve("fashionmnist_1h.yaml"); // a bundled recipe has this file name
        java.io.StringWriter err = new java.io.StringWriter();
        var cl = Main.commandLine();
        cl.setErr(new java.io.PrintWriter(err));
        int code =
                cl.execute(
                        "pretrain",
                        "--config",
                        missing.toString(),
                        "--out",
                        dir.resolve("x").toString());
        assertEquals(ExitCodes.IO, code);
        assertTrue(
                err.toString().contains(missing.toString())
                        && err.toString().contains("without folder and .yaml")
                        && err.toString().contains("'fashionmnist_1h'"),
                err.toString());
        assertTrue(!Files.exists(dir.resolve("x")), "nothing trained");
    }

    @Test
    void resumeRefusesAnotherRecipeNamingTheKeysAndAnOutFolder() throws IOException {
        RunFolder run = RunFolder.of(dir.resolve("run"));
        run.writeRecipe(dev.selfsup.config.RecipeLoader.parse(TINY, "tiny.yaml"));
        Files.createDirectories(run.checkpointDir());
        Files.writeString(run.latestCheckpoint(), ""); // never read: the checks come first
        String before = Files.readString(run.recipeFile());
        Path other = dir.resolve("other.yaml");
        Files.writeString(other, TINY.replace("base_lr: 0.05", "base_lr: 0.1"));
        java.io.StringWriter err = new java.io.StringWriter();
        var cl = Main.commandLine();
        cl.setErr(new java.io.PrintWriter(err));
        int code =
                cl.execute(
                        "pretrain", "--resume", run.dir().toString(), "--config", other.toString());
        assertEquals(ExitCodes.BAD_INPUT, code);
        assertTrue(
                err.toString().contains("optimizer.base_lr: 0.05 → 0.1")
                        && err.toString().contains("--config " + other),
                err.toString());
        code =
                cl.execute(
                        "pretrain",
                        "--resume",
                        run.dir().toString(),
                        "--out",
                        dir.resolve("elsewhere").toString());
        assertEquals(ExitCodes.BAD_INPUT, code);
        assertTrue(err.toString().contains("--out"), err.toString());
        assertEquals(before, Files.readString(run.recipeFile()), "recipe.yaml untouched");
    }
}
