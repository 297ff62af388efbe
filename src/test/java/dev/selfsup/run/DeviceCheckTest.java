package dev.selfsup.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.selfsup.engine.SelfsupEngine;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The device self-check on the CPU: every check passes, and CPU-vs-CPU losses agree exactly. */
class DeviceCheckTest {
    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    @Test
    void everyCheckPassesOnTheCpu() {
        List<DeviceCheck.Outcome> outcomes = DeviceCheck.run(Device.cpu(), 3);
        assertEquals(
                List.of(
                        "train-step simclr",
                        "train-step mocov2",
                        "train-step swav",
                        "train-step dino",
                        "photometric",
                        "cpu-vs-device simclr",
                        "cpu-vs-device mocov2",
                        "cpu-vs-device swav",
                        "cpu-vs-device dino"),
                outcomes.stream().map(DeviceCheck.Outcome::name).toList());
        for (DeviceCheck.Outcome o : outcomes) {
            assertTrue(o.passed(), o.toString());
            assertTrue(o.imagesPerSecond() > 0, o.toString());
            assertTrue(o.peakMemoryBytes() > 0, o.toString());
            assertEquals("process resident memory", o.memoryKind());
            if (o.name().startsWith("cpu-vs-device")) {
                assertTrue(o.detail().contains("relative difference 0.0e+00"), o.detail());
            }
        }
    }
}
