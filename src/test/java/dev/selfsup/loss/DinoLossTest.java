package dev.selfsup.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.selfsup.engine.Seeds;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * DinoLoss against the official DINOLoss re-typed in PyTorch 1.13 (src/test/python/
 * make_dino_fixtures.py; 1e-5 relative in float32, 1e-9 in float64), a closed form, and finite
 * differences.
 */
class DinoLossTest {

    private static NDArray[] arrays(NDManager m, Fixtures.Case c, String prefix, int count) {
        NDArray[] out = new NDArray[count];
        for (int i = 0; i < count; i++) {
            out[i] = c.array(m, prefix + i);
        }
        return out;
    }

    private static void close(Fixtures.Case c, String key, NDArray actual) {
        Fixtures.assertClose(
                c.values(key),
                Fixtures.toDoubles(actual),
                Fixtures.tolerance(c),
                c.name() + " " + c.type() + " " + key);
    }

    @Test
    void lossStudentGradientsAndCentreMatchTheOfficialLoop() {
        int checked = 0;
        for (Fixtures.Case c : Fixtures.load("dino.json")) {
            if (c.name().startsWith("schedule_")) {
                continue;
            }
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray[] student = arrays(m, c, "student", c.integer("crops"));
                NDArray[] teacher = arrays(m, c, "teacher", c.integer("globalCrops"));
                NDArray center = c.array(m, "center");
                for (NDArray a : student) {
                    a.setRequiresGradient(true);
                }
                for (NDArray a : teacher) {
                    a.setRequiresGradient(true); // must still get nothing: the targets are detached
                }
                center.setRequiresGradient(true);
                NDArray loss;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    loss =
                            DinoLoss.loss(
                                    student,
                                    teacher,
                                    center,
                                    c.scalar("studentTemperature"),
                                    c.scalar("teacherTemperature"));
                    gc.backward(loss);
                }
                assertEquals(new Shape(), loss.getShape());
                assertEquals(c.type(), loss.getDataType());
                Fixtures.assertClose(
                        new double[] {c.scalar("loss")},
                        Fixtures.toDoubles(loss),
                        Fixtures.tolerance(c),
                        c.name() + " " + c.type() + " loss");
                for (int v = 0; v < student.length; v++) {
                    close(c, "grad" + v, student[v].getGradient());
                }
                for (int i = 0; i < teacher.length; i++) {
                    ContrastiveLossTest.assertZero(
                            Fixtures.toDoubles(teacher[i].getGradient()),
                            c.name() + " teacher[" + i + "]");
                }
                ContrastiveLossTest.assertZero(
                        Fixtures.toDoubles(center.getGradient()), c.name() + " center");

                double[] before = Fixtures.toDoubles(center);
                NDArray next = DinoLoss.updateCenter(center, teacher, c.scalar("centerMomentum"));
                assertEquals(new Shape(1, c.shape("center")[1]), next.getShape());
                assertEquals(c.type(), next.getDataType());
                close(c, "newCenter", next);
                assertArrayEquals(
                        before, Fixtures.toDoubles(center), 0.0, "updateCenter changed its input");
                checked++;
            }
        }
        assertEquals(10, checked, "fixture cases (5 cases × float32, float64)");
    }

    @Test
    void teacherTemperatureIsTheOfficialSchedule() {
        int checked = 0;
        for (Fixtures.Case c : Fixtures.load("dino.json")) {
            if (!c.name().startsWith("schedule_")) {
                continue;
            }
            double[] expected = c.values("schedule");
            assertEquals(c.integer("epochs"), expected.length);
            for (int epoch = 0; epoch < expected.length; epoch++) {
                double t =
                        DinoLoss.teacherTemperature(
                                epoch,
                                c.scalar("warmupTemperature"),
                                c.scalar("temperature"),
                                c.integer("warmupEpochs"));
                assertEquals(expected[epoch], t, 1e-15, c.name() + " epoch " + epoch);
            }
            // past the run's last epoch the value stays final
            assertEquals(
                    c.scalar("temperature"),
                    DinoLoss.teacherTemperature(
                            expected.length + 5,
                            c.scalar("warmupTemperature"),
                            c.scalar("temperature"),
                            c.integer("warmupEpochs")));
            checked++;
        }
        assertEquals(4, checked);
        // DINO's README run: 0.04 → 0.07 over 30 epochs; the last warm-up epoch is already final
        assertEquals(0.04, DinoLoss.teacherTemperature(0, 0.04, 0.07, 30), 0.0);
        assertEquals(0.04 + 0.03 * 10 / 29, DinoLoss.teacherTemperature(10, 0.04, 0.07, 30), 1e-15);
        assertEquals(0.07, DinoLoss.teacherTemperature(29, 0.04, 0.07, 30), 0.0);
    }

    /** −Σ_k p_k log q_k. */
    private static double crossEntropy(double[] p, double[] q) {
        double s = 0;
        for (int k = 0; k < p.length; k++) {
            s -= p[k] * Math.log(q[k]);
        }
        return s;
    }

    @Test
    void tinyCaseEqualsItsClosedForm() {
        // B = 1, K = 2, two global crops and one local crop. Logits are chosen so that every
        // softmax is a simple fraction: (x, 0) / T with x = T·ln r gives (r, 1) / (r + 1).
        double ts = 0.5;
        double tt = 0.25;
        double[] c = {0.2, -0.1};
        double[][] q = {{0.5, 0.5}, {0.75, 0.25}, {0.25, 0.75}}; // student softmaxes
        double[][] p = {{0.8, 0.2}, {1.0 / 3, 2.0 / 3}}; // teacher softmaxes after centring
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] student = {
                m.create(new double[] {0, 0}, new Shape(1, 2)),
                m.create(new double[] {ts * Math.log(3), 0}, new Shape(1, 2)),
                m.create(new double[] {0, ts * Math.log(3)}, new Shape(1, 2))
            };
            NDArray[] teacher = {
                m.create(new double[] {c[0] + tt * Math.log(4), c[1]}, new Shape(1, 2)),
                m.create(new double[] {c[0], c[1] + tt * Math.log(2)}, new Shape(1, 2))
            };
            NDArray center = m.create(c, new Shape(1, 2));
            for (NDArray s : student) {
                s.setRequiresGradient(true);
            }
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                loss = DinoLoss.loss(student, teacher, center, ts, tt);
                gc.backward(loss);
            }
            // pairs (teacher i, student v ≠ i): (0, 1), (0, 2), (1, 0), (1, 2)
            double expected =
                    (crossEntropy(p[0], q[1])
                                    + crossEntropy(p[0], q[2])
                                    + crossEntropy(p[1], q[0])
                                    + crossEntropy(p[1], q[2]))
                            / 4;
            assertEquals(expected, loss.getDouble(), 1e-15);
            // dL/ds_v = Σ_{i ≠ v} (q_v − p_i) / (pairs · B · T_s)
            double scale = 1 / (4 * ts);
            double[][] grads = {
                {(q[0][0] - p[1][0]) * scale, (q[0][1] - p[1][1]) * scale},
                {(q[1][0] - p[0][0]) * scale, (q[1][1] - p[0][1]) * scale},
                {
                    (2 * q[2][0] - p[0][0] - p[1][0]) * scale,
                    (2 * q[2][1] - p[0][1] - p[1][1]) * scale
                }
            };
            for (int v = 0; v < 3; v++) {
                assertArrayEquals(
                        grads[v], student[v].getGradient().toDoubleArray(), 1e-15, "student " + v);
            }
            // centre: 0.9 c + 0.1 · mean(t0, t1) = c + 0.05 · (T_t ln 4, T_t ln 2)
            double[] next = DinoLoss.updateCenter(center, teacher, 0.9).toDoubleArray();
            assertArrayEquals(
                    new double[] {c[0] + 0.05 * tt * Math.log(4), c[1] + 0.05 * tt * Math.log(2)},
                    next,
                    1e-15);
            assertArrayEquals(c, DinoLoss.updateCenter(center, teacher, 1.0).toDoubleArray(), 0.0);
        }
    }

    @Test
    void studentGradientMatchesFiniteDifferencesAndTheTeacherGetsNone() {
        RandomGenerator rng = Seeds.derive(21, "dino-grad");
        int b = 2;
        int k = 4;
        double[][] data = new double[6][];
        for (int i = 0; i < 5; i++) { // 3 student crops (2 global, 1 local), then 2 teacher crops
            data[i] = GradCheck.gaussian(rng, b * k);
        }
        data[5] = GradCheck.gaussian(rng, k);
        Shape[] shapes = new Shape[6];
        Arrays.fill(shapes, new Shape(b, k));
        shapes[5] = new Shape(1, k);
        java.util.function.Function<NDArray[], NDArray> f =
                x ->
                        DinoLoss.loss(
                                new NDArray[] {x[0], x[1], x[2]},
                                new NDArray[] {x[3], x[4]},
                                x[5],
                                0.3,
                                0.2);
        GradCheck.check(f, f, data, shapes, new boolean[] {true, true, true, false, false, false});
        double[][] auto = GradCheck.autograd(f, data, shapes);
        ContrastiveLossTest.assertZero(auto[3], "teacher[0]");
        ContrastiveLossTest.assertZero(auto[4], "teacher[1]");
        ContrastiveLossTest.assertZero(auto[5], "center");
    }

    @Test
    void updateCenterCarriesNoGradientAndLeavesNothingBehind() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray center = m.zeros(new Shape(1, 4));
            NDArray[] teacher = {m.randomNormal(new Shape(3, 4)), m.randomNormal(new Shape(5, 4))};
            teacher[0].setRequiresGradient(true);
            int managed = m.getManagedArrays().size();
            NDArray next;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                next = DinoLoss.updateCenter(center, teacher, 0.0);
            }
            assertFalse(next.hasGradient());
            assertEquals(managed + 1, m.getManagedArrays().size(), "only the result stays");
            // m = 0: the mean over all 8 rows, whatever their split into arrays
            NDArray mean = teacher[0].concat(teacher[1], 0).mean(new int[] {0}, true);
            assertArrayEquals(mean.toFloatArray(), next.toFloatArray(), 1e-6f);
            NDArray[] student = {m.randomNormal(new Shape(3, 4)), m.randomNormal(new Shape(3, 4))};
            managed = m.getManagedArrays().size();
            DinoLoss.loss(student, new NDArray[] {teacher[0]}, center, 0.1, 0.04);
            assertEquals(managed + 1, m.getManagedArrays().size(), "only the loss stays");
        }
    }

    @Test
    void rejectsBadInputNamingIt() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.ones(new Shape(2, 3));
            NDArray c = m.zeros(new Shape(1, 3));
            NDArray[] two = {a, a};
            Fixtures.assertRejects(
                    "student must hold >= 2 crops, got 1",
                    () -> DinoLoss.loss(new NDArray[] {a}, new NDArray[] {a}, c, 0.1, 0.04));
            Fixtures.assertRejects(
                    "teacher must hold >= 1 crop, got 0",
                    () -> DinoLoss.loss(two, new NDArray[0], c, 0.1, 0.04));
            Fixtures.assertRejects(
                    "student must hold at least as many crops (2) as teacher (3)",
                    () -> DinoLoss.loss(two, new NDArray[] {a, a, a}, c, 0.1, 0.04));
            Fixtures.assertRejects(
                    "studentTemperature must be finite and > 0, got 0.0",
                    () -> DinoLoss.loss(two, two, c, 0, 0.04));
            Fixtures.assertRejects(
                    "teacherTemperature must be finite and > 0, got -0.04",
                    () -> DinoLoss.loss(two, two, c, 0.1, -0.04));
            Fixtures.assertRejects(
                    "student[1] must have the shape of student[0] (2, 3), got (2, 4)",
                    () ->
                            DinoLoss.loss(
                                    new NDArray[] {a, m.ones(new Shape(2, 4))}, two, c, 0.1, 0.04));
            Fixtures.assertRejects(
                    "teacher[0] must have the shape of student[0] (2, 3), got (4, 3)",
                    () ->
                            DinoLoss.loss(
                                    two, new NDArray[] {m.ones(new Shape(4, 3))}, c, 0.1, 0.04));
            Fixtures.assertRejects(
                    "center must be [1, 3], got (2, 3)",
                    () -> DinoLoss.loss(two, two, a, 0.1, 0.04));
            Fixtures.assertRejects(
                    "teacher[1] must be FLOAT32 or FLOAT64, got int32",
                    () ->
                            DinoLoss.loss(
                                    two,
                                    new NDArray[] {a, a.toType(DataType.INT32, false)},
                                    c,
                                    0.1,
                                    0.04));
            Fixtures.assertRejects(
                    "center must have the data type of the other inputs (float32), got float64",
                    () -> DinoLoss.loss(two, two, c.toType(DataType.FLOAT64, false), 0.1, 0.04));
            Fixtures.assertRejects(
                    "teacher must hold >= 1 array, got 0",
                    () -> DinoLoss.updateCenter(c, new NDArray[0], 0.9));
            Fixtures.assertRejects(
                    "centerMomentum must be in [0, 1], got 1.5",
                    () -> DinoLoss.updateCenter(c, two, 1.5));
            Fixtures.assertRejects(
                    "teacher[0] must be [B, 4] like center (1, 4), got (2, 3)",
                    () -> DinoLoss.updateCenter(m.zeros(new Shape(1, 4)), two, 0.9));
            Fixtures.assertRejects(
                    "center must be [1, K], got shape (3)",
                    () -> DinoLoss.updateCenter(m.zeros(new Shape(3)), two, 0.9));
            Fixtures.assertRejects(
                    "warmupEpochs must be >= 0, got -1",
                    () -> DinoLoss.teacherTemperature(0, 0.04, 0.07, -1));
            Fixtures.assertRejects(
                    "epoch must be >= 0, got -2",
                    () -> DinoLoss.teacherTemperature(-2, 0.04, 0.07, 3));
            Fixtures.assertRejects(
                    "warmupTemperature must be finite and > 0, got NaN",
                    () -> DinoLoss.teacherTemperature(0, Double.NaN, 0.07, 3));
            assertTrue(DinoLoss.teacherTemperature(0, 0.04, 0.07, 0) == 0.07);
        }
    }
}
