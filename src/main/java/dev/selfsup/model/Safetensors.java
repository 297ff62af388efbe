package dev.selfsup.model;

import static dev.selfsup.internal.Checks.checkArgument;
import static dev.selfsup.internal.Checks.checkState;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import dev.selfsup.internal.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The <a href="https://github.com/huggingface/safetensors">safetensors</a> format, knowing nothing
 * of blocks: an 8-byte little-endian header size, a JSON header mapping each tensor name to {@code
 * dtype}, {@code shape} and {@code data_offsets} (padded with spaces to a multiple of 8), then the
 * raw little-endian data. Dtypes go through the one table {@link SafetensorsDtype}; {@link Weights}
 * maps blocks onto the format.
 */
final class Safetensors {
    private static final long MAX_HEADER_BYTES = 100L << 20;
    private static final Gson GSON = new Gson();

    private Safetensors() {}

    /** One tensor of a file's header; offsets count from the end of the header. */
    record Entry(SafetensorsDtype dtype, Shape shape, long begin, long end) {}

    /** A file's header: entries in file order, and where their data starts. */
    record Header(Map<String, Entry> entries, long dataStart) {}

    /** A tensor to write; its bytes (native order) are asked for only when the file reaches it. */
    record Tensor(String name, SafetensorsDtype dtype, Shape shape, Supplier<ByteBuffer> data) {}

    /**
     * Reads every tensor of a file, each as its dtype's {@code readAs} type.
     *
     * @return name → array on {@code manager}, in file order
     */
    static Map<String, NDArray> read(Path file, NDManager manager) throws IOException {
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header header = readHeader(ch, file);
            for (Map.Entry<String, Entry> kv : header.entries().entrySet()) {
                Entry e = kv.getValue();
                ByteBuffer data = convert(read(ch, header, e, file), e.dtype(), e.dtype().readAs);
                // a copy in engine-allocated memory: the file buffer is freed with this call
                ByteBuffer direct =
                        manager.allocateDirect(data.remaining()).order(ByteOrder.nativeOrder());
                direct.put(data).rewind();
                out.put(kv.getKey(), manager.create(direct, e.shape(), e.dtype().readAs));
            }
        }
        return out;
    }

    /** Writes named arrays, each as the dtype of its data type. */
    static void write(Map<String, NDArray> arrays, Path file) throws IOException {
        List<Tensor> tensors = new ArrayList<>();
        for (Map.Entry<String, NDArray> kv : arrays.entrySet()) {
            NDArray a = kv.getValue();
            tensors.add(
                    new Tensor(
                            kv.getKey(),
                            SafetensorsDtype.of(a.getDataType()),
                            a.getShape(),
                            a::toByteBuffer));
        }
        write(tensors, file);
    }

    /**
     * Writes tensors via a temporary file in the same folder, renamed at the end, so a crash never
     * leaves a half-written file.
     */
    static void write(List<Tensor> tensors, Path file) throws IOException {
        checkState(
                ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN,
                "safetensors is little-endian; this platform is %s",
                ByteOrder.nativeOrder());
        JsonObject json = new JsonObject();
        long offset = 0;
        for (Tensor t : tensors) {
            long bytes = t.shape().size() * t.dtype().bytes;
            JsonObject e = new JsonObject();
            e.addProperty("dtype", t.dtype().name());
            JsonArray shape = new JsonArray();
            for (long d : t.shape().getShape()) {
                shape.add(d);
            }
            e.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + bytes);
            e.add("data_offsets", offsets);
            json.add(t.name(), e);
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
        AtomicFiles.write(
                file,
                tmp -> {
                    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                        writeFully(ch, head);
                        for (Tensor t : tensors) {
                            ByteBuffer data = t.data().get();
                            checkArgument(
                                    data.remaining() == t.shape().size() * t.dtype().bytes,
                                    "%s: %s bytes for %s %s",
                                    t.name(),
                                    data.remaining(),
                                    t.dtype(),
                                    t.shape());
                            writeFully(ch, data);
                        }
                    }
                });
    }

    /** Reads and checks the header: every dtype known, every tensor's bytes inside the file. */
    static Header readHeader(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new IOException(file + ": not a safetensors file (" + size + " bytes)");
        }
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, len, 0, file);
        long n = len.flip().getLong();
        if (n <= 0 || n > MAX_HEADER_BYTES || 8 + n > size) {
            throw new IOException(
                    String.format(
                            "%s: truncated or not a safetensors file (header"
                                    + " size %d, file size %d)",
                            file, n, size));
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
                String name = kv.getKey();
                JsonObject e = kv.getValue().getAsJsonObject();
                JsonArray shapeJson = e.getAsJsonArray("shape");
                long[] shape = new long[shapeJson.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeJson.get(i).getAsLong();
                }
                JsonArray off = e.getAsJsonArray("data_offsets");
                SafetensorsDtype dtype =
                        SafetensorsDtype.named(e.get("dtype").getAsString(), name, file);
                Entry entry =
                        new Entry(
                                dtype,
                                new Shape(shape),
                                off.get(0).getAsLong(),
                                off.get(1).getAsLong());
                long expected = entry.shape().size() * dtype.bytes;
                if (entry.begin() < 0 || entry.end() - entry.begin() != expected) {
                    throw new IOException(
                            String.format(
                                    "%s: %s has data_offsets [%d, %d] for %s"
                                            + " %s, which takes %d bytes",
                                    file,
                                    name,
                                    entry.begin(),
                                    entry.end(),
                                    dtype,
                                    entry.shape(),
                                    expected));
                }
                if (dataStart + entry.end() > size) {
                    throw new IOException(
                            String.format(
                                    "%s: truncated: %s ends at byte %d, the" + " file has %d",
                                    file, name, dataStart + entry.end(), size));
                }
                entries.put(name, entry);
            }
        } catch (RuntimeException e) {
            throw new IOException(file + ": invalid safetensors header: " + e, e);
        }
        return new Header(entries, dataStart);
    }

    /** One tensor's raw bytes, little-endian, in a fresh direct buffer. */
    static ByteBuffer read(FileChannel ch, Header header, Entry e, Path file) throws IOException {
        long bytes = e.end() - e.begin();
        if (bytes > Integer.MAX_VALUE) {
            throw new IOException(file + ": tensor larger than 2 GB");
        }
        ByteBuffer buf = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, buf, header.dataStart() + e.begin(), file);
        return buf.flip();
    }

    /**
     * File data of {@code dtype} as a native-order buffer of {@code target}: the same buffer when
     * the types agree (safetensors is little-endian like every platform selfsup writes on), else
     * floating-point values converted element by element.
     */
    static ByteBuffer convert(ByteBuffer data, SafetensorsDtype dtype, DataType target) {
        if (dtype.type == target) {
            return data;
        }
        SafetensorsDtype to = SafetensorsDtype.of(target);
        checkArgument(
                dtype.isFloating() && to.isFloating(), "cannot convert %s to %s", dtype, target);
        int n = data.remaining() / dtype.bytes;
        ByteBuffer out = ByteBuffer.allocateDirect(n * to.bytes).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            to.putReal(out, dtype.real(data, i));
        }
        return out.flip();
    }

    private static void writeFully(FileChannel ch, ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            ch.write(data);
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
}
