package dev.selfsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.selfsup.engine.Devices;
import dev.selfsup.engine.NativeFlavor;
import dev.selfsup.engine.SelfsupEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The device self-check on GPU 0: what {@code selfsup info --check --device gpu} runs, one check
 * per test. Excluded by default (surefire {@code excludedGroups=gpu}); on a CUDA machine run {@code
 * mvn -Pcu124 test -Dgroups=gpu}.
 */
@Tag("gpu")
class DeviceCheckGpuTest {
    private static Device gpu;

    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(0);
        gpu = Devices.parse("gpu:0");
    }

    @Test
    void theCudaBuildIsLoadedAndSeesTheGpu() {
        NativeFlavor.Loaded lib = NativeFlavor.loaded();
        assertTrue(lib.isCudaBuild(), lib.toString());
        assertTrue(lib.cudaAvailable(), lib.toString());
        assertTrue(Engine.getInstance().getGpuCount() >= 1);
        assertEquals(Device.gpu(0), gpu);
    }

    @ParameterizedTest
    @ValueSource(strings = {"simclr", "mocov2", "swav"})
    void trainingStepsRunOnTheGpu(String method) {
        DeviceCheck.Outcome o = DeviceCheck.trainStep(method, gpu, 0);
        assertTrue(o.passed(), o.toString());
        assertEquals("device memory in use", o.memoryKind());
    }

    @Test
    void devicePhotometricOpsMatchTheHostPath() {
        DeviceCheck.Outcome o = DeviceCheck.photometric(gpu, 0);
        assertTrue(o.passed(), o.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"simclr", "mocov2", "swav"})
    void gpuLossMatchesTheCpuLossOnTheSameBatchAndWeights(String method) {
        DeviceCheck.Outcome o = DeviceCheck.cpuVersusDevice(method, gpu, 0);
        assertTrue(o.passed(), o.toString());
    }
}
