package dev.selfsup.run;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.config.Recipe;
import dev.selfsup.config.RecipeDiff;
import dev.selfsup.config.RecipeLoader;
import dev.selfsup.config.YamlWriter;
import dev.selfsup.engine.Precision;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.Weights;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A run folder: the one place that names its files, checks what a folder holds and reads a run's
 * backbone back.
 *
 * <pre>
 * DIR/recipe.yaml               the resolved recipe, every key explicit
 * DIR/metrics.jsonl             one JSON object per logged step, epoch and observation
 * DIR/checkpoints/latest.ckpt   the latest checkpoint (epoch_NNNN.ckpt beside it every N epochs)
 * DIR/backbone.safetensors      the trained backbone, written when training ends
 * DIR/*.png                     plots: the folder itself is the plot folder
 * DIR/results.json              an evaluation's results (in any evaluation output folder)
 * DIR/feature-cache/            an evaluation's cached features
 * </pre>
 *
 * <p>The trainer writes metrics, checkpoints, plots and the backbone where this type says; {@link
 * Pretraining} hands it the paths.
 */
public final class RunFolder {
    private final Path dir;

    private RunFolder(Path dir) {
        this.dir = Objects.requireNonNull(dir, "dir");
    }

    /**
     * The run folder at a path (which need not exist yet).
     *
     * @param dir the folder
     * @return its layout
     */
    public static RunFolder of(Path dir) {
        return new RunFolder(dir);
    }

    /**
     * The folder.
     *
     * @return its path
     */
    public Path dir() {
        return dir;
    }

    /**
     * The resolved recipe the run trains.
     *
     * @return {@code DIR/recipe.yaml}
     */
    public Path recipeFile() {
        return dir.resolve("recipe.yaml");
    }

    /**
     * The metrics log.
     *
     * @return {@code DIR/metrics.jsonl}
     */
    public Path metricsFile() {
        return dir.resolve("metrics.jsonl");
    }

    /**
     * Where checkpoints go.
     *
     * @return {@code DIR/checkpoints}
     */
    public Path checkpointDir() {
        return dir.resolve("checkpoints");
    }

    /**
     * The checkpoint a resume starts from.
     *
     * @return {@code DIR/checkpoints/latest.ckpt}
     */
    public Path latestCheckpoint() {
        return checkpointDir().resolve("latest.ckpt");
    }

    /**
     * The numbered copy of the latest checkpoint kept every N epochs.
     *
     * @param epochs completed epochs
     * @return {@code DIR/checkpoints/epoch_NNNN.ckpt}
     */
    public Path epochCheckpoint(int epochs) {
        return checkpointDir().resolve(String.format(Locale.ROOT, "epoch_%04d.ckpt", epochs));
    }

    /**
     * The exported backbone weights (torchvision / timm names).
     *
     * @return {@code DIR/backbone.safetensors}
     */
    public Path backboneFile() {
        return dir.resolve("backbone.safetensors");
    }

    /**
     * A plot's file.
     *
     * @param chart the chart's name, e.g. {@code loss}
     * @return {@code DIR/<chart>.png}
     */
    public Path plotFile(String chart) {
        return dir.resolve(chart + ".png");
    }

    /**
     * An evaluation's results.
     *
     * @return {@code DIR/results.json}
     */
    public Path resultsFile() {
        return dir.resolve("results.json");
    }

    /**
     * An evaluation's feature cache.
     *
     * @return {@code DIR/feature-cache}
     */
    public Path featureCacheDir() {
        return dir.resolve("feature-cache");
    }

    /**
     * Whether a run has started here: a checkpoint or a metrics log exists.
     *
     * @return true if training wrote here before
     */
    public boolean holdsRun() {
        return Files.exists(latestCheckpoint()) || Files.exists(metricsFile());
    }

    /**
     * Checks that a new run may start here.
     *
     * @throws IllegalArgumentException if the folder already holds a run
     */
    public void checkFresh() {
        if (holdsRun()) {
            throw new IllegalArgumentException(
                    "run folder "
                            + dir
                            + " already holds a run ("
                            + dir.relativize(
                                    Files.exists(latestCheckpoint())
                                            ? latestCheckpoint()
                                            : metricsFile())
                            + "); continue it with"
                            + " --resume "
                            + dir
                            + " or choose another --out");
        }
    }

