package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.data.IdxDataset;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Feeds an {@link IdxDataset} (grayscale, [n, 1, H, W] in [0, 1]) to a backbone: optional bilinear
 * resize (PIL-style, antialiased when shrinking), then zero padding (black, before normalisation,
 * as torchvision's {@code Pad}), then replication to C channels, then {@code (x − mean[c]) /
 * std[c]}.
 *
 * <pre>{@code
 * FeatureSource train = IdxFeatureSource.builder(IdxDataset.embeddedFashionMnist(true))
 *         .optResize(32).optNormalize(new float[] {0.2860f}, new float[] {0.3530f}).build();
 * }</pre>
 */
public final class IdxFeatureSource implements FeatureSource {
    private final IdxDataset dataset;
    private final int channels;
    private final int resize;
    private final int pad;
    private final float[] mean;
    private final float[] std;
    private final String cacheKey;

    private IdxFeatureSource(Builder b) {
        this.dataset = b.dataset;
        this.channels = b.channels;
        this.resize = b.resize;
        this.pad = b.pad;
        this.mean = expand(b.mean, channels, "mean");
        this.std = expand(b.std, channels, "std");
        this.cacheKey = dataset.name() + " n=" + dataset.size() + " sha256=" + contentHash(dataset);
    }

    /**
     * Starts a source over a dataset.
     *
     * @param dataset the images and labels
     * @return a builder
     */
    public static Builder builder(IdxDataset dataset) {
        return new Builder(dataset);
    }

    /** Builds an {@link IdxFeatureSource}. */
    public static final class Builder {
        private final IdxDataset dataset;
        private int channels = 3;
        private int resize;
        private int pad;
        private float[] mean = {0f};
        private float[] std = {1f};

        private Builder(IdxDataset dataset) {
            this.dataset = Objects.requireNonNull(dataset, "dataset");
        }

        /**
         * Sets the number of output channels, the gray channel repeated; default 3 (what every
         * backbone expects), 1 for the raw-pixel baseline.
         *
         * @param value 1 or 3
         * @return this
         */
        public Builder optChannels(int value) {
            channels = value;
            return this;
        }

        /**
         * Resizes images bilinearly to a square side before padding; default 0 (keep H × W).
         *
         * @param side pixels, {@code >= 1}, or 0 to keep the size
         * @return this
         */
        public Builder optResize(int side) {
            resize = side;
            return this;
        }

        /**
         * Pads each side with black; default 0.
         *
         * @param pixels {@code >= 0}
         * @return this
         */
        public Builder optPad(int pixels) {
            pad = pixels;
            return this;
        }

        /**
         * Normalises each channel; default mean 0, std 1 (pixels stay in [0, 1]).
         *
         * @param mean one value for all channels, or one per channel
         * @param std the same length as {@code mean}, each {@code > 0}
         * @return this
         */
        public Builder optNormalize(float[] mean, float[] std) {
            this.mean = mean.clone();
            this.std = std.clone();
            return this;
        }

        /**
         * Validates the settings and hashes the dataset's content for the cache key.
         *
         * @return the source
         * @throws IllegalArgumentException if a setting is out of range
         */
        public IdxFeatureSource build() {
            checkArgument(
                    channels == 1 || channels == 3, "channels must be 1 or 3, got %s", channels);
            checkArgument(resize >= 0, "resize must be >= 0 (0 = keep), got %s", resize);
            checkArgument(pad >= 0, "pad must be >= 0, got %s", pad);
            checkArgument(
                    mean.length == std.length,
                    "mean %s and std %s differ in length",
                    Arrays.toString(mean),
                    Arrays.toString(std));
            for (float s : std) {
                checkArgument(s > 0, "std must be > 0, got %s", Arrays.toString(std));
            }
            return new IdxFeatureSource(this);
        }
    }

    @Override
    public int size() {
        return dataset.size();
    }

    @Override
    public NDArray images(NDManager manager, int from, int to) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = dataset.images(scope, from, to); // [n, 1, H, W] in [0, 1]
            if (resize > 0 && (resize != dataset.height() || resize != dataset.width())) {
                NDArray rows = scope.create(triangleFilter(dataset.height(), resize)); // [h', H]
                NDArray cols = scope.create(triangleFilter(dataset.width(), resize)); // [w', W]
                x = rows.matMul(x).matMul(cols.transpose()); // [n, 1, h', w']
            }
            if (pad > 0) {
                Shape s = x.getShape();
                NDArray padded =
                        scope.zeros(
                                new Shape(s.get(0), 1, s.get(2) + 2L * pad, s.get(3) + 2L * pad));
                padded.set(
                        new NDIndex(":, :, {}:{}, {}:{}", pad, pad + s.get(2), pad, pad + s.get(3)),
                        x);
                x = padded;
            }
            if (channels == 3) {
                x = x.repeat(1, 3);
            }
            NDArray m = scope.create(mean, new Shape(1, channels, 1, 1));
            NDArray sd = scope.create(std, new Shape(1, channels, 1, 1));
            x = x.sub(m).div(sd);
            x.attach(manager);
            return x;
        }
    }

    @Override
    public int[] labels() {
        return dataset.labels();
    }

    @Override
    public String cacheKey() {
        return cacheKey;
    }

    @Override
    public String transformDescription() {
        return String.format(
                "gray→%d channels, resize %s (bilinear, antialiased), pad %d (black), mean %s, std %s",
                channels,
                resize == 0 ? "none" : Integer.toString(resize),
                pad,
                Arrays.toString(mean),
                Arrays.toString(std));
    }

    /**
     * The [out, in] matrix of PIL's bilinear resampling (torchvision {@code Resize} with {@code
     * antialias=True}): output i averages inputs with a triangle of half-width max(1, in/out)
     * centred at {@code (i + 0.5)·in/out}, weights renormalised at the borders. Upsampling reduces
     * to plain bilinear with {@code align_corners=False}.
     */
    static float[][] triangleFilter(int in, int out) {
        double scale = (double) in / out;
        double support = Math.max(1, scale);
        float[][] m = new float[out][in];
        for (int i = 0; i < out; i++) {
            double centre = (i + 0.5) * scale;
            double total = 0;
            double[] w = new double[in];
            for (int j = 0; j < in; j++) {
                w[j] = Math.max(0, 1 - Math.abs((j + 0.5 - centre) / support));
                total += w[j];
            }
            for (int j = 0; j < in; j++) {
                m[i][j] = (float) (w[j] / total);
            }
        }
        return m;
    }

    private static float[] expand(float[] values, int channels, String what) {
        if (values.length == channels) {
            return values.clone();
        }
        checkArgument(
                values.length == 1,
                "%s needs 1 or %s values, got %s",
                what,
                channels,
                Arrays.toString(values));
        float[] out = new float[channels];
        Arrays.fill(out, values[0]);
        return out;
    }

    private static String contentHash(IdxDataset dataset) {
        MessageDigest digest = Fingerprint.sha256();
        for (int i = 0; i < dataset.size(); i++) {
            digest.update(dataset.image(i));
        }
        for (int label : dataset.labels()) {
            digest.update((byte) label);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
