package dev.selfsup.optim;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * Stochastic gradient descent with momentum, in {@code torch.optim.SGD} form (dampening 0).
 *
 * <p>Per parameter p with gradient g, learning rate lr (schedule × group multiplier) and weight
 * decay wd (0 for exempt BN / bias parameters):
 *
 * <pre>{@code
 * g ← g + wd·p
 * buf ← g                       on the parameter's first update (torch clones g)
 * buf ← μ·buf + g               afterwards
 * d ← nesterov ? g + μ·buf : buf
 * p ← p − lr·d
 * }</pre>
 *
 * With μ = 0 there is no buffer and {@code p ← p − lr·g}. This is not DJL's {@code Sgd} (MXNet
 * form, {@code buf ← μ·buf − lr·g}, which differs from torch whenever the learning rate changes).
 * MoCo v2: lr 0.03 × B/256, μ 0.9, wd 1e-4.
 */
public final class Sgd extends Optimizer {
    static final String MOMENTUM_BUFFER = "momentum_buffer";

    private final double momentum;
    private final boolean nesterov;

    private Sgd(Builder builder) {
        super(builder);
        this.momentum = builder.momentum;
        this.nesterov = builder.nesterov;
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
        NDArray d = decay == 0 ? grad : grad.add(param.mul(scalar(decay, param)));
        if (momentum != 0) {
            d = momentumStep(this, slot, d, momentum, nesterov, scope);
        }
        param.subi(d.mul(scalar(lr, param)));
    }

    /**
     * The torch momentum step shared with {@link Lars}: updates (or creates) the buffer in place
     * and returns the direction.
     */
    static NDArray momentumStep(
            Optimizer optimizer,
            Slot slot,
            NDArray d,
            double momentum,
            boolean nesterov,
            NDManager scope) {
        NDArray buf = optimizer.borrowState(slot, MOMENTUM_BUFFER, scope);
        if (buf == null) {
            buf = optimizer.keepState(slot, MOMENTUM_BUFFER, d.duplicate(), scope);
        } else {
            buf.muli(optimizer.scalar(momentum, buf)).addi(d);
        }
        return nesterov ? d.add(buf.mul(optimizer.scalar(momentum, buf))) : buf;
    }

    @Override
    List<String> stateNames() {
        return momentum == 0 ? List.of() : List.of(MOMENTUM_BUFFER);
    }

    /** Builder for {@link Sgd}. */
    public static final class Builder extends BaseBuilder<Builder> {
        private double momentum = 0.9;
        private boolean nesterov;

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
         * @param momentum μ in [0, 1); default 0.9 (MoCo, SwAV, SimCLR; torch's own default is 0)
         * @return this builder
         */
        public Builder optMomentum(double momentum) {
            checkArgument(
                    momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got %s", momentum);
            this.momentum = momentum;
            return this;
        }

        /**
         * Sets Nesterov momentum ({@code d = g + μ·buf}).
         *
         * @param nesterov true for Nesterov; default false
         * @return this builder
         */
        public Builder optNesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        /**
         * Builds the optimiser; the weight decay defaults to 0.
         *
         * @return a new {@link Sgd}
         * @throws IllegalArgumentException if a required setter was not called or groups clash
         */
        public Sgd build() {
            checkArgument(
                    !nesterov || momentum > 0, "nesterov needs momentum > 0, got %s", momentum);
            return new Sgd(this);
        }
    }
}
