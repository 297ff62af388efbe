package dev.selfsup.augment;

import static dev.selfsup.internal.Checks.checkArgument;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A list of {@link CropGroup}s cut from every image, in crop order (crop 0 is the first crop of
 * the first group): multi-crop (Caron et al. 2020, METHODS.md §7) and the single-view transforms
 * as one type, so the {@link dev.selfsup.data.Loader} handles all of them alike.
 *
 * <pre>{@code
 * MultiCrop swav = MultiCrop.swav();                  // 2×224 + 6×96
 * MultiCrop small = MultiCrop.swav(64, 2, 32, 4);     // 2×64 + 4×32
 * MultiCrop custom = MultiCrop.builder()
 *         .addGroup(new CropGroup(2, new RandomResizedCrop(160, 0.2, 1), 0.5, photometric))
 *         .build();
 * }</pre>
 *
 * <p>Defaults follow the official code of each method. Differences, all deliberate: resampling is
 * Pillow's antialiased bilinear everywhere (DINO's crops use bicubic); blur uses the exact Gaussian
 * with SimCLR's kernel size (SwAV and MoCo v2 use Pillow's approximate blur); jitter runs on floats
 * (the PIL pipelines round to 8 bits between ops).
 */
public final class MultiCrop {
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
    public List<CropGroup> groups() {
        return groups;
    }

    /**
     * Crops per image over all groups.
     *
     * @return the total count
     */
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
     * SimCLR (Chen et al. 2020): 2 crops, scale (0.08, 1), flip, jitter s = 1 with p 0.8, grayscale
     * 0.2, blur p 0.5 (σ 0.1–2, kernel 10 % of the side), ImageNet normalisation.
     *
     * @param size crop side (224 on ImageNet, 32 on CIFAR)
     * @return the transform
     */
    public static MultiCrop simclr(int size) {
        Photometric p = new Photometric(ColorJitter.simclr(1.0), new RandomGrayscale(0.2), GaussianBlur.forCrop(0.5, size),
                Solarize.none(), Normalize.IMAGENET);
        return of(new CropGroup(2, new RandomResizedCrop(size, 0.08, 1.0), 0.5, p));
    }

    /**
     * MoCo v2 (Chen et al. 2020): 2 crops, scale (0.2, 1), jitter (0.4, 0.4, 0.4, 0.1) p 0.8,
     * grayscale 0.2, blur p 0.5 (σ 0.1–2), flip, ImageNet normalisation.
     *
     * @param size crop side (224)
     * @return the transform
     */
    public static MultiCrop mocoV2(int size) {
        Photometric p = new Photometric(new ColorJitter(0.4, 0.4, 0.4, 0.1, 0.8), new RandomGrayscale(0.2),
                GaussianBlur.forCrop(0.5, size), Solarize.none(), Normalize.IMAGENET);
        return of(new CropGroup(2, new RandomResizedCrop(size, 0.2, 1.0), 0.5, p));
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
     * SwAV multi-crop with other sizes and counts: global crops scale (0.14, 1), local (0.05,
     * 0.14); every crop: flip, jitter s = 1 p 0.8, grayscale 0.2, blur p 0.5 (σ 0.1–2), SwAV's
     * normalisation (std 0.228, 0.224, 0.225).
     *
     * @param globalSize global crop side (224)
     * @param globalCount global crops (2)
     * @param localSize local crop side (96)
     * @param localCount local crops (6); 0 for none
     * @return the transform
     */
    public static MultiCrop swav(int globalSize, int globalCount, int localSize, int localCount) {
        Builder b = builder().addGroup(new CropGroup(globalCount, new RandomResizedCrop(globalSize, 0.14, 1.0), 0.5,
                swavPhotometric(globalSize)));
        if (localCount > 0) {
            b.addGroup(new CropGroup(localCount, new RandomResizedCrop(localSize, 0.05, 0.14), 0.5,
                    swavPhotometric(localSize)));
        }
        return b.build();
    }

    private static Photometric swavPhotometric(int size) {
        return new Photometric(ColorJitter.simclr(1.0), new RandomGrayscale(0.2), GaussianBlur.forCrop(0.5, size),
                Solarize.none(), Normalize.SWAV);
    }

    /**
     * DINO's multi-crop (Caron et al. 2021): 2 global crops at 224, scale (0.4, 1) — the first
     * always blurred, the second blurred with p 0.1 and solarised with p 0.2 — and 8 local crops
     * at 96, scale (0.05, 0.4), blur p 0.5; jitter (0.4, 0.4, 0.2, 0.1) p 0.8, grayscale 0.2.
     *
     * @return the transform
     */
    public static MultiCrop dino() {
        return dino(224, 96, 8);
    }

    /**
     * DINO's multi-crop with other sizes.
     *
     * @param globalSize global crop side (224)
     * @param localSize local crop side (96)
     * @param localCount local crops (8); 0 for none
     * @return the transform
     */
    public static MultiCrop dino(int globalSize, int localSize, int localCount) {
        ColorJitter j = new ColorJitter(0.4, 0.4, 0.2, 0.1, 0.8);
        RandomGrayscale g = new RandomGrayscale(0.2);
        RandomResizedCrop global = new RandomResizedCrop(globalSize, 0.4, 1.0);
        Builder b = builder()
                .addGroup(new CropGroup(1, global, 0.5,
                        new Photometric(j, g, GaussianBlur.forCrop(1.0, globalSize), Solarize.none(), Normalize.IMAGENET)))
                .addGroup(new CropGroup(1, global, 0.5, new Photometric(j, g, GaussianBlur.forCrop(0.1, globalSize),
                        new Solarize(0.2, Solarize.DEFAULT_THRESHOLD), Normalize.IMAGENET)));
        if (localCount > 0) {
            b.addGroup(new CropGroup(localCount, new RandomResizedCrop(localSize, 0.05, 0.4), 0.5,
                    new Photometric(j, g, GaussianBlur.forCrop(0.5, localSize), Solarize.none(), Normalize.IMAGENET)));
        }
        return b.build();
    }

    /**
     * The deterministic ImageNet evaluation transform for feature extraction: shorter side to
     * {@code floor(size / 0.875)}, centre crop {@code size}, ImageNet normalisation.
     *
     * @param size crop side (224)
     * @return a one-crop transform
     */
    public static MultiCrop evaluation(int size) {
        return of(new CropGroup(1, new ResizeCenterCrop(size, 0.875), 0, Photometric.normalizeOnly(Normalize.IMAGENET)));
    }

    /**
     * The evaluation transform for small images: plain resize to {@code size × size}, ImageNet
     * normalisation.
     *
     * @param size output side (e.g. 32 for Fashion-MNIST / CIFAR)
     * @return a one-crop transform
     */
    public static MultiCrop evaluationResize(int size) {
        return of(new CropGroup(1, new Resize(size), 0, Photometric.normalizeOnly(Normalize.IMAGENET)));
    }

    /**
     * The linear-probe training transform: RandomResizedCrop(size, scale (0.08, 1)) + flip,
     * ImageNet normalisation (METHODS.md §10).
     *
     * @param size crop side (224)
     * @return a one-crop transform
     */
    public static MultiCrop linearProbe(int size) {
        return of(new CropGroup(1, new RandomResizedCrop(size, 0.08, 1.0), 0.5, Photometric.normalizeOnly(Normalize.IMAGENET)));
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
            checkArgument(i >= 0 && i < groups.size(), "group index %s out of range [0, %s)", i, groups.size());
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
