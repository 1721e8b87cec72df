package io.l0sparsify.model;

import java.util.Arrays;
import java.util.List;

/**
 * A float32 initializer of the graph: its ONNX name, its dimensions and its values in row-major order. Immutable:
 * {@link #values()} returns a copy.
 */
public final class Weights {

    private final String name;
    private final List<Integer> dims;
    private final float[] values;

    Weights(String name, List<Integer> dims, float[] values) {
        this.name = name;
        this.dims = List.copyOf(dims);
        this.values = values;
    }

    public String name() {
        return name;
    }

    public List<Integer> dims() {
        return dims;
    }

    public int size() {
        return values.length;
    }

    public float get(int index) {
        return values[index];
    }

    /** A copy of the values, row-major. */
    public float[] values() {
        return values.clone();
    }

    @Override
    public String toString() {
        return "Weights[" + name + " " + dims + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Weights w && w.name.equals(name) && w.dims.equals(dims) && Arrays.equals(w.values, values);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + dims.hashCode();
    }
}
