package dev.selfsup.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.selfsup.data.SyntheticShapes;
import dev.selfsup.engine.SelfsupEngine;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CustomLoopSwavLossTest {
    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    @Test
    void lossIsFiniteAndFallsAndCodesStayBalanced() {
        int k = 16;
        int steps = 16;
        CustomLoopSwavLoss.Settings s =
                new CustomLoopSwavLoss.Settings(
                        "resnet10_cifar", 4, 16, 8, 2, k, 8, 2, steps, 0.1, 2, 0);
        CustomLoopSwavLoss.Result r =
                CustomLoopSwavLoss.run(new SyntheticShapes(32, 4, 24, 24, 0), s, Device.cpu());
        List<Double> losses = r.losses();
        System.out.println("custom loop SwAV losses: " + losses);
        System.out.println("code entropies: " + r.codeEntropies());
        assertEquals(steps, losses.size(), "one loss per optimiser step");
        assertEquals(steps, r.codeEntropies().size());
        for (double l : losses) {
            assertTrue(Double.isFinite(l) && l > 0, "loss " + l);
        }
        double first = mean(losses.subList(0, 3));
        double last = mean(losses.subList(steps - 3, steps));
        assertTrue(last < first, "loss should fall: first three " + first + ", last three " + last);
        // Sinkhorn keeps the codes spread over the prototypes: entropy well above 0, at most log K
        for (double h : r.codeEntropies()) {
            assertTrue(
                    h > 0.1 && h <= Math.log(k) + 1e-4,
                    "code entropy " + h + " outside (0.1, log K]");
        }
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }
}
