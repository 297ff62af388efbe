package dev.selfsup.augment;

import static dev.selfsup.internal.Checks.checkArgument;

import dev.selfsup.data.CropTransform;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A list of {@link CropGroup}s cut from every image, in crop order (crop 0 is the first crop of the
 * first group): multi-crop (Caron et al. 2020, METHODS.md §7) and the single-view transforms as one
 * type, so the {@link dev.selfsup.data.Loader} handles all of them alike (through {@link
 * CropTransform}, the loader's view of a transform).
 *
 * <pre>{@code
 * MultiCrop swav = MultiCrop.swav();                  // 2×224 + 6×96
 * MultiCrop small = MultiCrop.swav(64, 2, 32, 4);     // 2×64 + 4×32, SwAV's scales
 * MultiCrop fmnist = MultiCrop.swav(                  // 28-px images: 2×28 + 4×16
 *         new MultiCrop.Crops(2, 28, 0.3, 1.0), new MultiCrop.Crops(4, 16, 0.1, 0.3));
 * MultiCrop custom = MultiCrop.builder()
 *         .addGroup(new CropGroup(2, new RandomResizedCrop(160, 0.2, 1), 0.5, photometric))
 *         .build();
 * }</pre>
 *
 * <p>The SwAV presets here are for code that builds its pipeline without a recipe; a recipe's
 * {@code augment:} section (simclr, mocov2, swav, dino) becomes a MultiCrop in {@code
 * run.Augmentations}. Defaults follow the official code of each method. Differences, all
 * deliberate: resampling is Pillow's antialiased bilinear everywhere (DINO's crops use bicubic);
 * blur uses the exact Gaussian with SimCLR's kernel size (SwAV and MoCo v2 use Pillow's approximate
 * blur); jitter runs on floats (the PIL pipelines round to 8 bits between ops).
 */
public final class MultiCrop implements CropTransform {
    private final List<CropGroup> groups;

    private MultiCrop(List<CropGroup> groups) {
        checkArgument(!groups.isEmpty(), "a MultiCrop needs at least one crop group");
        this.groups = List.copyOf(groups);
    }

    /**
     * A transform of the given groups.
     *
     * @param groups in crop order, at least one
     * @return the transform
     */
    public static MultiCrop of(CropGroup... groups) {
        return new MultiCrop(List.of(groups));
    }

    /**
     * An empty builder.
     *
     * @return the builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding this transform's groups, to change some of them.
     *
     * @return the builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.groups.addAll(groups);
        return b;
    }

    /**
     * The crop groups in crop order.
     *
     * @return an immutable list
     */
    @Override
    public List<CropGroup> groups() {
        return groups;
    }

    /**
     * Crops per image over all groups.
     *
     * @return the total count
     */
    @Override
    public int cropCount() {
        return groups.stream().mapToInt(CropGroup::count).sum();
    }

    /**
     * Draws all crops of one image, in crop order.
     *
     * @param width source width
     * @param height source height
     * @param rng the image's generator (from {@code Seeds.derive(seed, "crop", epoch, index)})
     * @return one draw per crop
     */
    @Override
    public CropDraw[] sample(int width, int height, RandomGenerator rng) {
        CropDraw[] out = new CropDraw[cropCount()];
        int k = 0;
        for (CropGroup g : groups) {
            for (int c = 0; c < g.count(); c++) {
                CropBox box = g.geometry().sample(width, height, rng);
                boolean flip = g.flipProbability() > 0 && rng.nextDouble() < g.flipProbability();
                out[k++] = new CropDraw(box, flip, g.photometric().sample(rng));
            }
        }
        return out;
    }

    /**
     * SwAV's ImageNet multi-crop: 2×224 with scale (0.14, 1) and 6×96 with scale (0.05, 0.14).
     *
     * @return the transform
     */
    public static MultiCrop swav() {
        return swav(224, 2, 96, 6);
    }

    /**
     * SwAV multi-crop with other sizes and counts but SwAV's ImageNet scales: global crops scale
     * (0.14, 1), local (0.05, 0.14); every crop: flip, jitter s = 1 p 0.8, grayscale 0.2, blur p
     * 0.5 (σ 0.1–2), SwAV's normalisation (std 0.228, 0.224, 0.225). For images much smaller than
     * ImageNet's use {@link #swav(Crops, Crops)} with larger scales.
     *
     * @param globalSize global crop side (224)
     * @param globalCount global crops (2)
     * @param localSize local crop side (96)
     * @param localCount local crops (6); 0 for none
     * @return the transform
     * @throws IllegalArgumentException if a count or size is out of range
     */
    public static MultiCrop swav(int globalSize, int globalCount, int localSize, int localCount) {
        Crops global = new Crops(globalCount, globalSize, 0.14, 1.0);
        checkArgument(
                localCount >= 0,
                "localCount must be >= 0 (0 = no local crops), got %s",
                localCount);
        return localCount == 0
                ? swav(global)
                : swav(global, new Crops(localCount, localSize, 0.05, 0.14));
    }

