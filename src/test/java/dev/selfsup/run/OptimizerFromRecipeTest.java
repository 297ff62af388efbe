package dev.selfsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.selfsup.config.Recipe;
import dev.selfsup.config.RecipeLoader;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.method.Method;
import dev.selfsup.optim.Optimizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The optimiser section's weight-decay schedule and clipping rule reach what the run builds. */
class OptimizerFromRecipeTest {
    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    private static Recipe recipe(String optimizer) {
        return RecipeLoader.parse(
                "method: simclr\nseed: 1\n"
                        + "data: {dataset: synthetic, batch_size: 8}\n"
                        + "model: {backbone: resnet10_cifar, base_width: 4, head_hidden_dims: [8], head_output_dim: 8}\n"
                        + "augment: {crops: [{count: 2, size: 16, scale_min: 0.5, scale_max: 1.0}]}\n"
                        + "train: {epochs: 2}\n"
                        + "optimizer: "
                        + optimizer
                        + "\n",
                "optimizer-test");
    }

    @Test
    void cosineWeightDecayRisesFromWeightDecayToFinalWeightDecayOverTheRun() {
        Recipe r =
                recipe(
                        "{name: adamw, base_lr: 1.0e-3, weight_decay: 0.04, weight_decay_schedule: cosine,"
                                + " final_weight_decay: 0.4}");
        try (NDManager run = NDManager.newBaseManager()) {
            SelfsupEngine.seed(r.seed());
            Method m = Pretraining.method(r, run, 8);
            Optimizer opt = Optimizers.optimizer(r, m, run, 10); // 20 iterations
            assertEquals(0.04, opt.weightDecay(0), 1e-12);
            // DINO's cosine_scheduler: final + (base - final)/2 · (1 + cos(π t / T))
            double t10 = 0.4 + 0.5 * (0.04 - 0.4) * (1 + Math.cos(Math.PI * 10 / 20));
            assertEquals(t10, opt.weightDecay(10), 1e-12);
            assertTrue(opt.weightDecay(19) > 0.39, "near the end: " + opt.weightDecay(19));
        }
    }

    @Test
    void weightDecayIsConstantByDefault() {
        Recipe r = recipe("{name: sgd, base_lr: 0.1, weight_decay: 5.0e-4}");
        try (NDManager run = NDManager.newBaseManager()) {
            SelfsupEngine.seed(r.seed());
            Method m = Pretraining.method(r, run, 8);
            Optimizer opt = Optimizers.optimizer(r, m, run, 10);
            assertEquals(5e-4, opt.weightDecay(0), 0);
            assertEquals(5e-4, opt.weightDecay(19), 0);
        }
    }

    @Test
    void clippingRuleFollowsTheSection() {
        assertEquals(
                "per-parameter norm 3.0",
                Optimizers.gradientClipping(
                                recipe("{clip_grad_norm: 3.0, clip_grad_per_parameter: true}")
                                        .optimizer())
                        .toString());
        assertEquals(
                "global norm 1.0",
                Optimizers.gradientClipping(recipe("{clip_grad_norm: 1.0}").optimizer())
                        .toString());
        assertEquals(
                "off",
                Optimizers.gradientClipping(recipe("{base_lr: 0.1}").optimizer()).toString());
    }
}
