package dev.selfsup.method;

import static dev.selfsup.internal.Checks.checkArgument;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.engine.Precision;
import dev.selfsup.loss.DinoLoss;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.DinoHead;
import dev.selfsup.optim.ParamGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DINO: self-distillation without labels (Caron et al. 2021; METHODS.md §11; official {@code
 * main_dino.py}). A student (backbone + {@link DinoHead}) embeds every crop; its momentum copy, the
 * teacher, embeds only the global crops; the student learns to predict the teacher's centred,
 * sharpened distribution of every other view ({@link DinoLoss}).
 *
 * <p>Per step, as the official loop: the loss uses the centre and teacher temperature of the step;
 * after backward the centre moves towards this batch's mean teacher output; after the optimiser
 * step the teacher takes an EMA step with the cosine momentum 0.996 → 1. The last layer of the
 * student's head is a parameter group of its own, frozen for {@code freeze_last_layer_iters}. The
 * teacher runs in training mode (its BatchNorm, if any, uses batch statistics, as the official
 * teacher does) but is built without stochastic depth.
 *
 * <p>{@link #backbone()} is the teacher's: DINO evaluates the teacher ({@code eval_knn.py
 * --checkpoint_key teacher}), which is the better network of the two.
 */
public final class Dino implements Method {
    private final Backbone student;
    private final DinoHead studentHead;
    private final Backbone teacher;
    private final DinoHead teacherHead;
    private final EmaEncoder teacherEncoder;
    private final DinoSettings settings;
    private final Crops globals;
    private final NDArray center;
    private NDArray pendingCenter;
    private int epoch;
    private double lastMomentum;
    private double lastTeacherTemperature;

    /**
     * Creates the method; the teacher starts as a copy of the student.
     *
     * @param student the student backbone (initialised)
     * @param studentHead the student head (initialised)
     * @param teacher an initialised backbone of the same architecture, without stochastic depth
     * @param teacherHead an initialised head of the same architecture
     * @param settings head, temperatures, centre and teacher momentum
     * @param run the run manager (home of the centre)
     */
    public Dino(
            Backbone student,
            DinoHead studentHead,
            Backbone teacher,
            DinoHead teacherHead,
            DinoSettings settings,
            NDManager run) {
        checkArgument(
                studentHead.outputDim() == settings.outputDim(),
                "head output %s != dino.output_dim %s",
                studentHead.outputDim(),
                settings.outputDim());
        this.student = student;
        this.studentHead = studentHead;
        this.teacher = teacher;
        this.teacherHead = teacherHead;
        this.settings = settings;
        this.globals =
                Crops.of(java.util.stream.IntStream.range(0, settings.globalCrops()).toArray());
        this.teacherEncoder =
                new EmaEncoder(
                        List.of(student, studentHead),
                        List.of(teacher, teacherHead),
                        settings.emaMomentum(),
                        EmaSchedule.COSINE);
        this.center = run.zeros(new Shape(1, settings.outputDim()), Precision.DEFAULT.lossType());
        this.lastMomentum = settings.emaMomentum();
        this.lastTeacherTemperature = teacherTemperature(0);
    }

    /**
     * The registry's factory: student and teacher backbones of the run's architecture (the teacher
     * without stochastic depth), each with a DINO head on its features.
     *
     * @param settings the settings
     * @param parts the run's parts
     * @return the method
     */
    static Dino create(DinoSettings settings, Parts parts) {
        Backbone student = parts.backbone(1);
        DinoHead studentHead =
                head(settings, student.featureDim(), parts.manager(), settings.normLastLayer());
        Backbone teacher = parts.teacherBackbone();
        // same norm_last_layer as the student: a fixed g is 1 in both, a trained g follows by EMA
        DinoHead teacherHead =
                head(settings, teacher.featureDim(), parts.manager(), settings.normLastLayer());
        return new Dino(student, studentHead, teacher, teacherHead, settings, parts.manager());
    }

