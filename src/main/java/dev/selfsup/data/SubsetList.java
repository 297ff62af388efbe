package dev.selfsup.data;

import static dev.selfsup.internal.Checks.checkArgument;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A list of class folder names or image file names that selects a subset of an {@link ImageFolder}:
 * read from a file, one entry per line (blank lines and lines starting with {@code #} are ignored;
 * duplicates count once), or one of the lists bundled in the jar.
 *
 * <p>Bundled lists (sources, licences and commits in {@code NOTICE} and {@code
 * dev/selfsup/data/imagenet/README.md} in the jar):
 *
 * <ul>
 *   <li>{@value #IMAGENET100}: the 100 ImageNet-1k class ids (wnids) of ImageNet-100 as used by CMC
 *       (Tian et al. 2020) and the MoCo / solo-learn ImageNet-100 results;
 *   <li>{@value #IMAGENET_1PERCENT}, {@value #IMAGENET_10PERCENT}: SimCLR's 1 % (12,811) and 10 %
 *       (128,116) labelled subsets of the ImageNet-1k training split, one file name per line
 *       ({@code n01440764_10026.JPEG}), over all 1,000 classes.
 * </ul>
 *
 * <pre>{@code
 * SubsetList classes = SubsetList.resolve("imagenet100");        // bundled
 * SubsetList files = SubsetList.resolve("/data/my_subset.txt");   // a file
 * ImageFolder train = ImageFolder.builder().setRoot(root)
 *         .optClassList(classes).optFileList(SubsetList.bundled("imagenet_1percent")).build();
 * }</pre>
 *
 * @param name what the list is called in logs and results: the bundled name, or the file path
 * @param entries the entries in file order, without duplicates
 */
public record SubsetList(String name, List<String> entries) {
    /** The ImageNet-100 class list (CMC), 100 wnids. */
    public static final String IMAGENET100 = "imagenet100";

    /** SimCLR's 1 % ImageNet-1k training subset, 12,811 file names. */
    public static final String IMAGENET_1PERCENT = "imagenet_1percent";

    /** SimCLR's 10 % ImageNet-1k training subset, 128,116 file names. */
    public static final String IMAGENET_10PERCENT = "imagenet_10percent";

    private static final Map<String, String> BUNDLED =
            Map.of(
                    IMAGENET100, "imagenet/imagenet100.txt",
                    IMAGENET_1PERCENT, "imagenet/imagenet_1percent.txt",
                    IMAGENET_10PERCENT, "imagenet/imagenet_10percent.txt");

    /**
     * Checks and copies the entries.
     *
     * @param name what the list is called in logs and results
     * @param entries the entries, non-empty
     */
    public SubsetList {
        Objects.requireNonNull(name, "name");
        entries = List.copyOf(entries);
        checkArgument(!entries.isEmpty(), "subset list %s is empty", name);
    }

    /**
     * The names of the bundled lists, sorted.
     *
     * @return {@code imagenet100, imagenet_10percent, imagenet_1percent}
     */
    public static List<String> bundledNames() {
        return BUNDLED.keySet().stream().sorted().toList();
    }

    /**
     * A list given by the user: an existing file, else a bundled name (what {@code --class-list},
     * {@code --file-list}, {@code data.class_list} and {@code data.file_list} take).
     *
     * @param fileOrName a path to a list file, or one of {@link #bundledNames()}
     * @return the list
     * @throws IOException if the file cannot be read or holds no entry
     * @throws IllegalArgumentException if the value is neither an existing file nor a bundled name
     *     (the message lists the bundled names)
     */
    public static SubsetList resolve(String fileOrName) throws IOException {
        Objects.requireNonNull(fileOrName, "fileOrName");
        String v = fileOrName.strip();
        checkArgument(
                !v.isEmpty(),
                "a subset list needs a file or one of the bundled names %s",
                bundledNames());
        Path file = Path.of(v);
        if (Files.isRegularFile(file)) {
            return read(file);
        }
        if (BUNDLED.containsKey(v)) {
            return bundled(v);
        }
        throw new IllegalArgumentException(
                "subset list '"
                        + fileOrName
                        + "' is neither an existing file nor a bundled list; bundled: "
                        + bundledNames());
    }

    /**
     * Reads a list file.
     *
     * @param file the file, one entry per line
     * @return the list, named after the file
     * @throws IOException if the file is missing, unreadable or holds no entry
     */
    public static SubsetList read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such list file");
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(file.toString(), r);
        }
    }

    /**
     * One of the bundled lists.
     *
     * @param name one of {@link #bundledNames()}
     * @return the list
     * @throws IllegalArgumentException if the name is not bundled, listing the bundled names
     */
    public static SubsetList bundled(String name) {
        String resource = BUNDLED.get(name);
        checkArgument(
                resource != null, "no bundled subset list '%s'; bundled: %s", name, bundledNames());
        try (InputStream in = SubsetList.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(
                        "bundled list " + resource + " is missing from the selfsup jar");
            }
            return parse(name, new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the bundled list " + resource, e);
        }
    }

    private static SubsetList parse(String name, Reader reader) throws IOException {
        Set<String> entries = new LinkedHashSet<>();
        BufferedReader r = new BufferedReader(reader);
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                entries.add(t);
            }
        }
        if (entries.isEmpty()) {
            throw new IOException(name + ": list file is empty");
        }
        return new SubsetList(name, List.copyOf(entries));
    }

    /**
     * A short name for results and dataset descriptions: the bundled name, or the file name.
     *
     * @return e.g. {@code imagenet100} or {@code classes.txt}
     */
    public String shortName() {
        return BUNDLED.containsKey(name) ? name : Path.of(name).getFileName().toString();
    }
}
