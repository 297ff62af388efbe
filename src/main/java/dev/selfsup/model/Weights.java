package dev.selfsup.model;

import static dev.selfsup.internal.Checks.checkArgument;
import static dev.selfsup.internal.Checks.checkState;
import static dev.selfsup.internal.Checks.firstFew;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import dev.selfsup.internal.InPlace;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Reads and writes block weights as <a href="https://github.com/huggingface/safetensors">
 * safetensors</a> files under PyTorch's {@code state_dict} names, so checkpoints move both ways
 * between this library and PyTorch: torchvision names for {@link ResNet} ({@code conv1.weight},
 * {@code bn1.running_mean}, {@code layer1.0.downsample.0.weight}, …), timm / DINO names for {@link
 * VisionTransformer} ({@code cls_token}, {@code blocks.0.attn.qkv.weight}, …), nn.Sequential-style
 * indices for {@link ProjectionHead} ({@code 0.weight}, {@code 1.running_var}, …) and {@code
 * weight} for {@link Prototypes} and {@link LinearClassifier}. BatchNorm running statistics and the
 * int64 {@code num_batches_tracked} travel with the weights.
 *
 * <p>Blocks of other kinds are named generically: a DJL {@link SequentialBlock}'s children by
 * index, other children by their DJL name without its two-digit prefix, parameters by their DJL
 * name. So a head saved inside a container child named {@code projection_head} gets {@code
 * projection_head.0.weight}.
 *
 * <p>This class only composes: the file format is {@code Safetensors} (dtypes in {@code
 * SafetensorsDtype}), the names and the strict match are {@code StateDict}, and a ViT position
 * embedding of another resolution is resized by {@code PosEmbedResize}.
 */
