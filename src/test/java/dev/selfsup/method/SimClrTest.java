package dev.selfsup.method;

import static dev.selfsup.method.MethodFixtures.B;
import static dev.selfsup.method.MethodFixtures.assertLearnsAFixedBatch;
import static dev.selfsup.method.MethodFixtures.assertTrainsDown;
import static dev.selfsup.method.MethodFixtures.create;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.internal.SettingException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SimCLR on a fixed tiny batch, with and without its harder-negative options. */
class SimClrTest {
    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    @Test
    void learnsAFixedBatch() {
        assertLearnsAFixedBatch(SimClrSettings.defaults(), false);
    }

    @Test
    void mochiAndPositiveExtrapolationTrainToo() {
        SimClrSettings base = SimClrSettings.defaults();
        for (SimClrSettings s :
                List.of(
                        base.withMochi(
                                MochiSettings.defaults()
                                        .withEnabled(true)
                                        .withHardest(14)
                                        .withMixed(8)
                                        .withMixedWithQuery(4)),
                        base.withFeatureTransform(
                                FeatureTransformSettings.defaults()
                                        .withEnabled(true)
                                        .withNegativeInterpolation(false)))) {
            assertTrainsDown(s);
        }
    }

    @Test
    void embedsBothViewsInOneBranch() {
        try (NDManager run = NDManager.newBaseManager()) {
            assertEquals(
                    Map.of("online", Crops.all()),
                    create(SimClrSettings.defaults(), run).branches());
        }
    }

    @Test
    void refusesNegativeInterpolationAndMoreHardestNegativesThanTheBatchHas() {
        SettingException e =
                assertThrows(
                        SettingException.class,
                        () ->
                                SimClrSettings.defaults()
                                        .withFeatureTransform(
                                                FeatureTransformSettings.defaults()
                                                        .withEnabled(true)));
        assertEquals("feature_transform.negative_interpolation", e.key());
        SimClrSettings mochi =
                SimClrSettings.defaults()
                        .withMochi(MochiSettings.defaults().withEnabled(true).withHardest(15));
        e =
                assertThrows(
                        SettingException.class,
                        () -> mochi.checkBatches(new MethodSettings.Batches(B, 2, true)));
        assertEquals("mochi.hardest", e.key());
        assertTrue(
                e.getMessage().contains("got 15")
                        && e.getMessage().contains("14 in-batch negatives"),
                e.getMessage());
        mochi.withMochi(mochi.mochi().withHardest(14))
                .checkBatches(new MethodSettings.Batches(B, 2, true));
    }
}
