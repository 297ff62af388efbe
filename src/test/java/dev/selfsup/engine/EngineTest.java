package dev.selfsup.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EngineTest {
    @Test
    void bootsPyTorchOfflineOnCpu() {
        Engine engine = SelfsupEngine.boot(0);
        assertEquals("PyTorch", engine.getEngineName());
        assertEquals("2.5.1", engine.getVersion());
        assertEquals("true", System.getProperty("ai.djl.offline"));
        assertEquals("cpu", NativeFlavor.current());
        assertEquals(Device.cpu(), Devices.parse("auto"));
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(Device.cpu(), m.getDevice());
            assertEquals(6f, m.create(new float[] {1, 2, 3}).sum().getFloat(), 0f);
        }
    }

    @Test
    void sameSeedGivesSameTensorsDifferentSeedDifferent() {
        SelfsupEngine.boot(0);
        float[] a = draw(42);
        float[] b = draw(42);
        float[] c = draw(43);
        assertArrayEquals(a, b, 0f);
        assertFalse(Arrays.equals(a, c));
    }

    private static float[] draw(long seed) {
        SelfsupEngine.seed(seed);
        try (NDManager m = NDManager.newBaseManager()) {
            return m.randomNormal(new Shape(64)).toFloatArray();
        }
    }

    @Test
    void parsesDeviceSpecs() {
        assertEquals(Device.cpu(), Devices.parse("cpu", "cpu", 0));
        assertEquals(Device.cpu(), Devices.parse("auto", "cpu", 0));
        assertEquals(Device.gpu(0), Devices.parse("auto", "cu124", 2));
        assertEquals(Device.gpu(0), Devices.parse("gpu", "cu124", 1));
        assertEquals(Device.gpu(1), Devices.parse("gpu:1", "cu124", 2));
        assertEquals(Device.gpu(1), Devices.parse("GPU:1", "cu124", 2));
    }

    @Test
    void gpuWithoutCudaNativesTellsToBuildWithProfile() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Devices.parse("gpu", "cpu", 0));
        assertTrue(e.getMessage().contains("-Pcu124"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Devices.parse("gpu:0", "cpu", 0));
        assertTrue(e.getMessage().contains("-Pcu124"), e.getMessage());
    }

    @Test
    void badDeviceSpecsNameTheValue() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> Devices.parse("gpu:3", "cu124", 2));
        assertTrue(e.getMessage().contains("0..1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Devices.parse("tpu", "cpu", 0));
        assertTrue(e.getMessage().contains("'tpu'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Devices.parse("gpu:x", "cu124", 1));
        assertTrue(e.getMessage().contains("gpu:x"), e.getMessage());
    }

    @Test
    void refusesBfloat16BeforeTheJniSeesIt() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> SelfsupEngine.parseDataType("bfloat16"));
        assertTrue(e.getMessage().contains("bfloat16"));
        assertThrows(
                IllegalArgumentException.class,
                () -> SelfsupEngine.requireSupported(DataType.BFLOAT16));
        assertEquals(DataType.FLOAT16, SelfsupEngine.parseDataType("fp16"));
        assertEquals(DataType.FLOAT32, SelfsupEngine.requireSupported(DataType.FLOAT32));
    }
}