    private static DinoHead head(
            DinoSettings s, int inputDim, NDManager manager, boolean normLastLayer) {
        DinoHead head =
                DinoHead.builder()
                        .optInputDim(inputDim)
                        .setOutputDim(s.outputDim())
                        .optHiddenDim(s.hiddenDim())
                        .optBottleneckDim(s.bottleneckDim())
                        .optLayers(s.headLayers())
                        .optBatchNorm(s.headBatchNorm())
                        .optNormLastLayer(normLastLayer)
                        .build();
        head.initialize(manager, Precision.DEFAULT.parameterType(), new Shape(1, inputDim));
        return head;
    }

    /**
     * T_t of an epoch: the linear warm-up, then {@code teacher_temperature}.
     *
     * @param epoch 0-based
     * @return T_t
     */
    public double teacherTemperature(int epoch) {
        return DinoLoss.teacherTemperature(
                epoch,
                settings.warmupTeacherTemperature(),
                settings.teacherTemperature(),
                settings.warmupTeacherTemperatureEpochs());
    }

    /**
     * The teacher backbone, the one evaluated and exported.
     *
     * @return the teacher
     */
    @Override
    public Backbone backbone() {
        return teacher;
    }

    /**
     * The teacher head up to its last layer ({@link DinoHead#bottleneck()}), matching {@link
     * #backbone()}: its L2-normalised output is the embedding the last layer compares with its
     * rows, so embedding diagnostics read it.
     *
     * @return {@code [N, F] → [N, bottleneck]}
     */
    @Override
    public Block head() {
        return teacherHead.bottleneck();
    }

    @Override
    public Map<String, Crops> branches() {
        Map<String, Crops> out = new LinkedHashMap<>();
        out.put("student", Crops.all());
        out.put("teacher", globals);
        return out;
    }

    @Override
    public Map<String, Block> blocks() {
        Map<String, Block> out = new LinkedHashMap<>();
        out.put("student_backbone", student);
        out.put("student_head", studentHead);
        out.put("teacher_backbone", teacher);
        out.put("teacher_head", teacherHead);
        return out;
    }

    @Override
    public List<ParamGroup> paramGroups() {
        return List.of(
                ParamGroup.of("backbone", student),
                ParamGroup.of("head", studentHead.mlpParameters()),
                ParamGroup.of("last_layer", studentHead.lastLayerParameters())
                        .frozenUntilIters(settings.freezeLastLayerIters()));
    }

    /**
     * The centre c, {@code [1, K]}.
     *
     * @return the live centre, updated in place
     */
    public NDArray center() {
        return center;
    }

    @Override
    public void beforeEpoch(int epoch) {
        this.epoch = epoch;
    }

    @Override
    public NDArray loss(ParameterStore ps, MultiCropBatch batch, Step step) {
        int crops = batch.cropCount();
        checkArgument(
                crops >= Math.max(2, settings.globalCrops()),
                "DINO needs >= 2 crops per image and dino.global_crops = %s global ones first, the batch"
                        + " has %s",
                settings.globalCrops(),
                crops);
        NDArray[] s =
                Views.outputs(ps, student, studentHead, batch, Crops.all(), true)
                        .toArray(new NDArray[0]);
        NDArray[] t =
                Views.outputs(ps, teacher, teacherHead, batch, globals, true)
                        .toArray(new NDArray[0]);
        for (int i = 0; i < t.length; i++) {
            t[i] = t[i].stopGradient();
        }
        lastTeacherTemperature = teacherTemperature(step.epoch());
        NDArray loss =
                DinoLoss.loss(s, t, center, settings.studentTemperature(), lastTeacherTemperature);
        pendingCenter = DinoLoss.updateCenter(center, t, settings.centerMomentum());
        return loss;
    }

    @Override
    public void afterBackward(Step step) {
        if (pendingCenter != null) {
            center.set(new NDIndex(":"), pendingCenter);
            pendingCenter = null;
        }
    }

    @Override
    public void afterStep(Step step) {
        lastMomentum = teacherEncoder.update(step, center.getManager());
    }

    @Override
    public Map<String, NDArray> stateTensors() {
        return Map.of("center", center);
    }

    @Override
    public Map<String, Double> stepMetrics() {
        return Map.of("ema_momentum", lastMomentum, "teacher_temperature", lastTeacherTemperature);
    }
}
