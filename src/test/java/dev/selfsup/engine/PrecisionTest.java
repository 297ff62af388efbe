package dev.selfsup.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

class PrecisionTest {
    @Test
    void defaultIsFloat32ForParametersActivationsAndLoss() {
        assertEquals(Precision.FP32, Precision.DEFAULT);
        assertEquals(DataType.FLOAT32, Precision.DEFAULT.parameterType());
        assertEquals(DataType.FLOAT32, Precision.DEFAULT.activationType());
        assertEquals(DataType.FLOAT32, Precision.DEFAULT.lossType());
    }
}
