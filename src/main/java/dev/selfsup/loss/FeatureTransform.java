package dev.selfsup.loss;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.internal.Scalars;
import java.util.random.RandomGenerator;

/**
 * Feature transformation for MoCo-style contrast (Zhu et al. 2021; METHODS.md §6), following the
 * official {@code RGBMoCo_dropmix_norm} (DTennant/CL-Visualizing-Feature-Transformation,
 * memory/mem_moco.py):
 *
 * <pre>
 *   positive extrapolation   λp = 1 + Beta(α_p, α_p)     q̂ = λp q + (1 − λp) k,  k̂ = λp k + (1 − λp) q
 *   negative interpolation   λn = Beta(α_n, α_n)         Q̂ = λn Q + (1 − λn) Q[perm]
 *   logits = [q̂·k̂, q̂·Q̂ᵀ] / T, target 0
 * </pre>
 *
 * k and the queue are detached on entry (official: {@code k = k.detach()}, {@code
 * memory.clone().detach()}), but q keeps its gradient in both q̂ and k̂ — the official k̂ mixes in
 * the live q, so q receives gradient through the positive logit from both sides; METHODS.md's "k
 * detached" means exactly this. No re-normalisation after mixing (official default {@code
 * postmix_norm=False}). The official per-dimension masks ({@code dim_mask}) are {@link
 * Granularity#PER_ELEMENT}; one scalar per call ({@code dim_mask='none'}) is the default. The queue
 * the caller pushes keys into receives the unmixed keys.
 *
 * <p>With MoCHi as well, FT comes first and MoCHi then mixes from q̂ and Q̂: see {@link
 * #loss(Transformed, NDArray, double)}.
 */
public final class FeatureTransform {
    private FeatureTransform() {}

    /** What is mixed: official {@code mix_target} 'pos', 'neg' or 'posneg'. */
    public enum Target {
        /** Positive extrapolation only. */
        POSITIVE,
        /** Negative interpolation only. */
        NEGATIVE,
        /** Both (the paper's best setting). */
        BOTH
    }

    /** How many mixing coefficients are drawn for one call. */
    public enum Granularity {
        /** One scalar per call (official {@code dim_mask='none'}; the default). */
        PER_BATCH,
        /** One coefficient per row (per query, or per queue entry). */
        PER_SAMPLE,
        /** One coefficient per element, [B, D] or [K, D] (official {@code dim_mask}). */
        PER_ELEMENT
    }

    /**
     * FT options; defaults are the official recipe's.
     *
     * @param target what to mix (default BOTH)
     * @param positiveAlpha α_p of Beta(α_p, α_p), {@code > 0} (default 2.0)
     * @param negativeAlpha α_n of Beta(α_n, α_n), {@code > 0} (default 1.6)
     * @param positiveGranularity coefficients for λp (default PER_BATCH)
     * @param negativeGranularity coefficients for λn (default PER_BATCH)
     */
    public record Settings(
            Target target,
            double positiveAlpha,
            double negativeAlpha,
            Granularity positiveGranularity,
            Granularity negativeGranularity) {
        /**
         * Validates the values, naming the bad one.
         *
         * @param target what to mix (default BOTH)
         * @param positiveAlpha α_p of Beta(α_p, α_p), {@code > 0} (default 2.0)
         * @param negativeAlpha α_n of Beta(α_n, α_n), {@code > 0} (default 1.6)
         * @param positiveGranularity coefficients for λp (default PER_BATCH)
         * @param negativeGranularity coefficients for λn (default PER_BATCH)
         */
        public Settings {
            checkArgument(target != null, "target must not be null");
            checkArgument(
                    positiveAlpha > 0 && Double.isFinite(positiveAlpha),
                    "positiveAlpha must be finite and > 0, got %s",
                    positiveAlpha);
            checkArgument(
                    negativeAlpha > 0 && Double.isFinite(negativeAlpha),
                    "negativeAlpha must be finite and > 0, got %s",
                    negativeAlpha);
            checkArgument(positiveGranularity != null, "positiveGranularity must not be null");
            checkArgument(negativeGranularity != null, "negativeGranularity must not be null");
        }

        /**
         * The official recipe: both transforms, α_p = 2.0, α_n = 1.6, one scalar each per call.
         *
         * @return the defaults
         */
        public static Settings defaults() {
            return new Settings(
                    Target.BOTH, 2.0, 1.6, Granularity.PER_BATCH, Granularity.PER_BATCH);
        }
    }

