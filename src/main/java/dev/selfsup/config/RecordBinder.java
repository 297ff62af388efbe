package dev.selfsup.config;

import dev.selfsup.internal.SettingException;
import dev.selfsup.method.MethodSettings;
import dev.selfsup.method.Methods;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Binds a YAML node tree onto records: {@code snake_case} keys map 1:1 to camelCase components,
 * missing keys take the value of the defaults record, unknown keys and wrong types are errors that
 * name the key, the file and line, and the valid options. A section whose first component is an
 * enum and that declares a static {@code defaults(ThatEnum)} takes its missing keys from the
 * defaults of the value the YAML gives ({@code augment: {preset: mocov2}} gets MoCo v2's jitter).
 *
 * <p>A {@link MethodSettings} component is two keys: {@code method: NAME} and the section {@link
 * Methods} names for it, bound onto that method's settings record; a section of another method is
 * an error.
 */
final class RecordBinder {
    private final Map<String, Mark> marks = new HashMap<>();

    /** Binds {@code node} (may be null) onto {@code type}, filling gaps from {@code defaults}. */
    <T extends Record> T bind(Class<T> type, Node node, T defaults, String prefix) {
        try {
            return bindRecord(type, node, defaults, prefix);
        } catch (ConfigException e) {
            throw e.at(where(e.key()));
        }
    }

    private String where(String key) {
        for (String k = key;
                !k.isEmpty();
                k = k.contains(".") ? k.substring(0, k.lastIndexOf('.')) : "") {
            Mark m = marks.get(k);
            if (m != null) {
                return location(m);
            }
        }
        return null;
    }

    static String location(Mark m) {
        return m.getName() + ":" + (m.getLine() + 1);
    }

    @SuppressWarnings("unchecked")
    private <T extends Record> T bindRecord(Class<T> type, Node node, T defaults, String prefix) {
        RecordComponent[] components = type.getRecordComponents();
        Map<String, Node> given = new LinkedHashMap<>();
        if (node != null) {
            if (!(node instanceof MappingNode)) {
                throw new ConfigException(
                                prefix, "expected a mapping of keys " + validKeys(components))
                        .at(location(node.getStartMark()));
            }
            for (NodeTuple t : ((MappingNode) node).getValue()) {
                String k = ((ScalarNode) t.getKeyNode()).getValue();
                String full = join(prefix, k);
                marks.put(full, t.getKeyNode().getStartMark());
                if (Arrays.stream(components).noneMatch(c -> snake(c.getName()).equals(k))
                        && !(MethodSections.hasMethod(components)
                                && MethodSections.sections().contains(k))) {
                    throw new ConfigException(
                                    full,
                                    "unknown key; valid keys here: "
                                            + validKeys(components)
                                            + (MethodSections.hasMethod(components)
                                                    ? MethodSections.movedHint(k)
                                                    : ""))
                            .at(location(t.getKeyNode().getStartMark()));
                }
                given.put(k, t.getValueNode());
            }
        }
        defaults = presetDefaults(type, components, given, defaults, prefix);
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            String key = snake(c.getName());
            Object fallback = defaults == null ? null : read(c, defaults);
            if (c.getType() == MethodSettings.class) {
                args[i] = bindMethod(given, (MethodSettings) fallback, prefix);
                continue;
            }
            Node v = given.get(key);
            String full = join(prefix, key);
            if (v == null) {
                if (defaults == null) {
                    throw new ConfigException(full, "is required")
                            .at(node == null ? null : location(node.getStartMark()));
                }
                args[i] = fallback;
            } else {
                args[i] = convert(c.getGenericType(), v, fallback, full);
            }
        }
        try {
            Constructor<T> ctor = type.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor.newInstance(args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof ConfigException ce) {
                throw ce;
            }
            if (e.getCause() instanceof SettingException se) {
                throw new ConfigException(join(prefix, se.key()), se.detail());
            }
            if (e.getCause() instanceof IllegalArgumentException iae) {
                throw new ConfigException(prefix, iae.getMessage());
            }
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
    }

    /**
     * {@code method: NAME} and its section onto the method's settings record (the fallback's values
     * when the method stays the same, the method's defaults otherwise).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private MethodSettings bindMethod(
            Map<String, Node> given, MethodSettings fallback, String prefix) {
        String key = join(prefix, "method");
        Node nameNode = given.get("method");
        Methods.Entry<?> entry;
        if (nameNode == null) {
            if (fallback == null) {
                throw new ConfigException(key, "is required; known methods: " + Methods.names());
            }
            entry = Methods.of(fallback);
        } else {
            if (!(nameNode instanceof ScalarNode scalar)
                    || !Methods.names().contains(scalar.getValue().trim())) {
                throw new ConfigException(
                                key,
                                "got '"
                                        + ScalarValues.text(nameNode)
                                        + "', known methods: "
                                        + Methods.names())
                        .at(location(nameNode.getStartMark()));
            }
            entry = Methods.named(scalar.getValue().trim());
        }
        for (Methods.Entry<?> other : Methods.entries()) {
            if (other != entry && given.containsKey(other.section())) {
                String full = join(prefix, other.section());
                throw new ConfigException(
                                full,
                                "is the section of method "
                                        + other.name()
                                        + ", but this recipe trains "
                                        + entry.name()
                                        + " (section "
                                        + entry.section()
                                        + "); method sections: "
                                        + MethodSections.sectionsByMethod())
                        .at(marks.containsKey(full) ? location(marks.get(full)) : null);
            }
        }
        MethodSettings defaults = entry.type().isInstance(fallback) ? fallback : entry.defaults();
        Node section = given.get(entry.section());
        String full = join(prefix, entry.section());
        if (section != null) {
            marks.putIfAbsent(full, section.getStartMark());
        }
        return (MethodSettings) bindRecord((Class) entry.type(), section, (Record) defaults, full);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object convert(Type type, Node node, Object fallback, String key) {
        Class<?> raw =
                type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        marks.putIfAbsent(key, node.getStartMark());
        if (Record.class.isAssignableFrom(raw)) {
            Record defaults = fallback != null ? (Record) fallback : staticDefaults(raw);
            return bindRecord((Class) raw, node, defaults, key);
        }
        if (List.class.isAssignableFrom(raw)) {
            if (!(node instanceof SequenceNode seq)) {
                throw new ConfigException(
                                key, "expected a list, got '" + ScalarValues.text(node) + "'")
                        .at(location(node.getStartMark()));
            }
            Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
            List<Object> out = new ArrayList<>();
            List<Node> items = seq.getValue();
            for (int i = 0; i < items.size(); i++) {
                out.add(convert(element, items.get(i), null, key + "." + i));
            }
            return List.copyOf(out);
        }
        return ScalarValues.convert(type, raw, node, key);
    }

    /**
     * The defaults of the preset the section names, if the record has presets; else {@code
     * defaults}.
     */
    @SuppressWarnings("unchecked")
    private <T extends Record> T presetDefaults(
            Class<T> type,
            RecordComponent[] components,
            Map<String, Node> given,
            T defaults,
            String prefix) {
        if (components.length == 0 || !components[0].getType().isEnum()) {
            return defaults;
        }
        Node node = given.get(snake(components[0].getName()));
        if (node == null) {
            return defaults;
        }
        Method perPreset;
        try {
            perPreset = type.getDeclaredMethod("defaults", components[0].getType());
        } catch (NoSuchMethodException e) {
            return defaults;
        }
        Object preset =
                convert(
                        components[0].getGenericType(),
                        node,
                        null,
                        join(prefix, snake(components[0].getName())));
        try {
            perPreset.setAccessible(true);
            return (T) perPreset.invoke(null, preset);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(
                    "cannot take the defaults of " + type.getSimpleName() + " " + preset, e);
        }
    }

    private static Record staticDefaults(Class<?> raw) {
        try {
            Method m = raw.getDeclaredMethod("defaults");
            m.setAccessible(true);
            return (Record) m.invoke(null);
        } catch (NoSuchMethodException e) {
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static Object read(RecordComponent c, Record r) {
        try {
            Method m = c.getAccessor();
            m.setAccessible(true);
            return m.invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String validKeys(RecordComponent[] components) {
        TreeSet<String> keys =
                Arrays.stream(components)
                        .map(c -> snake(c.getName()))
                        .collect(Collectors.toCollection(TreeSet::new));
        if (MethodSections.hasMethod(components)) {
            keys.addAll(MethodSections.sections());
        }
        return keys.toString();
    }

    static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }

    static String snake(String camel) {
        StringBuilder b = new StringBuilder();
        for (char ch : camel.toCharArray()) {
            if (Character.isUpperCase(ch)) {
                b.append('_').append(Character.toLowerCase(ch));
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }
}
