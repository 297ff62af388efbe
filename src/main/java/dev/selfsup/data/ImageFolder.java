package dev.selfsup.data;

import static dev.selfsup.internal.Checks.checkArgument;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

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
        FolderIndex.requireDirectory(root);
        List<Path> files = FolderIndex.imagesUnder(root);
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
            FolderIndex.requireDirectory(root);
            List<String> classes = FolderIndex.classes(root, classList);
            List<Path> files = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            for (int c = 0; c < classes.size(); c++) {
                for (Path f : FolderIndex.imagesUnder(root.resolve(classes.get(c)))) {
                    files.add(f);
                    labels.add(c);
                }
            }
            int ignored = 0;
            if (fileList != null) {
                FolderIndex.Selection s =
                        FolderIndex.select(root, classList, fileList, classes, files, labels);
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
    }
}
