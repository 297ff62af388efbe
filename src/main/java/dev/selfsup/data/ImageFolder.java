package dev.selfsup.data;

import static dev.selfsup.internal.Checks.checkArgument;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Images in folders: the ImageNet layout {@code root/<class>/<image>} (labelled, class index by
 * sorted folder name, as torchvision's {@code ImageFolder}) or any folder tree without labels
 * (pretraining).
 *
 * <p>Subsets are given as files, one entry per line (blank lines and lines starting with {@code #}
 * are ignored):
 *
 * <ul>
 *   <li>a class list keeps only the listed class folders, e.g. the 100 ImageNet-100 wnids; class
 *       indices are then assigned over the sorted list, so ImageNet-100 labels run 0..99;
 *   <li>a file list keeps only the listed image file names, e.g. SimCLR's 1 % / 10 % lists
 *       ({@code n01440764_10026.JPEG}); names are matched against file names anywhere in the tree
 *       and the class is still the folder.
 * </ul>
 *
 * <pre>{@code
 * ImageDataset train = ImageFolder.builder()
 *         .setRoot(Path.of("/data/imagenet/train"))
 *         .optClassList(Path.of("imagenet100.txt"))
 *         .optFileList(Path.of("10percent.txt"))
 *         .build();
 * ImageDataset unlabelled = ImageFolder.unlabelled(Path.of("/data/raw"));
 * }</pre>
 */
public final class ImageFolder implements ImageDataset {
    /** File extensions read, lower case. */
    public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp");

    private static final int LISTED = 10;

    private final Path root;
    private final List<String> classes;
    private final String[] files;
    private final int[] labels;

    private ImageFolder(Path root, List<String> classes, List<Path> files, int[] labels) {
        this.root = root;
        this.classes = List.copyOf(classes);
        this.files = files.stream().map(Path::toString).toArray(String[]::new);
        this.labels = labels;
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
            throw new IOException(root + ": no images found (extensions " + new TreeSet<>(EXTENSIONS) + ")");
        }
        int[] labels = new int[files.size()];
        java.util.Arrays.fill(labels, -1);
        return new ImageFolder(root, List.of(), files, labels);
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

    @Override
    public DecodedImage decode(int i) throws IOException {
        return ImageDecoder.decode(file(i));
    }

    /** Builder for a labelled {@link ImageFolder}. */
    public static final class Builder {
        private Path root;
        private Path classList;
        private Path fileList;

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
         */
        public Builder optClassList(Path classList) {
            this.classList = classList;
            return this;
        }

        /**
         * Keeps only the image files named in a file, one file name per line. Default: all images.
         *
         * @param fileList the file
         * @return this builder
         */
        public Builder optFileList(Path fileList) {
            this.fileList = fileList;
            return this;
        }

        /**
         * Indexes the folder.
         *
         * @return the dataset
         * @throws IOException if the root or a list file is missing, a list names classes or files
         *     that are absent (all named, or the first ten and the count), or no image remains
         */
        public ImageFolder build() throws IOException {
            checkArgument(root != null, "setRoot is required");
            requireDirectory(root);
            List<String> folders;
            try (Stream<Path> s = Files.list(root)) {
                folders = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
            }
            List<String> classes = folders;
            if (classList != null) {
                List<String> wanted = readList(classList);
                Set<String> present = new HashSet<>(folders);
                List<String> missing = wanted.stream().filter(c -> !present.contains(c)).toList();
                if (!missing.isEmpty()) {
                    throw new IOException(
                            "class list " + classList + " names " + describe(missing)
                                    + " not found as folders under " + root);
                }
                classes = wanted.stream().sorted().toList();
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
            if (fileList != null) {
                List<String> wanted = readList(fileList);
                Map<String, Integer> byName = new HashMap<>();
                for (int i = 0; i < files.size(); i++) {
                    byName.putIfAbsent(files.get(i).getFileName().toString(), i);
                }
                List<String> missing = new ArrayList<>();
                Set<Integer> keep = new TreeSet<>();
                for (String w : wanted) {
                    // SimCLR's lists hold bare file names; tolerate "class/file" lines too.
                    String base = Path.of(w).getFileName().toString();
                    Integer i = byName.get(base);
                    if (i == null) {
                        missing.add(w);
                    } else {
                        keep.add(i);
                    }
                }
                if (!missing.isEmpty()) {
                    throw new IOException(
                            "file list " + fileList + " names " + describe(missing) + " not found under "
                                    + root + (classList != null ? " (in the listed classes)" : ""));
                }
                List<Path> kept = new ArrayList<>();
                List<Integer> keptLabels = new ArrayList<>();
                for (int i : keep) {
                    kept.add(files.get(i));
                    keptLabels.add(labels.get(i));
                }
                files = kept;
                labels = keptLabels;
            }
            if (files.isEmpty()) {
                throw new IOException(
                        root + ": no images found in " + classes.size() + " class folders (extensions "
                                + new TreeSet<>(EXTENSIONS) + ")");
            }
            return new ImageFolder(root, classes, files, labels.stream().mapToInt(Integer::intValue).toArray());
        }
    }

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

    private static List<String> readList(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such list file");
        }
        Set<String> entries = new LinkedHashSet<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                entries.add(t);
            }
        }
        if (entries.isEmpty()) {
            throw new IOException(file + ": list file is empty");
        }
        return List.copyOf(entries);
    }

    private static String describe(List<String> missing) {
        String shown = missing.stream().limit(LISTED).collect(Collectors.joining(", "));
        return missing.size() <= LISTED
                ? missing.size() + " missing: " + shown
                : missing.size() + " missing, first " + LISTED + ": " + shown + ", …";
    }
}