public final class Weights {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Weights.class);

    /** Names of a classifier in torchvision ({@code fc.*}) and timm ({@code head.*}) files. */
    public static final Predicate<String> CLASSIFIER =
            name -> name.startsWith("fc.") || name.startsWith("head.");

    /** Names shown per category in a mismatch error; the counts are always complete. */
    private static final int SHOWN = 5;

    private Weights() {}

    /**
     * The tensor names of {@code block}, in {@code state_dict} order.
     *
     * @param block a block; shapes of parameters need not be known
     * @return the names, e.g. {@code [conv1.weight, bn1.weight, bn1.bias, bn1.running_mean, …]}
     */
    public static List<String> names(Block block) {
        List<String> names = new ArrayList<>();
        for (TensorSlot slot : StateDict.slots(block)) {
            names.add(slot.name);
        }
        return names;
    }

    /**
     * The tensor shapes of {@code block} by name, in {@code state_dict} order.
     *
     * @param block a block whose parameter shapes are known (always for ResNet and ViT)
     * @return name → shape ({@code num_batches_tracked} has the scalar shape {@code ()})
     * @throws IllegalStateException if a shape is only known after initialisation
     */
    public static Map<String, Shape> shapes(Block block) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (TensorSlot slot : StateDict.slots(block)) {
            shapes.put(slot.name, slot.shape());
        }
        return shapes;
    }

    /**
     * Writes every tensor of an initialised block to a safetensors file (via a temporary file in
     * the same folder, renamed at the end, so a crash never leaves a half-written file).
     *
     * @param block an initialised block
     * @param file the destination, replaced if it exists
     * @throws IOException if the file cannot be written
     * @throws IllegalStateException if the block is not initialised
     */
    public static void save(Block block, Path file) throws IOException {
        List<Safetensors.Tensor> tensors = new ArrayList<>();
        for (TensorSlot slot : StateDict.slots(block)) {
            if (slot instanceof TensorSlot.Counter) {
                BatchNormLayer layer = ((TensorSlot.Counter) slot).layer;
                tensors.add(
                        new Safetensors.Tensor(
                                slot.name,
                                SafetensorsDtype.I64,
                                slot.shape(),
                                () -> int64(layer.numBatchesTracked())));
            } else {
                NDArray a = initialised(((TensorSlot.Param) slot).parameter, slot.name);
                tensors.add(
                        new Safetensors.Tensor(
                                slot.name,
                                SafetensorsDtype.of(a.getDataType()),
                                slot.shape(),
                                a::toByteBuffer));
            }
        }
        Safetensors.write(tensors, file);
    }

    /**
     * Loads every tensor of {@code block} from a safetensors file, requiring an exact match.
     *
     * @param block an initialised block; its arrays are overwritten in place
     * @param file a safetensors file, e.g. written by {@link #save} or {@code
     *     safetensors.torch.save_file(model.state_dict(), file)}
     * @throws IOException if the file cannot be read or is not valid safetensors
     * @throws IllegalArgumentException counting the missing, unexpected and mismatched tensors and
     *     naming the first five of each
     */
    public static void load(Block block, Path file) throws IOException {
        load(block, file, name -> false);
    }

    /**
     * Loads the tensors of {@code block} from a safetensors file, skipping file entries that {@code
     * skipInFile} accepts — e.g. {@link #CLASSIFIER} to load a torchvision or timm classification
     * checkpoint into a backbone. A missing {@code num_batches_tracked} is accepted (PyTorch
     * accepts it too) and leaves the counter unchanged; a ViT {@code pos_embed} of another square
     * grid (a checkpoint trained at another resolution) is resized as timm's {@code
     * resample_abs_pos_embed} does; everything else must match.
     *
     * @param block an initialised block; its arrays are overwritten in place
     * @param file a safetensors file
     * @param skipInFile names in the file to ignore
     * @throws IOException if the file cannot be read or is not valid safetensors
     * @throws IllegalArgumentException counting the missing, unexpected and mismatched tensors and
     *     naming the first five of each
     */
    public static void load(Block block, Path file, Predicate<String> skipInFile)
            throws IOException {
        List<TensorSlot> slots = StateDict.slots(block);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Safetensors.Header header = Safetensors.readHeader(ch, file);
            Map<String, PosEmbedResize> resizes = StateDict.match(slots, header, skipInFile, file);
            for (TensorSlot slot : slots) {
                Safetensors.Entry e = header.entries().get(slot.name);
                if (e == null) {
                    continue;
                }
                ByteBuffer data = Safetensors.read(ch, header, e, file);
                SafetensorsDtype dtype = e.dtype();
                if (slot instanceof TensorSlot.Counter) {
                    ((TensorSlot.Counter) slot).layer.setNumBatchesTracked(dtype.integer(data, 0));
                    continue;
                }
                NDArray target = initialised(((TensorSlot.Param) slot).parameter, slot.name);
                PosEmbedResize resize = resizes.get(slot.name);
                if (resize != null) {
                    data = resize.apply(data, dtype, (int) e.shape().get(2));
                    dtype = SafetensorsDtype.F32;
                    LOG.info(
                            "{}: resized {} from a {}x{} to a {}x{} patch grid (bicubic, as timm)",
                            file,
                            slot.name,
                            resize.from(),
                            resize.from(),
                            resize.to(),
                            resize.to());
                }
                InPlace.copy(target, Safetensors.convert(data, dtype, target.getDataType()));
            }
        }
    }

    /**
     * Copies every tensor (parameters, BN running statistics and counters) from one block to
     * another of the same architecture, in place — e.g. to start MoCo's key encoder from the query
     * encoder.
     *
     * @param from an initialised source block
     * @param to an initialised target block with the same names, shapes and data types
     * @throws IllegalArgumentException listing the differences if the architectures differ
     */
    public static void copy(Block from, Block to) {
        List<TensorSlot> src = StateDict.slots(from);
        List<TensorSlot> dst = StateDict.slots(to);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < Math.max(src.size(), dst.size()); i++) {
            String a = i < src.size() ? src.get(i).name + " " + src.get(i).shape() : "nothing";
            String b = i < dst.size() ? dst.get(i).name + " " + dst.get(i).shape() : "nothing";
            if (!a.equals(b)) {
                problems.add(a + " vs " + b);
            }
        }
        checkArgument(
                problems.isEmpty(),
                "blocks differ at %d tensors: %s",
                problems.size(),
                firstFew(problems, SHOWN));
        for (int i = 0; i < src.size(); i++) {
            TensorSlot s = src.get(i);
            TensorSlot d = dst.get(i);
            if (s instanceof TensorSlot.Counter) {
                ((TensorSlot.Counter) d)
                        .layer.setNumBatchesTracked(
                                ((TensorSlot.Counter) s).layer.numBatchesTracked());
            } else {
                NDArray a = initialised(((TensorSlot.Param) s).parameter, s.name);
                NDArray b = initialised(((TensorSlot.Param) d).parameter, d.name);
                checkArgument(
                        a.getDataType() == b.getDataType(),
                        "%s: data type %s vs %s",
                        s.name,
                        a.getDataType(),
                        b.getDataType());
                InPlace.copy(b, a);
            }
        }
    }

    /**
     * Reads every tensor of a safetensors file (F64, F32, I64, I32, I8, U8, BOOL as they are; F16
     * and BF16 converted to F32).
     *
     * @param file a safetensors file
     * @param manager the manager of the returned arrays
     * @return name → array, in file order
     * @throws IOException if the file cannot be read or is not valid safetensors
     */
    public static Map<String, NDArray> readTensors(Path file, NDManager manager)
            throws IOException {
        return Safetensors.read(file, manager);
    }

    /**
     * Writes named arrays (F64, F32, F16, I64, I32, I8, U8 or BOOL) to a safetensors file.
     *
     * @param tensors name → array
     * @param file the destination, replaced if it exists
     * @throws IOException if the file cannot be written
     */
    public static void writeTensors(Map<String, NDArray> tensors, Path file) throws IOException {
        Safetensors.write(tensors, file);
    }

    private static ByteBuffer int64(long value) {
        return ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(value).flip();
    }

    private static NDArray initialised(Parameter p, String name) {
        checkState(
                p.isInitialized(),
                "tensor %s is not initialised: call block.initialize(manager, FLOAT32, inputShape)"
                        + " first",
                name);
        return p.getArray();
    }
}
