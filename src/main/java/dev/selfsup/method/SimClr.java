package dev.selfsup.method;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ProjectionHead;
import dev.selfsup.optim.ParamGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SimCLR: NT-Xent between two views (Chen et al. 2020; METHODS.md §4), optionally with positive
 * extrapolation of the pair and then MoCHi on the in-batch negatives ({@link Negatives}).
 */
public final class SimClr implements Method {
    private static final Crops VIEWS = Crops.all();
    private final Backbone backbone;
    private final ProjectionHead head;
    private final SimClrSettings settings;
    private final Negatives negatives;

    /**
     * Creates the method from initialised blocks.
     *
     * @param backbone the backbone, [N, 3, H, W] → [N, F]
     * @param head the projection head, [N, F] → [N, D]
     * @param settings temperature, MoCHi and feature transformation
     */
    public SimClr(Backbone backbone, ProjectionHead head, SimClrSettings settings) {
        this.backbone = java.util.Objects.requireNonNull(backbone, "backbone");
        this.head = java.util.Objects.requireNonNull(head, "head");
        this.settings = java.util.Objects.requireNonNull(settings, "settings");
        this.negatives = new Negatives(settings.featureTransform(), settings.mochi());
    }

    /**
     * The registry's factory: one backbone and one head.
     *
     * @param settings the settings
     * @param parts the run's parts
     * @return the method
     */
    static SimClr create(SimClrSettings settings, Parts parts) {
        Backbone backbone = parts.backbone(1);
        return new SimClr(backbone, parts.head(backbone.featureDim(), 1), settings);
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
    public Map<String, Crops> branches() {
        return Map.of("online", VIEWS);
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
        checkArgument(
                batch.cropCount() == 2,
                "SimCLR takes 2 views per image, the batch has %s",
                batch.cropCount());
        List<NDArray> z = Views.embed(ps, backbone, head, batch, VIEWS, true);
        return negatives.ntXent(z.get(0), z.get(1), settings.temperature(), step);
    }
}
