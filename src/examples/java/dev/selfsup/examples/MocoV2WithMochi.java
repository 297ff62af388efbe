package dev.selfsup.examples;

import ai.djl.Device;
import dev.selfsup.config.Recipe;
import dev.selfsup.config.RecipeLoader;
import dev.selfsup.engine.Devices;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.run.Pretraining;
import dev.selfsup.run.RunFolder;
import dev.selfsup.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * MoCo v2 + MoCHi from the bundled recipe {@code mochi_mocov2_resnet50_imagenet100} (Kalantidis et
 * al. 2020: N = 1024 hardest negatives, s = 1024 mixed, s′ = 128 mixed with the query, from epoch
 * 10; queue 16384, ResNet-50, 200 epochs), pointed at your ImageNet copy with overrides — the same
 * {@code key=value} strings as {@code selfsup pretrain --set}.
 *
 * <pre>
 * java -cp ... dev.selfsup.examples.MocoV2WithMochi /data/imagenet/train imagenet100.txt runs/mochi \
 *     train.epochs=100
 * </pre>
 */
public final class MocoV2WithMochi {
    /** The bundled recipe this example starts from. */
    public static final String RECIPE = "mochi_mocov2_resnet50_imagenet100";

    private MocoV2WithMochi() {}

    /**
     * The recipe with the data paths and any further overrides applied (overrides apply in order;
     * later ones win).
     *
     * @param trainRoot {@code train/<class>/<image>}
     * @param classList the ImageNet-100 class list (100 wnids, one per line)
     * @param overrides further {@code key=value} overrides, e.g. {@code train.epochs=100}
     * @return the validated recipe
     * @throws IOException if the recipe cannot be read
     */
    public static Recipe recipe(Path trainRoot, Path classList, List<String> overrides)
            throws IOException {
        List<String> all = new ArrayList<>();
        all.add("data.path=" + trainRoot.toAbsolutePath());
        all.add("data.class_list=" + classList.toAbsolutePath());
        all.addAll(overrides);
        return RecipeLoader.load(RECIPE, all);
    }

    /**
     * Pretrains, or continues a run from its latest checkpoint.
     *
     * @param recipe the recipe, e.g. from {@link #recipe}
     * @param runDir the run folder
     * @param device the training device
     * @param resume continue from {@code runDir/checkpoints/latest.ckpt}
     * @return iterations done, last loss and the checkpoint written
     * @throws IOException if data or run files cannot be read or written
     */
    public static Trainer.Result run(Recipe recipe, Path runDir, Device device, boolean resume)
            throws IOException {
        return Pretraining.run(recipe, runDir, device, resume, null);
    }

    /**
     * Command line: {@code <train root> <class list> <run folder> [key=value ...]}.
     *
     * @param args the paths, then overrides
     * @throws IOException if data or run files cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println(
                    "usage: MocoV2WithMochi <train root> <class list> <run folder> [key=value ...]");
            System.exit(2);
        }
        SelfsupEngine.boot(0);
        Recipe r =
                recipe(
                        Path.of(args[0]),
                        Path.of(args[1]),
                        Arrays.asList(args).subList(3, args.length));
        Path runDir = Path.of(args[2]);
        boolean resume = java.nio.file.Files.exists(RunFolder.of(runDir).latestCheckpoint());
        Trainer.Result result = run(r, runDir, Devices.parse("auto"), resume);
        System.out.printf(
                "%d iterations, last loss %.4f, checkpoint %s%n",
                result.iterations(), result.lastLoss(), result.checkpoint());
    }
}
