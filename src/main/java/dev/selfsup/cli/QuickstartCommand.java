package dev.selfsup.cli;

import ai.djl.Device;
import dev.selfsup.config.Recipe;
import dev.selfsup.config.RecipeLoader;
import dev.selfsup.run.Quickstart;
import dev.selfsup.train.Progress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code selfsup quickstart}: a real pretraining + evaluation on the embedded Fashion-MNIST subset.
 */
@Command(
        name = "quickstart",
        mixinStandardHelpOptions = true,
        description = {
            "Pretrain on the Fashion-MNIST subset inside the jar (CPU-sized), then compare kNN and a linear",
            "probe on its test split: pretrained vs the same backbone randomly initialised vs raw pixels.",
            "Writes OUT/quickstart.json and the run folder OUT/pretrain."
        })
final class QuickstartCommand implements Callable<Integer> {
    @Mixin EngineOptions engine;

    @Option(
            names = "--out",
            defaultValue = "runs/quickstart",
            description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(
            names = "--config",
            defaultValue = "quickstart_fashionmnist",
            description = "recipe (default: the bundled ${DEFAULT-VALUE})")
    String config;

    @Option(
            names = "--set",
            description = "override a recipe key, e.g. --set train.epochs=2 (repeatable)")
    List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        List<String> sets = new ArrayList<>(overrides);
        if (engine.seed != null) {
            sets.add("seed=" + engine.seed);
        }
        Recipe recipe = RecipeLoader.load(config, sets);
        Device device = engine.boot(recipe.seed());
        Quickstart.run(
                recipe,
                out,
                device,
                Progress.forConsole(recipe.train().logEverySteps()),
                System.out);
        System.out.println("wrote " + Quickstart.resultFile(out).toAbsolutePath());
        return 0;
    }
}
