package io.l0sparsify.l0;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Everything a CPU training step does after its backward pass, in one loop per parameter on the Java heap:
 * Adam's update, then log α clamped (or, under frozen gates, put back as frozen), then the parameter average;
 * Adam's moments and the average live on the heap ({@link ResumableAdam}, {@link ParameterAverage}).
 *
 * <p>Why: libtorch runs the same update as about fifteen kernels per parameter (the engine's fused Adam clones
 * the gradient and makes four full-size temporaries; the average, the clamp and the gradient reset add their
 * own), each a pass over the parameter and a call through JNI. A Java Flight Recording of the MLP's training
 * loop found 17 % of its time in that Adam alone (docs/benchmarks/step-profile.md). Here the weight and its
 * gradient are read once from PyTorch's memory (a CPU tensor is reachable as a direct buffer over its own
 * storage), plain loops over heap arrays, which the JIT is free to vectorise, do the arithmetic, and the weight is
 * written back once.
 *
 * <p>The arithmetic is the kernels' own, operation by operation, with one exception: the same float operations in
 * the same order, and the two that libtorch's vector kernels fuse (its {@code add_} with a factor and its
 * {@code addcmul_}) fused here with {@link Math#fma}, so the moments, the clamp and the average come out bit for bit
 * as before. The exception is √v: libtorch's CPU square root is not correctly rounded (in a one-off check, a fifth
 * of uniform floats came out a unit in the last place off), while Java's is. So a weight can differ from the
 * kernel's by one unit in the last place at a step, and a run trains other bits than before
 * ({@code HostUpdateTest}); the more accurate root is kept. Java's arithmetic follows the thread's flush-to-zero
 * mode as libtorch's does ({@link SubnormalFlush}).
 *
 * <p>Only for Adam on one CPU with float32 parameters, each stored contiguously, whose state takes at most a
 * quarter of the Java heap ({@link #applies}); other runs (a GPU, several devices, SGD, a network too large for the
 * heap) keep the device's kernels, which never wait for the host.
 */
final class HostUpdate {

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final float MIN_LOG_ALPHA = (float) HardConcreteGate.MIN_LOG_ALPHA;
    private static final float MAX_LOG_ALPHA = (float) HardConcreteGate.MAX_LOG_ALPHA;

    private final List<Parameter> parameters;
    private final ResumableAdam adam;
    /** Null when the run keeps no average. */
    private final ParameterAverage average;
    /** For each parameter, its gated layer's index among the log α parameters, or −1 for a weight or bias. */
    private final int[] logAlphaIndex;
    /** The weight and the gradient of the parameter in hand, copied from PyTorch's memory. */
    private final float[] weight;
    private final float[] gradient;

    HostUpdate(List<Parameter> parameters, List<Parameter> logAlphas, ResumableAdam adam, ParameterAverage average) {
        this.parameters = List.copyOf(parameters);
        this.adam = adam;
        this.average = average;
        this.logAlphaIndex = new int[parameters.size()];
        int largest = 0;
        for (int i = 0; i < parameters.size(); i++) {
            logAlphaIndex[i] = logAlphas.indexOf(parameters.get(i));
            largest = Math.max(largest, Math.toIntExact(parameters.get(i).getArray().size()));
        }
        this.weight = new float[largest];
        this.gradient = new float[largest];
    }

    /**
     * Whether a run on {@code devices} with {@code optimizer} can update {@code parameters} here: Adam, one CPU,
     * state within a quarter of the heap, float32 parameters whose direct buffer is their own storage (a tensor
     * that is not contiguous would hand out a fresh copy, which is then seen at another address each time).
     */
    static boolean applies(List<Device> devices, List<Parameter> parameters, OptimizerSpec optimizer) {
        if (!(optimizer instanceof OptimizerSpec.Adam) || devices.size() != 1
                || !Device.Type.CPU.equals(devices.getFirst().getDeviceType())) {
            return false;
        }
        // Adam's two moments and the average, three floats per parameter, plus two scratch arrays: a large network
        // on a small heap keeps them beside the parameters instead, where the kernels update them
        long values = 0;
        long largest = 0;
        for (Parameter p : parameters) {
            values += p.getArray().size();
            largest = Math.max(largest, p.getArray().size());
        }
        if ((3 * values + 2 * largest) * Float.BYTES > Runtime.getRuntime().maxMemory() / 4) {
            return false;
        }
        // a copy made by the check below belongs to this scope and is closed with it
        try (NDScope ignored = new NDScope()) {
            for (Parameter p : parameters) {
                NDArray array = p.getArray();
                if (array.getDataType() != DataType.FLOAT32 || !array.getDevice().equals(Device.cpu())
                        || storage(array).address() != storage(array).address()) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The step's update of every parameter from its gradient, which it clears. {@code frozenLogAlphas}: null while
     * training the gates (log α is then clamped to [{@link HardConcreteGate#MIN_LOG_ALPHA},
     * {@link HardConcreteGate#MAX_LOG_ALPHA}]), else the values log α is held at, one array per gated layer.
     */
    void step(List<float[]> frozenLogAlphas) {
        List<float[]> shadows = average == null ? null : average.advanceOnHost();
        float decay = average == null ? 0 : average.decayFactor();
        float complement = average == null ? 0 : average.complementFactor();
        for (int i = 0; i < parameters.size(); i++) {
            NDArray array = parameters.get(i).getArray();
            int size = Math.toIntExact(array.size());
            MemorySegment weightStorage = storage(array);
            // the scope would also close a contiguous copy, were the gradient stored otherwise
            try (NDScope ignored = new NDScope(); NDArray grad = array.getGradient()) {
                MemorySegment.copy(storage(grad), FLOAT, 0, gradient, 0, size);
            }
            MemorySegment.copy(weightStorage, FLOAT, 0, weight, 0, size);
            ResumableAdam.HostMoments moments = adam.advanceOnHost(parameters.get(i).getId(), size);
            adam(weight, gradient, moments.mean, moments.variance, size, adam.stepSize(moments.steps));
            int gatedLayer = logAlphaIndex[i];
            if (gatedLayer >= 0 && frozenLogAlphas != null) {
                System.arraycopy(frozenLogAlphas.get(gatedLayer), 0, weight, 0, size);
            } else if (gatedLayer >= 0) {
                clamp(weight, size);
            }
            if (shadows != null) {
                average(shadows.get(i), weight, size, decay, complement);
            }
            MemorySegment.copy(weight, 0, weightStorage, FLOAT, 0, size);
            Autograd.zeroGradient(array);
        }
    }

    /**
     * The engine's Adam kernel with weight decay 0, no rescaling and no clipping: g ← g + 0·w, m ← β₁m + (1−β₁)g,
     * v ← β₂v + (1−β₂)g², w ← w − (step·m) / (√v + ε), with libtorch's roundings (see the class comment).
     */
    static void adam(float[] w, float[] g, float[] m, float[] v, int size, float stepSize) {
        // as the kernel computes them, in float: 1 - beta1 with beta1 a float
        final float beta1 = ResumableAdam.BETA1;
        final float beta2 = ResumableAdam.BETA2;
        final float oneMinusBeta1 = 1 - beta1;
        final float oneMinusBeta2 = 1 - beta2;
        final float epsilon = ResumableAdam.EPSILON;
        for (int j = 0; j < size; j++) {
            float gj = Math.fma(w[j], 0f, g[j]);
            float mj = Math.fma(gj, oneMinusBeta1, m[j] * beta1);
            float vj = Math.fma(oneMinusBeta2 * gj, gj, v[j] * beta2);
            m[j] = mj;
            v[j] = vj;
            w[j] = w[j] - (mj * stepSize) / ((float) Math.sqrt(vj) + epsilon);
        }
    }

    /** What {@link HardConcreteGate#clamp} computes: a value below (above) the interval becomes its bound. */
    static void clamp(float[] logAlpha, int size) {
        for (int j = 0; j < size; j++) {
            float x = logAlpha[j];
            logAlpha[j] = x < MIN_LOG_ALPHA ? MIN_LOG_ALPHA : x > MAX_LOG_ALPHA ? MAX_LOG_ALPHA : x;
        }
    }

    /** m ← d·m + (1−d)·θ, each product rounded, then the sum: the device's mul, mul_ and add_. */
    static void average(float[] shadow, float[] w, int size, float decay, float complement) {
        for (int j = 0; j < size; j++) {
            shadow[j] = shadow[j] * decay + w[j] * complement;
        }
    }

    /** A CPU tensor's own storage (see {@link #applies}). */
    private static MemorySegment storage(NDArray array) {
        return MemorySegment.ofBuffer(array.toByteBuffer(true));
    }
}
