package dev.selfsup.augment;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.selfsup.data.CropTransform;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The photometric half of a crop's augmentation, in SwAV's order (METHODS.md §7): colour jitter →
 * grayscale → Gaussian blur → solarise → normalise.
 *
 * <p>Parameters are drawn per crop by {@link #sample} on the loader's CPU threads. The ops then run
 * in one of two equivalent ways: {@link #apply}, batched tensor ops on the training device (the
 * path for GPUs), or {@link #applyOnHost}, plain Java on one crop's pixels on a loader thread (the
 * path when training on the CPU, where the tensor ops cost ~4× more CPU time). Both use the same
 * formulas in the same float32 order and agree within ~1e-6 on [0, 1] values (only the contrast
 * mean and the blur taps are summed in another order); which one runs is chosen by the {@link
 * dev.selfsup.data.Loader} ({@code optPhotometricSite}), which reaches both through {@link
 * CropTransform.PhotometricStage}. Flip commutes with all of these, so MoCo v2's "flip last" order
 * gives the same distribution.
 *
 * @param jitter colour jitter
 * @param grayscale random grayscale
 * @param blur Gaussian blur
 * @param solarize solarisation
 * @param normalize final standardisation
 */
public record Photometric(
        ColorJitter jitter,
        RandomGrayscale grayscale,
        GaussianBlur blur,
        Solarize solarize,
        Normalize normalize)
        implements CropTransform.PhotometricStage {
    /** Samples per chunk on the device: bounds the memory of the intermediates (hue needs ~40). */
    static final int CHUNK = 16;

    /**
     * Checks every part is present (use the {@code none()} forms to disable one).
     *
     * @param jitter colour jitter
     * @param grayscale random grayscale
     * @param blur Gaussian blur
     * @param solarize solarisation
     * @param normalize final standardisation
     */
    public Photometric {
        Objects.requireNonNull(jitter, "jitter");
        Objects.requireNonNull(grayscale, "grayscale");
        Objects.requireNonNull(blur, "blur");
        Objects.requireNonNull(solarize, "solarize");
        Objects.requireNonNull(normalize, "normalize");
    }

    /**
     * Only normalisation: the evaluation and linear-probe transforms.
     *
     * @param normalize the statistics
     * @return the settings
     */
    public static Photometric normalizeOnly(Normalize normalize) {
        return new Photometric(
                ColorJitter.none(),
                new RandomGrayscale(0),
                GaussianBlur.none(),
                Solarize.none(),
                normalize);
    }

    /**
     * Draws one crop's parameters. The number of draws does not depend on the outcomes.
     *
     * @param rng the crop's generator
     * @return the parameters
     */
    public PhotometricDraw sample(RandomGenerator rng) {
        float[] j = jitter.sample(rng);
        boolean gray = rng.nextDouble() < grayscale.probability();
        boolean blurred = rng.nextDouble() < blur.probability();
        double sigma = blur.sigmaMin() + (blur.sigmaMax() - blur.sigmaMin()) * rng.nextDouble();
        boolean sol = rng.nextDouble() < solarize.probability();
        return new PhotometricDraw(
                j[0] != 0,
                j[1],
                j[2],
                j[3],
                j[4],
                (int) j[5],
                gray,
                blurred ? (float) sigma : 0f,
                sol);
    }

    /**
     * Applies the drawn parameters to a batch of crops.
     *
     * @param x crops [N, 3, S, S] float32 in [0, 1]
     * @param draws per-crop parameters, length N
     * @return normalised crops [N, 3, S, S] float32 on x's manager
     */
    public NDArray apply(NDArray x, PhotometricDraw[] draws) {
        int n = Ops.checkBatch(x, draws.length);
        checkArgument(n > 0, "empty batch");
        return Ops.scoped(
                x,
                m -> {
                    NDList parts = new NDList();
                    for (int from = 0; from < n; from += CHUNK) {
                        int to = Math.min(n, from + CHUNK);
                        NDArray chunk = n <= CHUNK ? x : x.get("{}:{}", from, to);
                        PhotometricDraw[] d = Arrays.copyOfRange(draws, from, to);
                        parts.add(Ops.scoped(chunk, cm -> applyChunk(chunk, d)));
                    }
                    return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
                });
    }

    /**
     * Applies the drawn parameters to one crop in plain Java (the loader-thread path): uint8 → [0,
     * 1] floats, jitter in the draw's order, grayscale, blur, solarise, normalise — the same
     * numbers as {@link #apply} on the same crop within float rounding (~1e-6 before
     * normalisation). Allocates nothing per call beyond a per-thread scratch buffer.
     *
     * @param draw the crop's parameters
     * @param pixels uint8 crop, CHW RGB, {@code 3·size·size} bytes from {@code offset}
     * @param offset index of the crop's first byte
     * @param size crop side S, {@code > kernelSize / 2} when blurred
     * @param out destination of the normalised float32 CHW crop
     * @param outOffset index of the first float written; {@code 3·S·S} floats are written
     */
    public void applyOnHost(
            PhotometricDraw draw, byte[] pixels, int offset, int size, float[] out, int outOffset) {
        checkHost(draw, pixels, offset, size, outOffset, out.length);
        HostPhotometric.apply(this, draw, pixels, offset, size, out, null, outOffset);
    }

    /**
     * {@link #applyOnHost(PhotometricDraw, byte[], int, int, float[], int)} writing into a float
     * buffer (e.g. a direct buffer PyTorch will wrap), saving a copy.
     *
     * @param draw the crop's parameters
     * @param pixels uint8 crop, CHW RGB, {@code 3·size·size} bytes from {@code offset}
     * @param offset index of the crop's first byte
     * @param size crop side S
     * @param out destination; its position is ignored and not changed
     * @param outIndex index of the first float written; {@code 3·S·S} floats are written
     */
    public void applyOnHost(
            PhotometricDraw draw,
            byte[] pixels,
            int offset,
            int size,
            java.nio.FloatBuffer out,
            int outIndex) {
        checkHost(draw, pixels, offset, size, outIndex, out.capacity());
        HostPhotometric.apply(this, draw, pixels, offset, size, null, out, outIndex);
    }

    /**
     * {@link #applyOnHost(PhotometricDraw, byte[], int, int, java.nio.FloatBuffer, int)} with the
     * parameters of a crop drawn by a {@link MultiCrop}.
     *
     * @param crop a {@link CropDraw}
     * @param pixels uint8 crop, CHW RGB, {@code 3·size·size} bytes from {@code offset}
     * @param offset index of the crop's first byte
     * @param size crop side S
     * @param out destination; its position is ignored and not changed
     * @param outIndex index of the first float written; {@code 3·S·S} floats are written
     * @throws IllegalArgumentException if the crop was not drawn by a {@link MultiCrop}
     */
    @Override
    public void applyOnHost(
            CropTransform.Crop crop,
            byte[] pixels,
            int offset,
            int size,
            java.nio.FloatBuffer out,
            int outIndex) {
        applyOnHost(drawOf(crop), pixels, offset, size, out, outIndex);
    }

    /**
     * {@link #apply(NDArray, PhotometricDraw[])} with the parameters of crops drawn by a {@link
     * MultiCrop}.
     *
     * @param x crops [N, 3, S, S] float32 in [0, 1]
     * @param crops N {@link CropDraw}s
     * @return normalised crops [N, 3, S, S] float32 on x's manager
     * @throws IllegalArgumentException if a crop was not drawn by a {@link MultiCrop}
     */
    @Override
    public NDArray apply(NDArray x, CropTransform.Crop[] crops) {
        PhotometricDraw[] draws = new PhotometricDraw[crops.length];
        for (int i = 0; i < crops.length; i++) {
            draws[i] = drawOf(crops[i]);
        }
        return apply(x, draws);
    }

    private static PhotometricDraw drawOf(CropTransform.Crop crop) {
        if (crop instanceof CropDraw d) {
            return d.photometric();
        }
        throw new IllegalArgumentException(
                "a Photometric stage reads crops drawn by a MultiCrop (CropDraw), got "
                        + (crop == null ? "null" : crop.getClass().getName()));
    }

    private void checkHost(
            PhotometricDraw draw,
            byte[] pixels,
            int offset,
            int size,
            int outOffset,
            int outLength) {
        Objects.requireNonNull(draw, "draw");
        checkArgument(size > 0, "size must be > 0, got %s", size);
        int len = 3 * size * size;
        checkArgument(
                offset >= 0 && offset + (long) len <= pixels.length,
                "a 3x%sx%s crop at %s does not fit %s bytes",
                size,
                size,
                offset,
                pixels.length);
        checkArgument(
                outOffset >= 0 && outOffset + (long) len <= outLength,
                "a 3x%sx%s crop at %s does not fit %s floats",
                size,
                size,
                outOffset,
                outLength);
        checkArgument(
                draw.blurSigma() <= 0 || blur.kernelSize() / 2 < size,
                "reflect padding %s needs crops larger than %sx%s",
                blur.kernelSize() / 2,
                size,
                size);
    }

    private NDArray applyChunk(NDArray x, PhotometricDraw[] draws) {
        int n = draws.length;
        boolean[] gray = new boolean[n];
        boolean[] sol = new boolean[n];
        float[] sigma = new float[n];
        boolean anyJitter = false;
        boolean anyGray = false;
        boolean anyBlur = false;
        boolean anySol = false;
        for (int i = 0; i < n; i++) {
            PhotometricDraw d = draws[i];
            anyJitter |= d.jitter();
            gray[i] = d.grayscale();
            anyGray |= gray[i];
            sigma[i] = d.blurSigma();
            anyBlur |= sigma[i] > 0;
            sol[i] = d.solarize();
            anySol |= sol[i];
        }
        NDArray cur = x;
        if (anyJitter) {
            cur = next(x, cur, ColorJitter.apply(cur, draws));
        }
        if (anyGray) {
            cur = next(x, cur, RandomGrayscale.apply(cur, gray));
        }
        if (anyBlur) {
            cur = next(x, cur, GaussianBlur.apply(cur, sigma, blur.kernelSize()));
        }
        if (anySol) {
            cur = next(x, cur, Solarize.apply(cur, sol, (float) solarize.threshold()));
        }
        return next(x, cur, normalize.apply(cur));
    }

    private static NDArray next(NDArray input, NDArray old, NDArray result) {
        if (old != input) {
            old.close();
        }
        return result;
    }
}
