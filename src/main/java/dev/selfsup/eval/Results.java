package dev.selfsup.eval;

import static dev.selfsup.internal.Checks.checkArgument;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One evaluation number together with everything needed to know where it came from: the protocol
 * and its hyper-parameters, the dataset, the weights and the date. Written as {@code results.json}
 * (snake_case keys; schema in {@code docs/evaluation.md}).
 *
 * <p>Accuracies are in percent. Fields that do not apply to a protocol (epochs for kNN) are {@code
 * null} here and absent from the JSON.
 *
 * @param metric what {@code value} is: {@code linear_top1}, {@code knn_top1}, …
 * @param value the headline number, percent
 * @param protocol the protocol's name and hyper-parameters
 * @param dataset the data evaluated on
 * @param weights the weights evaluated
 * @param date when the evaluation finished, ISO-8601 with offset
 * @param top1 top-1 accuracy, percent (linear: after the last epoch)
 * @param top5 top-5 accuracy, percent (linear: after the last epoch)
 * @param bestEpoch linear: the evaluated epoch with the highest top-1, else null
 * @param bestTop1 linear: top-1 at {@code bestEpoch}, else null
 * @param bestTop5 linear: top-5 at {@code bestEpoch}, else null
 * @param lastEpoch linear: the number of epochs trained, else null
 * @param split which split the number was measured on (a held-out part of the training images, or
 *     the test split); null when not recorded
 */
