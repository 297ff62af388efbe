package dev.selfsup.eval;

import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ProbeSpeedManual {
    @Test
    void tenThousandBy512() {
        SplittableRandom rng = new SplittableRandom(1);
        float[][] centres = KnnTest.gaussian(rng, 10, 512);
        LinearProbeTest.Blobs train = LinearProbeTest.blobs(rng, centres, 10000, 0.3f);
        LinearProbeTest.Blobs test = LinearProbeTest.blobs(rng, centres, 2000, 0.3f);
        try (NDManager m = NDManager.newBaseManager()) {
            for (int epochs : new int[] {1, 1, 5, Integer.getInteger("epochs", 100)}) {
                ProbeResult r = LinearProbe.train(m.create(train.x()), m.create(train.y()), m.create(test.x()),
                        m.create(test.y()), 10, ProbeProtocol.swav().withEpochs(epochs), 1);
                System.out.printf("PROBE epochs=%d seconds=%.2f top1=%.2f best=%d%n", epochs, r.seconds(), r.lastTop1(), r.bestEpoch());
            }
        }
    }
}
