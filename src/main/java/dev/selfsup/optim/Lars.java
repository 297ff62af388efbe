package dev.selfsup.optim;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * LARS: momentum SGD with a per-parameter trust ratio (You et al. 2017), as SwAV's LARC wrapper
 * (NVIDIA apex {@code apex/parallel/LARC.py}, used by facebookresearch/swav) and solo-learn's
 * {@code solo/utils/lars.py} (SimCLR) compute it (METHODS.md §9).
 *
 * <p>Per parameter p with gradient g, learning rate lr and weight decay wd (0 for BN / bias when
 * the group exempts them from decay):
 *
 * <pre>{@code
 * if adapted and ‖p‖ ≠ 0 and ‖g‖ ≠ 0:
 *     a ← η·‖p‖ / (‖g‖ + wd·‖p‖ + ε)
 *     if clip: a ← min(a / lr, 1)          # LARC clip mode
 *     g ← (g + wd·p)·a
 * else if adapted:                          # a zero norm: g unchanged, and no weight decay either
 *     g ← g                                 #   (LARC and solo-learn add wd only inside the branch)
 * else:                                     # excluded from adaptation (BN / bias by default)
 *     g ← g + wd·p                          #   a plain torch SGD step
 * buf ← g (first update) or μ·buf + g;  d ← nesterov ? g + μ·buf : buf;  p ← p − lr·d
 * }</pre>
 *
 * Norms are 2-norms over the whole parameter; the trust ratio is computed in double from the
 * float32 norms. Defaults η = 0.001, ε = 1e-8, μ = 0.9, clip off (SwAV passes {@code clip=False};
 * solo-learn's {@code clip_lr} defaults to false). Exclusion follows each group's {@link
 * ParamGroup#excludeFromLarsAdaptation(boolean)} (default true, SimCLR / solo-learn); official SwAV
 * adapts and decays every parameter: set both group flags to false to match it.
 */
public final class Lars extends Optimizer {
    private final double momentum;
    private final boolean nesterov;
    private final double trustCoefficient;
    private final double epsilon;
    private final boolean clip;

    private Lars(Builder builder) {
        super(builder);
        this.momentum = builder.momentum;
        this.nesterov = builder.nesterov;
        this.trustCoefficient = builder.trustCoefficient;
        this.epsilon = builder.epsilon;
        this.clip = builder.clip;
    }

    /**
     * Returns a builder; required: {@code setManager}, {@code setGroups}, {@code setLearningRate}.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    void update(Slot slot, NDArray param, NDArray grad, double lr, double decay, NDManager scope) {
        NDArray d = grad;
        if (slot.group.larsAdapts(slot.parameter)) {
            double paramNorm = param.norm().getFloat();
            double gradNorm = grad.norm().getFloat();
            if (paramNorm != 0 && gradNorm != 0) {
                double a = trustCoefficient * paramNorm / (gradNorm + decay * paramNorm + epsilon);
                if (clip) {
                    a = Math.min(a / lr, 1); // lr 0 gives +inf, so a = 1, as in torch
                }
                d = decay == 0 ? grad.mul(a) : grad.add(param.mul(scalar(decay, param))).muli(a);
            }
        } else if (decay != 0) {
            d = grad.add(param.mul(scalar(decay, param)));
        }
        if (momentum != 0) {
            d = Sgd.momentumStep(this, slot, d, momentum, nesterov, scope);
        }
        param.subi(d.mul(scalar(lr, param)));
    }

    @Override
    List<String> stateNames() {
        return momentum == 0 ? List.of() : List.of(Sgd.MOMENTUM_BUFFER);
    }

    /** Builder for {@link Lars}. */
    public static final class Builder extends BaseBuilder<Builder> {
        private double momentum = 0.9;
        private boolean nesterov;
        private double trustCoefficient = 0.001;
        private double epsilon = 1e-8;
        private boolean clip;

        Builder() {
            super(0);
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Sets the momentum μ.
         *
         * @param momentum μ in [0, 1); default 0.9
         * @return this builder
         */
        public Builder optMomentum(double momentum) {
            checkArgument(
                    momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got %s", momentum);
            this.momentum = momentum;
            return this;
        }

        /**
         * Sets Nesterov momentum.
         *
         * @param nesterov true for Nesterov; default false
         * @return this builder
         */
        public Builder optNesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        /**
         * Sets the trust coefficient η.
         *
         * @param trustCoefficient η, finite and {@code > 0}; default 0.001 (LARC, solo-learn)
         * @return this builder
         */
        public Builder optTrustCoefficient(double trustCoefficient) {
            checkArgument(
                    Double.isFinite(trustCoefficient) && trustCoefficient > 0,
                    "trustCoefficient must be finite and > 0, got %s",
                    trustCoefficient);
            this.trustCoefficient = trustCoefficient;
            return this;
        }

        /**
         * Sets ε in the trust-ratio denominator.
         *
         * @param epsilon ε, finite and {@code >= 0}; default 1e-8
         * @return this builder
         */
        public Builder optEpsilon(double epsilon) {
            checkArgument(
                    Double.isFinite(epsilon) && epsilon >= 0,
                    "epsilon must be finite and >= 0, got %s",
                    epsilon);
            this.epsilon = epsilon;
            return this;
        }

        /**
         * Sets LARC's clip mode: the trust ratio becomes {@code min(a / lr, 1)}, so the effective
         * step is {@code min(η‖p‖/(…), lr)}.
         *
         * @param clip true for clip mode; default false (SwAV uses {@code clip=False})
         * @return this builder
         */
        public Builder optClip(boolean clip) {
            this.clip = clip;
            return this;
        }

        /**
         * Builds the optimiser; the weight decay defaults to 0 (SwAV and SimCLR use 1e-6).
         *
         * @return a new {@link Lars}
         * @throws IllegalArgumentException if a required setter was not called or groups clash
         */
        public Lars build() {
            checkArgument(
                    !nesterov || momentum > 0, "nesterov needs momentum > 0, got %s", momentum);
            return new Lars(this);
        }
    }
}
