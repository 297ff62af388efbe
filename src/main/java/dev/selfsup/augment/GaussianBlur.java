package dev.selfsup.augment;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * Gaussian blur with probability p and σ ~ U(sigmaMin, sigmaMax) per sample: torchvision's {@code
 * GaussianBlur(kernelSize, sigma)} — kernel {@code exp(-x²/2σ²)} sampled at integer offsets {@code
 * -k/2 … k/2} and normalised, reflect padding (edge pixel not repeated).
 *
 * <p>Applied as two 1-D passes (vertical, horizontal) of a depthwise convolution, mathematically
 * the same as torchvision's 2-D outer-product kernel; only the selected samples are convolved.
 * Kernel size: SimCLR's rule {@link #kernelSizeFor} (about 10 % of the side, odd). SwAV and MoCo v2
 * blur with Pillow's {@code GaussianBlur(radius=σ)}, which approximates the same Gaussian with box
 * filters; we use the exact kernel for all.
 *
 * @param probability p, in [0, 1] (SwAV, MoCo v2, SimCLR: 0.5)
 * @param sigmaMin smallest σ, {@code > 0} (0.1)
 * @param sigmaMax largest σ, {@code >= sigmaMin} (2.0)
 * @param kernelSize odd, {@code >= 1}
 */
public record GaussianBlur(double probability, double sigmaMin, double sigmaMax, int kernelSize) {
    /**
     * Validates the arguments.
     *
     * @param probability p, in [0, 1] (SwAV, MoCo v2, SimCLR: 0.5)
     * @param sigmaMin smallest σ, {@code > 0} (0.1)
     * @param sigmaMax largest σ, {@code >= sigmaMin} (2.0)
     * @param kernelSize odd, {@code >= 1}
     */
    public GaussianBlur {
        checkArgument(
                probability >= 0 && probability <= 1,
                "blur probability must be in [0, 1], got %s",
                probability);
        checkArgument(
                sigmaMin > 0 && sigmaMin <= sigmaMax,
                "blur sigma range must satisfy 0 < min <= max, got (%s, %s)",
                sigmaMin,
                sigmaMax);
        checkArgument(
                kernelSize >= 1 && kernelSize % 2 == 1,
                "blur kernel size must be odd and >= 1, got %s",
                kernelSize);
    }

    /**
     * A blur with p, σ ∈ [0.1, 2.0] and the kernel of {@link #kernelSizeFor}(cropSize).
     *
     * @param probability p
     * @param cropSize side of the crops it blurs
     * @return the blur
     */
    public static GaussianBlur forCrop(double probability, int cropSize) {
        return new GaussianBlur(probability, 0.1, 2.0, kernelSizeFor(cropSize));
    }

    /**
     * Never applied.
     *
     * @return a blur with probability 0
     */
    public static GaussianBlur none() {
        return new GaussianBlur(0, 0.1, 2.0, 1);
    }

    /**
     * SimCLR's kernel size for a crop side: {@code 2·⌊side/20⌋ + 1} (their radius = ⌊side/10⌋/2),
     * 23 for 224, 9 for 96.
     *
     * @param side crop side in pixels, {@code > 0}
     * @return an odd kernel size
     */
    public static int kernelSizeFor(int side) {
        checkArgument(side > 0, "side must be > 0, got %s", side);
        return 2 * (side / 20) + 1;
    }

    /**
     * torchvision's {@code _get_gaussian_kernel1d}.
     *
     * @param kernelSize k, odd
     * @param sigma σ, {@code > 0}
     * @return k weights summing to 1
     */
    public static float[] kernel1d(int kernelSize, double sigma) {
        checkArgument(
                kernelSize >= 1 && kernelSize % 2 == 1,
                "kernel size must be odd and >= 1, got %s",
                kernelSize);
        checkArgument(sigma > 0, "sigma must be > 0, got %s", sigma);
        double half = (kernelSize - 1) * 0.5;
        double[] pdf = new double[kernelSize];
        double sum = 0;
        for (int i = 0; i < kernelSize; i++) {
            double x = (-half + i) / sigma;
            pdf[i] = Math.exp(-0.5 * x * x);
            sum += pdf[i];
        }
        float[] k = new float[kernelSize];
        for (int i = 0; i < kernelSize; i++) {
            k[i] = (float) (pdf[i] / sum);
        }
        return k;
    }