    /**
     * Transformed features for an InfoNCE-style loss.
     *
     * @param qHat q̂, [B, D], carries q's gradient
     * @param kHat k̂, [B, D], carries q's gradient through (1 − λp) q
     * @param negatives Q̂, [K, D], no gradient
     */
    public record Transformed(NDArray qHat, NDArray kHat, NDArray negatives) {}

    /**
     * Draws the coefficients from {@code rng} and transforms. Draw order: λp values (row-major),
     * then λn values, then the permutation of the K queue rows ({@link Sampling#permutation}).
     * Skipped parts draw nothing.
     *
     * @param q queries, [B, D], FLOAT32 or FLOAT64
     * @param k keys, [B, D] (detached here)
     * @param queue negative keys, [K, D] (detached here)
     * @param settings what and how to mix
     * @param rng the generator
     * @return q̂, k̂ and Q̂ on the manager of {@code q}
     * @throws IllegalArgumentException on a shape or type mismatch
     */
    public static Transformed transform(
            NDArray q, NDArray k, NDArray queue, Settings settings, RandomGenerator rng) {
        InfoNce.check(q, k, queue, 1);
        checkArgument(settings != null, "settings must not be null (use Settings.defaults())");
        int b = (int) Tensors.dim(q, 0);
        int kq = (int) Tensors.dim(queue, 0);
        int d = (int) Tensors.dim(q, 1);
        boolean pos = settings.target() != Target.NEGATIVE;
        boolean neg = settings.target() != Target.POSITIVE;
        Shape posShape = coefficientShape(settings.positiveGranularity(), b, d);
        Shape negShape = coefficientShape(settings.negativeGranularity(), kq, d);
        double[] lp = pos ? betas(rng, settings.positiveAlpha(), posShape, 1) : new double[] {1};
        double[] ln = neg ? betas(rng, settings.negativeAlpha(), negShape, 0) : new double[] {1};
        int[] perm = neg ? Sampling.permutation(rng, kq) : identity(kq);
        try (NDManager scope = Tensors.scope(q, k, queue)) {
            DataType type = q.getDataType();
            NDArray lambdaP =
                    Scalars.owned(
                            scope.create(lp, pos ? posShape : new Shape()).toType(type, false));
            NDArray lambdaN =
                    Scalars.owned(
                            scope.create(ln, neg ? negShape : new Shape()).toType(type, false));
            Transformed t = apply(q, k, queue, lambdaP, lambdaN, perm);
            return new Transformed(
                    scope.ret(t.qHat()), scope.ret(t.kHat()), scope.ret(t.negatives()));
        }
    }

