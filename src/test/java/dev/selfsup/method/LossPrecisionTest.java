package dev.selfsup.method;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.selfsup.engine.Precision;
import dev.selfsup.engine.SelfsupEngine;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The precision's loss and activation types reach every method's loss and queues. */
class LossPrecisionTest {
    @Test
    void everyMethodReturnsItsLossInThePrecisionsLossType() {
        SelfsupEngine.boot(1);
        Precision p = Precision.DEFAULT;
        // SwAV: one queue per assigned crop
        List<MethodSettings> methods =
                List.of(
                        SimClrSettings.defaults(),
                        MocoSettings.defaults().withQueueLength(16),
                        SwavSettings.defaults()
                                .withPrototypes(8)
                                .withQueueLength(16)
                                .withQueueStartEpoch(0));
        List<Integer> queues = List.of(0, 1, 2);
        for (int i = 0; i < methods.size(); i++) {
            String name = Methods.of(methods.get(i)).name();
            try (NDManager run = NDManager.newBaseManager()) {
                Method m = MethodFixtures.create(methods.get(i), run);
                m.beforeEpoch(0);
                NDArray loss =
                        m.loss(
                                new ParameterStore(run, false),
                                MethodFixtures.batch(run, name.equals("swav")),
                                new Step(0, 0, 1, MethodFixtures.SEED));
                assertEquals(p.lossType(), loss.getDataType(), name);
                assertEquals(queues.get(i), m.stateTensors().size(), name + " queues");
                for (NDArray state : m.stateTensors().values()) {
                    assertEquals(p.activationType(), state.getDataType(), name + " queue");
                }
            }
        }
    }
}
