package dev.selfsup.run;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.selfsup.engine.Precision;
import dev.selfsup.eval.Fingerprint;
import dev.selfsup.eval.RawPixels;
import dev.selfsup.eval.Readout;
import dev.selfsup.eval.Results;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ModelZoo;
import dev.selfsup.model.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * An initialised feature extractor for an evaluation and what identifies its weights: a run's
 * backbone, a weights file, a randomly initialised backbone or raw pixels.
 *
 * @param block the frozen extractor: the backbone behind its {@link Readout}, or {@link RawPixels}
 * @param weights the weights' identity for results.json
 * @param description what is evaluated, for the printed table
 * @param readoutGrid the readout's grid (1 = global average pool); 0 for raw pixels
 */
public record EvalModel(Block block, Results.Weights weights, String description, int readoutGrid) {

    /**
     * A run's trained backbone ({@link RunFolder#loadBackbone}).
     *
     * @param run the run folder
     * @param readoutGrid features = the last feature map average-pooled to grid × grid
     * @param size input side
     * @param manager where the parameters live
     * @return the model
     * @throws IOException if a file cannot be read
     */
    public static EvalModel ofRun(RunFolder run, int readoutGrid, int size, NDManager manager)
            throws IOException {
        Backbone net = run.loadBackbone(manager, size);
        String name = run.recipe(java.util.List.of()).model().backbone();
        return withReadout(
                net,
                Results.Weights.ofFile(run.backboneFile()),
                name + " from " + run,
                readoutGrid);
    }

    /**
     * A backbone from the model zoo with the weights of a safetensors file (ours or torchvision
     * names; classification heads {@code fc.*} / {@code head.*} are skipped).
     *
     * @param file the weights
     * @param backbone the model zoo name
     * @param baseWidth ResNet stem width; 0 = the model's own
     * @param readoutGrid features = the last feature map average-pooled to grid × grid
     * @param size input side
     * @param manager where the parameters live
     * @return the model
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if the file is missing or does not fit the backbone
     */
    public static EvalModel ofWeights(
            Path file, String backbone, int baseWidth, int readoutGrid, int size, NDManager manager)
            throws IOException {
        checkArgument(
                Files.isRegularFile(file),
                "--weights %s: no such file; give a .safetensors file (a run's"
                        + " backbone.safetensors or a converted torchvision checkpoint)",
                file);
        Backbone net = zoo(backbone, baseWidth, size, manager);
        try {
            Weights.load(net, file, Weights.CLASSIFIER);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    e.getMessage() + " — check that --backbone/--base-width match the file", e);
        }
        return withReadout(
                net, Results.Weights.ofFile(file), backbone + " from " + file, readoutGrid);
    }

    /**
     * A backbone from the model zoo as initialised from the (seeded) engine, trained never.
     *
     * @param backbone the model zoo name
     * @param baseWidth ResNet stem width; 0 = the model's own
     * @param readoutGrid features = the last feature map average-pooled to grid × grid
     * @param size input side
     * @param manager where the parameters live
     * @return the model
     */
    public static EvalModel randomInit(
            String backbone, int baseWidth, int readoutGrid, int size, NDManager manager) {
        Backbone net = zoo(backbone, baseWidth, size, manager);
        return withReadout(
                net,
                Results.Weights.ofParameters(Fingerprint.ofParameters(net)),
                backbone + " (random init)",
                readoutGrid);
    }

    /**
     * The image itself, flattened: the baseline every backbone should beat.
     *
     * @return the model
     */
    public static EvalModel rawPixels() {
        RawPixels raw = new RawPixels();
        return new EvalModel(
                raw, Results.Weights.ofParameters(Fingerprint.ofParameters(raw)), "raw pixels", 0);
    }

    private static Backbone zoo(String backbone, int baseWidth, int size, NDManager manager) {
        Backbone net =
                ModelZoo.backbone(backbone, ModelZoo.Options.DEFAULT.withBaseWidth(baseWidth));
        net.initialize(manager, Precision.DEFAULT.parameterType(), new Shape(1, 3, size, size));
        return net;
    }

    private static EvalModel withReadout(
            Backbone net, Results.Weights weights, String description, int grid) {
        String suffix = grid == 1 ? "" : ", readout " + grid + "x" + grid;
        return new EvalModel(Readout.of(net, grid), weights, description + suffix, grid);
    }

    /**
     * The block as a trainable backbone, for fine-tuning.
     *
     * @return the backbone
     * @throws IllegalArgumentException for raw pixels or a readout grid
     */
    public Backbone backbone() {
        checkArgument(
                !(block instanceof RawPixels),
                "the raw-pixels baseline has no weights to fine-tune; give --run"
                        + " or --weights");
        checkArgument(
                block instanceof Backbone,
                "fine-tuning trains on globally pooled features; drop --readout-grid");
        return (Backbone) block;
    }

    /**
     * How features are read from the backbone, for results.json's protocol; nothing for raw pixels.
     *
     * @return {@code {"readout": …}} or empty
     */
    public Map<String, Object> protocolEntries() {
        if (readoutGrid == 0) {
            return Map.of();
        }
        return Map.of(
                "readout",
                readoutGrid == 1
                        ? "global average pool"
                        : "average pool to "
                                + readoutGrid
                                + "x"
                                + readoutGrid
                                + " grid of the last feature map, flattened");
    }
}
