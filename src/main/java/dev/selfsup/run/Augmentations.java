package dev.selfsup.run;

import dev.selfsup.augment.ColorJitter;
import dev.selfsup.augment.CropGroup;
import dev.selfsup.augment.GaussianBlur;
import dev.selfsup.augment.Geometry;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.augment.Normalize;
import dev.selfsup.augment.Photometric;
import dev.selfsup.augment.RandomGrayscale;
import dev.selfsup.augment.RandomResizedCrop;
import dev.selfsup.augment.Resize;
import dev.selfsup.augment.ResizeCenterCrop;
import dev.selfsup.augment.Solarize;
import dev.selfsup.config.AugmentSettings;
import dev.selfsup.config.AugmentSettings.CropSettings;
import dev.selfsup.config.AugmentSettings.Preset;
import dev.selfsup.config.ConfigException;
import dev.selfsup.config.DataSettings;
import java.util.List;

/**
 * The one place that turns a recipe's {@code augment:} section into the training {@link MultiCrop},
 * and the data's kind into the deterministic evaluation transform. Every key of every preset is
 * honoured or refused with a {@link ConfigException} naming it: simclr, mocov2 and swav apply each
 * key to every crop; dino keeps its per-crop blur and solarisation (global crops 1.0 / 0.1, the
 * second one solarised) and refuses other values of those two keys.
 */
public final class Augmentations {
    /** ImageNet evaluation: shorter side to size / 0.875, then the centre crop. */
    static final double CENTRE_CROP_FRACTION = 0.875;

    private Augmentations() {}

    /**
     * The training multi-crop of an augment section.
     *
     * @param a the augment section
     * @return the transform, crops in the order of {@code a.crops()}
     * @throws ConfigException if the preset cannot honour a key's value
     */
    public static MultiCrop multiCrop(AugmentSettings a) {
        return a.preset() == Preset.DINO ? dino(a) : uniform(a);
    }

    /** simclr, mocov2, swav: the same ops on every crop, blur kernel sized to each crop. */
    private static MultiCrop uniform(AugmentSettings a) {
        double s = a.jitterStrength();
        ColorJitter jitter =
                new ColorJitter(0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s, a.jitterProbability());
        Solarize solarize =
                a.solarizeProbability() > 0
                        ? new Solarize(a.solarizeProbability(), Solarize.DEFAULT_THRESHOLD)
                        : Solarize.none();
        MultiCrop.Builder b = MultiCrop.builder();
        for (CropSettings c : a.crops()) {
            Photometric p =
                    new Photometric(
                            jitter,
                            new RandomGrayscale(a.grayscaleProbability()),
                            GaussianBlur.forCrop(a.blurProbability(), c.size()),
                            solarize,
                            normalize(a));
            b.addGroup(new CropGroup(c.count(), randomResizedCrop(c), a.flipProbability(), p));
        }
        return b.build();
    }

