package dev.selfsup.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.MultiCropBatch;
import dev.selfsup.engine.SelfsupEngine;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.ProjectionHead;
import dev.selfsup.optim.ParamGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Branches embed the crops their method declares: a DINO-shaped fake method (an EMA teacher that
 * sees only the two global crops, a student that sees all four) built from the same parts as the
 * registered methods.
 */
class ViewsTest {
    @BeforeAll
    static void boot() {
        SelfsupEngine.boot(1);
    }

    /** The shape of DINO: student embeds every crop, its EMA teacher only the global ones. */
    static final class TeacherStudent implements Method {
        final Backbone student;
        final ProjectionHead studentHead;
        final Backbone teacher;
        final ProjectionHead teacherHead;
        final EmaEncoder ema;
        List<NDArray> lastStudent;
        List<NDArray> lastTeacher;

        TeacherStudent(Parts parts) {
            student = parts.backbone(1);
            studentHead = parts.head(student.featureDim(), 1);
            teacher = parts.backbone(1);
            teacherHead = parts.head(teacher.featureDim(), 1);
            ema =
                    new EmaEncoder(
                            List.of(student, studentHead),
                            List.of(teacher, teacherHead),
                            0.996,
                            EmaSchedule.COSINE);
        }

        @Override
        public Map<String, Crops> branches() {
            Map<String, Crops> out = new LinkedHashMap<>();
            out.put("student", Crops.all());
            out.put("teacher", Crops.of(0, 1));
            return out;
        }

        @Override
        public Backbone backbone() {
            return student;
        }

        @Override
        public ProjectionHead head() {
            return studentHead;
        }

        @Override
        public Map<String, Block> blocks() {
            return Map.of(
                    "backbone",
                    student,
                    "head",
                    studentHead,
                    "teacher_backbone",
                    teacher,
                    "teacher_head",
                    teacherHead);
        }

        @Override
        public List<ParamGroup> paramGroups() {
            return List.of(ParamGroup.of("backbone", student), ParamGroup.of("head", studentHead));
        }

        @Override
        public NDArray loss(ParameterStore ps, MultiCropBatch batch, Step step) {
            lastStudent =
                    Views.embed(ps, student, studentHead, batch, branches().get("student"), true);
            lastTeacher =
                    Views.embed(ps, teacher, teacherHead, batch, branches().get("teacher"), false);
            // a stand-in objective: every student crop towards the first teacher crop
            NDArray t = lastTeacher.get(0).stopGradient();
            NDArray loss = lastStudent.get(0).mul(t).sum().neg();
            for (int v = 1; v < lastStudent.size(); v++) {
                loss = loss.sub(lastStudent.get(v).mul(t).sum());
            }
            return loss;
        }
    }

    @Test
    void aTeacherEmbedsOnlyTheGlobalCropsAndAStudentAllOfThem() {
        try (NDManager run = NDManager.newBaseManager()) {
            SelfsupEngine.seed(3);
            // the factory shape a registry entry takes: settings and parts in, a method out
            Methods.Factory<SimClrSettings> factory =
                    (settings, parts) -> new TeacherStudent(parts);
            TeacherStudent m =
                    (TeacherStudent)
                            factory.create(SimClrSettings.defaults(), MethodFixtures.parts(run));
            MultiCropBatch batch = MethodFixtures.batch(run, true);
            ParameterStore ps = new ParameterStore(run, false);
            m.loss(ps, batch, new Step(0, 0, 1, 0));
            assertEquals(4, m.lastStudent.size());
            assertEquals(2, m.lastTeacher.size());
            for (int c = 0; c < 2; c++) {
                // the teacher runs in inference mode, so each crop's embedding is its own
                NDArray alone =
                        Views.embed(
                                        ps,
                                        m.teacher,
                                        m.teacherHead,
                                        oneCrop(batch, c),
                                        Crops.all(),
                                        false)
                                .get(0);
                assertArrayEquals(
                        alone.toFloatArray(),
                        m.lastTeacher.get(c).toFloatArray(),
                        1e-5f,
                        "teacher crop " + c);
                assertEquals(new Shape(MethodFixtures.B, 8), m.lastTeacher.get(c).getShape());
            }
        }
    }

    @Test
    void imagesPickTheChosenCropsPerSizeAndPassWholeGroupsThrough() {
        try (NDManager m = NDManager.newBaseManager()) {
            MultiCropBatch batch = MethodFixtures.batch(m, true);
            List<NDArray> globals = Views.images(batch, Crops.of(0, 1));
            assertEquals(1, globals.size());
            assertSame(
                    batch.groups().get(0).images(), globals.get(0), "a whole group is not copied");
            List<NDArray> mixed = Views.images(batch, Crops.of(1, 3));
            assertEquals(2, mixed.size(), "one array per crop size");
            assertArrayEquals(
                    batch.groups().get(0).crop(1).toFloatArray(), mixed.get(0).toFloatArray(), 0f);
            assertArrayEquals(
                    batch.groups().get(1).crop(1).toFloatArray(), mixed.get(1).toFloatArray(), 0f);
            assertEquals(List.of(0, 1, 2, 3), boxed(Crops.all().indices(4)));
            IllegalArgumentException e =
                    assertThrows(
                            IllegalArgumentException.class,
                            () -> Views.images(batch, Crops.of(0, 4)));
            assertTrue(
                    e.getMessage().contains("[0, 4]") && e.getMessage().contains("4 crops"),
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Crops.of(1, 0));
            assertTrue(e.getMessage().contains("[1, 0]"), e.getMessage());
        }
    }

    private static MultiCropBatch oneCrop(MultiCropBatch batch, int c) {
        MultiCropBatch.Group g = batch.groups().get(0);
        return new MultiCropBatch(
                List.of(new MultiCropBatch.Group(g.size(), 1, g.crop(c))),
                batch.labels(),
                batch.indices());
    }

    private static List<Integer> boxed(int[] a) {
        List<Integer> out = new ArrayList<>();
        for (int v : a) {
            out.add(v);
        }
        return out;
    }

    @Test
    void consecutiveGroupsOfOneSizeGoThroughTheBackboneTogether() {
        try (NDManager m = NDManager.newBaseManager()) {
            int b = 3;
            NDArray g0 =
                    m.arange(b * 3 * 16 * 16)
                            .toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                            .reshape(b, 3, 16, 16);
            NDArray g1 = g0.add(1);
            NDArray local = m.zeros(new Shape(2L * b, 3, 8, 8));
            MultiCropBatch batch =
                    new MultiCropBatch(
                            List.of(
                                    new MultiCropBatch.Group(16, 1, g0),
                                    new MultiCropBatch.Group(16, 1, g1),
                                    new MultiCropBatch.Group(8, 2, local)),
                            m.zeros(new Shape(b), ai.djl.ndarray.types.DataType.INT64),
                            new int[b]);
            List<NDArray> all = Views.images(batch, Crops.all());
            assertEquals(
                    List.of(new Shape(2L * b, 3, 16, 16), new Shape(2L * b, 3, 8, 8)),
                    all.stream().map(NDArray::getShape).toList(),
                    "the two 16-px groups merged");
            assertArrayEquals(
                    g1.toFloatArray(),
                    all.get(0).get("3:").toFloatArray(),
                    0f,
                    "crop-major: global crop 1 after global crop 0");
            List<NDArray> teacher = Views.images(batch, Crops.of(0, 1));
            assertEquals(1, teacher.size());
            assertEquals(new Shape(2L * b, 3, 16, 16), teacher.get(0).getShape());
        }
    }
}
