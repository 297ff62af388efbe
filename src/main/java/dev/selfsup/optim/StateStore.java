package dev.selfsup.optim;

import static dev.selfsup.internal.Checks.checkArgument;
import static dev.selfsup.internal.Checks.checkState;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.selfsup.optim.Optimizer.Slot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An {@link Optimizer}'s parameter slots and their live state arrays, kept apart from the update
 * step so that checkpoint loading and validation live in one place.
 */
final class StateStore {
    private final NDManager manager;
    private final List<ParamGroup> groups;
    private final List<Slot> slots;
    private final Map<String, Slot> slotsByKey;

    /** Live state arrays by key {@code <group>/<parameter>/<state name>}, in slot order. */
    private final Map<String, NDArray> state = new LinkedHashMap<>();

    /**
     * Builds one slot per parameter of the groups.
     *
     * @param manager the long-lived manager that owns the state
     * @param groups the optimiser's groups, already copied
     * @throws IllegalArgumentException if a group name repeats or a parameter is in two groups
     */
    StateStore(NDManager manager, List<ParamGroup> groups) {
        this.manager = manager;
        this.groups = groups;
        List<Slot> list = new ArrayList<>();
        Map<String, Slot> byKey = new HashMap<>();
        Map<String, String> owner = new HashMap<>();
        Set<String> groupNames = new HashSet<>();
        for (ParamGroup group : groups) {
            checkArgument(
                    groupNames.add(group.getName()),
                    "group name '%s' is used twice; group names must be unique",
                    group.getName());
            for (Pair<String, Parameter> entry : group.getParameters()) {
                String key = group.getName() + '/' + entry.getKey();
                String previous = owner.putIfAbsent(entry.getValue().getId(), key);
                checkArgument(
                        previous == null,
                        "parameter '%s' is in two groups (as '%s' and '%s')",
                        entry.getValue().getName(),
                        previous,
                        key);
                Slot slot = new Slot(group, entry.getKey(), entry.getValue(), key);
                list.add(slot);
                byKey.put(key, slot);
            }
        }
        this.slots = List.copyOf(list);
        this.slotsByKey = byKey;
    }

    /**
     * Returns every parameter with its group, in group and parameter order.
     *
     * @return the slots
     */
    List<Slot> slots() {
        return slots;
    }

    /**
     * Returns what {@link Optimizer#state()} returns.
     *
     * @return an unmodifiable snapshot of the key set, in group and parameter order
     */
    Map<String, NDArray> snapshot() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(state));
    }

    /**
     * Does what {@link Optimizer#loadState} documents.
     *
     * @param loaded arrays by state key
     * @param names the state names the optimiser keeps per parameter
     * @throws IllegalArgumentException if a key is unknown, a parameter has only part of its state,
     *     or an array has the wrong shape or data type
     */
    void load(Map<String, NDArray> loaded, List<String> names) {
        Objects.requireNonNull(loaded, "loaded");
        Map<Slot, Integer> counts = new HashMap<>();
        for (Map.Entry<String, NDArray> entry : loaded.entrySet()) {
            String key = entry.getKey();
            int cut = key.lastIndexOf('/');
            Slot slot = cut < 0 ? null : slotsByKey.get(key.substring(0, cut));
            String name = cut < 0 ? "" : key.substring(cut + 1);
            checkArgument(
                    slot != null && names.contains(name),
                    "unknown optimizer state key '%s'; expected '<group>/<parameter>/<name>' with"
                            + " groups %s and names %s",
                    key,
                    groups.stream().map(ParamGroup::getName).toList(),
                    names);
            NDArray array = entry.getValue();
            Shape expectedShape = expectedShape(slot, name);
            DataType expectedType = expectedType(slot, name);
            checkArgument(
                    array.getShape().equals(expectedShape) && array.getDataType() == expectedType,
                    "optimizer state '%s' must be %s %s, got %s %s",
                    key,
                    expectedType,
                    expectedShape,
                    array.getDataType(),
                    array.getShape());
            counts.merge(slot, 1, Integer::sum);
        }
        for (Map.Entry<Slot, Integer> entry : counts.entrySet()) {
            checkArgument(
                    entry.getValue() == names.size(),
                    "optimizer state of '%s' is incomplete: needs all of %s",
                    entry.getKey().key,
                    names);
        }
        // copy before closing the old arrays: the map may be this optimiser's own state()
        Map<String, NDArray> copies = new LinkedHashMap<>();
        for (Slot slot : slots) {
            for (String name : names) {
                NDArray source = loaded.get(slot.key + '/' + name);
                if (source != null) {
                    copies.put(slot.key + '/' + name, copyToDevice(source, slot.device()));
                }
            }
        }
        for (NDArray array : state.values()) {
            array.close();
        }
        state.clear();
        state.putAll(copies);
    }

    private NDArray copyToDevice(NDArray source, Device device) {
        try (NDManager scope = manager.newSubManager(device)) {
            source.tempAttach(scope);
            // toDevice(device, true) on the same device returns an alias in DJL 0.33, so move
            // (a no-op when already there) and then clone
            NDArray copy = source.toDevice(device, false).duplicate();
            copy.attach(manager);
            return copy;
        }
    }

    private static Shape expectedShape(Slot slot, String name) {
        return Optimizer.STEP.equals(name) ? new Shape() : slot.parameter.getArray().getShape();
    }

    private static DataType expectedType(Slot slot, String name) {
        return Optimizer.STEP.equals(name)
                ? DataType.INT64
                : slot.parameter.getArray().getDataType();
    }

    /**
     * Does what {@link Optimizer#borrowState} documents.
     *
     * @param slot the parameter
     * @param name the state name
     * @param scope the update's manager
     * @return the live state array, now temporarily on {@code scope}, or null
     */
    NDArray borrow(Slot slot, String name, NDManager scope) {
        NDArray array = state.get(slot.key + '/' + name);
        if (array != null) {
            array.tempAttach(scope);
        }
        return array;
    }

    /**
     * Does what {@link Optimizer#keepState} documents.
     *
     * @param slot the parameter
     * @param name the state name
     * @param array a fresh array in {@code scope} that nothing else references
     * @param scope the update's manager
     * @return {@code array}
     */
    NDArray keep(Slot slot, String name, NDArray array, NDManager scope) {
        checkState(
                state.putIfAbsent(slot.key + '/' + name, array) == null,
                "state '%s/%s' already exists",
                slot.key,
                name);
        array.attach(manager);
        array.tempAttach(scope);
        return array;
    }
}
