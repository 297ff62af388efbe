package dev.selfsup.data;

import static dev.selfsup.internal.Checks.checkArgument;

import dev.selfsup.engine.Seeds;
import java.util.random.RandomGenerator;

/**
 * A procedural, labelled colour dataset for tests and demos: each class is a shape (disc, square,
 * triangle, ring, cross), a texture (solid, stripes, checks) and a hue; each image places its
 * class's shape at a random position, size and shade on a random background.
 *
 * <p>Image i is a pure function of (seed, i) — generated on demand, nothing is stored — and its
 * label is {@code i % numClasses}, so every class has N/numClasses images (±1). Optional per-pixel
 * noise makes JPEG files of it compress like photographs (used by the decoding benchmark).
 */
public final class SyntheticShapes implements ImageDataset {
    private static final int SHAPES = 5;
    private static final int TEXTURES = 3;
    private static final double GOLDEN = 0.6180339887498949;

    private final int size;
    private final int numClasses;
    private final int width;
    private final int height;
    private final long seed;
    private final int noise;

    /**
     * Creates the dataset without pixel noise.
     *
     * @param size N, {@code > 0}
     * @param numClasses number of classes, in [1, 1000]
     * @param width image width, {@code >= 8}
     * @param height image height, {@code >= 8}
     * @param seed generator seed
     */
    public SyntheticShapes(int size, int numClasses, int width, int height, long seed) {
        this(size, numClasses, width, height, seed, 0);
    }

    /**
     * Creates the dataset.
     *
     * @param size N, {@code > 0}
     * @param numClasses number of classes, in [1, 1000]
     * @param width image width, {@code >= 8}
     * @param height image height, {@code >= 8}
     * @param seed generator seed
     * @param noise amplitude of uniform per-pixel noise in grey levels, in [0, 128]
     */
    public SyntheticShapes(int size, int numClasses, int width, int height, long seed, int noise) {
        checkArgument(size > 0, "size must be > 0, got %s", size);
        checkArgument(
                numClasses >= 1 && numClasses <= 1000,
                "numClasses must be in [1, 1000], got %s",
                numClasses);
        checkArgument(
                width >= 8 && height >= 8,
                "image size must be at least 8x8, got %sx%s",
                width,
                height);
        checkArgument(noise >= 0 && noise <= 128, "noise must be in [0, 128], got %s", noise);
        this.size = size;
        this.numClasses = numClasses;
        this.width = width;
        this.height = height;
        this.seed = seed;
        this.noise = noise;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public int label(int i) {
        checkArgument(i >= 0 && i < size, "index %s out of range [0, %s)", i, size);
        return i % numClasses;
    }

    @Override
    public String name() {
        return String.format(
                "SyntheticShapes(n=%d, classes=%d, %dx%d, seed=%d)",
                size, numClasses, width, height, seed);
    }

    @Override
    public DecodedImage decode(int i) {
        int c = label(i);
        RandomGenerator rng = Seeds.derive(seed, "synthetic-shapes", i);
        int shape = c % SHAPES;
        int texture = (c / SHAPES) % TEXTURES;
        double hue = (c * GOLDEN + (c / (SHAPES * TEXTURES)) * 0.05) % 1.0;
        int[] fg =
                hsv(
                        hue + rng.nextDouble(-0.02, 0.02),
                        rng.nextDouble(0.6, 1.0),
                        rng.nextDouble(0.6, 1.0));
        int[] bg0 = hsv(rng.nextDouble(), rng.nextDouble(0.0, 0.3), rng.nextDouble(0.1, 0.5));
        int[] bg1 = hsv(rng.nextDouble(), rng.nextDouble(0.0, 0.3), rng.nextDouble(0.1, 0.5));
        int side = Math.min(width, height);
        double r = side * rng.nextDouble(0.22, 0.4);
        double cx = rng.nextDouble(r, width - r);
        double cy = rng.nextDouble(r, height - r);
        double period = Math.max(2.0, r * 0.3);
        byte[] px = new byte[width * height * 3];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double dx = (x + 0.5 - cx) / r;
                double dy = (y + 0.5 - cy) / r;
                int o = (y * width + x) * 3;
                boolean inside = inside(shape, dx, dy);
                double shade = 1.0;
                if (inside && texture > 0) {
                    int a = (int) Math.floor((x + (texture == 1 ? y : 0)) / period);
                    int b = texture == 2 ? (int) Math.floor(y / period) : 0;
                    shade = ((a + b) & 1) == 0 ? 1.0 : 0.55;
                }
                double t = (double) y / height;
                for (int k = 0; k < 3; k++) {
                    double v = inside ? fg[k] * shade : bg0[k] * (1 - t) + bg1[k] * t;
                    if (noise > 0) {
                        v += rng.nextInt(-noise, noise + 1);
                    }
                    px[o + k] = (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
                }
            }
        }
        return new DecodedImage(width, height, 3, px);
    }

    private static boolean inside(int shape, double dx, double dy) {
        double ax = Math.abs(dx);
        double ay = Math.abs(dy);
        return switch (shape) {
            case 0 -> dx * dx + dy * dy <= 1.0;
            case 1 -> ax <= 0.8 && ay <= 0.8;
            case 2 -> dy >= -0.8 && dy <= 0.8 && ax <= (dy + 0.8) / 1.6 * 0.9;
            case 3 -> {
                double d2 = dx * dx + dy * dy;
                yield d2 >= 0.36 && d2 <= 1.0;
            }
            default -> (ax <= 0.3 && ay <= 0.9) || (ay <= 0.3 && ax <= 0.9);
        };
    }

    private static int[] hsv(double h, double s, double v) {
        h = h - Math.floor(h);
        double i = Math.floor(h * 6);
        double f = h * 6 - i;
        double p = v * (1 - s);
        double q = v * (1 - s * f);
        double t = v * (1 - s * (1 - f));
        double[] rgb =
                switch ((int) i % 6) {
                    case 0 -> new double[] {v, t, p};
                    case 1 -> new double[] {q, v, p};
                    case 2 -> new double[] {p, v, t};
                    case 3 -> new double[] {p, q, v};
                    case 4 -> new double[] {t, p, v};
                    default -> new double[] {v, p, q};
                };
        return new int[] {(int) (rgb[0] * 255), (int) (rgb[1] * 255), (int) (rgb[2] * 255)};
    }
}
