package dev.selfsup.data;

import static dev.selfsup.internal.Checks.checkArgument;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Images in folders: the ImageNet layout {@code root/<class>/<image>} (labelled, class index by
 * sorted folder name, as torchvision's {@code ImageFolder}) or any folder tree without labels
 * (pretraining).
 *
 * <p>Subsets are {@link SubsetList}s: a file with one entry per line (blank lines and lines
 * starting with {@code #} are ignored), or a list bundled in the jar ({@code imagenet100}, {@code
 * imagenet_1percent}, {@code imagenet_10percent}):
 *
 * <ul>
 *   <li>a class list keeps only the listed class folders, e.g. the 100 ImageNet-100 wnids; class
 *       indices are then assigned over the sorted list, so ImageNet-100 labels run 0..99. A listed
 *       class without a folder is an error;
 *   <li>a file list keeps only the listed images, e.g. SimCLR's 1 % / 10 % lists. A line is a file
 *       name ({@code n01440764_10026.JPEG}, matched in any kept class folder) or a class folder and
 *       a file name ({@code n01440764/n01440764_10026.JPEG}, matched in that folder only); the
 *       class is always the folder.
 * </ul>
 *
 * <p>With both lists, file-list entries whose class is not in the class list are ignored and
 * counted ({@link #ignoredFileListEntries()}, logged at INFO): an entry's class is its folder part,
 * else the file name's prefix before {@code _} (the wnid). So ImageNet-100 with SimCLR's 1 % list
 * selects 1,278 images, with the 10 % list 12,812. An entry of a kept class that is not on disk is
 * an error naming it (the count and the first ten).
 *
 * <pre>{@code
 * ImageFolder train = ImageFolder.builder()
 *         .setRoot(Path.of("/data/imagenet/train"))
 *         .optClassList(SubsetList.bundled("imagenet100"))
 *         .optFileList(SubsetList.bundled("imagenet_10percent"))
 *         .build();                                  // 12,812 images of 100 classes
 * ImageFolder unlabelled = ImageFolder.unlabelled(Path.of("/data/raw"));
 * }</pre>
 */
public final class ImageFolder implements ImageDataset {
    /** File extensions read, lower case. */
    public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp");

    private static final int LISTED = 10;

    private static final Logger LOG = LoggerFactory.getLogger(ImageFolder.class);

    private final Path root;
    private final List<String> classes;
    private final String[] files;
    private final int[] labels;
    private final int ignoredListEntries;

    private ImageFolder(
            Path root,
            List<String> classes,
            List<Path> files,
            int[] labels,
            int ignoredListEntries) {
        this.root = root;
        this.classes = List.copyOf(classes);
        this.files = files.stream().map(Path::toString).toArray(String[]::new);
        this.labels = labels;
        this.ignoredListEntries = ignoredListEntries;
    }

    /**
     * A builder for a labelled folder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * An unlabelled dataset of every image file under {@code root} (any depth, sorted by path).
     *
     * @param root the folder
     * @return the dataset; {@link #label} is −1 and {@link #numClasses} 0
     * @throws IOException if the folder is missing or holds no image
     */
    public static ImageFolder unlabelled(Path root) throws IOException {
        requireDirectory(root);
        List<Path> files = imagesUnder(root);
        if (files.isEmpty()) {
            throw new IOException(
                    root + ": no images found (extensions " + new TreeSet<>(EXTENSIONS) + ")");
        }
        int[] labels = new int[files.size()];
        java.util.Arrays.fill(labels, -1);
        return new ImageFolder(root, List.of(), files, labels, 0);
    }

    @Override
    public int size() {
        return files.length;
    }

    @Override
    public int numClasses() {
        return classes.size();
    }

    @Override
    public int label(int i) {
        checkArgument(i >= 0 && i < files.length, "index %s out of range [0, %s)", i, files.length);
        return labels[i];
    }

    @Override
    public String name() {
        return root.toString();
    }

    /**
     * The class folder names, in label order.
     *
     * @return the classes (empty when unlabelled)
     */
    public List<String> classes() {
        return classes;
    }

    /**
     * The file of image i.
     *
     * @param i index in [0, N)
     * @return its path
     */
    public Path file(int i) {
        checkArgument(i >= 0 && i < files.length, "index %s out of range [0, %s)", i, files.length);
        return Path.of(files[i]);
    }

    /**
     * File-list entries ignored because their class is not in the class list (SimCLR's 1 % / 10 %
     * lists span all 1,000 classes; with ImageNet-100 only 1,278 / 12,812 of them apply).
     *
     * @return the count; 0 without a class list and a file list
     */
    public int ignoredFileListEntries() {
        return ignoredListEntries;
    }

    @Override
    public DecodedImage decode(int i) throws IOException {
        return ImageDecoder.decode(file(i));
    }

    /** Builder for a labelled {@link ImageFolder}. */
    public static final class Builder {
        private Path root;
        private SubsetList classList;
        private SubsetList fileList;

        private Builder() {}

        /**
         * Sets the root folder holding one sub-folder per class (required).
         *
         * @param root the folder
         * @return this builder
         */
        public Builder setRoot(Path root) {
            this.root = root;
            return this;
        }

        /**
         * Keeps only the classes named in a file, one folder name per line. Default: all folders.
         *
         * @param classList the file
         * @return this builder
         * @throws IOException if the file is missing, unreadable or empty
         */
        public Builder optClassList(Path classList) throws IOException {
            return optClassList(SubsetList.read(classList));
        }

        /**
         * Keeps only the listed classes, e.g. {@code SubsetList.bundled("imagenet100")}. Default:
         * all folders.
         *
         * @param classList the class folder names
         * @return this builder
         */
        public Builder optClassList(SubsetList classList) {
            this.classList = java.util.Objects.requireNonNull(classList, "classList");
            return this;
        }

        /**
         * Keeps only the image files named in a file, one per line. Default: all images.
         *
         * @param fileList the file
         * @return this builder
         * @throws IOException if the file is missing, unreadable or empty
         */
        public Builder optFileList(Path fileList) throws IOException {
            return optFileList(SubsetList.read(fileList));
        }

        /**
         * Keeps only the listed image files, e.g. {@code SubsetList.bundled("imagenet_1percent")}.
         * Default: all images. See the class documentation for how entries are matched.
         *
         * @param fileList the file names ({@code n01440764_10026.JPEG} or {@code
         *     n01440764/n01440764_10026.JPEG})
         * @return this builder
         */
        public Builder optFileList(SubsetList fileList) {
            this.fileList = java.util.Objects.requireNonNull(fileList, "fileList");
            return this;
        }

        /**
         * Indexes the folder.
         *
         * @return the dataset
         * @throws IOException if the root is missing, the class list names absent folders, the file
         *     list names images of kept classes that are absent (the count and the first ten), or
         *     no image remains
         */
        public ImageFolder build() throws IOException {
            checkArgument(root != null, "setRoot is required");
            requireDirectory(root);
            List<String> folders;
            try (Stream<Path> s = Files.list(root)) {
                folders =
                        s.filter(Files::isDirectory)
                                .map(p -> p.getFileName().toString())
                                .sorted()
                                .toList();
            }
            List<String> classes = folders;
            if (classList != null) {
                Set<String> present = new HashSet<>(folders);
                List<String> missing =
                        classList.entries().stream().filter(c -> !present.contains(c)).toList();
                if (!missing.isEmpty()) {
                    throw new IOException(
                            "class list "
                                    + classList.name()
                                    + " names "
                                    + describe(missing)
                                    + " not found as folders under "
                                    + root);
                }
                classes = classList.entries().stream().sorted().toList();
            }
            if (classes.isEmpty()) {
                throw new IOException(root + ": no class folders found");
            }
            List<Path> files = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            for (int c = 0; c < classes.size(); c++) {
                for (Path f : imagesUnder(root.resolve(classes.get(c)))) {
                    files.add(f);
                    labels.add(c);
                }
            }
            int ignored = 0;
            if (fileList != null) {
                Selection s = select(fileList, classes, files, labels);
                files = s.files();
                labels = s.labels();
                ignored = s.ignored();
            }
            if (files.isEmpty()) {
                throw new IOException(
                        root
                                + ": no images found in "
                                + classes.size()
                                + " class folders (extensions "
                                + new TreeSet<>(EXTENSIONS)
                                + ")");
            }
            return new ImageFolder(
                    root,
                    classes,
                    files,
                    labels.stream().mapToInt(Integer::intValue).toArray(),
                    ignored);
        }

        /**
         * Applies the file list. A bare entry ({@code n01440764_10026.JPEG}) matches that file name
         * in any kept class folder; an entry with a folder part ({@code n01440764/...}) matches
         * only in that class folder. An entry that matches nothing is ignored when the class list
         * is set and the entry's class (its folder part, else the file name's prefix before {@code
         * _}) is not in it, and is an error otherwise.
         */
        private Selection select(
                SubsetList list, List<String> classes, List<Path> files, List<Integer> labels)
                throws IOException {
            Map<String, Integer> byName = new HashMap<>();
            Map<String, Integer> byClassAndName = new HashMap<>();
            for (int i = 0; i < files.size(); i++) {
                String base = files.get(i).getFileName().toString();
                byName.putIfAbsent(base, i);
                byClassAndName.putIfAbsent(classes.get(labels.get(i)) + "/" + base, i);
            }
            Set<String> kept = new HashSet<>(classes);
            List<String> missing = new ArrayList<>();
            Set<Integer> keep = new TreeSet<>();
            int ignored = 0;
            for (String entry : list.entries()) {
                String e = entry.replace('\\', '/');
                int slash = e.lastIndexOf('/');
                String base = e.substring(slash + 1);
                String folder = slash < 0 ? null : e.substring(0, slash);
                if (folder != null && folder.contains("/")) {
                    folder =
                            folder.substring(
                                    folder.lastIndexOf('/') + 1); // "train/n01440764/x.JPEG"
                }
                Integer i =
                        folder == null ? byName.get(base) : byClassAndName.get(folder + "/" + base);
                if (i != null) {
                    keep.add(i);
                    continue;
                }
                String entryClass =
                        folder != null
                                ? folder
                                : base.contains("_") ? base.substring(0, base.indexOf('_')) : null;
                if (classList != null && entryClass != null && !kept.contains(entryClass)) {
                    ignored++; // SimCLR's lists span all 1,000 classes; only the listed ones apply
                } else {
                    missing.add(entry);
                }
            }
            if (!missing.isEmpty()) {
                throw new IOException(
                        "file list "
                                + list.name()
                                + " names "
                                + describe(missing)
                                + " not found under "
                                + root
                                + (classList != null
                                        ? " in the listed classes (" + classList.name() + ")"
                                        : ""));
            }
            if (ignored > 0) {
                LOG.info(
                        "file list {}: {} of {} entries belong to classes outside the class list {} and are ignored;"
                                + " {} images selected",
                        list.name(),
                        ignored,
                        list.entries().size(),
                        classList.name(),
                        keep.size());
            }
            List<Path> keptFiles = new ArrayList<>();
            List<Integer> keptLabels = new ArrayList<>();
            for (int i : keep) {
                keptFiles.add(files.get(i));
                keptLabels.add(labels.get(i));
            }
            return new Selection(keptFiles, keptLabels, ignored);
        }
    }

    /** The outcome of applying a file list. */
    private record Selection(List<Path> files, List<Integer> labels, int ignored) {}

    private static void requireDirectory(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + ": no such folder");
        }
    }

    private static List<Path> imagesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(ImageFolder::isImage).sorted().toList();
        }
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static String describe(List<String> missing) {
        String shown = missing.stream().limit(LISTED).collect(Collectors.joining(", "));
        return missing.size() <= LISTED
                ? missing.size() + " missing: " + shown
                : missing.size() + " missing, first " + LISTED + ": " + shown + ", …";
    }
}
