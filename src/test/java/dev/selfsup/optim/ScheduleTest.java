package dev.selfsup.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    private static void assertThrowsNaming(String value, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().contains(value), e.getMessage());
    }

    @Test
    void warmupCosineMatchesSwavAtTheBoundaries() {
        // SwAV batch-256 recipe shape: start 0.1 (as --start_warmup), base 0.6, final 0.0006
        Schedule s = Schedule.warmupCosine(0.6, 0.0006, 10, 50, 0.1);
        assertEquals(0.1, s.value(0), 1e-15, "iteration 0: start of np.linspace");
        assertEquals(0.1 + 4 * 0.5 / 9, s.value(4), 1e-15, "linspace(0.1, 0.6, 10)[4]");
        assertEquals(0.6, s.value(9), 0, "warmup - 1: linspace ends on base");
        assertEquals(0.6, s.value(10), 1e-15, "warmup: cosine starts at base");
        assertEquals(0.0006 + 0.5 * 0.5994 * (1 + Math.cos(Math.PI * 20 / 40)), s.value(30), 1e-15);
        assertEquals(
                0.0006 + 0.2997 * (1 + Math.cos(Math.PI * 39 / 40)),
                s.value(49),
                1e-15,
                "total - 1");
        assertThrowsNaming("50", () -> s.value(50));
        assertThrowsNaming("-1", () -> s.value(-1));
    }

    @Test
    void warmupCosineEdgesWithoutAndWithOneWarmupIteration() {
        Schedule noWarmup = Schedule.warmupCosine(0.03, 0, 0, 4, 99);
        assertEquals(0.03, noWarmup.value(0), 0);
        assertEquals(0.015, noWarmup.value(2), 1e-17, "half-way: (1 + cos(pi/2)) / 2");
        Schedule oneWarmup = Schedule.warmupCosine(1, 0, 1, 3, 0.25);
        assertEquals(0.25, oneWarmup.value(0), 0, "np.linspace(a, b, 1) == [a]");
        assertEquals(1, oneWarmup.value(1), 0);
        assertEquals(0.5, oneWarmup.value(2), 1e-15);
        assertThrowsNaming("11", () -> Schedule.warmupCosine(1, 0, 11, 10, 0));
        assertThrowsNaming("NaN", () -> Schedule.warmupCosine(Double.NaN, 0, 1, 10, 0));
    }

    @Test
    void multiStepDropsAtTheMilestonesLikeMocoLinearProbe() {
        long perEpoch = 10;
        Schedule s = Schedule.multiStep(30, List.of(60 * perEpoch, 80 * perEpoch), 0.1);
        assertEquals(30, s.value(0), 0);
        assertEquals(30, s.value(599), 0);
        assertEquals(30 * 0.1, s.value(600), 0, "epoch 60: the milestone itself is decayed");
        assertEquals(30 * 0.1, s.value(799), 0);
        assertEquals(30 * 0.1 * 0.1, s.value(800), 0, "repeated multiplication, as MoCo");
        assertEquals(30 * 0.1 * 0.1, s.value(999_999), 0);
        assertThrowsNaming("[80, 60]", () -> Schedule.multiStep(1, List.of(80L, 60L), 0.1));
        assertThrowsNaming("0.0", () -> Schedule.multiStep(1, List.of(5L), 0));
    }

    @Test
    void emaMomentumRisesFromBaseToOneOnACosine() {
        Schedule s = Schedule.emaMomentumCosine(0.99, 100);
        assertEquals(0.99, s.value(0), 1e-15);
        assertEquals(0.995, s.value(50), 1e-15);
        assertEquals(1 - 0.01 * (1 + Math.cos(Math.PI / 4)) / 2, s.value(25), 1e-15);
        assertEquals(1, s.value(100), 1e-15);
        assertThrowsNaming("101", () -> s.value(101));
        assertThrowsNaming("1.5", () -> Schedule.emaMomentumCosine(1.5, 10));
        assertEquals(0.999, Schedule.constant(0.999).value(12345), 0);
    }

    @Test
    void lrScalesLinearlyPer256OrBySquareRoot() {
        assertEquals(4.8, LrScaling.LINEAR.scale(0.3, 4096), 1e-12, "SimCLR: 0.3 × 4096/256");
        assertEquals(0.03, LrScaling.LINEAR.scale(0.03, 256), 0, "MoCo: 0.03 per 256");
        assertEquals(4.8, LrScaling.SQRT.scale(0.075, 4096), 1e-12, "SimCLR: 0.075 × sqrt(4096)");
        assertEquals(0.6, LrScaling.NONE.scale(0.6, 4096), 0);
        assertThrowsNaming("0", () -> LrScaling.LINEAR.scale(0.1, 0));
    }
}
