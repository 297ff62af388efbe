package dev.selfsup.cli;

import ai.djl.Device;
import dev.selfsup.config.Recipe;
import dev.selfsup.config.RecipeLoader;
import dev.selfsup.run.Pretraining;
import dev.selfsup.train.Progress;
import dev.selfsup.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code selfsup pretrain}: trains a recipe into a run folder, or resumes one. */
@Command(
        name = "pretrain",
        mixinStandardHelpOptions = true,
        description = {
            "Pretrain a backbone with a recipe (a YAML file or a bundled recipe name).",
            "The run folder gets recipe.yaml, metrics.jsonl, checkpoints/, plots and backbone.safetensors."
        })
final class PretrainCommand implements Callable<Integer> {
    @Mixin EngineOptions engine;

    @Option(names = "--config", description = "recipe file or bundled recipe name (see configs/)")
    String config;

    @Option(names = "--set", description = "override a recipe key, e.g. --set data.batch_size=128 (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", description = "continue the run in this folder from its latest checkpoint")
    Path resume;

    @Option(names = "--out", description = "run folder (default: runs/<recipe>-<timestamp>)")
    Path out;

    @Override
    public Integer call() throws IOException {
        Recipe recipe;
        Path runDir;
        if (resume != null) {
            Path saved = resume.resolve("recipe.yaml");
            if (!Files.isRegularFile(saved)) {
                throw new IllegalArgumentException("--resume " + resume + ": no recipe.yaml there; is it a run folder?");
            }
            if (!Files.isRegularFile(Pretraining.latestCheckpoint(resume))) {
                throw new IllegalArgumentException("--resume " + resume + ": no checkpoints/latest.ckpt yet; start afresh");
            }
            recipe = RecipeLoader.load(config != null ? config : saved.toString(), withSeed(overrides));
            runDir = resume;
        } else {
            if (config == null) {
                throw new IllegalArgumentException("--config is required (a recipe file or one of " + RecipeLoader.bundled() + ")");
            }
            recipe = RecipeLoader.load(config, withSeed(overrides));
            runDir = out != null ? out : Path.of("runs", recipe.name() + "-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        }
        Device device = engine.boot(recipe.seed());
        Trainer.Result r = Pretraining.run(recipe, runDir, device, resume != null, Progress.forConsole(recipe.train().logEverySteps()));
        System.out.printf("%s: %d iterations, last loss %.4f%s%n  run folder: %s%n",
                recipe.name(), r.iterations(), r.lastLoss(), r.interrupted() ? " (interrupted; --resume to continue)" : "",
                runDir.toAbsolutePath());
        return r.interrupted() ? 130 : 0;
    }

    /** --seed is a shorthand for --set seed=N, so the run folder's recipe records it. */
    private List<String> withSeed(List<String> sets) {
        List<String> all = new ArrayList<>(sets);
        if (engine.seed != null) {
            all.add("seed=" + engine.seed);
        }
        return all;
    }
}
