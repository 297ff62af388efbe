package dev.selfsup.config;

import dev.selfsup.method.Methods;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Loads YAML recipes into a validated {@link Recipe}.
 *
 * <ul>
 *   <li>{@code extends: other} merges this file over another recipe (a path relative to this file,
 *       or the name of a bundled recipe). Mappings merge key by key, recursively; lists and values
 *       replace the parent's.
 *   <li>Overrides {@code key.sub=value} (the CLI's {@code --set}) apply last; list elements are
 *       addressed by index ({@code augment.crops.1.size=64}).
 *   <li>A recipe that sets another {@code method} than the one it extends (or {@code --set
 *       method=…}) drops the former method's section: a recipe holds only its own method's.
 *   <li>Unknown keys, wrong types and out-of-range values fail with file, line, key and the valid
 *       options.
 * </ul>
 *
 * A recipe is a file path or the name of a bundled recipe ({@code configs/NAME.yaml} inside the
 * jar). A bare name ({@code fashionmnist_1h}: no folder, no {@code .yaml}) is looked for as a file
 * {@code NAME} or {@code NAME.yaml} first, then as a bundled recipe. Anything with a folder or a
 * {@code .yaml} / {@code .yml} ending is a path and must exist: a mistyped path is an error, never
 * a bundled recipe of the same file name.
 */
public final class RecipeLoader {
    private static final String BUNDLED = "/configs/";

    private RecipeLoader() {}

    /**
     * Loads a recipe file or bundled recipe and applies overrides.
     *
     * @param recipe a path or a bundled recipe name
     * @param overrides {@code key=value} strings, applied in order
     * @return the validated recipe
     * @throws IOException if a file cannot be read
     * @throws ConfigException if the recipe is invalid
     */
    public static Recipe load(String recipe, List<String> overrides) throws IOException {
        Node root = compose(recipe, null, new HashSet<>());
        String name = stem(recipe);
        for (String o : overrides) {
            root = applyOverride(root, o);
        }
        MappingNode map = (MappingNode) root;
        if (find(map, "name") == null) {
            map.getValue().add(0, new NodeTuple(scalar("name", null), scalar(name, null)));
        }
        return new RecordBinder().bind(Recipe.class, root, Recipe.defaults(), "");
    }

    /**
     * Parses recipe text (no {@code extends} across files unless they are bundled).
     *
     * @param yaml the recipe
     * @param sourceName the name used in error messages
     * @return the validated recipe
     */
    public static Recipe parse(String yaml, String sourceName) {
        try {
            Node root = composeText(new StringReader(yaml), sourceName);
            root = resolveExtends(root, null, new HashSet<>());
            MappingNode map = (MappingNode) root;
            if (find(map, "name") == null) {
                map.getValue()
                        .add(
                                0,
                                new NodeTuple(
                                        scalar("name", null), scalar(stem(sourceName), null)));
            }
            return new RecordBinder().bind(Recipe.class, root, Recipe.defaults(), "");
        } catch (IOException e) {
            throw new ConfigException("extends", e.getMessage());
        }
    }

    /**
     * Names of the recipes bundled in the jar (the {@code configs/} folder).
     *
     * @return recipe names without {@code .yaml}
     * @throws IOException if the index cannot be read
     */
    public static List<String> bundled() throws IOException {
        try (InputStream in = RecipeLoader.class.getResourceAsStream(BUNDLED + "index.txt")) {
            if (in == null) {
                return List.of();
            }
            List<String> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    out.add(line.trim().replaceFirst("\\.yaml$", ""));
                }
            }
            return out;
        }
    }

    private static Node compose(String recipe, Path relativeTo, Set<String> seen)
            throws IOException {
        Path file = relativeTo == null ? Path.of(recipe) : relativeTo.resolveSibling(recipe);
        if (!Files.isRegularFile(file) && !recipe.endsWith(".yaml")) {
            Path withExt =
                    relativeTo == null
                            ? Path.of(recipe + ".yaml")
                            : relativeTo.resolveSibling(recipe + ".yaml");
            if (Files.isRegularFile(withExt)) {
                file = withExt;
            }
        }
        Node root;
        String id;
        if (Files.isRegularFile(file)) {
            id = file.toAbsolutePath().normalize().toString();
            checkCycle(seen, id);
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                root = composeText(r, file.toString());
            }
            return resolveExtends(root, file, seen);
        }
        if (isPath(recipe)) {
            throw new NoSuchFileException(
                    recipe,
                    null,
                    "no such recipe file (looked for "
                            + file.toAbsolutePath().normalize()
                            + "). A bundled recipe is named without folder and .yaml,"
                            + " e.g. 'fashionmnist_1h'; bundled: "
                            + bundled());
        }
        String resource = BUNDLED + stem(recipe) + ".yaml";
        InputStream in = RecipeLoader.class.getResourceAsStream(resource);
        if (in == null) {
            throw new NoSuchFileException(
                    recipe,
                    null,
                    "no such recipe file, and no bundled recipe of that name; bundled: "
                            + bundled());
        }
        id = "bundled:" + stem(recipe);
        checkCycle(seen, id);
        try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            root = composeText(r, "configs/" + stem(recipe) + ".yaml");
        }
        return resolveExtends(root, null, seen);
    }

    /**
     * Whether a recipe argument names a file (a folder or a YAML ending) rather than a bundled
     * recipe.
     */
    private static boolean isPath(String recipe) {
        return recipe.contains("/")
                || recipe.contains(java.io.File.separator)
                || recipe.endsWith(".yaml")
                || recipe.endsWith(".yml");
    }

    private static void checkCycle(Set<String> seen, String id) {
        if (!seen.add(id)) {
            throw new ConfigException(
                    "extends", "cycle: " + id + " extends itself through " + seen);
        }
    }

    private static Node composeText(Reader reader, String name) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Node root;
        try {
            root = relabel(new Yaml(options).compose(reader), name);
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark();
            throw new ConfigException("", "YAML syntax: " + e.getProblem())
                    .at(m == null ? name : name + ":" + (m.getLine() + 1));
        }
        if (root == null) {
            return new MappingNode(
                    Tag.MAP, new ArrayList<>(), org.yaml.snakeyaml.DumperOptions.FlowStyle.BLOCK);
        }
        if (!(root instanceof MappingNode)) {
            throw new ConfigException("", "a recipe must be a mapping of sections").at(name + ":1");
        }
        return root;
    }

    private static Node resolveExtends(Node root, Path file, Set<String> seen) throws IOException {
        MappingNode map = (MappingNode) root;
        NodeTuple ext = find(map, "extends");
        if (ext == null) {
            return root;
        }
        map.getValue().remove(ext);
        String parentName = ((ScalarNode) ext.getValueNode()).getValue();
        Node parent;
        try {
            parent = compose(parentName, file, seen);
        } catch (NoSuchFileException e) {
            throw new ConfigException("extends", "'" + parentName + "' not found: " + e.getReason())
                    .at(RecordBinder.location(ext.getValueNode().getStartMark()));
        }
        NodeTuple parentName2 = find((MappingNode) parent, "name");
        if (parentName2 != null) {
            ((MappingNode) parent).getValue().remove(parentName2);
        }
        NodeTuple method = find(map, "method");
        if (method != null && method.getValueNode() instanceof ScalarNode m) {
            dropReplacedMethodSection((MappingNode) parent, m.getValue());
        }
        return merge(parent, root);
    }

    /**
     * A recipe (or {@code --set method=…}) that changes the method does not keep the former
     * method's section: the new method's section starts from its defaults.
     */
    private static void dropReplacedMethodSection(MappingNode recipe, String newMethod) {
        NodeTuple t = find(recipe, "method");
        String old =
                t != null && t.getValueNode() instanceof ScalarNode s
                        ? s.getValue().trim()
                        : Recipe.defaults().methodName();
        if (old.equals(newMethod.trim()) || !Methods.names().contains(old)) {
            return;
        }
        NodeTuple section = find(recipe, Methods.named(old).section());
        if (section != null) {
            recipe.getValue().remove(section);
        }
    }

    /** Child over parent: mappings merge recursively, anything else replaces. */
    static Node merge(Node parent, Node child) {
        if (!(parent instanceof MappingNode p) || !(child instanceof MappingNode c)) {
            return child;
        }
        List<NodeTuple> out = new ArrayList<>(p.getValue());
        for (NodeTuple t : c.getValue()) {
            String key = ((ScalarNode) t.getKeyNode()).getValue();
            NodeTuple existing = find(p, key);
            if (existing == null) {
                out.add(t);
            } else {
                out.set(
                        out.indexOf(existing),
                        new NodeTuple(
                                t.getKeyNode(), merge(existing.getValueNode(), t.getValueNode())));
            }
        }
        return new MappingNode(Tag.MAP, out, c.getFlowStyle());
    }

    private static Node applyOverride(Node root, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new ConfigException("", "--set expects key=value, got '" + override + "'");
        }
        String key = override.substring(0, eq).trim();
        String source = "--set " + key;
        Node value = composeValue(override.substring(eq + 1), source);
        if (key.equals("method") && value instanceof ScalarNode m) {
            dropReplacedMethodSection((MappingNode) root, m.getValue());
        }
        String[] parts = key.split("\\.");
        Node node = root;
        for (int i = 0; i < parts.length; i++) {
            boolean last = i == parts.length - 1;
            if (node instanceof SequenceNode seq) {
                int index;
                try {
                    index = Integer.parseInt(parts[i]);
                } catch (NumberFormatException e) {
                    throw new ConfigException(key, "'" + parts[i] + "' must be a list index");
                }
                if (index < 0 || index >= seq.getValue().size()) {
                    throw new ConfigException(
                            key,
                            "list index " + index + " outside 0.." + (seq.getValue().size() - 1));
                }
                if (last) {
                    seq.getValue().set(index, value);
                } else {
                    node = seq.getValue().get(index);
                }
                continue;
            }
            MappingNode map = (MappingNode) node;
            NodeTuple t = find(map, parts[i]);
            if (last) {
                Node merged = value;
                if (t != null) {
                    map.getValue()
                            .set(map.getValue().indexOf(t), new NodeTuple(t.getKeyNode(), merged));
                } else {
                    map.getValue().add(new NodeTuple(scalar(parts[i], source), merged));
                }
            } else {
                if (t == null) {
                    MappingNode child =
                            new MappingNode(
                                    Tag.MAP,
                                    new ArrayList<>(),
                                    org.yaml.snakeyaml.DumperOptions.FlowStyle.BLOCK);
                    map.getValue().add(new NodeTuple(scalar(parts[i], source), child));
                    node = child;
                } else {
                    node = t.getValueNode();
                    if (node instanceof ScalarNode) {
                        throw new ConfigException(
                                String.join(".", java.util.Arrays.copyOf(parts, i + 1)),
                                "is a value, so '" + key + "' cannot address inside it");
                    }
                }
            }
        }
        return root;
    }

    private static Node composeValue(String text, String source) {
        Node n =
                relabel(new Yaml().compose(new StringReader(text.isEmpty() ? "''" : text)), source);
        return n == null ? scalar("", source) : n;
    }

    private static ScalarNode scalar(String value, String source) {
        Mark m = new Mark(source == null ? "(default)" : source, 0, 0, 0, new int[0], 0);
        return new ScalarNode(
                Tag.STR, value, m, m, org.yaml.snakeyaml.DumperOptions.ScalarStyle.PLAIN);
    }

    static NodeTuple find(MappingNode map, String key) {
        for (NodeTuple t : map.getValue()) {
            if (t.getKeyNode() instanceof ScalarNode s && s.getValue().equals(key)) {
                return t;
            }
        }
        return null;
    }

    private static String stem(String recipe) {
        String n = Path.of(recipe).getFileName().toString();
        return n.endsWith(".yaml")
                ? n.substring(0, n.length() - 5)
                : n.endsWith(".yml") ? n.substring(0, n.length() - 4) : n;
    }

    /** Copies a node tree with marks that carry the source's name (SnakeYAML's say 'reader'). */
    private static Node relabel(Node n, String name) {
        if (n == null) {
            return null;
        }
        Mark s = n.getStartMark();
        Mark m = new Mark(name, s.getIndex(), s.getLine(), s.getColumn(), new int[0], 0);
        if (n instanceof ScalarNode sc) {
            return new ScalarNode(sc.getTag(), sc.getValue(), m, m, sc.getScalarStyle());
        }
        if (n instanceof SequenceNode seq) {
            List<Node> items = new ArrayList<>();
            for (Node item : seq.getValue()) {
                items.add(relabel(item, name));
            }
            return new SequenceNode(seq.getTag(), true, items, m, m, seq.getFlowStyle());
        }
        MappingNode map = (MappingNode) n;
        List<NodeTuple> tuples = new ArrayList<>();
        for (NodeTuple t : map.getValue()) {
            tuples.add(
                    new NodeTuple(relabel(t.getKeyNode(), name), relabel(t.getValueNode(), name)));
        }
        return new MappingNode(map.getTag(), true, tuples, m, m, map.getFlowStyle());
    }
}
