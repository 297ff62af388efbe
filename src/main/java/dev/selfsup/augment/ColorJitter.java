package dev.selfsup.augment;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import java.util.random.RandomGenerator;

/**
 * Random colour jitter applied with probability p: torchvision's {@code RandomApply([ColorJitter(b,
 * c, s, h)], p)} on float tensors — the four adjustments in a random order per sample, factors
 * uniform in [max(0, 1 − b), 1 + b] (likewise c, s) and hue shift uniform in [−h, h].
 *
 * <p>Formulas are torchvision's tensor ones, each clamped to [0, 1]: brightness {@code f·x},
 * contrast {@code f·x + (1 − f)·mean(luma(x))} (mean over the whole sample), saturation {@code f·x
 * + (1 − f)·luma(x)}, hue a shift of H in HSV space ({@code _rgb2hsv} / {@code _hsv2rgb}). The
 * PIL-based reference pipelines round to 8 bits after each adjustment; we keep floats.
 *
 * @param brightness b {@code >= 0} (SwAV / SimCLR s = 1: 0.8; MoCo v2: 0.4)
 * @param contrast c {@code >= 0}
 * @param saturation s {@code >= 0}
 * @param hue h in [0, 0.5] (SwAV 0.2, MoCo v2 0.1)
 * @param probability p in [0, 1] (0.8)
 */
public record ColorJitter(double brightness, double contrast, double saturation, double hue, double probability) {
    /** Validates the ranges. */
    public ColorJitter {
        checkArgument(brightness >= 0, "brightness must be >= 0, got %s", brightness);
        checkArgument(contrast >= 0, "contrast must be >= 0, got %s", contrast);
        checkArgument(saturation >= 0, "saturation must be >= 0, got %s", saturation);
        checkArgument(hue >= 0 && hue <= 0.5, "hue must be in [0, 0.5], got %s", hue);
        checkArgument(probability >= 0 && probability <= 1, "jitter probability must be in [0, 1], got %s", probability);
    }

    /**
     * SimCLR's jitter of strength s: (0.8 s, 0.8 s, 0.8 s, 0.2 s), p 0.8.
     *
     * @param strength s (SimCLR / SwAV ImageNet: 1.0)
     * @return the jitter
     */
    public static ColorJitter simclr(double strength) {
        return new ColorJitter(0.8 * strength, 0.8 * strength, 0.8 * strength, 0.2 * strength, 0.8);
    }

    /**
     * Never applied.
     *
     * @return a jitter with probability 0
     */
    public static ColorJitter none() {
        return new ColorJitter(0, 0, 0, 0, 0);
    }

    /**
     * Draws whether to jitter, the order and the factors. Consumes the same number of draws
     * whatever the outcome, so later ops of the crop see a stable stream.
     *
     * @param rng the generator
     * @return {applied, brightness, contrast, saturation, hue, packed order}
     */
    float[] sample(RandomGenerator rng) {
        boolean applied = rng.nextDouble() < probability;
        int[] ops = {0, 1, 2, 3};
        for (int i = 3; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = ops[i];
            ops[i] = ops[j];
            ops[j] = t;
        }
        float b = factor(rng, brightness);
        float c = factor(rng, contrast);
        float s = factor(rng, saturation);
        float h = (float) (-hue + 2 * hue * rng.nextDouble());
        if (!applied) {
            return new float[] {0, 1, 1, 1, 0, PhotometricDraw.ORDER_BCSH};
        }
        return new float[] {1, b, c, s, h, PhotometricDraw.pack(ops)};
    }

    private static float factor(RandomGenerator rng, double spread) {
        double lo = Math.max(0, 1 - spread);
        double hi = 1 + spread;
        return (float) (lo + (hi - lo) * rng.nextDouble());
    }

