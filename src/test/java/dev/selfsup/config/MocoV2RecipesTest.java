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
import dev.selfsup.config.DataSettings.DatasetKind;
import dev.selfsup.config.OptimizerSettings.Name;
import dev.selfsup.config.OptimizerSettings.ScheduleKind;
import dev.selfsup.method.EmaSchedule;
import dev.selfsup.method.FeatureTransformSettings;
import dev.selfsup.method.MochiSettings;
import dev.selfsup.method.MocoSettings;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The MoCo v2 recipes, with and without MoCHi or feature transformation, against the official runs
 * (see {@link OfficialRecipesTest}).
 *
 * <p>Sources: facebookresearch/moco README.md and main_moco.py;
 * DTennant/CL-Visualizing-Feature-Transformation README.md ("Training on IN-100"),
 * options/base_options.py, options/train_options.py, main_contrast.py, learning/base_trainer.py,
 * networks/build_backbone.py and dataset/util.py. MoCHi (Kalantidis et al. 2020) has no official
 * code: its values are asserted as the recipe header states them.
 */
class MocoV2RecipesTest {
    @Test
    void mocov2_resnet50_imagenet() throws IOException {
        String r = "mocov2_resnet50_imagenet";
        Recipe recipe = RecipeLoader.load(r, List.of());
        MocoSettings s = mocoV2Shared(r, recipe);
        assertEquals(65_536, s.queueLength(), r + ": main_moco.py --moco-k default 65536");
        assertEquals(0.999, s.emaMomentum(), EPS, r + ": main_moco.py --moco-m default 0.999");
        assertEquals(
                0.0,
                recipe.optimizer().finalLr(),
                EPS,
                r + ": main_moco.py --cos: lr x 0.5 (1 + cos(pi epoch / epochs)), to 0");
        assertEquals(
                "", recipe.data().classList(), r + ": official run trains on all of ImageNet-1k");
        assertMochiOff(r, s.mochi());
        assertFeatureTransformOff(r, s.featureTransform());
    }

    @Test
    void mocov2_resnet50_imagenet100() throws IOException {
        // The official ImageNet run on ImageNet-100; the header documents K 16384 and m 0.99 as
        // this recipe's own departures from main_moco.py's 65536 / 0.999.
        String r = "mocov2_resnet50_imagenet100";
        Recipe recipe = RecipeLoader.load(r, List.of());
        MocoSettings s = mocoV2Shared(r, recipe);
        assertEquals(
                "imagenet100", recipe.data().classList(), r + ": ImageNet-100 (CMC class list)");
        assertEquals(
                16_384,
                s.queueLength(),
                r + ": documented departure: queue 16384 (official --moco-k 65536)");
        assertEquals(
                0.99,
                s.emaMomentum(),
                EPS,
                r + ": documented departure: m 0.99 (official --moco-m 0.999)");
        assertEquals(
                0.0, recipe.optimizer().finalLr(), EPS, r + ": main_moco.py --cos decays to 0");
        assertMochiOff(r, s.mochi());
        assertFeatureTransformOff(r, s.featureTransform());
    }

    @Test
    void mochi_mocov2_resnet50_imagenet100() throws IOException {
        // MoCHi has no official code: N, s, s', the warm-up and the queue are asserted as the
        // header states them (Kalantidis et al. 2020); the MoCo v2 part is main_moco.py's.
        String r = "mochi_mocov2_resnet50_imagenet100";
        Recipe recipe = RecipeLoader.load(r, List.of());
        MocoSettings s = mocoV2Shared(r, recipe);
        assertEquals(
                "imagenet100", recipe.data().classList(), r + ": ImageNet-100 (CMC class list)");
        assertEquals(16_384, s.queueLength(), r + ": header: queue 16384 on ImageNet-100");
        MochiSettings m = s.mochi();
        assertTrue(m.enabled(), r + ": mochi.enabled");
        assertEquals(1024, m.hardest(), r + ": header: MoCHi(N = 1024, ...)");
        assertEquals(1024, m.mixed(), r + ": header: MoCHi(..., s = 1024, ...)");
        assertEquals(128, m.mixedWithQuery(), r + ": header: MoCHi(..., s' = 128)");
        assertEquals(
                10, m.startEpoch(), r + ": header: mixing starts after a warm-up of 10 epochs");
        assertFeatureTransformOff(r, s.featureTransform());
    }

    @Test
    void ft_mocov2_resnet50_imagenet100() throws IOException {
        // Official: CL-Visualizing-Feature-Transformation README "Training on IN-100":
        // --method MoCov2 --dataset imagenet100 --epochs 200 --input_res 224 --cosine --batch_size
        // 256
        // --learning_rate 0.03 --mixnorm --mixnorm_target posneg --sep_alpha --pos_alpha 2.0
        // --neg_alpha 1.6 --mask_distribution beta --expolation_mask --alpha 0.999
        String r = "ft_mocov2_resnet50_imagenet100";
        Recipe recipe = RecipeLoader.load(r, List.of());
        MocoSettings s = mocoV2Shared(r, recipe);
        assertEquals(
                "imagenet100", recipe.data().classList(), r + ": FT README --dataset imagenet100");
        assertEquals(
                65_536,
                s.queueLength(),
                r + ": FT options/base_options.py --nce_k default 65536 (not passed)");
        assertEquals(
                0.999, s.emaMomentum(), EPS, r + ": FT README --alpha 0.999 (key-encoder EMA)");
        assertEquals(
                3e-5,
                recipe.optimizer().finalLr(),
                1e-15,
                r
                        + ": FT learning/base_trainer.py --cosine ends at eta_min = lr x lr_decay_rate^3 = 0.03 x 0.1^3");
        assertMochiOff(r, s.mochi());

        FeatureTransformSettings f = s.featureTransform();
        assertTrue(f.enabled(), r + ": FT README --mixnorm");
        assertTrue(
                f.positiveExtrapolation(),
                r + ": FT README --mixnorm_target posneg --expolation_mask");
        assertTrue(f.negativeInterpolation(), r + ": FT README --mixnorm_target posneg");
        assertEquals(2.0, f.positiveAlpha(), EPS, r + ": FT README --sep_alpha --pos_alpha 2.0");
        assertEquals(1.6, f.negativeAlpha(), EPS, r + ": FT README --sep_alpha --neg_alpha 1.6");
        assertEquals(
                0,
                f.startEpoch(),
                r
                        + ": FT memory/mem_moco.py transforms from the first step (no start option passed)");
    }

