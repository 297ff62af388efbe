package dev.selfsup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.selfsup.internal.Checks;
import dev.selfsup.internal.InPlace;
import dev.selfsup.method.Method;
import dev.selfsup.optim.Optimizer;
import dev.selfsup.train.LoopObserver.Position;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a training checkpoint holds and under which keys: every block's parameters and buffers
 * ({@code model/<block>/<parameter>}), the optimiser state ({@code optim/<slot>}), the method's
 * state (tensors {@code method/<name>}, its {@link dev.selfsup.method.MethodState} record in the
 * metadata's {@code method} object, see {@link MethodStates}), and the metadata {@code iteration},
 * {@code epoch}, {@code next_batch}, {@code seed}, {@code wall_seconds}, {@code observer_seconds},
 * {@code selfsup_version} and {@code recipe}. The file format is {@link Checkpoint}'s.
 */
final class CheckpointLayout {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointLayout.class);
    private static final String OPTIM = "optim/";
    private static final String METHOD = "method/";

    private final Method method;
    private final Optimizer optimizer;
    private final long seed;
    private final String recipeYaml;

    /**
     * What a resumed run continues with.
     *
     * @param position where the run stopped
     * @param wallSeconds its training seconds so far
     * @param observerSeconds its observer seconds so far
     */
    record Restored(Position position, double wallSeconds, double observerSeconds) {}

    /**
     * Creates the layout of a run.
     *
     * @param method the method (blocks and state)
     * @param optimizer the optimiser (state)
     * @param seed the run seed, recorded
     * @param recipeYaml the resolved recipe, recorded
     */
    CheckpointLayout(Method method, Optimizer optimizer, long seed, String recipeYaml) {
        this.method = method;
        this.optimizer = optimizer;
        this.seed = seed;
        this.recipeYaml = recipeYaml;
    }

    /**
     * The run's state now, as a checkpoint (the arrays are the live ones: write it before training
     * goes on).
     *
     * @param at where a resumed run continues
     * @param wallSeconds training seconds so far
     * @param observerSeconds observer seconds so far
     * @return the checkpoint
     */
    Checkpoint capture(Position at, double wallSeconds, double observerSeconds) {
        Map<String, NDArray> tensors = new LinkedHashMap<>(modelTensors());
        optimizer.state().forEach((k, v) -> tensors.put(OPTIM + k, v));
        JsonObject meta = new JsonObject();
        meta.addProperty("iteration", at.iteration());
        meta.addProperty("epoch", at.epoch());
        meta.addProperty("next_batch", at.nextBatch());
        meta.addProperty("seed", seed);
        meta.addProperty("wall_seconds", wallSeconds);
        meta.addProperty("observer_seconds", observerSeconds);
        meta.addProperty("selfsup_version", dev.selfsup.Version.selfsup());
        meta.addProperty("recipe", recipeYaml);
        captureMethodState(tensors, meta);
        return new Checkpoint(meta, tensors);
    }

    /**
     * Copies a checkpoint into the method's blocks and state and the optimiser.
     *
     * @param file a checkpoint written through this layout
     * @param run the run manager (the file's arrays live in a scope of it while copying)
     * @return where the run continues and its times
     * @throws IOException if the file cannot be read or does not match the model
     */
    Restored restore(Path file, NDManager run) throws IOException {
        try (NDManager scope = run.newSubManager()) {
            Checkpoint c = Checkpoint.read(file, scope);
            Map<String, NDArray> t = c.tensors();
            JsonObject meta = c.metadata();
            // state created at an epoch's start (SwAV's queues) must exist before it is restored
            method.beforeEpoch(meta.get("epoch").getAsInt());
            List<String> missing = new ArrayList<>();
            for (Map.Entry<String, NDArray> e : modelTensors().entrySet()) {
                NDArray saved = t.get(e.getKey());
                if (saved == null || !saved.getShape().equals(e.getValue().getShape())) {
                    missing.add(e.getKey());
                    continue;
                }
                InPlace.copy(
                        e.getValue(),
                        saved); // not set(Buffer), which makes libtorch print a deprecation warning
            }
            if (!missing.isEmpty()) {
                throw new IOException(
                        file
                                + ": checkpoint does not match this model; "
                                + missing.size()
                                + " tensors missing or reshaped: "
                                + Checks.firstFew(missing, 5));
            }
            restoreMethodState(file, t, meta);
            Map<String, NDArray> optim = new LinkedHashMap<>();
            t.forEach(
                    (k, v) -> {
                        if (k.startsWith(OPTIM)) {
                            optim.put(k.substring(OPTIM.length()), v);
                        }
                    });
            optimizer.loadState(optim);
            Position at =
                    new Position(
                            meta.get("iteration").getAsLong(),
                            meta.get("epoch").getAsInt(),
                            meta.get("next_batch").getAsInt());
            if (!meta.has("wall_seconds")) {
                LOG.warn(
                        "{} predates wall_seconds in checkpoints; this run's wall clock restarts at 0",
                        file);
                return new Restored(at, 0, 0);
            }
            return new Restored(
                    at,
                    meta.get("wall_seconds").getAsDouble(),
                    meta.get("observer_seconds").getAsDouble());
        }
    }

    /**
     * The method's state: tensors under {@code method/}, scalars in the metadata's {@code method}
     * object.
     */
    private void captureMethodState(Map<String, NDArray> tensors, JsonObject meta) {
        method.stateTensors().forEach((k, v) -> tensors.put(METHOD + k, v));
        meta.add("method", MethodStates.toJson(method.state()));
    }

    /** Reads back what {@link #captureMethodState} wrote. */
    private void restoreMethodState(Path file, Map<String, NDArray> tensors, JsonObject meta)
            throws IOException {
        for (Map.Entry<String, NDArray> e : method.stateTensors().entrySet()) {
            NDArray saved = tensors.get(METHOD + e.getKey());
            if (saved == null) {
                throw new IOException(file + ": checkpoint lacks method state " + e.getKey());
            }
            InPlace.copy(e.getValue(), saved);
        }
        MethodStates.restore(method, meta, file);
    }

    /** Every block's parameters and buffers, by stable name. */
    private Map<String, NDArray> modelTensors() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        method.blocks()
                .forEach(
                        (block, b) ->
                                b.getParameters()
                                        .forEach(
                                                p ->
                                                        out.put(
                                                                "model/" + block + "/" + p.getKey(),
                                                                p.getValue().getArray())));
        return out;
    }
}
