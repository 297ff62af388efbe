package dev.selfsup.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import dev.selfsup.config.Recipe;
import dev.selfsup.config.RecipeLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tiny recipe the loop's end-to-end tests train (procedural data, a width-4 ResNet, 3 epochs)
 * and its logged losses.
 */
public final class TinyRecipes {
    private TinyRecipes() {}

    /**
     * A tiny recipe of a method.
     *
     * @param method simclr, mocov2 or swav
     * @param extra further YAML lines (sections override the ones above)
     * @return the recipe
     */
    public static Recipe tiny(String method, String... extra) {
        StringBuilder y = new StringBuilder();
        y.append("method: ").append(method).append('\n');
        y.append("seed: 3\n");
        y.append(
                "data: {dataset: synthetic, batch_size: 8, workers: 2, synthetic_images: 32, synthetic_classes: 4,"
                        + " synthetic_resolution: 20}\n");
        if (method.equals("swav")) {
            y.append(
                    "augment: {preset: swav, crops: [{count: 2, size: 16, scale_min: 0.4, scale_max: 1.0},"
                            + " {count: 2, size: 8, scale_min: 0.1, scale_max: 0.4}]}\n");
            y.append(
                    "swav: {prototypes: 10, queue_length: 16, queue_start_epoch: 1, freeze_prototypes_iters: 2}\n");
        } else {
            y.append(
                    "augment: {preset: simclr, crops: [{count: 2, size: 16, scale_min: 0.3, scale_max: 1.0}]}\n");
        }
        if (method.equals("mocov2")) {
            y.append("moco: {queue_length: 16, ema_momentum: 0.9}\n");
        }
        y.append(
                "model: {backbone: resnet10_cifar, base_width: 4, head_hidden_dims: [16], head_output_dim: 8}\n");
        y.append(
                "optimizer: {name: sgd, base_lr: 0.05, lr_scaling: none, warmup_epochs: 1, weight_decay: 1.0e-4}\n");
        y.append("train: {epochs: 3, log_every_steps: 1, checkpoint_every_epochs: 2}\n");
        for (String e : extra) {
            y.append(e).append('\n');
        }
        return RecipeLoader.parse(y.toString(), "tiny-" + method);
    }

    /**
     * The loss of every logged step of a run, checking the steps are logged in order, once each.
     *
     * @param run the run folder
     * @return the losses
     * @throws IOException if metrics.jsonl cannot be read
     */
    public static List<Double> stepLosses(Path run) throws IOException {
        List<Double> out = new ArrayList<>();
        for (JsonObject o : MetricsLog.read(run.resolve("metrics.jsonl"))) {
            if (o.get("kind").getAsString().equals("step")) {
                assertEquals(
                        out.size(), o.get("step").getAsLong(), "steps logged in order, once each");
                out.add(o.get("loss").getAsDouble());
            }
        }
        return out;
    }
}
