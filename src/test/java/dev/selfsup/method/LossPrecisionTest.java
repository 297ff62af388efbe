package dev.selfsup.method;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.selfsup.config.Recipe;
import dev.selfsup.engine.Precision;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.run.Pretraining;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The precision's loss and activation types reach every method's loss and queues. */
class LossPrecisionTest {
    @Test
    void everyMethodReturnsItsLossInThePrecisionsLossType() {
        SelfsupEngine.boot(1);
        Precision p = Precision.DEFAULT;
        Map<String, Integer> queues = Map.of("simclr", 0, "mocov2", 1, "swav", 2); // SwAV: one per assigned crop
        for (String name : queues.keySet()) {
            Recipe r = MethodTest.recipe(name, "moco: {queue_length: 16}", "swav: {prototypes: 8, queue_length: 16, queue_start_epoch: 0}");
            try (NDManager run = NDManager.newBaseManager()) {
                Method m = Pretraining.method(r, run, 16);
                m.beforeEpoch(0);
                NDArray loss = m.loss(new ParameterStore(run, false), MethodTest.batch(run, r), new Step(0, 0, 1, r.seed()));
                assertEquals(p.lossType(), loss.getDataType(), name);
                assertEquals(queues.get(name), m.stateTensors().size(), name + " queues");
                for (NDArray state : m.stateTensors().values()) {
                    assertEquals(p.activationType(), state.getDataType(), name + " queue");
                }
            }
        }
    }
}
