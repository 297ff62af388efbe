package dev.selfsup.benchmarks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.engine.Seeds;
import dev.selfsup.loss.HardNegativeMixing;
import dev.selfsup.loss.InfoNce;
import dev.selfsup.loss.Sinkhorn;
import dev.selfsup.loss.SwavLoss;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Forward cost of the losses at paper sizes (float32, CPU): Sinkhorn B=4096 K=3000, SwAV 2+6 crops
 * at B=256 K=3000, InfoNCE with a 65,536 queue at B=256 D=128, with and without MoCHi(1024, 1024,
 * 128). Each call runs in a sub-manager that is closed afterwards.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class LossBenchmark {
    private NDManager manager;
    private NDArray sinkhornScores;
    private NDArray[] swavScores;
    private NDArray q;
    private NDArray k;
    private NDArray queue;
    private long step;

    @Setup(Level.Trial)
    public void setUp() {
        EngineBootstrap.boot();
        manager = NDManager.newBaseManager();
        sinkhornScores = manager.randomUniform(-1, 1, new Shape(4096, 3000));
        NDArray prototypes = manager.randomNormal(new Shape(3000, 128)).normalize(2, 1);
        swavScores = new NDArray[8];
        for (int v = 0; v < 8; v++) {
            swavScores[v] =
                    manager.randomNormal(new Shape(256, 128))
                            .normalize(2, 1)
                            .matMul(prototypes.transpose());
        }
        q = manager.randomNormal(new Shape(256, 128)).normalize(2, 1);
        k = manager.randomNormal(new Shape(256, 128)).normalize(2, 1);
        queue = manager.randomNormal(new Shape(65536, 128)).normalize(2, 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        manager.close();
    }

    @Benchmark
    public float sinkhorn4096x3000() {
        try (NDManager step = manager.newSubManager()) {
            step.tempAttachAll(sinkhornScores);
            return Sinkhorn.codes(sinkhornScores, 0.05, 3).getFloat(0, 0);
        }
    }

    @Benchmark
    public float swavLoss2plus6Crops() {
        try (NDManager step = manager.newSubManager()) {
            step.tempAttachAll(swavScores);
            return SwavLoss.loss(swavScores, new int[] {0, 1}, 0.1, 0.05, 3).getFloat();
        }
    }

    @Benchmark
    public float infoNceQueue65536() {
        try (NDManager step = manager.newSubManager()) {
            step.tempAttachAll(q, k, queue);
            return InfoNce.loss(q, k, queue, 0.2).getFloat();
        }
    }

    @Benchmark
    public float infoNceQueue65536Mochi1024x1024x128() {
        try (NDManager step = manager.newSubManager()) {
            step.tempAttachAll(q, k, queue);
            return HardNegativeMixing.loss(
                            q,
                            k,
                            queue,
                            1024,
                            1024,
                            128,
                            0.2,
                            Seeds.derive(0, "mochi", this.step++))
                    .getFloat();
        }
    }
}
