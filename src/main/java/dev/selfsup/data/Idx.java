package dev.selfsup.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader for the IDX format of MNIST and Fashion-MNIST (unsigned-byte tensors), gzip or plain.
 *
 * <p>Format: big-endian magic {@code 0x0000 08 nd} (type 0x08 = unsigned byte, nd dimensions), nd
 * big-endian int32 sizes, then the bytes in row-major order.
 */
public final class Idx {
    private Idx() {}

    /** An unsigned-byte tensor read from an IDX file. */
    public record Tensor(int[] dims, byte[] data) {
        /**
         * Number of elements along the first axis.
         *
         * @return dims[0]
         */
        public int count() {
            return dims[0];
        }
    }

    /**
     * Reads an IDX file; gzip is detected from its first two bytes, not from its name.
     *
     * @param path the file
     * @return the tensor
     * @throws IOException if the file is missing, unreadable, corrupt or truncated; the message
     *     names the file
     */
    public static Tensor read(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new NoSuchFileException(
                    path.toString(),
                    null,
                    "IDX file not found (Fashion-MNIST: apt-get install dataset-fashion-mnist)");
        }
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, path.toString());
        }
    }

    /**
     * Reads an IDX stream.
     *
     * @param raw the stream, gzip or plain
     * @param name the source's name, used in error messages
     * @return the tensor
     * @throws IOException if the data is corrupt or truncated
     */
    public static Tensor read(InputStream raw, String name) throws IOException {
        byte[] bytes;
        try {
            BufferedInputStream in = new BufferedInputStream(raw);
            in.mark(2);
            int b0 = in.read();
            int b1 = in.read();
            in.reset();
            InputStream src = (b0 == 0x1f && b1 == 0x8b) ? new GZIPInputStream(in, 1 << 16) : in;
            bytes = readAll(src);
        } catch (EOFException | ZipException e) {
            throw new IOException(
                    name
                            + ": corrupt or truncated gzip stream ("
                            + e.getMessage()
                            + "); re-download or re-create the file",
                    e);
        }
        return parse(bytes, name);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
        in.transferTo(out);
        return out.toByteArray();
    }

    private static Tensor parse(byte[] bytes, String name) throws IOException {
        if (bytes.length < 4) {
            throw new IOException(name + ": not an IDX file (only " + bytes.length + " bytes)");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int magic = buf.getInt();
        int type = (magic >>> 8) & 0xff;
        int nd = magic & 0xff;
        if ((magic >>> 16) != 0 || type != 0x08 || nd < 1 || nd > 4) {
            throw new IOException(
                    String.format(
                            "%s: not an unsigned-byte IDX file (magic 0x%08x; expected 0x00000801..0x00000804)",
                            name, magic));
        }
        if (bytes.length < 4 + 4 * nd) {
            throw new IOException(name + ": truncated IDX header");
        }
        int[] dims = new int[nd];
        long total = 1;
        for (int i = 0; i < nd; i++) {
            dims[i] = buf.getInt();
            if (dims[i] < 0) {
                throw new IOException(name + ": negative dimension " + dims[i] + " in IDX header");
            }
            total *= dims[i];
        }
        long available = bytes.length - 4L - 4L * nd;
        if (available != total) {
            throw new IOException(
                    String.format(
                            "%s: header promises %d bytes of data but the file holds %d (%s); the file is %s",
                            name,
                            total,
                            available,
                            java.util.Arrays.toString(dims),
                            available < total ? "truncated" : "corrupt"));
        }
        byte[] data = new byte[(int) total];
        buf.get(data);
        return new Tensor(dims, data);
    }
}
