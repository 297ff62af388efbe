package dev.selfsup.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.selfsup.method.Method;
import dev.selfsup.method.MethodState;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A method's {@link MethodState} record in a checkpoint's metadata: one JSON member per record
 * component, under its snake_case name ({@code queuePointer} → {@code queue_pointer}). Reading
 * fails on a missing or unexpected member instead of filling in a default.
 */
final class MethodStates {
    private MethodStates() {}

    /**
     * Restores a method's state from a checkpoint's metadata member {@code method}.
     *
     * @param method the method, positioned at the checkpoint's epoch
     * @param metadata the checkpoint's metadata
     * @param checkpoint the file, named in errors
     * @throws IOException naming the checkpoint if the state is missing, incomplete or does not fit
     *     the method
     */
    static void restore(Method method, JsonObject metadata, Path checkpoint) throws IOException {
        if (!metadata.has("method") || !metadata.get("method").isJsonObject()) {
            throw new IOException(checkpoint + ": checkpoint lacks the method state 'method'");
        }
        MethodState saved =
                fromJson(method.state().getClass(), metadata.getAsJsonObject("method"), checkpoint);
        try {
            method.restore(saved);
        } catch (IllegalArgumentException e) {
            throw new IOException(checkpoint + ": " + e.getMessage(), e);
        }
    }

    /**
     * The state as JSON.
     *
     * @param state a record implementing {@link MethodState}
     * @return one member per component
     */
    static JsonObject toJson(MethodState state) {
        JsonObject out = new JsonObject();
        for (RecordComponent c : components(state.getClass())) {
            Object v = read(c, state);
            if (v instanceof List<?> list) {
                JsonArray a = new JsonArray();
                list.forEach(x -> a.add((Number) x));
                out.add(snake(c.getName()), a);
            } else if (v instanceof Boolean b) {
                out.addProperty(snake(c.getName()), b);
            } else {
                out.addProperty(snake(c.getName()), (Number) v);
            }
        }
        return out;
    }

    /**
     * Reads a state of the given type back.
     *
     * @param type the method's state record, e.g. {@code MocoV2.State}
     * @param json the saved members
     * @param checkpoint the file, named in errors
     * @param <S> the state type
     * @return the state
     * @throws IOException naming the checkpoint and the first missing or unexpected member
     */
    static <S extends MethodState> S fromJson(Class<S> type, JsonObject json, Path checkpoint)
            throws IOException {
        RecordComponent[] components = components(type);
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        TreeSet<String> expected = new TreeSet<>();
        for (RecordComponent c : components) {
            expected.add(snake(c.getName()));
        }
        for (String key : json.keySet()) {
            if (!expected.contains(key)) {
                throw new IOException(
                        checkpoint
                                + ": method state '"
                                + key
                                + "' is not part of "
                                + name(type)
                                + " "
                                + expected
                                + "; the checkpoint was written by another method");
            }
        }
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            String key = snake(c.getName());
            JsonElement e = json.get(key);
            if (e == null) {
                throw new IOException(
                        checkpoint
                                + ": checkpoint lacks method state '"
                                + key
                                + "' ("
                                + name(type)
                                + " needs "
                                + expected
                                + ")");
            }
            types[i] = c.getType();
            args[i] = value(c, e);
        }
        try {
            Constructor<S> ctor = type.getDeclaredConstructor(types);
            ctor.setAccessible(true);
            return ctor.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getName(), e);
        }
    }

    private static Object value(RecordComponent c, JsonElement e) {
        Class<?> t = c.getType();
        if (t == long.class) {
            return e.getAsLong();
        }
        if (t == int.class) {
            return e.getAsInt();
        }
        if (t == double.class) {
            return e.getAsDouble();
        }
        if (t == boolean.class) {
            return e.getAsBoolean();
        }
        if (t == List.class
                && c.getGenericType() instanceof ParameterizedType p
                && p.getActualTypeArguments()[0] == Long.class) {
            List<Long> out = new ArrayList<>();
            e.getAsJsonArray().forEach(x -> out.add(x.getAsLong()));
            return out;
        }
        throw new IllegalStateException(
                "method state component " + c + " is not long, int, double, boolean or List<Long>");
    }

    private static RecordComponent[] components(Class<?> type) {
        if (!type.isRecord()) {
            throw new IllegalStateException(
                    type.getName() + " must be a record to be saved in a checkpoint");
        }
        return type.getRecordComponents();
    }

    private static Object read(RecordComponent c, Object r) {
        try {
            var m = c.getAccessor();
            m.setAccessible(true);
            return m.invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code Swav.State} rather than {@code State}: the method's name is in the enclosing class.
     */
    private static String name(Class<?> type) {
        Class<?> outer = type.getEnclosingClass();
        return outer == null
                ? type.getSimpleName()
                : outer.getSimpleName() + "." + type.getSimpleName();
    }

    private static String snake(String camel) {
        return camel.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
    }
}