    /**
     * Transforms with explicit coefficients (reproduces a step or matches a reference). Pass λp = 1
     * to skip extrapolation and λn = 1 to skip interpolation.
     *
     * @param q queries, [B, D]
     * @param k keys, [B, D] (detached here)
     * @param queue negative keys, [K, D] (detached here)
     * @param lambdaPositive λp, already 1 + Beta: a scalar, [B, 1] or [B, D]
     * @param lambdaNegative λn: a scalar, [K, 1] or [K, D]
     * @param permutation a permutation of 0 … K−1
     * @return q̂, k̂ and Q̂ on the manager of {@code q}
     * @throws IllegalArgumentException on a shape or type mismatch or a bad permutation
     */
    public static Transformed transform(
            NDArray q,
            NDArray k,
            NDArray queue,
            NDArray lambdaPositive,
            NDArray lambdaNegative,
            int[] permutation) {
        InfoNce.check(q, k, queue, 1);
        checkCoefficients(lambdaPositive, "lambdaPositive", Tensors.dim(q, 0), Tensors.dim(q, 1));
        checkCoefficients(
                lambdaNegative, "lambdaNegative", Tensors.dim(queue, 0), Tensors.dim(q, 1));
        checkPermutation(permutation, (int) Tensors.dim(queue, 0));
        try (NDManager scope = Tensors.scope(q, k, queue, lambdaPositive, lambdaNegative)) {
            DataType type = q.getDataType();
            Transformed t =
                    apply(
                            q,
                            k,
                            queue,
                            lambdaPositive.toType(type, false),
                            lambdaNegative.toType(type, false),
                            permutation);
            return new Transformed(
                    scope.ret(t.qHat()), scope.ret(t.kHat()), scope.ret(t.negatives()));
        }
    }

    /**
     * InfoNCE on transformed features: logits [q̂·k̂, q̂·Q̂ᵀ] / T, target 0, mean over B. Unlike
     * {@link InfoNce#loss}, k̂ is not detached (it carries q, as in the official code).
     *
     * @param transformed the output of a {@code transform} call
     * @param temperature T, {@code > 0} (official recipe: 0.2)
     * @return scalar on the manager of {@code qHat}
     * @throws IllegalArgumentException on a shape or type mismatch or a bad temperature
     */
    public static NDArray loss(Transformed transformed, double temperature) {
        NDArray q = transformed.qHat();
        NDArray k = transformed.kHat();
        NDArray n = transformed.negatives();
        InfoNce.check(q, k, n, temperature);
        try (NDManager scope = Tensors.scope(q, k, n)) {
            return scope.ret(
                    Tensors.crossEntropyFirst(
                            InfoNce.rawLogits(q, k, n, null, false, temperature)));
        }
    }

    /**
     * InfoNCE on transformed features with extra per-query negatives, for feature transformation
     * followed by MoCHi (METHODS.md §5, §6): logits [q̂·k̂, q̂·Q̂ᵀ, q̂·extra_b] / T, target 0, mean
     * over B. This is the declared order when both are on: FT first, then MoCHi mixes hard
     * negatives from the transformed q̂ and Q̂ ({@code HardNegativeMixing.mix(qHat, negatives,
     * …)}). The extra negatives are detached; MoCHi's are unit norm while q̂ and Q̂ keep FT's scale
     * (no re-normalisation, as in both official recipes).
     *
     * @param transformed the output of a {@code transform} call, [B, D] / [B, D] / [K, D]
     * @param extraNegatives per-query negatives, [B, M, D] (M may be 0)
     * @param temperature T, {@code > 0}
     * @return scalar on the manager of {@code qHat}; gradient flows into q through q̂ and k̂
     * @throws IllegalArgumentException on a shape or type mismatch or a bad temperature
     */
    public static NDArray loss(
            Transformed transformed, NDArray extraNegatives, double temperature) {
        NDArray q = transformed.qHat();
        NDArray k = transformed.kHat();
        NDArray n = transformed.negatives();
        InfoNce.check(q, k, n, temperature);
        InfoNce.checkExtra(q, extraNegatives);
        try (NDManager scope = Tensors.scope(q, k, n, extraNegatives)) {
            return scope.ret(
                    Tensors.crossEntropyFirst(
                            InfoNce.rawLogits(q, k, n, extraNegatives, false, temperature)));
        }
    }

