package dev.selfsup.model;

import static dev.selfsup.internal.Checks.checkArgument;
import static dev.selfsup.internal.Checks.checkState;
import static dev.selfsup.internal.Checks.firstFew;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import dev.selfsup.internal.InPlace;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
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
 * <p>The file layout is safetensors': an 8-byte little-endian header size, a JSON header mapping
 * each name to {@code dtype}, {@code shape} and {@code data_offsets} (padded with spaces to a
 * multiple of 8), then the raw little-endian data.
 */
public final class Weights {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Weights.class);

    /** Names of a classifier in torchvision ({@code fc.*}) and timm ({@code head.*}) files. */
    public static final Predicate<String> CLASSIFIER =
            name -> name.startsWith("fc.") || name.startsWith("head.");

    private static final long MAX_HEADER_BYTES = 100L << 20;
    private static final Gson GSON = new Gson();

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
        for (TensorSlot slot : slots(block)) {
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
        for (TensorSlot slot : slots(block)) {
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
        List<TensorSlot> slots = slots(block);
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        Map<String, Long> counters = new HashMap<>();
        for (TensorSlot slot : slots) {
            if (slot instanceof TensorSlot.Counter) {
                counters.put(slot.name, ((TensorSlot.Counter) slot).layer.numBatchesTracked());
            } else {
                arrays.put(slot.name, initialised(((TensorSlot.Param) slot).parameter, slot.name));
            }
        }
        write(slots, arrays, counters, file);
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
        List<TensorSlot> slots = slots(block);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = readHeader(ch, file);
            List<String> missing = new ArrayList<>();
            List<String> mismatched = new ArrayList<>();
            Map<String, int[]> resize = new HashMap<>(); // pos_embed of another grid: {from, to}
            Map<String, TensorSlot> byName = new LinkedHashMap<>();
            for (TensorSlot slot : slots) {
                byName.put(slot.name, slot);
                Entry e = header.entries.get(slot.name);
                if (e == null) {
                    if (!(slot instanceof TensorSlot.Counter)) {
                        missing.add(slot.name);
                    }
                } else if (!e.shape.equals(slot.shape())) {
                    int[] grids = posEmbedGrids(slot.name, e.shape, slot.shape());
                    if (grids != null && compatible(slot, e.dtype)) {
                        resize.put(slot.name, grids);
                    } else {
                        mismatched.add(slot.name + " (file " + e.shape + ", model " + slot.shape() + ")");
                    }
                } else if (!compatible(slot, e.dtype)) {
                    mismatched.add(slot.name + " (file dtype " + e.dtype + ")");
                }
            }
            List<String> unexpected = new ArrayList<>();
            for (String name : header.entries.keySet()) {
                if (!byName.containsKey(name) && !skipInFile.test(name)) {
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
            for (TensorSlot slot : slots) {
                Entry e = header.entries.get(slot.name);
                if (e == null) {
                    continue;
                }
                ByteBuffer data = read(ch, header.dataStart, e, file);
                if (slot instanceof TensorSlot.Counter) {
                    ((TensorSlot.Counter) slot)
                            .layer.setNumBatchesTracked(
                                    e.dtype.equals("I64") ? data.getLong(0) : data.getInt(0));
                } else {
                    NDArray target = initialised(((TensorSlot.Param) slot).parameter, slot.name);
                    int[] grids = resize.get(slot.name);
                    if (grids != null) {
                        data = resizedPosEmbed(convert(data, e.dtype, DataType.FLOAT32), grids, (int) e.shape.get(2));
                        LOG.info("{}: resized {} from a {}x{} to a {}x{} patch grid (bicubic, as timm)", file,
                                slot.name, grids[0], grids[0], grids[1], grids[1]);
                        InPlace.copy(target, convert(data, "F32", target.getDataType()));
                    } else {
                        InPlace.copy(target, convert(data, e.dtype, target.getDataType()));
                    }
                }
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
        List<TensorSlot> src = slots(from);
        List<TensorSlot> dst = slots(to);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < Math.max(src.size(), dst.size()); i++) {
            String a = i < src.size() ? src.get(i).name + " " + src.get(i).shape() : "nothing";
            String b = i < dst.size() ? dst.get(i).name + " " + dst.get(i).shape() : "nothing";
            if (!a.equals(b)) {
                problems.add(a + " vs " + b);
            }
        }
        checkArgument(problems.isEmpty(), "blocks differ at %d tensors: %s", problems.size(), firstFew(problems, SHOWN));
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
     * Reads every tensor of a safetensors file (F32, F64, F16, BF16 — converted to F32 — I64, I32).
     *
     * @param file a safetensors file
     * @param manager the manager of the returned arrays
     * @return name → array, in file order
     * @throws IOException if the file cannot be read or is not valid safetensors
     */
    public static Map<String, NDArray> readTensors(Path file, NDManager manager)
            throws IOException {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = readHeader(ch, file);
            for (Map.Entry<String, Entry> kv : header.entries.entrySet()) {
                Entry e = kv.getValue();
                ByteBuffer data = read(ch, header.dataStart, e, file);
                DataType type = fileType(e.dtype);
                if (type == null) {
                    throw new IOException(
                            file + ": unsupported dtype " + e.dtype + " of " + kv.getKey());
                }
                if (e.dtype.equals("F16") || e.dtype.equals("BF16")) {
                    out.put(
                            kv.getKey(),
                            manager.create(
                                    convert(data, e.dtype, DataType.FLOAT32),
                                    e.shape,
                                    DataType.FLOAT32));
                } else {
                    ByteBuffer direct =
                            manager.allocateDirect(data.remaining()).order(ByteOrder.nativeOrder());
                    direct.put(data).rewind();
                    out.put(kv.getKey(), manager.create(direct, e.shape, type));
                }
            }
        }
        return out;
    }

    /**
     * Writes named arrays (F32, F64, F16, I64 or I32) to a safetensors file.
     *
     * @param tensors name → array
     * @param file the destination, replaced if it exists
     * @throws IOException if the file cannot be written
     */
    public static void writeTensors(Map<String, NDArray> tensors, Path file) throws IOException {
        List<TensorSlot> slots = new ArrayList<>();
        for (Map.Entry<String, NDArray> kv : tensors.entrySet()) {
            Parameter p =
                    Parameter.builder()
                            .setName(kv.getKey())
                            .setType(Parameter.Type.OTHER)
                            .optArray(kv.getValue())
                            .build();
            slots.add(new TensorSlot.Param(kv.getKey(), p));
        }
        write(slots, tensors, Map.of(), file);
    }

    // ------------------------------------------------------------------------------ naming

    static List<TensorSlot> slots(Block block) {
        List<TensorSlot> out = new ArrayList<>();
        collect(block, "", out);
        Map<String, Boolean> seen = new HashMap<>();
        for (TensorSlot slot : out) {
            checkState(seen.put(slot.name, true) == null, "duplicate tensor name %s", slot.name);
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
     * The grid sides {from, to} when a ViT position embedding was trained at another resolution
     * ([1, 1 + from², D] in the file, [1, 1 + to², D] in the model), else null.
     */
    static int[] posEmbedGrids(String name, Shape file, Shape model) {
        if (!(name.equals("pos_embed") || name.endsWith(".pos_embed")) || file.dimension() != 3
                || model.dimension() != 3 || file.get(0) != 1 || model.get(0) != 1 || file.get(2) != model.get(2)) {
            return null;
        }
        int from = gridSide(file.get(1) - 1);
        int to = gridSide(model.get(1) - 1);
        return from > 0 && to > 0 ? new int[] {from, to} : null;
    }

    private static int gridSide(long patches) {
        int g = (int) Math.round(Math.sqrt(patches));
        return patches > 0 && (long) g * g == patches ? g : -1;
    }

    private static ByteBuffer resizedPosEmbed(ByteBuffer f32, int[] grids, int dim) {
        float[] pos = new float[f32.remaining() / Float.BYTES];
        f32.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(pos);
        float[] out = VisionTransformer.resamplePosEmbed(pos, grids[0], grids[1], dim);
        ByteBuffer buf = ByteBuffer.allocateDirect(out.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(out);
        return buf;
    }

    private static NDArray initialised(Parameter p, String name) {
        checkState(
                p.isInitialized(),
                "tensor %s is not initialised: call block.initialize(manager, FLOAT32, inputShape)"
                        + " first",
                name);
        return p.getArray();
    }

    // ------------------------------------------------------------------------------ format

    private record Entry(String dtype, Shape shape, long begin, long end) {}

    private record Header(Map<String, Entry> entries, long dataStart) {}

    private static String fileDtype(DataType type) {
        switch (type) {
            case FLOAT32:
                return "F32";
            case FLOAT64:
                return "F64";
            case FLOAT16:
                return "F16";
            case INT64:
                return "I64";
            case INT32:
                return "I32";
            default:
                throw new IllegalArgumentException(
                        "cannot write "
                                + type
                                + "; supported: FLOAT32, FLOAT64, FLOAT16, INT64, INT32");
        }
    }

    private static DataType fileType(String dtype) {
        switch (dtype) {
            case "F32":
                return DataType.FLOAT32;
            case "F64":
                return DataType.FLOAT64;
            case "F16":
                return DataType.FLOAT16;
            case "BF16":
                return DataType.FLOAT32; // converted in Java: the engine aborts on BF16
            case "I64":
                return DataType.INT64;
            case "I32":
                return DataType.INT32;
            default:
                return null;
        }
    }

    private static boolean compatible(TensorSlot slot, String dtype) {
        if (slot instanceof TensorSlot.Counter) {
            return dtype.equals("I64") || dtype.equals("I32");
        }
        return dtype.equals("F32")
                || dtype.equals("F64")
                || dtype.equals("F16")
                || dtype.equals("BF16");
    }

    private static void write(
            List<TensorSlot> slots,
            Map<String, NDArray> arrays,
            Map<String, Long> counters,
            Path file)
            throws IOException {
        checkState(
                ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN,
                "safetensors is little-endian; this platform is %s",
                ByteOrder.nativeOrder());
        JsonObject json = new JsonObject();
        long offset = 0;
        for (TensorSlot slot : slots) {
            JsonObject e = new JsonObject();
            String dtype;
            long bytes;
            if (slot instanceof TensorSlot.Counter) {
                dtype = "I64";
                bytes = 8;
            } else {
                NDArray a = arrays.get(slot.name);
                dtype = fileDtype(a.getDataType());
                bytes = a.size() * a.getDataType().getNumOfBytes();
            }
            e.addProperty("dtype", dtype);
            JsonArray shape = new JsonArray();
            for (long d : slot.shape().getShape()) {
                shape.add(d);
            }
            e.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + bytes);
            e.add("data_offsets", offsets);
            json.add(slot.name, e);
            offset += bytes;
        }
        JsonObject metadata = new JsonObject();
        metadata.addProperty("format", "pt");
        json.add("__metadata__", metadata);
        byte[] text = GSON.toJson(json).getBytes(StandardCharsets.UTF_8);
        int padded = (text.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(text);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch =
                FileChannel.open(
                        tmp,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
            writeFully(ch, head);
            for (TensorSlot slot : slots) {
                ByteBuffer data;
                if (slot instanceof TensorSlot.Counter) {
                    data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                    data.putLong(counters.get(slot.name)).flip();
                } else {
                    data = arrays.get(slot.name).toByteBuffer();
                }
                writeFully(ch, data);
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void writeFully(FileChannel ch, ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            ch.write(data);
        }
    }

    private static Header readHeader(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new IOException(file + ": not a safetensors file (" + size + " bytes)");
        }
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, len, 0, file);
        long n = len.flip().getLong();
        if (n <= 0 || n > MAX_HEADER_BYTES || 8 + n > size) {
            throw new IOException(
                    file
                            + ": not a safetensors file (header size "
                            + n
                            + ", file size "
                            + size
                            + ")");
        }
        ByteBuffer text = ByteBuffer.allocate((int) n);
        readFully(ch, text, 8, file);
        JsonObject json;
        try {
            json =
                    GSON.fromJson(
                            new String(text.array(), StandardCharsets.UTF_8).trim(),
                            JsonObject.class);
        } catch (JsonParseException | ClassCastException e) {
            throw new IOException(file + ": invalid safetensors header: " + e.getMessage(), e);
        }
        if (json == null) {
            throw new IOException(file + ": empty safetensors header");
        }
        long dataStart = 8 + n;
        Map<String, Entry> entries = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, JsonElement> kv : json.entrySet()) {
                if (kv.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonObject e = kv.getValue().getAsJsonObject();
                JsonArray shapeJson = e.getAsJsonArray("shape");
                long[] shape = new long[shapeJson.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeJson.get(i).getAsLong();
                }
                JsonArray off = e.getAsJsonArray("data_offsets");
                Entry entry =
                        new Entry(
                                e.get("dtype").getAsString(),
                                new Shape(shape),
                                off.get(0).getAsLong(),
                                off.get(1).getAsLong());
                if (entry.begin < 0 || entry.end < entry.begin || dataStart + entry.end > size) {
                    throw new IOException(
                            file + ": data_offsets of " + kv.getKey() + " out of the file");
                }
                entries.put(kv.getKey(), entry);
            }
        } catch (RuntimeException e) {
            throw new IOException(file + ": invalid safetensors header: " + e, e);
        }
        return new Header(entries, dataStart);
    }

    private static ByteBuffer read(FileChannel ch, long dataStart, Entry e, Path file)
            throws IOException {
        long bytes = e.end - e.begin;
        if (bytes > Integer.MAX_VALUE) {
            throw new IOException(file + ": tensor larger than 2 GB");
        }
        ByteBuffer buf = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, buf, dataStart + e.begin, file);
        buf.flip();
        long expected = e.shape.size() * elementBytes(e.dtype);
        if (bytes != expected) {
            throw new IOException(
                    file
                            + ": "
                            + bytes
                            + " bytes for "
                            + e.dtype
                            + " "
                            + e.shape
                            + ", expected "
                            + expected);
        }
        return buf;
    }

    private static int elementBytes(String dtype) {
        switch (dtype) {
            case "F64":
            case "I64":
                return 8;
            case "F32":
            case "I32":
                return 4;
            case "F16":
            case "BF16":
                return 2;
            default:
                return 1;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path file)
            throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new IOException(file + ": truncated");
            }
            pos += r;
        }
    }

    /** Converts little-endian file data to a native-order buffer of {@code target}'s type. */
    private static ByteBuffer convert(ByteBuffer data, String dtype, DataType target) {
        if (dtype.equals(fileDtypeOrNull(target))) {
            return data; // little-endian == native (checked on write; x86 / ARM)
        }
        int n = data.remaining() / elementBytes(dtype);
        ByteBuffer out =
                ByteBuffer.allocateDirect(n * target.getNumOfBytes())
                        .order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            double v;
            switch (dtype) {
                case "F32":
                    v = data.getFloat(i * 4);
                    break;
                case "F64":
                    v = data.getDouble(i * 8);
                    break;
                case "F16":
                    v = halfToFloat(data.getShort(i * 2));
                    break;
                case "BF16":
                    v = Float.intBitsToFloat((data.getShort(i * 2) & 0xffff) << 16);
                    break;
                default:
                    throw new IllegalArgumentException("cannot convert " + dtype + " to " + target);
            }
            if (target == DataType.FLOAT32) {
                out.putFloat((float) v);
            } else if (target == DataType.FLOAT64) {
                out.putDouble(v);
            } else {
                throw new IllegalArgumentException("cannot convert " + dtype + " to " + target);
            }
        }
        return out.flip();
    }

    /** IEEE 754 binary16 → float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short bits) {
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static String fileDtypeOrNull(DataType type) {
        try {
            return fileDtype(type);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
