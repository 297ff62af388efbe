package dev.selfsup.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.selfsup.engine.Precision;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelZooTest {

    @Test
    void namesAreTheDesignedOnesSorted() {
        // DESIGN.md's names plus resnet10_cifar, the CPU-sized quickstart backbone
        assertEquals(
                List.of(
                        "resnet101",
                        "resnet10_cifar",
                        "resnet152",
                        "resnet18",
                        "resnet18_cifar",
                        "resnet34",
                        "resnet50",
                        "resnet50w2",
                        "resnet50w4",
                        "vit_base_patch16",
                        "vit_small_patch16",
                        "vit_tiny_patch16"),
                ModelZoo.names());
    }

    @Test
    void featureDimsOfEveryName() {
        int[] dims = {2048, 512, 2048, 512, 512, 512, 2048, 4096, 8192, 768, 384, 192};
        List<String> names = ModelZoo.names();
        for (int i = 0; i < dims.length; i++) {
            assertEquals(dims[i], ModelZoo.featureDim(names.get(i)), names.get(i));
            assertEquals(dims[i], ModelZoo.backbone(names.get(i)).featureDim(), names.get(i));
        }
    }

    @Test
    void unknownNameListsTheValidOnes() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ModelZoo.backbone("resnet200"));
        assertTrue(
                e.getMessage().contains("'resnet200'")
                        && e.getMessage().contains("resnet18_cifar")
                        && e.getMessage().contains("vit_small_patch16"),
                e.getMessage());
    }

    @Test
    void eachCallBuildsAFreshBackbone() {
        assertTrue(ModelZoo.backbone("resnet18") != ModelZoo.backbone("resnet18"));
    }

    @Test
    void backbonesInitialiseWithThePrecisionsParameterType() {
        DataType type = Precision.DEFAULT.parameterType();
        try (NDManager m = NDManager.newBaseManager()) {
            Backbone resnet =
                    ModelZoo.backbone("resnet18_cifar", ModelZoo.Options.DEFAULT.withBaseWidth(8));
            Backbone vit =
                    ModelZoo.backbone(
                            "vit_tiny_patch16", ModelZoo.Options.DEFAULT.withImageSize(32));
            for (Backbone b : List.of(resnet, vit)) {
                b.initialize(m, type, new Shape(2, 3, 32, 32));
                for (Pair<String, Parameter> p : b.getParameters()) {
                    assertEquals(
                            type,
                            p.getValue().getArray().getDataType(),
                            p.getKey()); // BN statistics too
                }
                NDArray features =
                        b.forward(
                                        new ParameterStore(m, false),
                                        new NDList(
                                                m.randomNormal(
                                                        new Shape(2, 3, 32, 32),
                                                        Precision.DEFAULT.activationType())),
                                        false)
                                .singletonOrThrow();
                assertEquals(Precision.DEFAULT.activationType(), features.getDataType());
            }
        }
    }
}
