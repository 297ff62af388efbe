package dev.selfsup.model;

import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The dtypes selfsup reads and writes: safetensors name ↔ DJL type ↔ bytes per element, and the
 * type an array read from the file gets. Every dtype decision of the codec is made here.
 */
enum SafetensorsDtype {
    F64(DataType.FLOAT64, 8, DataType.FLOAT64),
    F32(DataType.FLOAT32, 4, DataType.FLOAT32),
    /** Read as float32, the type selfsup computes in; written from float16 arrays. */
    F16(DataType.FLOAT16, 2, DataType.FLOAT32),
    /** Read as float32 (decoded in Java) and never written: the JNI aborts on BF16 arrays. */
    BF16(DataType.BFLOAT16, 2, DataType.FLOAT32),
    I64(DataType.INT64, 8, DataType.INT64),
    I32(DataType.INT32, 4, DataType.INT32),
    I8(DataType.INT8, 1, DataType.INT8),
    U8(DataType.UINT8, 1, DataType.UINT8),
    BOOL(DataType.BOOLEAN, 1, DataType.BOOLEAN);

    /** The element type of the file's bytes. */
    final DataType type;

    /** Bytes per element. */
    final int bytes;

    /** The type of an array read from the file. */
    final DataType readAs;

    SafetensorsDtype(DataType type, int bytes, DataType readAs) {
        this.type = type;
        this.bytes = bytes;
        this.readAs = readAs;
    }

    /** The entry for a header's dtype string, or an error naming it and its tensor. */
    static SafetensorsDtype named(String dtype, String tensor, Path file) throws IOException {
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(dtype)) {
                return d;
            }
        }
        throw new IOException(
                String.format(
                        "%s: tensor %s has dtype %s, which selfsup cannot" + " read; supported: %s",
                        file, tensor, dtype, Arrays.toString(values())));
    }

    /** The entry an array of {@code type} is written as. */
    static SafetensorsDtype of(DataType type) {
        for (SafetensorsDtype d : values()) {
            if (d.type == type && d != BF16) {
                return d;
            }
        }
        List<DataType> writable = new ArrayList<>();
        for (SafetensorsDtype d : values()) {
            if (d != BF16) {
                writable.add(d.type);
            }
        }
        throw new IllegalArgumentException("cannot write " + type + "; supported: " + writable);
    }

    boolean isFloating() {
        return type.isFloating();
    }

    boolean isInteger() {
        return type.isInteger();
    }

    /** Element {@code i} of little-endian floating-point data. */
    double real(ByteBuffer data, int i) {
        switch (this) {
            case F64:
                return data.getDouble(i * 8);
            case F32:
                return data.getFloat(i * 4);
            case F16:
                return halfToFloat(data.getShort(i * 2));
            case BF16:
                return Float.intBitsToFloat((data.getShort(i * 2) & 0xffff) << 16);
            default:
                throw new IllegalArgumentException(this + " is not a floating-point dtype");
        }
    }

    /** Element {@code i} of little-endian integer data. */
    long integer(ByteBuffer data, int i) {
        switch (this) {
            case I64:
                return data.getLong(i * 8);
            case I32:
                return data.getInt(i * 4);
            case I8:
                return data.get(i);
            case U8:
                return data.get(i) & 0xff;
            default:
                throw new IllegalArgumentException(this + " is not an integer dtype");
        }
    }

    /** Appends one element of floating-point data in native order. */
    void putReal(ByteBuffer out, double v) {
        switch (this) {
            case F64:
                out.putDouble(v);
                break;
            case F32:
                out.putFloat((float) v);
                break;
            default:
                throw new IllegalArgumentException("cannot convert to " + this);
        }
    }

    /** IEEE 754 binary16 → float (Java 17 has no Float.float16ToFloat). */
    private static float halfToFloat(short bits) {
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
}
