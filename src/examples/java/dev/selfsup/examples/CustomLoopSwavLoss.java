package dev.selfsup.examples;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.data.HostBatch;
import dev.selfsup.data.ImageDataset;
import dev.selfsup.data.Loader;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.data.SyntheticShapes;
import dev.selfsup.engine.Devices;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.loss.Sinkhorn;
import dev.selfsup.loss.SwavLoss;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ModelZoo;
import dev.selfsup.model.ProjectionHead;
import dev.selfsup.model.Prototypes;
import dev.selfsup.optim.ParamGroup;
import dev.selfsup.optim.Schedule;
import dev.selfsup.optim.Sgd;
import dev.selfsup.train.StepScope;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-written SwAV training loop on the library's building blocks, without {@code Swav} or
 * {@code Trainer}: backbone → {@link ProjectionHead} → L2-normalise → {@link Prototypes} scores →
 * {@link SwavLoss} (which runs {@link Sinkhorn} on the detached scores of the assigned crops), a
 * DJL {@link GradientCollector}, and the PyTorch-form {@link Sgd}.
 *
 * <p>Memory discipline, the one rule that keeps a long run flat: everything a step creates lives in
 * one sub-{@link NDManager} of the run manager that is closed at the end of the step. DJL puts an
 * op's result on the manager of its <em>first</em> input, so the parameters are borrowed by the
 * step (results of ops that start from a weight die with the step too, and the weights go back to
 * the run manager when it closes). {@link StepScope} does all of this, plus the {@link
 * GradientCollector} and the gradient scaling for accumulation (with {@code
 * dev.selfsup.engine.Scalars}, not {@code NDArray.div(Number)}, which on the CPU views a GC-owned
 * buffer that autograd keeps for backward).
 *
 * <p>Shapes: crops of one size come as {@code [count·B, 3, S, S]}; features {@code [count·B, F]};
 * embeddings {@code [count·B, D]}; scores {@code [count·B, K]}, split into one {@code [B, K]} array
 * per crop for the loss.
 */
public final class CustomLoopSwavLoss {
    private CustomLoopSwavLoss() {}

    /**
     * The knobs of this example.
     *
     * @param backbone a {@link ModelZoo} name
     * @param baseWidth ResNet stem width, 0 = the model's own
     * @param globalSize side of the 2 global crops
     * @param localSize side of the local crops
     * @param localCount local crops per image, 0 for none
     * @param prototypes K
     * @param batchSize images per micro-batch B
     * @param accumulate micro-batches per optimiser step
     * @param steps optimiser steps
     * @param learningRate constant SGD learning rate
     * @param freezePrototypesIters steps during which the prototypes are not updated
     * @param seed run seed
     */
    public record Settings(
            String backbone,
            int baseWidth,
            int globalSize,
            int localSize,
            int localCount,
            int prototypes,
            int batchSize,
            int accumulate,
            int steps,
            double learningRate,
            int freezePrototypesIters,
            long seed) {}

    /**
     * What the loop saw.
     *
     * @param losses loss of every optimiser step (mean over its micro-batches)
     * @param codeEntropies mean per-row entropy of the first assigned crop's codes, per step (log K
     *     = uniform codes, 0 = collapsed to one prototype)
     */
    public record Result(List<Double> losses, List<Double> codeEntropies) {}

