package dev.selfsup.method;

import dev.selfsup.internal.Scalars;
import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.config.FeatureTransformSettings;
import dev.selfsup.config.MochiSettings;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.loss.HardNegativeMixing;
import dev.selfsup.loss.NtXent;
import dev.selfsup.loss.Sampling;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ProjectionHead;
import dev.selfsup.optim.ParamGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * SimCLR: NT-Xent between two views (Chen et al. 2020; METHODS.md §4), optionally with MoCHi on
 * the in-batch negatives and positive extrapolation.
 */
public final class SimClr implements Method {
    private final Backbone backbone;
    private final ProjectionHead head;
    private final double temperature;
    private final MochiSettings mochi;
    private final FeatureTransformSettings transform;

    /**
     * Creates the method from initialised blocks.
     *
     * @param backbone the backbone, [N, 3, H, W] → [N, F]
     * @param head the projection head, [N, F] → [N, D]
     * @param temperature NT-Xent temperature τ
     * @param mochi hard negative mixing on in-batch negatives (off unless enabled)
     * @param transform feature transformation; SimCLR supports positive extrapolation only
     */
    public SimClr(Backbone backbone, ProjectionHead head, double temperature, MochiSettings mochi,
            FeatureTransformSettings transform) {
        checkArgument(temperature > 0, "temperature must be > 0, got %s", temperature);
        checkArgument(!(transform.enabled() && transform.negativeInterpolation()),
                "feature_transform.negative_interpolation needs a queue of negatives (mocov2); for simclr set it to false");
        this.backbone = backbone;
        this.head = head;
        this.temperature = temperature;
        this.mochi = mochi;
        this.transform = transform;
    }

    @Override
    public Backbone backbone() {
        return backbone;
    }

    @Override
    public ProjectionHead head() {
        return head;
    }

    @Override
    public Map<String, Block> blocks() {
        Map<String, Block> out = new LinkedHashMap<>();
        out.put("backbone", backbone);
        out.put("head", head);
        return out;
    }

    @Override
    public List<ParamGroup> paramGroups() {
        return List.of(ParamGroup.of("backbone", backbone), ParamGroup.of("head", head));
    }

    @Override
    public NDArray loss(ParameterStore ps, MultiCropBatch batch, Step step) {
        checkArgument(batch.cropCount() == 2, "SimCLR takes 2 views per image, the batch has %s", batch.cropCount());
        List<NDArray> z = Views.embed(ps, backbone, head, batch, true);
        NDArray z1 = z.get(0);
        NDArray z2 = z.get(1);
        if (transform.enabled() && step.epoch() >= transform.startEpoch() && transform.positiveExtrapolation()) {
            float lambda = (float) (1 + Sampling.beta(step.random("ft"), transform.positiveAlpha(), transform.positiveAlpha()));
            NDArray a = Scalars.mul(z1, lambda).add(Scalars.mul(z2, 1 - lambda));
            NDArray b = Scalars.mul(z2, lambda).add(Scalars.mul(z1, 1 - lambda));
            z1 = a;
            z2 = b;
        }
        if (mochi.enabled() && step.epoch() >= mochi.startEpoch()) {
            NDArray negatives = NtXent.inBatchNegatives(z1, z2);
            NDArray anchors = NDArrays.concat(new NDList(z1, z2), 0).normalize(2, 1);
            int available = (int) negatives.getShape().get(1);
            RandomGenerator rng = step.random("mochi");
            HardNegativeMixing.Mixed mixed = HardNegativeMixing.mixPerQuery(anchors, negatives,
                    Math.min(mochi.hardest(), available), mochi.mixed(), mochi.mixedWithQuery(), rng);
            return NtXent.loss(z1, z2, mixed.negatives(), temperature);
        }
        return NtXent.loss(z1, z2, temperature);
    }
}
