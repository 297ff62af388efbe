package dev.selfsup.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The safetensors codec on its own: every dtype of its table, and files it must refuse. */
class SafetensorsTest {
    @TempDir Path dir;

    /** Values every dtype holds exactly (BOOL: nonzero is true). */
    private static double[] values(SafetensorsDtype dtype) {
        switch (dtype) {
            case U8:
                return new double[] {0, 1, 200, 255};
            case BOOL:
                return new double[] {1, 0, 0, 1};
            case I8:
            case I32:
            case I64:
                return new double[] {-128, -1, 0, 127};
            default: // F16 and BF16 hold these exactly; 2^-24 is F16's smallest subnormal
                return new double[] {1.5, -2, 0x1p-24, 1024};
        }
    }

    /** The raw little-endian bytes of {@code values} as {@code dtype}, encoded by hand. */
    private static ByteBuffer encode(SafetensorsDtype dtype, double[] values) {
        ByteBuffer b =
                ByteBuffer.allocate(values.length * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            switch (dtype) {
                case F64 -> b.putDouble(v);
                case F32 -> b.putFloat((float) v);
                case F16 -> b.putShort(half((float) v));
                case BF16 ->
                        b.putShort((short) (Float.floatToIntBits((float) v) >>> 16)); // exact here
                case I64 -> b.putLong((long) v);
                case I32 -> b.putInt((int) v);
                case I8, U8, BOOL -> b.put((byte) (long) v);
            }
        }
        return b.flip();
    }

    /** float → IEEE binary16 for the normal and subnormal values above (no rounding needed). */
    private static short half(float v) {
        int bits = Float.floatToIntBits(v);
        int sign = (bits >>> 16) & 0x8000;
        int exp = ((bits >>> 23) & 0xff) - 127 + 15;
        if (exp <= 0) {
            return (short) (sign | Math.round(Math.abs(v) / 0x1p-24f));
        }
        return (short) (sign | exp << 10 | (bits & 0x7fffff) >>> 13);
    }

    private static double[] asDoubles(NDArray a) {
        return a.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    @Test
    void everyDtypeOfTheTableRoundTripsItsBytes() throws IOException {
        List<Safetensors.Tensor> tensors = new ArrayList<>();
        for (SafetensorsDtype d : SafetensorsDtype.values()) {
            ByteBuffer data = encode(d, values(d));
            tensors.add(
                    new Safetensors.Tensor(d.name().toLowerCase(), d, new Shape(2, 2), () -> data));
        }
        Path file = dir.resolve("all.safetensors");
        Safetensors.write(tensors, file);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                NDManager m = NDManager.newBaseManager()) {
            Safetensors.Header header = Safetensors.readHeader(ch, file);
            Map<String, NDArray> back = Safetensors.read(file, m);
            for (SafetensorsDtype d : SafetensorsDtype.values()) {
                String name = d.name().toLowerCase();
                Safetensors.Entry e = header.entries().get(name);
                assertEquals(d, e.dtype(), name);
                assertEquals(4L * d.bytes, e.end() - e.begin(), name);
                assertEquals(encode(d, values(d)), Safetensors.read(ch, header, e, file), name);
                NDArray a = back.get(name);
                assertEquals(d.readAs, a.getDataType(), name);
                assertEquals(new Shape(2, 2), a.getShape(), name);
                assertArrayEquals(values(d), asDoubles(a), 0, name);
            }
        }
    }

    @Test
    void everyWritableArrayTypeRoundTripsThroughWeights() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            for (SafetensorsDtype d : SafetensorsDtype.values()) {
                if (d != SafetensorsDtype.BF16) { // no BF16 array may exist: the JNI aborts on it
                    arrays.put(d.name(), m.create(values(d), new Shape(4)).toType(d.type, false));
                }
            }
            Path file = dir.resolve("arrays.safetensors");
            Weights.writeTensors(arrays, file);
            Map<String, NDArray> back = Weights.readTensors(file, m);
            assertEquals(List.copyOf(arrays.keySet()), List.copyOf(back.keySet()));
            for (String name : arrays.keySet()) {
                SafetensorsDtype d = SafetensorsDtype.valueOf(name);
                assertEquals(d.readAs, back.get(name).getDataType(), name);
                assertArrayEquals(values(d), asDoubles(back.get(name)), 0, name);
            }
        }
    }

    @Test
    void bfloat16ArraysAreRefusedBeforeTheEngineSeesThem() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> SafetensorsDtype.of(DataType.BFLOAT16));
        assertTrue(e.getMessage().contains("cannot write bfloat16"), e.getMessage());
    }

    private Path fileWithHeader(String json, int dataBytes) throws IOException {
        byte[] text = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b =
                ByteBuffer.allocate(8 + text.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(text.length).put(text);
        Path file = dir.resolve("handmade.safetensors");
        Files.write(file, b.array());
        return file;
    }

    @Test
    void unknownDtypeFailsNamingTheDtypeAndTheTensor() throws IOException {
        Path file =
                fileWithHeader(
                        "{\"ok\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                                + "\"blocks.0.scale\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[4,6]}}",
                        6);
        try (NDManager m = NDManager.newBaseManager()) {
            IOException e = assertThrows(IOException.class, () -> Weights.readTensors(file, m));
            assertTrue(e.getMessage().contains("blocks.0.scale has dtype F8_E4M3"), e.getMessage());
            assertTrue(
                    e.getMessage().contains("[F64, F32, F16, BF16, I64, I32, I8, U8, BOOL]"),
                    e.getMessage());
        }
        IOException e =
                assertThrows(
                        IOException.class,
                        () ->
                                Weights.load(
                                        Prototypes.builder()
                                                .optInputDim(1)
                                                .setPrototypes(1)
                                                .build(),
                                        file,
                                        Weights.CLASSIFIER));
        assertTrue(e.getMessage().contains("F8_E4M3"), e.getMessage());
    }

    @Test
    void offsetsThatDisagreeWithTheShapeFailNamingTheTensor() throws IOException {
        Path file =
                fileWithHeader(
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,16]}}", 16);
        try (NDManager m = NDManager.newBaseManager()) {
            IOException e = assertThrows(IOException.class, () -> Weights.readTensors(file, m));
            assertTrue(
                    e.getMessage()
                            .contains(
                                    "w has data_offsets [0, 16] for F32 (2, 3), which takes 24"
                                            + " bytes"),
                    e.getMessage());
        }
    }

    @Test
    void truncatedFileFailsSayingSoAndNamingTheTensor() throws IOException {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        Path file = dir.resolve("full.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            arrays.put("first", m.create(new float[] {1, 2, 3}));
            arrays.put("second", m.create(new float[] {4, 5, 6}));
            Weights.writeTensors(arrays, file);
            byte[] bytes = Files.readAllBytes(file);
            Path cut = dir.resolve("cut.safetensors");
            Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 1));
            IOException e = assertThrows(IOException.class, () -> Weights.readTensors(cut, m));
            assertTrue(
                    e.getMessage()
                            .contains(
                                    "truncated: second ends at byte "
                                            + bytes.length
                                            + ", the file has "
                                            + (bytes.length - 1)),
                    e.getMessage());
            Files.write(cut, java.util.Arrays.copyOf(bytes, 20)); // inside the header
            e = assertThrows(IOException.class, () -> Weights.readTensors(cut, m));
            assertTrue(
                    e.getMessage().contains("truncated or not a safetensors file"), e.getMessage());
        }
    }
}
