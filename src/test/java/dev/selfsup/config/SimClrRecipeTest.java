package dev.selfsup.config;

import static dev.selfsup.config.OfficialRecipeAsserts.EPS;
import static dev.selfsup.config.OfficialRecipeAsserts.assertCrops;
import static dev.selfsup.config.OfficialRecipeAsserts.assertFeatureTransformOff;
import static dev.selfsup.config.OfficialRecipeAsserts.assertMochiOff;
import static dev.selfsup.config.OfficialRecipeAsserts.scaledLr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfsup.config.AugmentSettings.CropSettings;
import dev.selfsup.config.AugmentSettings.Preset;
import dev.selfsup.config.OptimizerSettings.Name;
import dev.selfsup.config.OptimizerSettings.ScheduleKind;
import dev.selfsup.method.SimClrSettings;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The SimCLR recipe against the official run (see {@link OfficialRecipesTest}).
 *
 * <p>Sources: google-research/simclr (v1) README.md, run.py, model_util.py and lars_optimizer.py.
 */
class SimClrRecipeTest {
    @Test
    void simclr_resnet50_imagenet() throws IOException {
        // Official: google-research/simclr (v1) README pretrain command
        // --train_batch_size=4096 --train_epochs=100 --learning_rate=0.3 --weight_decay=1e-6
        // --temperature=0.1, and run.py's flag defaults.
        String r = "simclr_resnet50_imagenet";
        Recipe recipe = RecipeLoader.load(r, List.of());
        assertEquals("simclr", recipe.methodName(), r + ": method");
        SimClrSettings s = assertInstanceOf(SimClrSettings.class, recipe.method(), r);
        assertEquals(0.1, s.temperature(), EPS, r + ": SimCLR README --temperature=0.1");
        assertMochiOff(r, s.mochi());
        assertFeatureTransformOff(r, s.featureTransform());

        assertEquals(
                4096, recipe.data().batchSize(), r + ": SimCLR README --train_batch_size=4096");
        assertEquals(
                "", recipe.data().classList(), r + ": official run trains on all of ImageNet-1k");
        assertEquals(100, recipe.train().epochs(), r + ": SimCLR README --train_epochs=100");

        assertEquals(Preset.SIMCLR, recipe.augment().preset(), r + ": augment.preset");
        assertCrops(
                r,
                recipe,
                List.of(new CropSettings(2, 224, 0.08, 1.0)),
                "SimCLR --image_size 224, data_util.py random crop area_range (0.08, 1.0)");
        AugmentSettings a = recipe.augment();
        assertEquals(
                1.0,
                a.jitterStrength(),
                EPS,
                r + ": SimCLR run.py --color_jitter_strength default 1.0");
        assertEquals(
                0.8, a.jitterProbability(), EPS, r + ": SimCLR data_util.py colour jitter p 0.8");
        assertEquals(
                0.2, a.grayscaleProbability(), EPS, r + ": SimCLR data_util.py grayscale p 0.2");
        assertEquals(
                0.5,
                a.blurProbability(),
                EPS,
                r + ": SimCLR run.py --use_blur default True, p 0.5");

        ModelSettings m = recipe.model();
        assertEquals("resnet50", m.backbone(), r + ": SimCLR run.py --resnet_depth default 50");
        assertEquals(
                List.of(2048),
                m.headHiddenDims(),
                r + ": SimCLR model_util.py projection_head nl_0 of width 2048");
        assertEquals(128, m.headOutputDim(), r + ": SimCLR run.py --head_proj_dim default 128");
        assertTrue(m.headBatchNorm(), r + ": SimCLR model_util.py nl_0 linear_layer(use_bn=True)");
        assertTrue(
                m.headLastBatchNorm(),
                r + ": SimCLR model_util.py nl_1 linear_layer(use_bias=False, use_bn=True)");

        OptimizerSettings o = recipe.optimizer();
        assertEquals(Name.LARS, o.name(), r + ": SimCLR run.py --optimizer default lars");
        assertEquals(
                4.8,
                scaledLr(recipe),
                EPS,
                r
                        + ": SimCLR README --learning_rate=0.3 x train_batch_size / 256 (model_util.py) = 4.8");
        assertEquals(
                0.0, o.finalLr(), EPS, r + ": SimCLR model_util.py tf.train.cosine_decay to 0");
        assertEquals(10, o.warmupEpochs(), r + ": SimCLR run.py --warmup_epochs default 10");
        assertEquals(
                0.0,
                o.warmupStartLr(),
                EPS,
                r + ": SimCLR model_util.py warm-up from step 0 x scaled_lr");
        assertEquals(1e-6, o.weightDecay(), EPS, r + ": SimCLR README --weight_decay=1e-6");
        assertEquals(0.9, o.momentum(), EPS, r + ": SimCLR run.py --momentum default 0.9");
        assertEquals(
                0.001, o.larsEta(), EPS, r + ": SimCLR lars_optimizer.py EETA_DEFAULT = 0.001");
        assertEquals(
                ScheduleKind.COSINE,
                o.schedule(),
                r + ": SimCLR model_util.py cosine after warm-up");
        assertTrue(
                o.excludeBnAndBias(),
                r
                        + ": SimCLR LARSOptimizer exclude_from_weight_decay=['batch_normalization',"
                        + " 'bias'], and exclude_from_layer_adaptation defaults to the same list");
        assertEquals(1, o.accumulateSteps(), r + ": one optimiser step per batch, as official");
    }
}
