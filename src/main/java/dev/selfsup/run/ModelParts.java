package dev.selfsup.run;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.config.ModelSettings;
import dev.selfsup.engine.Precision;
import dev.selfsup.method.Parts;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ProjectionHead;

/**
 * The {@link Parts} a method factory builds from, for a recipe's {@code model:} section: each
 * backbone and head is built by {@link Pretraining#backbone(ModelSettings, int)} / {@link
 * Pretraining#head(ModelSettings, int, int)} and initialised on the run manager when asked for.
 *
 * @param model the model section
 * @param manager the run manager
 * @param inputSize side of the first crop group, used to initialise backbones
 * @param batchSize images per batch
 */
public record ModelParts(ModelSettings model, NDManager manager, int inputSize, int batchSize)
        implements Parts {
    @Override
    public Backbone backbone(int bnSplits) {
        Backbone b = Pretraining.backbone(model, bnSplits);
        b.initialize(
                manager, Precision.DEFAULT.parameterType(), new Shape(1, 3, inputSize, inputSize));
        return b;
    }

    @Override
    public ProjectionHead head(int inputDim, int bnSplits) {
        ProjectionHead h = Pretraining.head(model, inputDim, bnSplits);
        h.initialize(manager, Precision.DEFAULT.parameterType(), new Shape(1, inputDim));
        return h;
    }

    @Override
    public Backbone teacherBackbone() {
        return new ModelParts(model.withDropPathRate(0), manager, inputSize, batchSize).backbone(1);
    }
}
