package io.l0sparsify.l0;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * An exponential moving average of parameters, bias-corrected like Adam's moments:
 * {@code m ← d·m + (1−d)·θ}, evaluated as {@code m / (1 − dᵗ)} after t updates. The paper's reference
 * code evaluates and prunes these averaged values; so do we. The shadow arrays live on their own manager.
 * Batch normalization's running statistics are not averaged (they are an average already, and the reference
 * WRN code averages only {@code model.parameters()}); evaluation uses their current values.
 */
final class ParameterAverage implements AutoCloseable {

    private final double decay;
    private final List<Parameter> parameters;
    private final List<NDArray> shadows = new ArrayList<>();
    /**
     * d and 1 − d as float32 scalars beside each shadow, made once: {@code muli(Number)} would make a tensor of
     * the number on every call, two native allocations per parameter and step. The products are the same.
     */
    private final List<NDArray> decays = new ArrayList<>();
    private final List<NDArray> complements = new ArrayList<>();
    private final NDManager manager;
    private long updates;

    ParameterAverage(List<Parameter> parameters, double decay, NDManager parent) {
        this.decay = decay;
        this.parameters = List.copyOf(parameters);
        this.manager = parent.newSubManager();
        for (Parameter p : parameters) {
            NDArray value = p.getArray();
            shadows.add(manager.zeros(value.getShape(), value.getDataType(), value.getDevice()));
            decays.add(manager.full(new Shape(), (float) decay, value.getDataType(), value.getDevice()));
            complements.add(manager.full(new Shape(), (float) (1 - decay), value.getDataType(), value.getDevice()));
        }
    }

    long updates() {
        return updates;
    }

    /**
     * {@code m ← d·m + (1−d)·θ} for every parameter: three native operations each (d·m in place, (1−d)·θ into a
     * temporary, the sum in place), and nothing read back to the host.
     */
    void update() {
        updates++;
        for (int i = 0; i < parameters.size(); i++) {
            try (NDArray scaled = parameters.get(i).getArray().mul(complements.get(i))) {
                shadows.get(i).muli(decays.get(i)).addi(scaled);
            }
        }
    }

    /** The bias-corrected averages, copied to the heap in parameter order. */
    List<float[]> averages() {
        double correction = 1 - Math.pow(decay, updates);
        List<float[]> result = new ArrayList<>();
        try (NDScope ignored = new NDScope()) {
            for (NDArray shadow : shadows) {
                result.add(shadow.div((float) correction).toFloatArray());
            }
        }
        return result;
    }

    /** The raw (uncorrected) shadows, for checkpoints. */
    List<float[]> shadows() {
        List<float[]> result = new ArrayList<>();
        for (NDArray shadow : shadows) {
            result.add(shadow.toFloatArray());
        }
        return result;
    }

    /** Starts the average afresh from the next {@link #update}: the shadows at zero, no updates counted. */
    void restart() {
        for (NDArray shadow : shadows) {
            shadow.muli(0);
        }
        updates = 0;
    }

    void restore(List<float[]> values, long restoredUpdates) {
        for (int i = 0; i < shadows.size(); i++) {
            NativeArrays.assign(shadows.get(i), values.get(i));
        }
        updates = restoredUpdates;
    }

    @Override
    public void close() {
        manager.close();
    }
}
