package dev.selfsup.cli;

import ai.djl.Device;
import dev.selfsup.config.Recipe;
import dev.selfsup.config.RecipeDiff;
import dev.selfsup.config.RecipeLoader;
import dev.selfsup.run.Pretraining;
import dev.selfsup.run.RunFolder;
import dev.selfsup.train.Progress;
import dev.selfsup.train.Trainer;
import java.io.IOException;
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
            "The run folder gets recipe.yaml, metrics.jsonl, checkpoints/, plots and backbone.safetensors.",
            "--resume DIR continues DIR's recipe.yaml; --set changes keys of it (recipe.yaml is rewritten to the"
                    + " recipe the run continues with) and --config, if given, must resolve to that same recipe."
        })
final class PretrainCommand implements Callable<Integer> {
    @Mixin EngineOptions engine;

    @Option(
            names = "--config",
            description =
                    "recipe file (a path) or bundled recipe name without .yaml (see configs/)")
    String config;

    @Option(
            names = "--set",
            description = "override a recipe key, e.g. --set data.batch_size=128 (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Option(
            names = "--resume",
            description = "continue the run in this folder from its latest checkpoint")
    Path resume;

    @Option(names = "--out", description = "run folder (default: runs/<recipe>-<timestamp>)")
    Path out;

    @Override
    public Integer call() throws IOException {
        Recipe recipe;
        Path runDir;
        if (resume != null) {
            if (out != null) {
                throw new IllegalArgumentException(
                        "--out "
                                + out
                                + " names a new run's folder; --resume "
                                + resume
                                + " continues in its own: drop one");
            }
            RunFolder folder = RunFolder.of(resume);
            folder.checkResumable();
            recipe = folder.recipe(withSeed(overrides));
            if (config != null) {
                folder.checkSameRecipe(
                        RecipeLoader.load(config, withSeed(overrides)),
                        recipe,
                        "--config " + config);
            }
            for (String change : RecipeDiff.differences(folder.recipe(List.of()), recipe)) {
                System.out.println("resuming with " + change);
            }
            runDir = resume;
        } else {
            if (config == null) {
                throw new IllegalArgumentException(
                        "--config is required (a recipe file or one of "
                                + RecipeLoader.bundled()
                                + ")");
            }
            recipe = RecipeLoader.load(config, withSeed(overrides));
            runDir =
                    out != null
                            ? out
                            : Path.of(
                                    "runs",
                                    recipe.name()
                                            + "-"
                                            + LocalDateTime.now()
                                                    .format(
                                                            DateTimeFormatter.ofPattern(
                                                                    "yyyyMMdd-HHmmss")));
        }
        Device device = engine.boot(recipe.seed());
        Trainer.Result r =
                Pretraining.run(
                        recipe,
                        runDir,
                        device,
                        resume != null,
                        Progress.forConsole(recipe.train().logEverySteps()));
        System.out.printf(
                "%s: %d iterations, last loss %.4f%s%n  run folder: %s%n",
                recipe.name(),
                r.iterations(),
                r.lastLoss(),
                r.interrupted() ? " (interrupted; --resume to continue)" : "",
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
