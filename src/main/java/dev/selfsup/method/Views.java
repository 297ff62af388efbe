package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.MultiCropBatch;
import java.util.ArrayList;
import java.util.List;

/** Shared forward pass: one backbone pass per crop size, then one head pass over all crops. */
final class Views {
    private Views() {}

    /**
     * Embeds every crop of a batch.
     *
     * @return one {@code [B, D]} L2-normalised embedding per crop, in crop order
     */
    static List<NDArray> embed(ParameterStore ps, Block backbone, Block head, MultiCropBatch batch, boolean training) {
        NDList features = new NDList();
        for (MultiCropBatch.Group g : batch.groups()) {
            features.add(backbone.forward(ps, new NDList(g.images()), training).singletonOrThrow());
        }
        NDArray all = features.size() == 1 ? features.head() : NDArrays.concat(features, 0);
        NDArray z = head.forward(ps, new NDList(all), training).singletonOrThrow();
        z = z.normalize(2, 1);
        return new ArrayList<>(z.split(batch.cropCount(), 0));
    }
}