    /**
     * Checks that the run here can be continued: it has its recipe and a checkpoint.
     *
     * @throws IllegalArgumentException naming the missing file
     */
    public void checkResumable() {
        checkRecipe();
        if (!Files.isRegularFile(latestCheckpoint())) {
            throw new IllegalArgumentException(
                    "--resume "
                            + dir
                            + ": no "
                            + dir.relativize(latestCheckpoint())
                            + " yet (none is written before the first epoch ends or the run is stopped); start afresh with"
                            + " --config and --out");
        }
    }

    private void checkRecipe() {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(
                    dir + " is not a folder; give a pretraining run folder");
        }
        if (!Files.isRegularFile(recipeFile())) {
            throw new IllegalArgumentException(
                    dir
                            + " has no "
                            + dir.relativize(recipeFile())
                            + "; is it a"
                            + " pretraining run folder? (a run folder holds recipe.yaml, metrics.jsonl, checkpoints/)");
        }
    }

    /**
     * The run's recipe with overrides applied.
     *
     * @param overrides {@code key=value} strings ({@code --set}), applied in order
     * @return the recipe
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if this is not a run folder or the recipe is invalid
     */
    public Recipe recipe(List<String> overrides) throws IOException {
        checkRecipe();
        return RecipeLoader.load(recipeFile().toString(), overrides);
    }

    /**
     * Checks that a recipe given beside {@code --resume} is the one this run trains, so a resume
     * never trains one recipe while the folder records another. The name is not compared (it only
     * names the run).
     *
     * @param given the recipe given, with the same overrides as {@code resumed}
     * @param resumed this run's recipe with the overrides ({@link #recipe(List)})
     * @param source what gave {@code given}, for the message (e.g. {@code --config my.yaml})
     * @throws IllegalArgumentException listing the keys that differ
     */
    public void checkSameRecipe(Recipe given, Recipe resumed, String source) {
        List<String> differences =
                RecipeDiff.differences(resumed, given).stream()
                        .filter(d -> !d.startsWith("name:"))
                        .toList();
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException(
                    source
                            + " is not the recipe of the run in "
                            + dir
                            + " ("
                            + recipeFile().getFileName()
                            + " → "
                            + source
                            + "): "
                            + String.join("; ", differences)
                            + ". To continue the run drop "
                            + source
                            + " (change keys with --set); to train the other recipe"
                            + " start a new run with --out");
        }
    }

    /**
     * Writes the resolved recipe (every key explicit) as {@code recipe.yaml}, creating the folder.
     *
     * @param recipe the recipe the run trains
     * @throws IOException if it cannot be written
     */
    public void writeRecipe(Recipe recipe) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(recipeFile(), YamlWriter.write(recipe), StandardCharsets.UTF_8);
    }

    /**
     * Builds the run's backbone from its recipe and loads {@code backbone.safetensors} into it
     * (strictly: every tensor must match).
     *
     * @param manager where the parameters live
     * @param inputSize side of the images the backbone is initialised for
     * @return the trained backbone
     * @throws IOException if a file cannot be read
     * @throws IllegalArgumentException if this is not a finished run or the weights do not fit the
     *     recipe
     */
    public Backbone loadBackbone(NDManager manager, int inputSize) throws IOException {
        checkRecipe();
        if (!Files.isRegularFile(backboneFile())) {
            throw new IllegalArgumentException(
                    dir
                            + " has no "
                            + dir.relativize(backboneFile())
                            + " (written when"
                            + " pretraining ends): finish the run with 'selfsup pretrain --resume "
                            + dir
                            + "'");
        }
        Recipe recipe = recipe(List.of());
        Backbone net = Pretraining.backbone(recipe.model());
        net.initialize(
                manager, Precision.DEFAULT.parameterType(), new Shape(1, 3, inputSize, inputSize));
        try {
            Weights.load(net, backboneFile());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    e.getMessage()
                            + " — "
                            + backboneFile()
                            + " does not fit the model"
                            + " section of "
                            + recipeFile(),
                    e);
        }
        return net;
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