    /**
     * SwAV multi-crop with the given counts, sizes and area scales, and SwAV's per-crop photometric
     * ops (as {@link #swav(int, int, int, int)}). SwAV's scales (0.14, 1) / (0.05, 0.14) are for
     * ImageNet photos cut to 224 / 96: on a 28-px image a 0.05 crop is a 6×6-pixel patch blown up
     * to the crop size, with nothing left of the object. For such images raise both ranges; for
     * Fashion-MNIST (28 px) {@code new Crops(2, 28, 0.3, 1.0)} and {@code new Crops(4, 16, 0.1,
     * 0.3)}: local crops read 9–15 source pixels a side and are resized to 16, near 1:1, global
     * crops keep at least about half the side, and local crops end where global crops start, as in
     * SwAV (the {@code swav_fashionmnist} recipe uses these).
     *
     * @param global the global crops (SwAV: 2 × 224, scale (0.14, 1)); the codes are computed on
     *     these
     * @param local the local crops (SwAV: 6 × 96, scale (0.05, 0.14))
     * @return the transform, global crops first
     * @throws NullPointerException if an argument is null
     */
    public static MultiCrop swav(Crops global, Crops local) {
        java.util.Objects.requireNonNull(local, "local");
        return swav(global).toBuilder()
                .addGroup(local.group(swavPhotometric(local.size())))
                .build();
    }

    /**
     * SwAV multi-crop with global crops only (no local crops), with the given count, size and
     * scales.
     *
     * @param global the global crops
     * @return the transform
     * @throws NullPointerException if {@code global} is null
     */
    public static MultiCrop swav(Crops global) {
        java.util.Objects.requireNonNull(global, "global");
        return of(global.group(swavPhotometric(global.size())));
    }

    /**
     * One group of random-resized crops: {@code count} crops of {@code size × size} pixels, each
     * covering a uniformly drawn fraction in [{@code scaleMin}, {@code scaleMax}] of the source
     * image's area (aspect ratio 3/4–4/3), flipped with p 0.5.
     *
     * @param count crops per image, {@code >= 1}
     * @param size crop side in pixels, {@code >= 1}
     * @param scaleMin smallest area fraction, in (0, scaleMax]
     * @param scaleMax largest area fraction, in [scaleMin, 1]
     */
    public record Crops(int count, int size, double scaleMin, double scaleMax) {
        /**
         * Validates the values.
         *
         * @param count crops per image, {@code >= 1}
         * @param size crop side in pixels, {@code >= 1}
         * @param scaleMin smallest area fraction, in (0, scaleMax]
         * @param scaleMax largest area fraction, in [scaleMin, 1]
         * @throws IllegalArgumentException naming the bad value
         */
        public Crops {
            checkArgument(count >= 1, "crop count must be >= 1, got %s", count);
            checkArgument(size >= 1, "crop size must be >= 1 pixel, got %s", size);
            checkArgument(
                    scaleMin > 0 && scaleMin <= scaleMax && scaleMax <= 1,
                    "crop scales must satisfy 0 < scaleMin <= scaleMax <= 1 (fractions of the image"
                            + " area), got (%s, %s)",
                    scaleMin,
                    scaleMax);
        }

        CropGroup group(Photometric photometric) {
            return new CropGroup(
                    count, new RandomResizedCrop(size, scaleMin, scaleMax), 0.5, photometric);
        }
    }

    private static Photometric swavPhotometric(int size) {
        return new Photometric(
                ColorJitter.simclr(1.0),
                new RandomGrayscale(0.2),
                GaussianBlur.forCrop(0.5, size),
                Solarize.none(),
                Normalize.SWAV);
    }

    /**
     * The deterministic ImageNet evaluation transform for feature extraction: shorter side to
     * {@code floor(size / 0.875)}, centre crop {@code size}, ImageNet normalisation.
     *
     * @param size crop side (224)
     * @return a one-crop transform
     */
    public static MultiCrop evaluation(int size) {
        return of(
                new CropGroup(
                        1,
                        new ResizeCenterCrop(size, 0.875),
                        0,
                        Photometric.normalizeOnly(Normalize.IMAGENET)));
    }

    /**
     * The evaluation transform for small images: plain resize to {@code size × size}, ImageNet
     * normalisation.
     *
     * @param size output side (e.g. 32 for Fashion-MNIST / CIFAR)
     * @return a one-crop transform
     */
    public static MultiCrop evaluationResize(int size) {
        return of(
                new CropGroup(
                        1, new Resize(size), 0, Photometric.normalizeOnly(Normalize.IMAGENET)));
    }

    /**
     * The linear-probe training transform: RandomResizedCrop(size, scale (0.08, 1)) + flip,
     * ImageNet normalisation (METHODS.md §10).
     *
     * @param size crop side (224)
     * @return a one-crop transform
     */
    public static MultiCrop linearProbe(int size) {
        return of(
                new CropGroup(
                        1,
                        new RandomResizedCrop(size, 0.08, 1.0),
                        0.5,
                        Photometric.normalizeOnly(Normalize.IMAGENET)));
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("MultiCrop[");
        for (CropGroup g : groups) {
            s.append(s.length() > 10 ? " + " : "").append(g.count()).append('×').append(g.size());
        }
        return s.append(']').toString();
    }

    /** Builder of a {@link MultiCrop}. */
    public static final class Builder {
        private final List<CropGroup> groups = new ArrayList<>();

        private Builder() {}

        /**
         * Appends a group (its crops follow the previous groups' in crop order).
         *
         * @param group the group
         * @return this builder
         */
        public Builder addGroup(CropGroup group) {
            groups.add(java.util.Objects.requireNonNull(group, "group"));
            return this;
        }

        /**
         * Replaces group i.
         *
         * @param i index in [0, groups)
         * @param group the new group
         * @return this builder
         */
        public Builder setGroup(int i, CropGroup group) {
            checkArgument(
                    i >= 0 && i < groups.size(),
                    "group index %s out of range [0, %s)",
                    i,
                    groups.size());
            groups.set(i, java.util.Objects.requireNonNull(group, "group"));
            return this;
        }

        /**
         * Builds the transform.
         *
         * @return the transform
         * @throws IllegalArgumentException if no group was added
         */
        public MultiCrop build() {
            return new MultiCrop(groups);
        }
    }
}
