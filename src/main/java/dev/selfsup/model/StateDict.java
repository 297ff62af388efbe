package dev.selfsup.model;

import static dev.selfsup.internal.Checks.checkState;
import static dev.selfsup.internal.Checks.firstFew;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A block seen as PyTorch's {@code state_dict}: its tensors under PyTorch names, in PyTorch's
 * order, and the strict match of a file's tensors against them. Foreign names are made here and
 * nowhere else (STYLE.md R5).
 *
 * <p>Our blocks ({@link TorchBlock}) name their tensors as torchvision / timm do; other blocks are
 * named generically, as {@link Weights} describes.
 */
final class StateDict {
    /** Names shown per category in a mismatch error; the counts are always complete. */
    private static final int SHOWN = 5;

    private StateDict() {}

    /**
     * The tensors of a block in {@code state_dict} order.
     *
     * @throws IllegalStateException if two tensors get the same name
     */
    static List<TensorSlot> slots(Block block) {
        List<TensorSlot> out = new ArrayList<>();
        collect(block, "", out);
        Set<String> seen = new HashSet<>();
        for (TensorSlot slot : out) {
            checkState(seen.add(slot.name), "duplicate tensor name %s", slot.name);
        }
        return out;
    }

    /** Appends the tensors of any block: ours by PyTorch name, others generically. */
    static void collect(Block block, String prefix, List<TensorSlot> out) {
        if (block instanceof TorchBlock) {
            ((TorchBlock) block).collect(prefix, out);
            return;
        }
        for (Map.Entry<String, Parameter> e : block.getDirectParameters().toMap().entrySet()) {
            out.add(new TensorSlot.Param(prefix + e.getValue().getName(), e.getValue()));
        }
        int index = 0;
        for (ai.djl.util.Pair<String, Block> child : block.getChildren()) {
            String name =
                    block instanceof SequentialBlock
                            ? Integer.toString(index)
                            : child.getKey().replaceFirst("^\\d\\d", "");
            collect(child.getValue(), prefix + name + ".", out);
            index++;
        }
    }

    /**
     * Matches a file's tensors against a block's, as PyTorch's {@code strict=True} does. A missing
     * {@code num_batches_tracked} is accepted (PyTorch accepts it too); a position embedding of
     * another square grid is to be resized; everything else must match by name, shape and kind of
     * dtype.
     *
     * @param slots the block's tensors
     * @param header the file's header
     * @param skipInFile names in the file to ignore
     * @param file the file, for the message
     * @return the position embeddings to resize, by name
     * @throws IllegalArgumentException counting the missing, unexpected and mismatched tensors and
     *     naming the first five of each
     */
    static Map<String, PosEmbedResize> match(
            List<TensorSlot> slots,
            Safetensors.Header header,
            Predicate<String> skipInFile,
            Path file) {
        List<String> missing = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        Map<String, PosEmbedResize> resizes = new HashMap<>();
        Set<String> names = new HashSet<>();
        for (TensorSlot slot : slots) {
            names.add(slot.name);
            Safetensors.Entry e = header.entries().get(slot.name);
            if (e == null) {
                if (!(slot instanceof TensorSlot.Counter)) {
                    missing.add(slot.name);
                }
            } else if (!e.shape().equals(slot.shape())) {
                Optional<PosEmbedResize> resize =
                        PosEmbedResize.between(slot.name, e.shape(), slot.shape());
                if (resize.isPresent() && accepts(slot, e.dtype())) {
                    resizes.put(slot.name, resize.get());
                } else {
                    mismatched.add(
                            slot.name + " (file " + e.shape() + ", model " + slot.shape() + ")");
                }
            } else if (!accepts(slot, e.dtype())) {
                mismatched.add(slot.name + " (file dtype " + e.dtype() + ")");
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String name : header.entries().keySet()) {
            if (!names.contains(name) && !skipInFile.test(name)) {
                unexpected.add(name);
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty()) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s does not fit the block: %d missing %s, %d unexpected %s, %d"
                                    + " mismatched %s",
                            file,
                            missing.size(),
                            firstFew(missing, SHOWN),
                            unexpected.size(),
                            firstFew(unexpected, SHOWN),
                            mismatched.size(),
                            firstFew(mismatched, SHOWN)));
        }
        return resizes;
    }

    /**
     * Whether file data of {@code dtype} can fill the slot: integers a counter, floats the rest.
     */
    private static boolean accepts(TensorSlot slot, SafetensorsDtype dtype) {
        return slot instanceof TensorSlot.Counter ? dtype.isInteger() : dtype.isFloating();
    }
}
