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
        List<NDArray> z = outputs(ps, backbone, head, batch, crops, training);
        z.replaceAll(x -> x.normalize(2, 1));
        return z;
    }

    /**
     * The head outputs of the chosen crops, not normalised (DINO's head normalises inside): one
     * backbone pass per run of same-size crops, one head pass over all.
     *
     * @param ps the parameter store
     * @param backbone [N, 3, S, S] → [N, F]
     * @param head [N, F] → [N, D]
     * @param batch the batch
     * @param crops the crops the branch embeds
     * @param training whether the blocks run in training mode
     * @return one {@code [B, D]} output per chosen crop, in crop order
     * @throws IllegalArgumentException if a chosen crop is not in the batch
     */
    public static List<NDArray> outputs(
            ParameterStore ps,
            Block backbone,
            Block head,
            MultiCropBatch batch,
            Crops crops,
            boolean training) {
        NDList features = new NDList();
        for (NDArray x : images(batch, crops)) {
            features.add(backbone.forward(ps, new NDList(x), training).singletonOrThrow());
        }
        NDArray all = features.size() == 1 ? features.head() : NDArrays.concat(features, 0);
        NDArray z = head.forward(ps, new NDList(all), training).singletonOrThrow();
        return new ArrayList<>(z.split(crops.indices(batch.cropCount()).length, 0));
    }

    /**
     * The images of the chosen crops, one array per run of consecutive crops of one size: {@code
     * [n·B, 3, S, S]}, crop-major, so BatchNorm sees them together even when they come from
     * different groups (DINO's two global crops, as the official MultiCropWrapper). A single group
     * whose crops are all chosen is returned as it is.
     *
     * @param batch the batch
     * @param crops the crops
     * @return the arrays, in crop order
     * @throws IllegalArgumentException if a chosen crop is not in the batch
     */
    public static List<NDArray> images(MultiCropBatch batch, Crops crops) {
        int[] chosen = crops.indices(batch.cropCount());
        List<NDArray> out = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        int first = 0;
        int next = 0;
        for (MultiCropBatch.Group g : batch.groups()) {
            NDList picked = new NDList();
            while (next < chosen.length && chosen[next] < first + g.count()) {
                picked.add(g.crop(chosen[next] - first));
                next++;
            }
            if (!picked.isEmpty()) {
                NDArray x = picked.size() == g.count() ? g.images() : concat(picked);
                int last = out.size() - 1;
                if (last >= 0 && sizes.get(last) == g.size()) {
                    out.set(last, concat(new NDList(out.get(last), x)));
                } else {
                    out.add(x);
                    sizes.add(g.size());
                }
            }
            first += g.count();
        }
        return out;
    }

    private static NDArray concat(NDList arrays) {
        return arrays.size() == 1 ? arrays.head() : NDArrays.concat(arrays, 0);
    }
}