    /**
     * The logits of {@link #loss(Transformed, NDArray, double)}, column 0 the positive.
     *
     * @param transformed the output of a {@code transform} call
     * @param extraNegatives per-query negatives, [B, M, D] (M may be 0)
     * @param temperature T, {@code > 0}
     * @return [B, 1 + K + M] on the manager of {@code qHat}
     * @throws IllegalArgumentException on a shape or type mismatch or a bad temperature
     */
    public static NDArray logits(
            Transformed transformed, NDArray extraNegatives, double temperature) {
        NDArray q = transformed.qHat();
        NDArray k = transformed.kHat();
        NDArray n = transformed.negatives();
        InfoNce.check(q, k, n, temperature);
        InfoNce.checkExtra(q, extraNegatives);
        try (NDManager scope = Tensors.scope(q, k, n, extraNegatives)) {
            return scope.ret(InfoNce.rawLogits(q, k, n, extraNegatives, false, temperature));
        }
    }

    /**
     * Transforms with coefficients from {@code rng}, then {@link #loss(Transformed, double)}.
     *
     * @param q queries, [B, D]
     * @param k keys, [B, D]
     * @param queue negative keys, [K, D]
     * @param settings what and how to mix
     * @param temperature T, {@code > 0}
     * @param rng the generator
     * @return scalar on the manager of {@code q}
     * @throws IllegalArgumentException on a shape or type mismatch or a bad argument
     */
    public static NDArray loss(
            NDArray q,
            NDArray k,
            NDArray queue,
            Settings settings,
            double temperature,
            RandomGenerator rng) {
        Tensors.checkTemperature(temperature);
        Transformed t = transform(q, k, queue, settings, rng);
        try {
            return loss(t, temperature);
        } finally {
            t.qHat().close();
            t.kHat().close();
            t.negatives().close();
        }
    }

    private static Transformed apply(
            NDArray q, NDArray k, NDArray queue, NDArray lambdaP, NDArray lambdaN, int[] perm) {
        NDArray kd = k.stopGradient();
        NDArray n = queue.stopGradient();
        NDArray oneMinusP = lambdaP.neg().add(1);
        NDArray qHat = lambdaP.mul(q).add(oneMinusP.mul(kd));
        NDArray kHat = lambdaP.mul(kd).add(oneMinusP.mul(q));
        long[] index = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            index[i] = perm[i];
        }
        NDArray shuffled = n.get(new NDIndex("{}", q.getManager().create(index)));
        NDArray negatives = lambdaN.mul(n).add(lambdaN.neg().add(1).mul(shuffled));
        return new Transformed(qHat, kHat, negatives);
    }

    private static Shape coefficientShape(Granularity g, int rows, int d) {
        return switch (g) {
            case PER_BATCH -> new Shape();
            case PER_SAMPLE -> new Shape(rows, 1);
            case PER_ELEMENT -> new Shape(rows, d);
        };
    }

    private static double[] betas(RandomGenerator rng, double alpha, Shape shape, double offset) {
        double[] out = new double[(int) shape.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = offset + Sampling.beta(rng, alpha, alpha);
        }
        return out;
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        return p;
    }

    private static void checkCoefficients(NDArray c, String name, long rows, long d) {
        checkArgument(c != null, "%s must not be null", name);
        Shape s = c.getShape();
        boolean ok =
                s.dimension() == 0
                        || (s.dimension() == 2
                                && s.get(0) == rows
                                && (s.get(1) == 1 || s.get(1) == d));
        checkArgument(
                ok, "%s must be a scalar, [%s, 1] or [%s, %s], got %s", name, rows, rows, d, s);
        DataType t = c.getDataType();
        checkArgument(
                t == DataType.FLOAT32 || t == DataType.FLOAT64,
                "%s must be FLOAT32 or FLOAT64, got %s",
                name,
                t);
    }

    private static void checkPermutation(int[] perm, int n) {
        checkArgument(
                perm != null && perm.length == n,
                "permutation must have length K = %s, got %s",
                n,
                perm == null ? "null" : perm.length);
        boolean[] seen = new boolean[n];
        for (int p : perm) {
            checkArgument(
                    p >= 0 && p < n && !seen[p],
                    "permutation must hold each of 0..%s once, got %s",
                    n - 1,
                    p);
            seen[p] = true;
        }
    }
}