public record Results(
        String metric,
        double value,
        Protocol protocol,
        Dataset dataset,
        Weights weights,
        String date,
        Double top1,
        Double top5,
        Integer bestEpoch,
        Double bestTop1,
        Double bestTop5,
        Integer lastEpoch,
        Split split) {

    /**
     * Checks the required fields.
     *
     * @param metric what {@code value} is: {@code linear_top1}, {@code knn_top1}, …
     * @param value the headline number, percent
     * @param protocol the protocol's name and hyper-parameters
     * @param dataset the data evaluated on
     * @param weights the weights evaluated
     * @param date when the evaluation finished, ISO-8601 with offset
     * @param top1 top-1 accuracy, percent (linear: after the last epoch)
     * @param top5 top-5 accuracy, percent (linear: after the last epoch)
     * @param bestEpoch linear: the evaluated epoch with the highest top-1, else null
     * @param bestTop1 linear: top-1 at {@code bestEpoch}, else null
     * @param bestTop5 linear: top-5 at {@code bestEpoch}, else null
     * @param lastEpoch linear: the number of epochs trained, else null
     * @param split which split the number was measured on; null when not recorded
     */
    public Results {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(date, "date");
    }

    /**
     * A protocol: name plus hyper-parameters.
     *
     * @param name {@code moco}, {@code swav}, {@code custom}, {@code knn}
     * @param hyperParameters snake_case name → number, boolean, string or list
     */
    public record Protocol(String name, Map<String, Object> hyperParameters) {
        /**
         * Copies the map, keeping its order.
         *
         * @param name {@code moco}, {@code swav}, {@code custom}, {@code knn}
         * @param hyperParameters snake_case name → number, boolean, string or list
         */
        public Protocol {
            Objects.requireNonNull(name, "name");
            hyperParameters =
                    java.util.Collections.unmodifiableMap(new LinkedHashMap<>(hyperParameters));
        }
    }

    /**
     * Which images a number was measured on, so a tuned number is never mistaken for a test number.
     *
     * @param evaluatedOn {@code validation} (a seeded hold-out of the training images; the test
     *     split untouched) or {@code test}
     * @param valFraction the held-out share of the training images, or null on the test split
     * @param valSeed the seed of the hold-out permutation, or null on the test split
     */
    public record Split(String evaluatedOn, Double valFraction, Long valSeed) {
        /**
         * Checks that the fields agree.
         *
         * @param evaluatedOn {@code validation} or {@code test}
         * @param valFraction the held-out share, or null on the test split
         * @param valSeed the hold-out seed, or null on the test split
         */
        public Split {
            checkArgument(
                    "validation".equals(evaluatedOn) || "test".equals(evaluatedOn),
                    "evaluatedOn must be 'validation' or 'test', got '%s'",
                    evaluatedOn);
            checkArgument(
                    "validation".equals(evaluatedOn) == (valFraction != null && valSeed != null),
                    "a validation split has a fraction and a seed, the test split neither; got %s, %s",
                    valFraction,
                    valSeed);
        }

        /**
         * The test split.
         *
         * @return the record
         */
        public static Split test() {
            return new Split("test", null, null);
        }

        /**
         * A validation split held out from the training images ({@code ValidationSplit}).
         *
         * @param fraction the held-out share, in (0, 1)
         * @param seed the permutation seed
         * @return the record
         */
        public static Split validation(double fraction, long seed) {
            return new Split("validation", fraction, seed);
        }
    }

    /**
     * The data: its name and sizes.
     *
     * @param name e.g. {@code fashion-mnist-subset}, {@code imagenet100}
     * @param trainSize labelled training images (probe training set, kNN memory bank)
     * @param testSize evaluated images
     * @param numClasses classes
     */
    public record Dataset(String name, int trainSize, int testSize, int numClasses) {
        /**
         * Checks the sizes.
         *
         * @param name e.g. {@code fashion-mnist-subset}, {@code imagenet100}
         * @param trainSize labelled training images (probe training set, kNN memory bank)
         * @param testSize evaluated images
         * @param numClasses classes
         */
        public Dataset {
            Objects.requireNonNull(name, "name");
            checkArgument(
                    trainSize >= 0 && testSize >= 0,
                    "sizes must be >= 0, got %s, %s",
                    trainSize,
                    testSize);
        }
    }

    /**
     * The weights: where they came from and their SHA-256.
     *
     * @param path the weights file, or null for weights that only existed in memory (raw pixels,
     *     random init)
     * @param sha256 64 hex digits: of the file when {@code path} is set ({@link
     *     Fingerprint#ofFile}), else of the parameters ({@link Fingerprint#ofParameters})
     * @param sha256Of {@code file} or {@code parameters}
     */
    public record Weights(String path, String sha256, String sha256Of) {
        /**
         * Checks the hash's form.
         *
         * @param path the weights file, or null for weights that only existed in memory (raw
         *     pixels, random init)
         * @param sha256 64 hex digits: of the file when {@code path} is set ({@link
         *     Fingerprint#ofFile}), else of the parameters ({@link Fingerprint#ofParameters})
         * @param sha256Of {@code file} or {@code parameters}
         */
        public Weights {
            Objects.requireNonNull(sha256, "sha256");
            checkArgument(
                    sha256.matches("[0-9a-f]{64}"),
                    "sha256 must be 64 hex digits, got '%s'",
                    sha256);
            checkArgument(
                    "file".equals(sha256Of) || "parameters".equals(sha256Of),
                    "sha256Of must be 'file' or 'parameters', got '%s'",
                    sha256Of);
        }

        /**
         * Weights read from a file, hashed now.
         *
         * @param file the weights file
         * @return the record
         * @throws IOException if the file cannot be read
         */
        public static Weights ofFile(Path file) throws IOException {
            return new Weights(file.toString(), Fingerprint.ofFile(file), "file");
        }

        /**
         * Weights known only by their parameter hash.
         *
         * @param parameterSha256 {@link Fingerprint#ofParameters} of the block
         * @return the record
         */
        public static Weights ofParameters(String parameterSha256) {
            return new Weights(null, parameterSha256, "parameters");
        }
    }

    /**
     * The record of a linear probe: value and top-1/top-5 after the last epoch, plus the best
     * epoch.
     *
     * @param r the probe's result
     * @param dataset the data
     * @param weights the weights
     * @return the record, dated now
     */
    public static Results linearProbe(ProbeResult r, Dataset dataset, Weights weights) {
        return ProtocolResults.linearProbe(r, dataset, weights);
    }

    /**
     * The record of a full fine-tuning run ({@link FineTune}): metric {@code finetune_top1},
     * protocol {@code finetune/<name>}, value and top-1/top-5 after the last epoch, plus the best
     * epoch.
     *
     * @param r the run's result
     * @param dataset the data fine-tuned and tested on
     * @param weights the starting weights
     * @return the record, dated now
     */
    public static Results fineTune(ProbeResult r, Dataset dataset, Weights weights) {
        return ProtocolResults.fineTune(r, dataset, weights);
    }

    /**
     * This record with more protocol hyper-parameters (e.g. the transforms used), appended in
     * order; an existing key is replaced.
     *
     * @param entries snake_case name → number, boolean, string or list
     * @return a copy
     */
    public Results withProtocolEntries(Map<String, Object> entries) {
        Map<String, Object> hp = new LinkedHashMap<>(protocol.hyperParameters());
        hp.putAll(entries);
        return copy(metric, new Protocol(protocol.name(), hp), split);
    }

    /**
     * This record with the split it was measured on.
     *
     * @param value the split
     * @return a copy
     */
    public Results withSplit(Split value) {
        return copy(metric, protocol, Objects.requireNonNull(value, "split"));
    }

    /** This record under another metric, protocol or split; every measured field kept. */
    Results copy(String newMetric, Protocol newProtocol, Split newSplit) {
        return new Results(
                newMetric,
                value,
                newProtocol,
                dataset,
                weights,
                date,
                top1,
                top5,
                bestEpoch,
                bestTop1,
                bestTop5,
                lastEpoch,
                newSplit);
    }

    /**
     * The record of one weighted-kNN score.
     *
     * @param s the score
     * @param dataset the data
     * @param weights the weights
     * @return the record, dated now
     */
    public static Results knn(Knn.Score s, Dataset dataset, Weights weights) {
        return ProtocolResults.knn(s, dataset, weights);
    }

    /**
     * This record as pretty-printed JSON.
     *
     * @return the JSON text
     */
    public String toJson() {
        return ResultsJson.toJson(this);
    }

    /**
     * Writes this record as one JSON object (temporary file, then rename).
     *
     * @param file e.g. {@code run/results.json}
     * @throws IOException if the file cannot be written
     */
    public void write(Path file) throws IOException {
        ResultsJson.write(file, this);
    }

    /**
     * Writes several records as a JSON array, e.g. kNN at k = 20 and 200 plus the linear probe.
     *
     * @param file the file
     * @param results the records
     * @throws IOException if the file cannot be written
     */
    public static void writeAll(Path file, List<Results> results) throws IOException {
        ResultsJson.write(file, results);
    }

    /**
     * Reads a file written by {@link #write}.
     *
     * @param file the file
     * @return the record; integer hyper-parameters come back as {@code Long}, others as {@code
     *     Double}
     * @throws IOException if the file cannot be read or holds an array of several records
     */
    public static Results read(Path file) throws IOException {
        return ResultsJson.read(file);
    }

    /**
     * Reads a file written by {@link #write} or {@link #writeAll}.
     *
     * @param file the file
     * @return the records, in file order
     * @throws IOException if the file cannot be read or is not a results file
     */
    public static List<Results> readAll(Path file) throws IOException {
        return ResultsJson.readAll(file);
    }
}