    /**
     * Applies each sample's jitter in its own order (samples with {@code jitter == false} are only
     * copied). Brightness, contrast and saturation at one step are a single fused blend {@code
     * clamp(a·x + b·mean + c·luma)} whose coefficients select the sample's op, exactly each formula;
     * hue runs only on the samples whose order puts it at that step.
     *
     * @param x images [N, 3, H, W] float32 in [0, 1]
     * @param draws per-sample parameters, length N
     * @return [N, 3, H, W] in [0, 1] on x's manager
     */
    public static NDArray apply(NDArray x, PhotometricDraw[] draws) {
        int n = Ops.checkBatch(x, draws.length);
        return Ops.scoped(
                x,
                m -> {
                    NDArray cur = x;
                    for (int step = 0; step < 4; step++) {
                        float[] a = new float[n];
                        float[] meanW = new float[n];
                        float[] lumaW = new float[n];
                        float[] hueF = new float[n];
                        boolean blend = false;
                        boolean anyMean = false;
                        boolean anyLuma = false;
                        int hues = 0;
                        for (int i = 0; i < n; i++) {
                            PhotometricDraw d = draws[i];
                            a[i] = 1f;
                            if (!d.jitter()) {
                                continue;
                            }
                            switch (d.opAt(step)) {
                                case 0 -> {
                                    a[i] = d.brightness();
                                    blend |= d.brightness() != 1f;
                                }
                                case 1 -> {
                                    a[i] = d.contrast();
                                    meanW[i] = (float) (1.0 - d.contrast());
                                    blend |= d.contrast() != 1f;
                                    anyMean |= d.contrast() != 1f;
                                }
                                case 2 -> {
                                    a[i] = d.saturation();
                                    lumaW[i] = (float) (1.0 - d.saturation());
                                    blend |= d.saturation() != 1f;
                                    anyLuma |= d.saturation() != 1f;
                                }
                                default -> {
                                    hueF[i] = d.hue();
                                    hues += d.hue() != 0f ? 1 : 0;
                                }
                            }
                        }
                        // Each step's temporaries live in their own scope and the previous
                        // image is freed at once: a batch of 224-px crops is ~0.6 MB per sample.
                        if (blend) {
                            NDArray in = cur;
                            boolean mean = anyMean;
                            boolean luma = anyLuma;
                            NDArray next = Ops.scoped(in, sm -> {
                                NDArray mix = in.mul(Ops.column(sm, a));
                                if (mean || luma) {
                                    NDArray l = RandomGrayscale.luma(in);
                                    NDArray means = mean ? Ops.sampleMean(l).muli(Ops.column(sm, meanW)) : null;
                                    NDArray ref = l.muli(Ops.column(sm, lumaW)); // in place: fresh luma
                                    if (mean) {
                                        ref.addi(means);
                                    }
                                    mix.addi(ref);
                                }
                                return mix.clip(0f, 1f);
                            });
                            cur = replace(x, cur, next);
                        }
                        if (hues > 0) {
                            NDArray in = cur;
                            int count = hues;
                            cur = replace(x, cur, Ops.scoped(in, sm -> hueSubset(sm, in, hueF, count)));
                        }
                    }
                    return cur == x ? x.duplicate() : cur;
                });
    }

    private static NDArray replace(NDArray input, NDArray old, NDArray next) {
        if (old != input) {
            old.close();
        }
        return next;
    }

    private static NDArray hueSubset(NDManager m, NDArray x, float[] factors, int count) {
        int n = factors.length;
        if (count == n) {
            return hue(x, factors);
        }
        long[] idx = new long[count];
        long[] inverse = new long[n];
        boolean[] mask = new boolean[n];
        float[] f = new float[count];
        for (int i = 0, j = 0; i < n; i++) {
            if (factors[i] != 0f) {
                idx[j] = i;
                inverse[i] = j;
                mask[i] = true;
                f[j++] = factors[i];
            }
        }
        NDArray shifted = hue(x.get(new NDIndex("{}", m.create(idx))), f);
        NDArray spread = shifted.get(new NDIndex("{}", m.create(inverse)));
        return Ops.where(Ops.mask(m, mask), spread, x);
    }

    /**
     * Brightness: {@code clamp(f·x, 0, 1)} per sample.
     *
     * @param x images [N, 3, H, W] float32
     * @param factors f per sample, length N
     * @return [N, 3, H, W] on x's manager
     */
    public static NDArray brightness(NDArray x, float[] factors) {
        Ops.checkBatch(x, factors.length);
        return Ops.scoped(x, m -> x.mul(Ops.column(m, factors)).clip(0f, 1f));
    }

    /**
     * Contrast: {@code clamp(f·x + (1 − f)·mean(luma(x)), 0, 1)}, mean over the sample.
     *
     * @param x images [N, 3, H, W] float32
     * @param factors f per sample, length N
     * @return [N, 3, H, W] on x's manager
     */
    public static NDArray contrast(NDArray x, float[] factors) {
        Ops.checkBatch(x, factors.length);
        return Ops.scoped(
                x,
                m -> {
                    NDArray mean = Ops.sampleMean(RandomGrayscale.luma(x));
                    return x.mul(Ops.column(m, factors)).add(mean.mul(Ops.column(m, oneMinus(factors)))).clip(0f, 1f);
                });
    }

