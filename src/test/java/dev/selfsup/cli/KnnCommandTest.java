package dev.selfsup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.selfsup.augment.MultiCrop;
import dev.selfsup.data.ImageFolder;
import dev.selfsup.eval.DatasetFeatureSource;
import dev.selfsup.eval.FeatureExtractor;
import dev.selfsup.eval.Features;
import dev.selfsup.eval.Knn;
import dev.selfsup.eval.Readout;
import dev.selfsup.eval.Results;
import dev.selfsup.model.Backbone;
import dev.selfsup.model.Weights;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The kNN command end to end on a tiny image folder with a tiny backbone. */
class KnnCommandTest extends EvalCommandFixture {
    /** The command's numbers are Knn.evaluate's on features extracted here independently. */
    @Test
    void knnWritesOneRecordPerKWithTheLibrarysScores() throws IOException {
        Run run =
                execute(
                        new KnnCommand(),
                        args(
                                "--weights",
                                weights.toString(),
                                "--backbone",
                                "resnet10_cifar",
                                "--base-width",
                                "4",
                                "--k",
                                "1,5",
                                "--temperature",
                                "0.1",
                                "--no-cache"));
        assertEquals(0, run.code, run.err);
        List<Results> all = Results.readAll(out.resolve("results.json"));
        assertEquals(2, all.size());
        List<Knn.Score> expected = independentScores(1, new int[] {1, 5}, 0.1).scores();
        for (int i = 0; i < 2; i++) {
            Results r = all.get(i);
            assertComplete(r, "knn_top1", "knn");
            assertEquals(
                    expected.get(i).k(),
                    ((Number) r.protocol().hyperParameters().get("k")).intValue());
            assertEquals(
                    0.1,
                    ((Number) r.protocol().hyperParameters().get("temperature")).doubleValue());
            assertEquals(expected.get(i).top1(), r.top1(), 1e-9);
            assertEquals(expected.get(i).top5(), r.top5(), 1e-9);
        }
        assertTrue(
                Files.notExists(out.resolve("feature-cache")),
                "--no-cache must not write the cache");
    }

    @Test
    void knnOnAReadoutGridScoresTheGridFeaturesAndRecordsTheReadout() throws IOException {
        Run run =
                execute(
                        new KnnCommand(),
                        args(
                                "--weights",
                                weights.toString(),
                                "--backbone",
                                "resnet10_cifar",
                                "--base-width",
                                "4",
                                "--k",
                                "3",
                                "--readout-grid",
                                "2",
                                "--no-cache"));
        assertEquals(0, run.code, run.err);
        Results r = Results.readAll(out.resolve("results.json")).get(0);
        assertEquals(
                "average pool to 2x2 grid of the last feature map, flattened",
                r.protocol().hyperParameters().get("readout"));
        Independent grid = independentScores(2, new int[] {3}, 0.07);
        assertEquals(4L * grid.featureDim(), grid.trainWidth(), "2x2 cells of every channel");
        Knn.Score expected = grid.scores().get(0);
        assertEquals(expected.top1(), r.top1(), 1e-9);
        assertEquals(expected.top5(), r.top5(), 1e-9);
    }

    /** kNN scores computed here from the library's parts, and the width of the features scored. */
    private record Independent(List<Knn.Score> scores, long trainWidth, long featureDim) {}

    private Independent independentScores(int readoutGrid, int[] ks, double temperature)
            throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Backbone b = tiny();
            b.initialize(m, DataType.FLOAT32, new Shape(1, 3, 16, 16));
            Weights.load(b, weights);
            Block block = readoutGrid == 1 ? b : Readout.of(b, readoutGrid);
            try (DatasetFeatureSource tr =
                            DatasetFeatureSource.builder(
                                            ImageFolder.builder().setRoot(trainDir).build())
                                    .setTransform(MultiCrop.evaluation(16))
                                    .build();
                    DatasetFeatureSource te =
                            DatasetFeatureSource.builder(
                                            ImageFolder.builder().setRoot(testDir).build())
                                    .setTransform(MultiCrop.evaluation(16))
                                    .build();
                    Features ftr = FeatureExtractor.extract(block, tr, 5, m);
                    Features fte = FeatureExtractor.extract(block, te, 5, m)) {
                List<Knn.Score> scores =
                        Knn.evaluate(
                                ftr.features(),
                                ftr.labels(),
                                fte.features(),
                                fte.labels(),
                                ks,
                                temperature,
                                3);
                return new Independent(scores, ftr.features().getShape().get(1), b.featureDim());
            }
        }
    }
}
