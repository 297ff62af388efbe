package dev.selfsup.benchmarks;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ModelZoo;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Training throughput of the zoo backbones: one forward pass in training mode (BN batch statistics,
 * drop path off), {@code sum} of the features as a stand-in loss, and the backward pass; no
 * optimiser step. Scores are images per second (one operation = one image).
 *
 * <pre>{@code
 * mvn -o -q -DskipTests install && mvn -o -q -f benchmarks/pom.xml package
 * java -jar benchmarks/target/benchmarks.jar BackboneBenchmark -f 1 -wi 2 -i 3 -w 1s -r 1s
 * }</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class BackboneBenchmark {

    /** A backbone, its parameters and one random batch. */
    abstract static class Net {
        NDManager manager;
        Backbone backbone;
        ParameterStore store;
        NDArray images;

        abstract String name();

        abstract int batch();

        abstract int size();

        @Setup(Level.Trial)
        public void setUp() {
            EngineBootstrap.boot();
            manager = NDManager.newBaseManager();
            backbone = ModelZoo.backbone(name());
            Shape shape = new Shape(batch(), 3, size(), size());
            backbone.initialize(manager, DataType.FLOAT32, shape);
            store = new ParameterStore(manager, false);
            images = manager.randomNormal(shape);
        }

        /** One training step's forward and backward; temporaries freed with the step manager. */
        void step() {
            try (NDManager step = manager.newSubManager()) {
                for (Parameter p : backbone.getParameters().values()) {
                    step.tempAttachAll(p.getArray());
                }
                step.tempAttachAll(images);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray features =
                            backbone.forward(store, new NDList(images), true).singletonOrThrow();
                    gc.backward(features.sum());
                }
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            manager.close();
        }
    }

    /** resnet18_cifar, batch 128 of 32 px. */
    @State(Scope.Benchmark)
    public static class ResNet18Cifar extends Net {
        @Override
        String name() {
            return "resnet18_cifar";
        }

        @Override
        int batch() {
            return 128;
        }

        @Override
        int size() {
            return 32;
        }
    }

    /** resnet50, batch 32 of 224 px. */
    @State(Scope.Benchmark)
    public static class ResNet50 extends Net {
        @Override
        String name() {
            return "resnet50";
        }

        @Override
        int batch() {
            return 32;
        }

        @Override
        int size() {
            return 224;
        }
    }

    /** vit_small_patch16, batch 32 of 224 px. */
    @State(Scope.Benchmark)
    public static class VitSmall extends Net {
        @Override
        String name() {
            return "vit_small_patch16";
        }

        @Override
        int batch() {
            return 32;
        }

        @Override
        int size() {
            return 224;
        }
    }

    /**
     * Forward + backward of resnet18_cifar on 128 images of 32 px.
     *
     * @param net the state
     */
    @Benchmark
    @OperationsPerInvocation(128)
    public void resnet18CifarBatch128At32(ResNet18Cifar net) {
        net.step();
    }

    /**
     * Forward + backward of resnet50 on 32 images of 224 px.
     *
     * @param net the state
     */
    @Benchmark
    @OperationsPerInvocation(32)
    public void resnet50Batch32At224(ResNet50 net) {
        net.step();
    }

    /**
     * Forward + backward of vit_small_patch16 on 32 images of 224 px.
     *
     * @param net the state
     */
    @Benchmark
    @OperationsPerInvocation(32)
    public void vitSmallBatch32At224(VitSmall net) {
        net.step();
    }
}
