package dev.selfsup.config;

import static dev.selfsup.config.OfficialRecipeAsserts.EPS;
import static dev.selfsup.config.OfficialRecipeAsserts.assertCrops;
import static dev.selfsup.config.OfficialRecipeAsserts.scaledLr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfsup.config.AugmentSettings.CropSettings;
import dev.selfsup.config.AugmentSettings.Preset;
import dev.selfsup.config.OptimizerSettings.Name;
import dev.selfsup.config.OptimizerSettings.ScheduleKind;
import dev.selfsup.method.SwavSettings;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The SwAV recipes against the official runs (see {@link OfficialRecipesTest}).
 *
 * <p>Sources: facebookresearch/swav scripts/swav_800ep_pretrain.sh,
 * scripts/swav_200ep_bs256_pretrain.sh, main_swav.py and src/resnet50.py.
 */
class SwavRecipesTest {
    @Test
    void swav_resnet50_imagenet_multicrop() throws IOException {
        String r = "swav_resnet50_imagenet_multicrop";
        Recipe recipe = RecipeLoader.load(r, List.of());
        SwavSettings s = swavShared(r, recipe);
        assertEquals(3000, s.prototypes(), r + ": swav_800ep_pretrain.sh --nmb_prototypes 3000");
        assertEquals(
                0,
                s.queueLength(),
                r + ": swav_800ep_pretrain.sh --queue_length 0 (no queue at batch 4096)");
        assertEquals(
                313,
                s.freezePrototypesIters(),
                r + ": swav_800ep_pretrain.sh --freeze_prototypes_niters 313");

        assertEquals(
                4096,
                recipe.data().batchSize(),
                r + ": swav_800ep_pretrain.sh #SBATCH --gpus=64 x --batch_size 64 = 4096");
        assertEquals(
                "", recipe.data().classList(), r + ": official run trains on all of ImageNet-1k");
        assertEquals(800, recipe.train().epochs(), r + ": swav_800ep_pretrain.sh --epochs 800");

        OptimizerSettings o = recipe.optimizer();
        assertEquals(
                4.8,
                scaledLr(recipe),
                EPS,
                r + ": swav_800ep_pretrain.sh --base_lr 4.8 (absolute, not scaled)");
        assertEquals(0.0048, o.finalLr(), EPS, r + ": swav_800ep_pretrain.sh --final_lr 0.0048");
        assertEquals(10, o.warmupEpochs(), r + ": swav_800ep_pretrain.sh --warmup_epochs 10");
        assertEquals(
                0.3, o.warmupStartLr(), EPS, r + ": swav_800ep_pretrain.sh --start_warmup 0.3");
        assertEquals(1e-6, o.weightDecay(), EPS, r + ": swav_800ep_pretrain.sh --wd 0.000001");
    }

    @Test
    void swav_resnet50_imagenet_bs256() throws IOException {
        String r = "swav_resnet50_imagenet_bs256";
        Recipe recipe = RecipeLoader.load(r, List.of());
        swavBs256(r, recipe);
        SwavSettings s = (SwavSettings) recipe.method();
        assertEquals(
                3000, s.prototypes(), r + ": swav_200ep_bs256_pretrain.sh --nmb_prototypes 3000");
        assertEquals(
                15,
                s.queueStartEpoch(),
                r + ": swav_200ep_bs256_pretrain.sh --epoch_queue_starts 15");
        assertEquals(
                "", recipe.data().classList(), r + ": official run trains on all of ImageNet-1k");
    }

    @Test
    void swav_resnet50_imagenet100() throws IOException {
        // The batch-256 official run on the CMC ImageNet-100 classes; the header documents two
        // departures of its own (1000 prototypes, queue from epoch 30): asserted as documented.
        String r = "swav_resnet50_imagenet100";
        Recipe recipe = RecipeLoader.load(r, List.of());
        swavBs256(r, recipe);
        SwavSettings s = (SwavSettings) recipe.method();
        assertEquals(
                "imagenet100",
                recipe.data().classList(),
                r + ": ImageNet-100 (CMC class list), as its header says");
        assertEquals(
                1000,
                s.prototypes(),
                r + ": documented departure: 1000 prototypes instead of the official 3000");
        assertEquals(
                30,
                s.queueStartEpoch(),
                r + ": documented departure: queue from epoch 30 instead of the official 15");
    }

