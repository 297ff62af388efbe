package dev.selfsup.data;

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
 * How an {@link ImageFolder} is indexed: its class folders, the images under a folder and the
 * application of class and file lists (see the {@link ImageFolder} comment for the rules).
 */
final class FolderIndex {
    private static final int LISTED = 10;

    // Messages keep the ImageFolder's logger name, as before the split.
    private static final Logger LOG = LoggerFactory.getLogger(ImageFolder.class);

    private FolderIndex() {}

    /** The outcome of applying a file list. */
    record Selection(List<Path> files, List<Integer> labels, int ignored) {}

    /**
     * The classes under {@code root}: its sorted sub-folders, or the sorted class list, whose every
     * entry must be a folder.
     */
    static List<String> classes(Path root, SubsetList classList) throws IOException {
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
        return classes;
    }

    /**
     * Applies the file list. A bare entry ({@code n01440764_10026.JPEG}) matches that file name in
     * any kept class folder; an entry with a folder part ({@code n01440764/...}) matches only in
     * that class folder. An entry that matches nothing is ignored when the class list is set and
     * the entry's class (its folder part, else the file name's prefix before {@code _}) is not in
     * it, and is an error otherwise.
     */
    static Selection select(
            Path root,
            SubsetList classList,
            SubsetList list,
            List<String> classes,
            List<Path> files,
            List<Integer> labels)
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
                folder = folder.substring(folder.lastIndexOf('/') + 1); // "train/n01440764/x.JPEG"
            }
            Integer i = folder == null ? byName.get(base) : byClassAndName.get(folder + "/" + base);
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

    /** Fails unless {@code root} is a folder. */
    static void requireDirectory(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + ": no such folder");
        }
    }

    /** The image files under {@code dir}, any depth, sorted by path. */
    static List<Path> imagesUnder(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(FolderIndex::isImage).sorted().toList();
        }
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0
                && ImageFolder.EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static String describe(List<String> missing) {
        String shown = missing.stream().limit(LISTED).collect(Collectors.joining(", "));
        return missing.size() <= LISTED
                ? missing.size() + " missing: " + shown
                : missing.size() + " missing, first " + LISTED + ": " + shown + ", …";
    }
}
