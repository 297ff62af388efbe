package dev.selfsup.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class SeedsTest {
    @Test
    void equalArgumentsGiveEqualStreamsAndAnyChangeDiffers() {
        long a = Seeds.derive(7, "crop", 3, 11).nextLong();
        assertEquals(a, Seeds.derive(7, "crop", 3, 11).nextLong());
        assertNotEquals(a, Seeds.derive(8, "crop", 3, 11).nextLong());
        assertNotEquals(a, Seeds.derive(7, "flip", 3, 11).nextLong());
        assertNotEquals(a, Seeds.derive(7, "crop", 4, 11).nextLong());
        assertNotEquals(a, Seeds.derive(7, "crop", 11, 3).nextLong());
    }
}
