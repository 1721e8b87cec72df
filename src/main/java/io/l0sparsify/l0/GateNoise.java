package io.l0sparsify.l0;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The noise behind gate samples, drawn in Java from a generator owned by one run. Two runs in the same
 * process then never share a random stream (PyTorch's global generator would make them depend on each
 * other), and a run resumed at an epoch boundary draws exactly what it would have drawn.
 *
 * <p>It hands out logistic noise {@code log u − log(1−u)}, u ~ U(ε, 1−ε), the only part of a gate sample
 * that does not depend on log α; computing it here saves four tensor operations per layer and step.
 *
 * <p>A minibatch split across replicas (one slice per device) must still see one gate sample per layer
 * and step, as on one device: {@link #perStep} draws a layer's noise once per {@link #startStep} and hands
 * the same values to every slice.
 *
 * <p>From the second step on, the first {@link #perStep} of a step draws every layer's noise at once, in the order
 * the layers asked in the first step (the order of the forward pass, so the same numbers as drawing layer by
 * layer), and makes one copy to the device; the layers get views of it. A copy from host memory to a GPU waits
 * for the stream, so one per layer and step was one wait per layer (see docs/benchmarks/step-profile.md). A
 * network that also asks for {@link #logistic} noise (per-example gates) interleaves the two and keeps drawing
 * layer by layer.
 */
final class GateNoise {

    private final long seed;
    private final NativeArrays.Staging staging = new NativeArrays.Staging();
    private SplittableRandom random;
    private float[] values = new float[0];
    /** Per owner: its noise buffer and the step it was drawn in. */
    private final Map<Object, StepDraw> stepDraws = new IdentityHashMap<>();
    private long currentStep;
    /** The owners of per-step noise, with their offsets (in the order they asked in the first step) and sizes. */
    private final Map<Object, Slot> layout = new IdentityHashMap<>();
    private int layoutSize;
    /** The step the layout was learnt in; -1 before. */
    private long layoutStep = -1;
    /** False once {@link #logistic} was asked for: its draws interleave with the layers'. */
    private boolean batched = true;
    /** Every layer's noise of step {@link #batchStep}, on the device of the first layer that asked. */
    private float[] batch = new float[0];
    private NDArray batchOnDevice;
    private long batchStep = -1;

    private record Slot(int offset, int size) {}

    private static final class StepDraw {
        float[] values = new float[0];
        long step = -1;
    }

    GateNoise(long seed) {
        this.seed = seed;
        startEpoch(0);
    }

    /** Restarts the stream at the beginning of {@code epoch} (0-based). */
    void startEpoch(int epoch) {
        random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + 0x5851F42DL);
    }

    /** Forgets the draws of the previous step; {@link #perStep} draws afresh after this. */
    void startStep() {
        currentStep++;
    }

    /** Fresh logistic noise of the given shape, created on {@code manager}. */
    NDArray logistic(NDManager manager, Shape shape) {
        batched = false;
        int size = Math.toIntExact(shape.size());
        if (values.length < size) {
            values = new float[size];
        }
        draw(values, size);
        return staging.floats(manager, values, 0, shape);
    }

    /**
     * Logistic noise for {@code owner} (a layer) that stays the same until the next {@link #startStep}:
     * the first call of a step draws it, later calls (other slices of the same minibatch) repeat it.
     */
    NDArray perStep(Object owner, NDManager manager, Shape shape) {
        int size = Math.toIntExact(shape.size());
        if (batched && layoutStep >= 0 && layoutStep != currentStep) {
            return batchedPerStep(owner, manager, shape, size);
        }
        if (batched && !layout.containsKey(owner)) {
            layoutStep = currentStep;
            layout.put(owner, new Slot(layoutSize, size));
            layoutSize = Math.addExact(layoutSize, size);
        }
        StepDraw draw = stepDraws.computeIfAbsent(owner, o -> new StepDraw());
        if (draw.step != currentStep || draw.values.length != size) {
            if (draw.values.length != size) {
                draw.values = new float[size];
            }
            draw(draw.values, size);
            draw.step = currentStep;
        }
        return staging.floats(manager, draw.values, 0, shape);
    }

    private NDArray batchedPerStep(Object owner, NDManager manager, Shape shape, int size) {
        Slot slot = layout.get(owner);
        if (slot == null || slot.size() != size) {
            throw new IllegalStateException("gate noise of " + size + " values asked for by a layer that asked for "
                    + (slot == null ? "none" : slot.size()) + " in the first step");
        }
        if (batchStep != currentStep) {
            if (batch.length != layoutSize) {
                batch = new float[layoutSize];
            }
            draw(batch, layoutSize);
            batchStep = currentStep;
            batchOnDevice = null;
        }
        if (batchOnDevice == null || batchOnDevice.isReleased()) {
            // owned by the asking layer's step manager and closed with it; a later forward of the same step (after
            // that manager closed) gets the same values copied again
            batchOnDevice = staging.floats(manager, batch, 0, new Shape(layoutSize));
        }
        return batchOnDevice.get(new NDIndex().addSliceDim(slot.offset(), slot.offset() + size)).reshape(shape);
    }

    private void draw(float[] target, int size) {
        double span = 1 - 2 * HardConcreteGate.EPSILON;
        for (int i = 0; i < size; i++) {
            double u = HardConcreteGate.EPSILON + span * random.nextDouble();
            target[i] = (float) (Math.log(u) - Math.log1p(-u));
        }
    }
}