    /** The official swav_200ep_bs256_pretrain.sh run, shared by the batch-256 recipes. */
    private static void swavBs256(String r, Recipe recipe) {
        SwavSettings s = swavShared(r, recipe);
        assertEquals(
                3840, s.queueLength(), r + ": swav_200ep_bs256_pretrain.sh --queue_length 3840");
        assertEquals(
                0,
                s.queueLength() % recipe.data().batchSize(),
                r
                        + ": main_swav.py rounds the queue down to a multiple of the global batch; 3840 must survive at 256");
        assertEquals(
                5005,
                s.freezePrototypesIters(),
                r + ": swav_200ep_bs256_pretrain.sh --freeze_prototypes_niters 5005");

        assertEquals(
                256,
                recipe.data().batchSize(),
                r + ": swav_200ep_bs256_pretrain.sh #SBATCH --gpus=4 x --batch_size 64 = 256");
        assertEquals(
                200, recipe.train().epochs(), r + ": swav_200ep_bs256_pretrain.sh --epochs 200");

        OptimizerSettings o = recipe.optimizer();
        assertEquals(
                0.6,
                scaledLr(recipe),
                EPS,
                r + ": swav_200ep_bs256_pretrain.sh --base_lr 0.6 (absolute)");
        assertEquals(
                0.0006, o.finalLr(), EPS, r + ": swav_200ep_bs256_pretrain.sh --final_lr 0.0006");
        assertEquals(0, o.warmupEpochs(), r + ": swav_200ep_bs256_pretrain.sh --warmup_epochs 0");
        assertEquals(
                0.0,
                o.warmupStartLr(),
                EPS,
                r + ": main_swav.py --start_warmup default 0 (not passed)");
        assertEquals(
                1e-6, o.weightDecay(), EPS, r + ": swav_200ep_bs256_pretrain.sh --wd 0.000001");
    }

    /**
     * What every official SwAV ResNet-50 ImageNet script fixes, and main_swav.py's optimiser and
     * head.
     */
    private static SwavSettings swavShared(String r, Recipe recipe) {
        assertEquals("swav", recipe.methodName(), r + ": method");
        SwavSettings s = assertInstanceOf(SwavSettings.class, recipe.method(), r);
        assertEquals(0.1, s.temperature(), EPS, r + ": SwAV scripts --temperature 0.1");
        assertEquals(0.05, s.epsilon(), EPS, r + ": SwAV scripts --epsilon 0.05");
        assertEquals(3, s.sinkhornIterations(), r + ": SwAV scripts --sinkhorn_iterations 3");
        assertEquals(
                List.of(0, 1), s.cropsForAssign(), r + ": SwAV scripts --crops_for_assign 0 1");

        assertEquals(Preset.SWAV, recipe.augment().preset(), r + ": augment.preset");
        assertCrops(
                r,
                recipe,
                List.of(new CropSettings(2, 224, 0.14, 1.0), new CropSettings(6, 96, 0.05, 0.14)),
                "SwAV scripts --nmb_crops 2 6 --size_crops 224 96 --min_scale_crops 0.14 0.05 --max_scale_crops 1. 0.14");

        ModelSettings m = recipe.model();
        assertEquals("resnet50", m.backbone(), r + ": SwAV scripts --arch resnet50");
        assertEquals(
                List.of(2048),
                m.headHiddenDims(),
                r + ": main_swav.py hidden_mlp=2048 for resnet50");
        assertEquals(128, m.headOutputDim(), r + ": SwAV scripts --feat_dim 128");
        assertTrue(
                m.headBatchNorm(),
                r + ": src/resnet50.py projection_head has BatchNorm1d(hidden_mlp)");
        assertEquals(
                false,
                m.headLastBatchNorm(),
                r + ": src/resnet50.py projection_head ends with a plain Linear");

        OptimizerSettings o = recipe.optimizer();
        assertEquals(Name.LARS, o.name(), r + ": main_swav.py wraps SGD in apex LARC");
        assertEquals(0.001, o.larsEta(), EPS, r + ": main_swav.py LARC(trust_coefficient=0.001)");
        assertEquals(false, o.larsClip(), r + ": main_swav.py LARC(clip=False)");
        assertEquals(0.9, o.momentum(), EPS, r + ": main_swav.py SGD momentum=0.9");
        assertEquals(
                ScheduleKind.COSINE,
                o.schedule(),
                r + ": main_swav.py cosine from base_lr to final_lr");
        assertEquals(
                false,
                o.excludeBnAndBias(),
                r
                        + ": main_swav.py LARC over SGD(model.parameters()): BN and biases get decay and adaptation too");
        assertEquals(1, o.accumulateSteps(), r + ": one optimiser step per batch, as official");
        assertEquals(31, recipe.seed(), r + ": main_swav.py --seed default 31");
        return s;
    }
}
