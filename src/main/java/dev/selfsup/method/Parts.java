package dev.selfsup.method;

import ai.djl.ndarray.NDManager;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ProjectionHead;

/**
 * What a method's factory ({@link Methods}) builds from: the run manager, the batch size and fresh,
 * initialised networks of the run's architecture. A factory asks for as many networks as its
 * branches need (SimCLR one backbone and head; MoCo a query and a key encoder; a DINO student and
 * teacher), and initial weights are drawn in the order of the calls.
 */
public interface Parts {
    /**
     * The run manager: device and lifetime of parameters and method state.
     *
     * @return the manager
     */
    NDManager manager();

    /**
     * Images per batch, as the loader delivers them.
     *
     * @return B
     */
    int batchSize();

    /**
     * A new backbone of the run's architecture, initialised on {@link #manager()}.
     *
     * @param bnSplits S: BatchNorm statistics per group of B/S samples in training mode; 1 = plain
     *     BatchNorm
     * @return the backbone, {@code [N, 3, H, W] → [N, F]}
     */
    Backbone backbone(int bnSplits);

    /**
     * A new projection head of the run's architecture, initialised on {@link #manager()}.
     *
     * @param inputDim F, the backbone's feature width
     * @param bnSplits S, as for {@link #backbone}; no effect on a head without BatchNorm
     * @return the head, {@code [N, F] → [N, D]}
     */
    ProjectionHead head(int inputDim, int bnSplits);

    /**
     * A new backbone of the run's architecture for a momentum teacher that is never trained, so
     * without stochastic depth (DINO builds its teacher without {@code drop_path_rate}); plain
     * BatchNorm. By default the same as {@code backbone(1)}, right for architectures without drop
     * path.
     *
     * @return the backbone, initialised on {@link #manager()}
     */
    default Backbone teacherBackbone() {
        return backbone(1);
    }
}
