package dev.selfsup.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.selfsup.config.AugmentSettings.CropSettings;
import dev.selfsup.config.AugmentSettings.Preset;
import dev.selfsup.config.DataSettings.DatasetKind;
import dev.selfsup.config.OptimizerSettings.Name;
import dev.selfsup.config.OptimizerSettings.ScheduleKind;
import dev.selfsup.method.DinoSettings;
import dev.selfsup.method.EmaSchedule;
import dev.selfsup.method.FeatureTransformSettings;
import dev.selfsup.method.MochiSettings;
import dev.selfsup.method.MocoSettings;
import dev.selfsup.method.SimClrSettings;
import dev.selfsup.method.SwavSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every bundled recipe whose header says it reproduces or follows an official run loads to that
 * run's semantics: each value the official script, command or code fixes and the recipe sets is
 * asserted, with the source cited in the message. Departures a header documents are asserted as
 * documented.
 *
 * <p>Sources: facebookresearch/swav scripts/swav_800ep_pretrain.sh,
 * scripts/swav_200ep_bs256_pretrain.sh, main_swav.py and src/resnet50.py; facebookresearch/moco
 * README.md and main_moco.py; DTennant/CL-Visualizing-Feature-Transformation README.md ("Training
 * on IN-100"), options/base_options.py, options/train_options.py, main_contrast.py,
 * learning/base_trainer.py, networks/build_backbone.py and dataset/util.py; google-research/simclr
 * (v1) README.md, run.py, model_util.py and lars_optimizer.py. MoCHi (Kalantidis et al. 2020) has
 * no official code: its values are asserted as the recipe header states them.
 */
class OfficialRecipesTest {
    private static final double EPS = 1e-12;

    /**
     * The recipes this class tests, one method each: those whose header names an official run or a
     * reproduction, and the MoCHi recipe, which follows a paper without official code.
     */
    private static final Set<String> TESTED =
            Set.of(
                    "dino_vit_small_imagenet",
                    "swav_resnet50_imagenet_multicrop",
                    "swav_resnet50_imagenet_bs256",
                    "swav_resnet50_imagenet100",
                    "mocov2_resnet50_imagenet",
                    "mocov2_resnet50_imagenet100",
                    "mochi_mocov2_resnet50_imagenet100",
                    "ft_mocov2_resnet50_imagenet100",
                    "simclr_resnet50_imagenet");

    @Test
    void everyRecipeClaimingAnOfficialRunIsTested() throws IOException {
        Set<String> claiming = new TreeSet<>();
        for (String name : RecipeLoader.bundled()) {
            String header = header(name).toLowerCase(Locale.ROOT);
            boolean claims = header.contains("official") || header.contains("reproduc");
            if (claims && !header.contains("not a paper reproduction")) {
                claiming.add(name);
            }
        }
        for (String name : claiming) {
            assertTrue(
                    TESTED.contains(name),
                    name
                            + "'s header claims an official run or a reproduction but OfficialRecipesTest has no test for it");
        }
    }

    // ---------------------------------------------------------------- SwAV

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

    // ---------------------------------------------------------------- MoCo v2 family

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

    // ---------------------------------------------------------------- SimCLR

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

    // ---------------------------------------------------------------- DINO

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

    // ---------------------------------------------------------------- helpers

    /**
     * The learning rate the trainer uses: base lr scaled to the global batch
     * (Optimizers.optimizer).
     */
    private static double scaledLr(Recipe recipe) {
        OptimizerSettings o = recipe.optimizer();
        return o.lrScaling().scale(o.baseLr(), recipe.data().batchSize() * o.accumulateSteps());
    }

    private static void assertCrops(
            String r, Recipe recipe, List<CropSettings> expected, String source) {
        List<CropSettings> actual = recipe.augment().crops();
        assertEquals(expected.size(), actual.size(), r + ": crop groups, " + source);
        for (int i = 0; i < expected.size(); i++) {
            CropSettings e = expected.get(i);
            CropSettings a = actual.get(i);
            String at = r + ": crop group " + i + ", " + source + ": ";
            assertEquals(e.count(), a.count(), at + "count");
            assertEquals(e.size(), a.size(), at + "size");
            assertEquals(e.scaleMin(), a.scaleMin(), EPS, at + "scale_min");
            assertEquals(e.scaleMax(), a.scaleMax(), EPS, at + "scale_max");
        }
    }

    private static void assertMochiOff(String r, MochiSettings m) {
        assertEquals(
                false, m.enabled(), r + ": the official run mixes no hard negatives (mochi off)");
    }

    private static void assertFeatureTransformOff(String r, FeatureTransformSettings f) {
        assertEquals(
                false,
                f.enabled(),
                r + ": the official run transforms no features (feature_transform off)");
    }

    /**
     * The leading comment block of a bundled recipe, joined into one line without the {@code #}s.
     */
    private static String header(String name) throws IOException {
        try (InputStream in =
                OfficialRecipesTest.class.getResourceAsStream("/configs/" + name + ".yaml")) {
            assertNotNull(in, "bundled recipe " + name + " not on the classpath");
            List<String> lines = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.startsWith("#")) {
                    break;
                }
                lines.add(line.substring(1).trim());
            }
            return String.join(
                    " ", lines); // one line, so a phrase broken across lines still matches
        }
    }
}