    /**
     * Trains for {@code s.steps()} optimiser steps.
     *
     * @param dataset the images
     * @param s the settings
     * @param device the training device
     * @return per-step loss and code entropy
     */
    public static Result run(ImageDataset dataset, Settings s, Device device) {
        SelfsupEngine.seed(s.seed());
        MultiCrop crops = MultiCrop.swav(s.globalSize(), 2, s.localSize(), s.localCount());
        int[] cropsForAssign = {0, 1}; // predict the codes of the two global crops
        List<Double> losses = new ArrayList<>();
        List<Double> entropies = new ArrayList<>();
        try (NDManager run = NDManager.newBaseManager(device);
                Loader loader =
                        Loader.builder()
                                .setDataset(dataset)
                                .setTransform(crops)
                                .setBatchSize(s.batchSize())
                                .optSeed(s.seed())
                                .optDropLast(true)
                                .build()) {
            // blocks and optimiser state live on the run manager for the whole run
            Backbone backbone =
                    ModelZoo.backbone(
                            s.backbone(), ModelZoo.Options.DEFAULT.withBaseWidth(s.baseWidth()));
            backbone.initialize(
                    run, DataType.FLOAT32, new Shape(1, 3, s.globalSize(), s.globalSize()));
            ProjectionHead head =
                    ProjectionHead.builder()
                            .optInputDim(backbone.featureDim())
                            .setHiddenDims(2 * backbone.featureDim())
                            .setOutputDim(32)
                            .build();
            head.initialize(run, DataType.FLOAT32, new Shape(1, backbone.featureDim()));
            Prototypes prototypes =
                    Prototypes.builder().setPrototypes(s.prototypes()).optInputDim(32).build();
            prototypes.initialize(run, DataType.FLOAT32, new Shape(1, 32));

            Sgd sgd =
                    Sgd.builder()
                            .setManager(run)
                            .setGroups(
                                    List.of(
                                            ParamGroup.of("backbone", backbone),
                                            ParamGroup.of("head", head),
                                            ParamGroup.of("prototypes", prototypes)
                                                    .frozenUntilIters(s.freezePrototypesIters())))
                            .setLearningRate(Schedule.constant(s.learningRate()))
                            .optMomentum(0.9)
                            .optWeightDecay(1e-6)
                            .build();
            long iteration = 0;
            int micro = 0;
            double stepLoss = 0;
            for (int epoch = 0; iteration < s.steps(); epoch++) {
                try (Loader.Epoch batches = loader.epoch(epoch)) {
                    for (HostBatch host : batches) {
                        if (iteration >= s.steps()) {
                            break;
                        }
                        // a sub-manager per step, the weights borrowed by it, the batch on the
                        // device
                        try (StepScope step =
                                StepScope.open(run, host, backbone, head, prototypes)) {
                            MultiCropBatch batch = step.batch();
                            prototypes.normaliseRows(); // SwAV keeps C on the unit sphere, in place
                            SwavLoss.Result[] r = new SwavLoss.Result[1];
                            // gradients add up over micro-batches until the optimiser step zeroes
                            // them
                            step.backward(
                                    ps -> {
                                        NDArray[] scores = new NDArray[batch.cropCount()];
                                        int v = 0;
                                        for (MultiCropBatch.Group g : batch.groups()) {
                                            // one pass per crop size, so BatchNorm sees same-size
                                            // crops together
                                            NDArray f =
                                                    backbone.forward(
                                                                    ps,
                                                                    new NDList(g.images()),
                                                                    true)
                                                            .singletonOrThrow();
                                            NDArray z =
                                                    head.forward(ps, new NDList(f), true)
                                                            .singletonOrThrow()
                                                            .normalize(2, 1);
                                            for (NDArray perCrop :
                                                    prototypes
                                                            .scores(ps, z, true)
                                                            .split(g.count(), 0)) {
                                                scores[v++] = perCrop; // [B, K]
                                            }
                                        }
                                        r[0] =
                                                SwavLoss.lossWithCodes(
                                                        scores,
                                                        new NDArray[0],
                                                        cropsForAssign,
                                                        0.1,
                                                        0.05,
                                                        3,
                                                        Sinkhorn.Reducer.LOCAL);
                                        return r[0].loss();
                                    },
                                    1.0 / s.accumulate());
                            stepLoss += r[0].loss().getFloat() / s.accumulate();
                            if (++micro % s.accumulate() == 0) {
                                sgd.step(iteration++);
                                losses.add(stepLoss);
                                entropies.add(
                                        (double) Sinkhorn.entropy(r[0].codes().get(0)).getFloat());
                                stepLoss = 0;
                            }
                        } // every array of the step is freed here; the weights return to `run`
                    }
                }
            }
        }
        return new Result(losses, entropies);
    }

    /**
     * Runs 50 steps on synthetic shapes and prints the loss curve.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        SelfsupEngine.boot(0);
        ImageDataset data = new SyntheticShapes(512, 8, 48, 48, 0);
        Settings s = new Settings("resnet18_cifar", 16, 32, 16, 2, 64, 32, 1, 50, 0.1, 10, 0);
        Result r = run(data, s, Devices.parse("auto"));
        for (int i = 0; i < r.losses().size(); i++) {
            System.out.printf(
                    "step %3d  loss %.4f  code entropy %.3f%n",
                    i, r.losses().get(i), r.codeEntropies().get(i));
        }
    }
}
