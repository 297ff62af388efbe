package dev.selfsup.config;

import static dev.selfsup.config.OfficialRecipeAsserts.EPS;
import static dev.selfsup.config.OfficialRecipeAsserts.assertCrops;
import static dev.selfsup.config.OfficialRecipeAsserts.scaledLr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.selfsup.config.AugmentSettings.CropSettings;
import dev.selfsup.config.AugmentSettings.Preset;
import dev.selfsup.config.OptimizerSettings.Name;
import dev.selfsup.config.OptimizerSettings.ScheduleKind;
import dev.selfsup.method.DinoSettings;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The DINO recipe against the official run (see {@link OfficialRecipesTest}).
 *
 * <p>Sources: facebookresearch/dino README.md and main_dino.py.
 */
class DinoRecipeTest {
    @Test
    void dino_vit_small_imagenet() throws IOException {
        // facebookresearch/dino README "Boosting DINO performance", full command, and
        // main_dino.py's
        // argparse defaults for every argument that command does not pass
        String r = "dino_vit_small_imagenet";
        Recipe recipe = RecipeLoader.load(r, List.of());
        DinoSettings d = assertInstanceOf(DinoSettings.class, recipe.method(), r + ": method dino");
        assertEquals(65536, d.outputDim(), r + ": main_dino.py --out_dim 65536");
        assertEquals(2048, d.hiddenDim(), r + ": DINOHead hidden_dim 2048");
        assertEquals(256, d.bottleneckDim(), r + ": DINOHead bottleneck_dim 256");
        assertEquals(3, d.headLayers(), r + ": DINOHead nlayers 3");
        assertEquals(false, d.headBatchNorm(), r + ": main_dino.py --use_bn_in_head False");
        assertEquals(false, d.normLastLayer(), r + ": README command --norm_last_layer false");
        assertEquals(0.1, d.studentTemperature(), EPS, r + ": DINOLoss student_temp 0.1");
        assertEquals(
                0.04,
                d.warmupTeacherTemperature(),
                EPS,
                r + ": main_dino.py --warmup_teacher_temp 0.04");
        assertEquals(0.07, d.teacherTemperature(), EPS, r + ": README command --teacher_temp 0.07");
        assertEquals(
                30,
                d.warmupTeacherTemperatureEpochs(),
                r + ": README command --warmup_teacher_temp_epochs 30");
        assertEquals(0.9, d.centerMomentum(), EPS, r + ": DINOLoss center_momentum 0.9");
        assertEquals(
                0.996,
                d.emaMomentum(),
                EPS,
                r + ": main_dino.py --momentum_teacher 0.996 (cosine to 1)");
        assertEquals(2, d.globalCrops(), r + ": the teacher sees images[:2], the two global crops");
        assertEquals(
                1024,
                recipe.data().batchSize(),
                r + ": run_with_submitit.py default 2 nodes x 8 GPUs x --batch_size_per_gpu 64");
        long itersPerEpoch = 1_281_167 / 1024; // drop_last=True
        assertEquals(
                itersPerEpoch,
                d.freezeLastLayerIters(),
                r + ": main_dino.py --freeze_last_layer 1 (epoch)");
        assertEquals(300, recipe.train().epochs(), r + ": README command --epochs 300");

        assertEquals(
                "vit_small_patch16",
                recipe.model().backbone(),
                r + ": --arch deit_small = vit_small, patch 16");
        assertEquals(
                0.1, recipe.model().dropPathRate(), EPS, r + ": main_dino.py --drop_path_rate 0.1");
        assertEquals(Preset.DINO, recipe.augment().preset(), r + ": DataAugmentationDINO");
        assertCrops(
                r,
                recipe,
                List.of(new CropSettings(2, 224, 0.4, 1.0), new CropSettings(8, 96, 0.05, 0.4)),
                "main_dino.py --global_crops_scale 0.4 1 --local_crops_number 8 --local_crops_scale 0.05 0.4");

        OptimizerSettings o = recipe.optimizer();
        assertEquals(Name.ADAMW, o.name(), r + ": main_dino.py --optimizer adamw");
        assertEquals(
                5e-4 * 1024 / 256,
                scaledLr(recipe),
                EPS,
                r + ": --lr 0.0005 x batch / 256 (linear scaling rule)");
        assertEquals(1e-6, o.finalLr(), EPS, r + ": main_dino.py --min_lr 1e-6");
        assertEquals(10, o.warmupEpochs(), r + ": main_dino.py --warmup_epochs 10");
        assertEquals(0.0, o.warmupStartLr(), EPS, r + ": cosine_scheduler start_warmup_value 0");
        assertEquals(ScheduleKind.COSINE, o.schedule(), r + ": cosine_scheduler");
        assertEquals(0.04, o.weightDecay(), EPS, r + ": main_dino.py --weight_decay 0.04");
        assertEquals(
                ScheduleKind.COSINE,
                o.weightDecaySchedule(),
                r + ": wd_schedule = cosine_scheduler(wd, wd_end)");
        assertEquals(0.4, o.finalWeightDecay(), EPS, r + ": main_dino.py --weight_decay_end 0.4");
        assertEquals(
                true,
                o.excludeBnAndBias(),
                r + ": get_params_groups: biases and norm parameters not regularized");
        assertEquals(3.0, o.clipGradNorm(), EPS, r + ": main_dino.py --clip_grad 3.0");
        assertEquals(
                true,
                o.clipGradPerParameter(),
                r + ": utils.clip_gradients clips each parameter's norm");
    }
}