    /**
     * DINO (Caron et al. 2021): the first group is the two global crops, cut alike but augmented
     * differently (the first always blurred; the second blurred with p 0.1 and solarised); every
     * later group is local crops, blurred with {@code blur_probability}.
     */
    private static MultiCrop dino(AugmentSettings a) {
        AugmentSettings preset = AugmentSettings.defaults(Preset.DINO);
        List<CropSettings> crops = a.crops();
        CropSettings global = crops.get(0);
        ConfigException.require(
                global.count() == 2,
                "augment.crops.0.count",
                global.count(),
                "2 for preset dino: its first group is the two global crops, augmented differently (blur 1.0 /"
                        + " 0.1, the second solarised); for other layouts use preset swav or simclr");
        ConfigException.require(
                a.blurProbability() == preset.blurProbability(),
                "augment.blur_probability",
                a.blurProbability(),
                preset.blurProbability()
                        + " for preset dino, whose blur is fixed per crop (1.0 and"
                        + " 0.1 on the global crops, "
                        + preset.blurProbability()
                        + " on the local ones): drop the key,"
                        + " or use preset swav for one probability on every crop");
        ConfigException.require(
                a.solarizeProbability() == preset.solarizeProbability(),
                "augment.solarize_probability",
                a.solarizeProbability(),
                preset.solarizeProbability()
                        + " for preset dino, which solarises only its second global crop: drop the key, or use"
                        + " preset swav for one probability on every crop");
        double s = a.jitterStrength();
        ColorJitter jitter =
                new ColorJitter(0.8 * s, 0.8 * s, 0.4 * s, 0.2 * s, a.jitterProbability());
        RandomGrayscale gray = new RandomGrayscale(a.grayscaleProbability());
        Normalize normalize = normalize(a);
        RandomResizedCrop cut = randomResizedCrop(global);
        MultiCrop.Builder b =
                MultiCrop.builder()
                        .addGroup(
                                new CropGroup(
                                        1,
                                        cut,
                                        a.flipProbability(),
                                        new Photometric(
                                                jitter,
                                                gray,
                                                GaussianBlur.forCrop(1.0, global.size()),
                                                Solarize.none(),
                                                normalize)))
                        .addGroup(
                                new CropGroup(
                                        1,
                                        cut,
                                        a.flipProbability(),
                                        new Photometric(
                                                jitter,
                                                gray,
                                                GaussianBlur.forCrop(0.1, global.size()),
                                                new Solarize(
                                                        a.solarizeProbability(),
                                                        Solarize.DEFAULT_THRESHOLD),
                                                normalize)));
        for (CropSettings local : crops.subList(1, crops.size())) {
            b.addGroup(
                    new CropGroup(
                            local.count(),
                            randomResizedCrop(local),
                            a.flipProbability(),
                            new Photometric(
                                    jitter,
                                    gray,
                                    GaussianBlur.forCrop(a.blurProbability(), local.size()),
                                    Solarize.none(),
                                    normalize)));
        }
        return b.build();
    }

    private static RandomResizedCrop randomResizedCrop(CropSettings c) {
        return new RandomResizedCrop(c.size(), c.scaleMin(), c.scaleMax());
    }

    /**
     * The normalisation of an augment section: {@code mean} / {@code std} where given, else the
     * preset's (ImageNet's; SwAV's std (0.228, 0.224, 0.225) for swav).
     *
     * @param a the augment section
     * @return the statistics
     */
    public static Normalize normalize(AugmentSettings a) {
        Normalize base = a.preset() == Preset.SWAV ? Normalize.SWAV : Normalize.IMAGENET;
        float[] mean = a.mean().isEmpty() ? base.mean() : floats(a.mean());
        float[] std = a.std().isEmpty() ? base.std() : floats(a.std());
        return new Normalize(mean, std);
    }

    private static float[] floats(List<Double> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).floatValue();
        }
        return out;
    }

    /**
     * The deterministic transform features are extracted with: for image folders the shorter side
     * resized to {@code size / 0.875} and the centre {@code size × size} cut; for small images
     * (IDX, synthetic) a plain resize to {@code size × size}; no flip, only normalisation.
     *
     * @param kind the dataset kind
     * @param size output side
     * @param normalize the statistics (the training crops', or ImageNet's for foreign weights)
     * @return a one-crop transform
     */
    public static MultiCrop evaluation(
            DataSettings.DatasetKind kind, int size, Normalize normalize) {
        Geometry geometry =
                kind == DataSettings.DatasetKind.IMAGE_FOLDER
                        ? new ResizeCenterCrop(size, CENTRE_CROP_FRACTION)
                        : new Resize(size);
        return MultiCrop.of(new CropGroup(1, geometry, 0, Photometric.normalizeOnly(normalize)));
    }

    /**
     * The evaluation transform of a training run (the kNN monitor's): {@link #evaluation} at the
     * first crop group's size and normalisation.
     *
     * @param data the data section
     * @param training the training multi-crop
     * @return a one-crop transform
     */
    public static MultiCrop evaluation(DataSettings data, MultiCrop training) {
        CropGroup first = training.groups().get(0);
        return evaluation(data.dataset(), first.size(), first.photometric().normalize());
    }
}
