package dev.selfsup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.selfsup.internal.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training checkpoint: named tensors (model, EMA encoder, optimiser state, queues) plus JSON
 * metadata (step, epoch, resolved recipe, method state).
 *
 * <p>File layout: magic {@code SSCK}, format version, metadata length and UTF-8 JSON, then the
 * tensors in DJL's {@link NDList} encoding with their names. Writes go to a temporary file that is
 * flushed to disk and then renamed over the target, so a crash mid-write leaves the previous
 * checkpoint intact.
 *
 * @param metadata step, epoch and anything else a run needs to continue
 * @param tensors named tensors, in a stable order
 */
public record Checkpoint(JsonObject metadata, Map<String, NDArray> tensors) {
    private static final int MAGIC = 0x5353434b; // "SSCK"
    private static final int VERSION = 1;
    private static final Gson GSON = new Gson();

    /**
     * Writes the checkpoint atomically (temp file, fsync, rename).
     *
     * @param file the target, e.g. {@code checkpoints/latest.ckpt}
     * @throws IOException if writing fails; the previous file is then untouched
     */
    public void write(Path file) throws IOException {
        AtomicFiles.write(
                file,
                tmp -> {
                    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                            OutputStream os =
                                    new BufferedOutputStream(
                                            java.nio.channels.Channels.newOutputStream(ch),
                                            1 << 20)) {
                        writeTo(os);
                        os.flush();
                        ch.force(true);
                    }
                });
    }

    void writeTo(OutputStream raw) throws IOException {
        DataOutputStream out = new DataOutputStream(raw);
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        byte[] meta = GSON.toJson(metadata).getBytes(StandardCharsets.UTF_8);
        out.writeInt(meta.length);
        out.write(meta);
        NDList list = new NDList();
        java.util.List<String> previous = new java.util.ArrayList<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            previous.add(e.getValue().getName());
            e.getValue().setName(e.getKey());
            list.add(e.getValue());
        }
        byte[] encoded;
        try {
            encoded = list.encode();
        } finally {
            for (int i = 0; i < list.size(); i++) {
                list.get(i).setName(previous.get(i));
            }
        }
        out.write(encoded);
        out.flush();
    }

    /**
     * Reads a checkpoint; tensors are created on {@code manager} (and its device).
     *
     * @param file the checkpoint file
     * @param manager where the tensors go
     * @return the checkpoint
     * @throws IOException if the file is missing, not a checkpoint, or truncated
     */
    public static Checkpoint read(Path file, NDManager manager) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
            DataInputStream data = new DataInputStream(in);
            if (data.readInt() != MAGIC) {
                throw new IOException(file + ": not a selfsup checkpoint");
            }
            int version = data.readInt();
            if (version != VERSION) {
                throw new IOException(
                        file
                                + ": checkpoint format "
                                + version
                                + ", this selfsup reads "
                                + VERSION);
            }
            byte[] meta = new byte[data.readInt()];
            data.readFully(meta);
            JsonObject metadata =
                    GSON.fromJson(new String(meta, StandardCharsets.UTF_8), JsonObject.class);
            NDList list = NDList.decode(manager, data.readAllBytes());
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (NDArray a : list) {
                tensors.put(a.getName(), a);
            }
            return new Checkpoint(metadata, tensors);
        } catch (java.io.EOFException | IllegalArgumentException | IllegalStateException e) {
            throw new IOException(
                    file + ": truncated or corrupt checkpoint (" + e.getMessage() + ")", e);
        }
    }
}