    /**
     * Blurs each sample with its own σ; samples with σ ≤ 0 are copied unchanged.
     *
     * @param x images [N, 3, H, W] float32, H and W {@code > kernelSize / 2}
     * @param sigmas per sample σ, length N; {@code <= 0} means no blur
     * @param kernelSize odd kernel size
     * @return [N, 3, H, W] on x's manager
     */
    public static NDArray apply(NDArray x, float[] sigmas, int kernelSize) {
        int n = Ops.checkBatch(x, sigmas.length);
        int pad = kernelSize / 2;
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        checkArgument(
                pad < h && pad < w, "reflect padding %s needs images larger than %sx%s", pad, h, w);
        int m = 0;
        for (float s : sigmas) {
            m += s > 0 ? 1 : 0;
        }
        int selected = m;
        return Ops.scoped(
                x,
                sub -> {
                    if (selected == 0) {
                        return x.duplicate();
                    }
                    long[] idx = new long[selected];
                    long[] inverse = new long[n];
                    boolean[] mask = new boolean[n];
                    float[] kv = new float[selected * 3 * kernelSize];
                    for (int i = 0, j = 0; i < n; i++) {
                        if (sigmas[i] > 0) {
                            idx[j] = i;
                            inverse[i] = j;
                            mask[i] = true;
                            float[] k = kernel1d(kernelSize, sigmas[i]);
                            for (int c = 0; c < 3; c++) {
                                System.arraycopy(k, 0, kv, (j * 3 + c) * kernelSize, kernelSize);
                            }
                            j++;
                        }
                    }
                    NDArray part = selected == n ? x : x.get(new NDIndex("{}", sub.create(idx)));
                    NDArray padded = reflectPad(part, pad);
                    NDArray flat = padded.reshape(1, (long) selected * 3, h + 2 * pad, w + 2 * pad);
                    int groups = selected * 3;
                    NDArray kernels = sub.create(kv);
                    NDArray vertical = kernels.reshape(groups, 1, kernelSize, 1);
                    NDArray horizontal = kernels.reshape(groups, 1, 1, kernelSize);
                    NDArray blurred =
                            conv(conv(flat, vertical, groups), horizontal, groups)
                                    .reshape(selected, 3, h, w);
                    if (selected == n) {
                        return blurred;
                    }
                    NDArray spread = blurred.get(new NDIndex("{}", sub.create(inverse)));
                    return Ops.where(Ops.mask(sub, mask), spread, x);
                });
    }

    private static NDArray conv(NDArray input, NDArray weight, int groups) {
        return Conv2d.conv2d(
                        input,
                        weight,
                        null,
                        new Shape(1, 1),
                        new Shape(0, 0),
                        new Shape(1, 1),
                        groups)
                .singletonOrThrow();
    }

    /**
     * Reflect padding of the last two axes, like {@code torch.nn.functional.pad(mode="reflect")}.
     */
    static NDArray reflectPad(NDArray x, int pad) {
        if (pad == 0) {
            return x;
        }
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDArray top = x.get(new NDIndex(":, :, 1:{}", pad + 1)).flip(2);
        NDArray bottom = x.get(new NDIndex(":, :, {}:{}", h - 1 - pad, h - 1)).flip(2);
        NDArray rows = NDArrays.concat(new ai.djl.ndarray.NDList(top, x, bottom), 2);
        NDArray left = rows.get(new NDIndex(":, :, :, 1:{}", pad + 1)).flip(3);
        NDArray right = rows.get(new NDIndex(":, :, :, {}:{}", w - 1 - pad, w - 1)).flip(3);
        return NDArrays.concat(new ai.djl.ndarray.NDList(left, rows, right), 3);
    }
}
