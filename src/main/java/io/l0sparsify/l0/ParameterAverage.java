package io.l0sparsify.l0;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An exponential moving average of parameters, bias-corrected like Adam's moments:
 * {@code m ← d·m + (1−d)·θ}, evaluated as {@code m / (1 − dᵗ)} after t updates. The paper's reference
 * code evaluates and prunes these averaged values; so do we. The shadow arrays live on their own manager, or, in
 * a run whose whole update {@link HostUpdate} does on the CPU, on the Java heap (the same arithmetic).
 * Batch normalization's running statistics are not averaged (they are an average already, and the reference
 * WRN code averages only {@code model.parameters()}); evaluation uses their current values.
 */
final class ParameterAverage implements AutoCloseable {

    private final double decay;
    private final List<Parameter> parameters;
    /** Whether the shadows are {@link #hostShadows} (else {@link #shadows}). */
    private final boolean onHost;
    private final List<NDArray> shadows = new ArrayList<>();
    private final List<float[]> hostShadows = new ArrayList<>();
    /**
     * d and 1 − d as float32 scalars beside each shadow, made once: {@code muli(Number)} would make a tensor of
     * the number on every call, two native allocations per parameter and step. The products are the same.
     */
    private final List<NDArray> decays = new ArrayList<>();
    private final List<NDArray> complements = new ArrayList<>();
    private final NDManager manager;
    private long updates;

    ParameterAverage(List<Parameter> parameters, double decay, NDManager parent, boolean onHost) {
        this.decay = decay;
        this.parameters = List.copyOf(parameters);
        this.onHost = onHost;
        this.manager = parent.newSubManager();
        for (Parameter p : parameters) {
            NDArray value = p.getArray();
            if (onHost) {
                hostShadows.add(new float[Math.toIntExact(value.size())]);
                continue;
            }
            shadows.add(manager.zeros(value.getShape(), value.getDataType(), value.getDevice()));
            decays.add(manager.full(new Shape(), decayFactor(), value.getDataType(), value.getDevice()));
            complements.add(manager.full(new Shape(), complementFactor(), value.getDataType(), value.getDevice()));
        }
    }

    long updates() {
        return updates;
    }

    /** d in float32, as the update multiplies by it. */
    float decayFactor() {
        return (float) decay;
    }

    /** 1 − d in float32, as the update multiplies by it. */
    float complementFactor() {
        return (float) (1 - decay);
    }

    /**
     * {@code m ← d·m + (1−d)·θ} for every parameter: three native operations each (d·m in place, (1−d)·θ into a
     * temporary, the sum in place), and nothing read back to the host.
     */
    void update() {
        if (onHost) {
            throw new IllegalStateException("the average is on the heap; HostUpdate updates it");
        }
        updates++;
        for (int i = 0; i < parameters.size(); i++) {
            try (NDArray scaled = parameters.get(i).getArray().mul(complements.get(i))) {
                shadows.get(i).muli(decays.get(i)).addi(scaled);
            }
        }
    }

    /** The heap shadows, counted one update on: {@link HostUpdate} updates them in place for this step. */
    List<float[]> advanceOnHost() {
        if (!onHost) {
            throw new IllegalStateException("the average is beside the parameters");
        }
        updates++;
        return hostShadows;
    }

    /** The bias-corrected averages, copied to the heap in parameter order. */
    List<float[]> averages() {
        float correction = (float) (1 - Math.pow(decay, updates));
        List<float[]> result = new ArrayList<>();
        if (onHost) {
            // the float division the device's div computes
            for (float[] shadow : hostShadows) {
                float[] average = new float[shadow.length];
                for (int j = 0; j < shadow.length; j++) {
                    average[j] = shadow[j] / correction;
                }
                result.add(average);
            }
            return result;
        }
        try (NDScope ignored = new NDScope()) {
            for (NDArray shadow : shadows) {
                result.add(shadow.div(correction).toFloatArray());
            }
        }
        return result;
    }

    /** The raw (uncorrected) shadows, for checkpoints. */
    List<float[]> shadows() {
        List<float[]> result = new ArrayList<>();
        if (onHost) {
            for (float[] shadow : hostShadows) {
                result.add(shadow.clone());
            }
            return result;
        }
        for (NDArray shadow : shadows) {
            result.add(shadow.toFloatArray());
        }
        return result;
    }

    /** Starts the average afresh from the next update: the shadows at zero, no updates counted. */
    void restart() {
        for (float[] shadow : hostShadows) {
            Arrays.fill(shadow, 0f);
        }
        for (NDArray shadow : shadows) {
            shadow.muli(0);
        }
        updates = 0;
    }

    void restore(List<float[]> values, long restoredUpdates) {
        for (int i = 0; i < parameters.size(); i++) {
            if (onHost) {
                float[] shadow = hostShadows.get(i);
                if (values.get(i).length != shadow.length) {
                    throw new IllegalArgumentException("the saved average of parameter " + parameters.get(i).getName()
                            + " has " + values.get(i).length + " values, the parameter " + shadow.length);
                }
                System.arraycopy(values.get(i), 0, shadow, 0, shadow.length);
            } else {
                NativeArrays.assign(shadows.get(i), values.get(i));
            }
        }
        updates = restoredUpdates;
    }

    @Override
    public void close() {
        manager.close();
    }
}
