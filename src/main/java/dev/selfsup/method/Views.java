package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.MultiCropBatch;
import java.util.ArrayList;
import java.util.List;

/**
 * Shared forward pass of a branch: the branch's crops through the backbone, one pass per crop size,
 * then one head pass over all of them.
 */
public final class Views {
    private Views() {}

    /**
     * Embeds the chosen crops of a batch. BatchNorm layers in training mode see only these crops.
     *
     * @param ps the parameter store
     * @param backbone [N, 3, S, S] → [N, F]
     * @param head [N, F] → [N, D]
     * @param batch the batch
     * @param crops the crops the branch embeds
     * @param training whether the blocks run in training mode
     * @return one {@code [B, D]} L2-normalised embedding per chosen crop, in crop order
     * @throws IllegalArgumentException if a chosen crop is not in the batch
     */
    public static List<NDArray> embed(
            ParameterStore ps,
            Block backbone,
            Block head,
            MultiCropBatch batch,
            Crops crops,
            boolean training) {
        List<NDArray> images = images(batch, crops);
        NDList features = new NDList();
        for (NDArray x : images) {
            features.add(backbone.forward(ps, new NDList(x), training).singletonOrThrow());
        }
        NDArray all = features.size() == 1 ? features.head() : NDArrays.concat(features, 0);
        NDArray z = head.forward(ps, new NDList(all), training).singletonOrThrow();
        z = z.normalize(2, 1);
        return new ArrayList<>(z.split(crops.indices(batch.cropCount()).length, 0));
    }

    /**
     * The images of the chosen crops, one array per crop size: {@code [n·B, 3, S, S]} for the n
     * chosen crops of a group, crop-major. A group whose crops are all chosen is returned as it is.
     *
     * @param batch the batch
     * @param crops the crops
     * @return the arrays, in crop order
     * @throws IllegalArgumentException if a chosen crop is not in the batch
     */
    public static List<NDArray> images(MultiCropBatch batch, Crops crops) {
        int[] chosen = crops.indices(batch.cropCount());
        List<NDArray> out = new ArrayList<>();
        int first = 0;
        int next = 0;
        for (MultiCropBatch.Group g : batch.groups()) {
            NDList picked = new NDList();
            while (next < chosen.length && chosen[next] < first + g.count()) {
                picked.add(g.crop(chosen[next] - first));
                next++;
            }
            if (picked.size() == g.count()) {
                out.add(g.images());
            } else if (!picked.isEmpty()) {
                out.add(picked.size() == 1 ? picked.head() : NDArrays.concat(picked, 0));
            }
            first += g.count();
        }
        return out;
    }
}