    /**
     * Saturation: {@code clamp(f·x + (1 − f)·luma(x), 0, 1)}.
     *
     * @param x images [N, 3, H, W] float32
     * @param factors f per sample, length N
     * @return [N, 3, H, W] on x's manager
     */
    public static NDArray saturation(NDArray x, float[] factors) {
        Ops.checkBatch(x, factors.length);
        return Ops.scoped(
                x,
                m -> x.mul(Ops.column(m, factors))
                        .add(RandomGrayscale.luma(x).mul(Ops.column(m, oneMinus(factors))))
                        .clip(0f, 1f));
    }

    private static float[] oneMinus(float[] f) {
        float[] out = new float[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = (float) (1.0 - f[i]);
        }
        return out;
    }

    /**
     * Hue: RGB → HSV, {@code H ← (H + f) mod 1}, HSV → RGB, with torchvision's {@code _rgb2hsv} and
     * {@code _hsv2rgb} formulas.
     *
     * @param x images [N, 3, H, W] float32 in [0, 1]
     * @param factors shift f per sample in turns, in [−0.5, 0.5], length N
     * @return [N, 3, H, W] on x's manager
     */
    public static NDArray hue(NDArray x, float[] factors) {
        Ops.checkBatch(x, factors.length);
        for (float f : factors) {
            checkArgument(f >= -0.5f && f <= 0.5f, "hue factor must be in [-0.5, 0.5], got %s", f);
        }
        return Ops.scoped(
                x,
                m -> {
                    NDArray r = x.get(":, 0:1");
                    NDArray g = x.get(":, 1:2");
                    NDArray b = x.get(":, 2:3");
                    // Element-wise max/min of the three planes: same values as torch.max(dim=1),
                    // several times cheaper than a reduction that also returns indices.
                    NDArray maxc = r.maximum(g).maximum(b);
                    NDArray minc = r.minimum(g).minimum(b);
                    NDArray eqc = maxc.eq(minc);
                    NDArray cr = maxc.sub(minc);
                    NDArray ones = maxc.onesLike();
                    NDArray s = cr.div(NDArrays.where(eqc, ones, maxc));
                    NDArray crDivisor = NDArrays.where(eqc, ones, cr);
                    NDArray rc = maxc.sub(r).div(crDivisor);
                    NDArray gc = maxc.sub(g).div(crDivisor);
                    NDArray bc = maxc.sub(b).div(crDivisor);
                    // torchvision sums three masked terms of which exactly one is selected (the
                    // others are 0·finite = 0); selecting with where gives the same values.
                    NDArray h = NDArrays.where(maxc.eq(r), bc.sub(gc),
                            NDArrays.where(maxc.eq(g), rc.add(2f).sub(bc), gc.add(4f).sub(rc)));
                    h = h.divi(6f).addi(1f);
                    h = h.subi(h.floor()); // fmod(h/6 + 1, 1) for positive values
                    h = h.addi(Ops.column(m, factors));
                    h = h.subi(h.floor()); // Python's % 1.0 (torch.remainder)
                    NDArray v = maxc;
                    NDArray h6 = h.muli(6f);
                    NDArray iF = h6.floor();
                    NDArray f = h6.subi(iF);
                    NDArray p = v.mul(s.neg().addi(1f)).clip(0f, 1f);
                    NDArray q = v.mul(s.mul(f).negi().addi(1f)).clip(0f, 1f);
                    NDArray t = v.mul(s.mul(f.neg().addi(1f)).negi().addi(1f)).clip(0f, 1f);
                    // i = floor(6h) is in 0..6 (6 only if h rounded up to 1.0, which i % 6 maps to 0).
                    NDArray[] k = new NDArray[6];
                    for (int j = 0; j < 6; j++) {
                        k[j] = j == 0 ? iF.eq(0f).logicalOr(iF.eq(6f)) : iF.eq((float) j);
                    }
                    // torchvision's einsum picks one of six (r, g, b) triples by i.
                    NDArray outR = pick(k, v, q, p, p, t, v);
                    NDArray outG = pick(k, t, v, v, q, p, p);
                    NDArray outB = pick(k, p, p, t, v, v, q);
                    return NDArrays.concat(new ai.djl.ndarray.NDList(outR, outG, outB), 1);
                });
    }

    /** values[i] where mask i is set; the six masks are disjoint and cover every pixel. */
    private static NDArray pick(NDArray[] masks, NDArray... values) {
        NDArray out = values[5];
        for (int j = 4; j >= 0; j--) {
            out = NDArrays.where(masks[j], values[j], out);
        }
        return out;
    }
}