    /**
     * The official MoCo v2 run every MoCo recipe here keeps: facebookresearch/moco README command
     * {@code --lr 0.03 --batch-size 256 --mlp --moco-t 0.2 --aug-plus --cos} and main_moco.py's
     * defaults, which the FT code (pycontrast, {@code --method MoCov2}) shares.
     */
    private static MocoSettings mocoV2Shared(String r, Recipe recipe) {
        assertEquals("mocov2", recipe.methodName(), r + ": method");
        MocoSettings s = assertInstanceOf(MocoSettings.class, recipe.method(), r);
        assertEquals(
                0.2,
                s.temperature(),
                EPS,
                r + ": MoCo README --moco-t 0.2 (FT: --method MoCov2 sets nce_t 0.2)");
        assertEquals(EmaSchedule.CONSTANT, s.emaSchedule(), r + ": main_moco.py keeps m constant");
        assertTrue(
                s.shuffleBn(),
                r + ": main_moco.py / FT trainer shuffle the key batch across GPUs (shuffle-BN)");
        assertEquals(
                1,
                s.bnSplits(),
                r + ": multi-GPU runs take BN statistics per GPU, not split on one device");
        assertEquals(
                0,
                s.queueLength() % recipe.data().batchSize(),
                r + ": the queue takes whole batches");

        assertEquals(
                DatasetKind.IMAGE_FOLDER, recipe.data().dataset(), r + ": ImageNet folder layout");
        assertEquals(
                256,
                recipe.data().batchSize(),
                r + ": MoCo README --batch-size 256 (FT README --batch_size 256)");
        assertEquals(
                200,
                recipe.train().epochs(),
                r + ": main_moco.py --epochs default 200 (FT README --epochs 200)");

        assertEquals(
                Preset.MOCOV2,
                recipe.augment().preset(),
                r + ": MoCo README --aug-plus (FT: aug 'B')");
        assertCrops(
                r,
                recipe,
                List.of(new CropSettings(2, 224, 0.2, 1.0)),
                "main_moco.py TwoCropsTransform(RandomResizedCrop(224, scale=(0.2, 1.0)))");
        AugmentSettings a = recipe.augment();
        assertEquals(
                0.5,
                a.jitterStrength(),
                EPS,
                r + ": main_moco.py ColorJitter(0.4, 0.4, 0.4, 0.1) = strength 0.5");
        assertEquals(
                0.8,
                a.jitterProbability(),
                EPS,
                r + ": main_moco.py RandomApply([ColorJitter], p=0.8)");
        assertEquals(
                0.2, a.grayscaleProbability(), EPS, r + ": main_moco.py RandomGrayscale(p=0.2)");
        assertEquals(
                0.5,
                a.blurProbability(),
                EPS,
                r + ": main_moco.py RandomApply([GaussianBlur([0.1, 2.0])], p=0.5)");
        assertEquals(0.0, a.solarizeProbability(), EPS, r + ": main_moco.py has no solarisation");
        assertEquals(0.5, a.flipProbability(), EPS, r + ": main_moco.py RandomHorizontalFlip()");

        ModelSettings m = recipe.model();
        assertEquals("resnet50", m.backbone(), r + ": main_moco.py -a resnet50");
        assertEquals(
                List.of(2048),
                m.headHiddenDims(),
                r + ": moco/builder.py --mlp: Linear(2048, 2048), ReLU, fc");
        assertEquals(128, m.headOutputDim(), r + ": main_moco.py --moco-dim default 128");
        assertEquals(false, m.headBatchNorm(), r + ": moco/builder.py MLP head has no BatchNorm");
        assertEquals(
                false, m.headLastBatchNorm(), r + ": moco/builder.py MLP head has no BatchNorm");

        OptimizerSettings o = recipe.optimizer();
        assertEquals(Name.SGD, o.name(), r + ": main_moco.py torch.optim.SGD");
        assertEquals(
                0.03, scaledLr(recipe), EPS, r + ": MoCo README --lr 0.03 at --batch-size 256");
        assertEquals(0.9, o.momentum(), EPS, r + ": main_moco.py --momentum default 0.9");
        assertEquals(1e-4, o.weightDecay(), EPS, r + ": main_moco.py --wd default 1e-4");
        assertEquals(
                false,
                o.excludeBnAndBias(),
                r
                        + ": main_moco.py SGD(model.parameters(), weight_decay=args.weight_decay) decays every parameter");
        assertEquals(ScheduleKind.COSINE, o.schedule(), r + ": MoCo README --cos");
        assertEquals(
                0,
                o.warmupEpochs(),
                r + ": main_moco.py has no warm-up (FT: none at batch <= 256)");
        assertEquals(1, o.accumulateSteps(), r + ": one optimiser step per batch, as official");
        return s;
    }
}
