package io.l0sparsify.export;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Runs and times ONNX models exported by {@link OnnxExporter} in ONNX Runtime (CPU). Every session and
 * tensor is closed before a method returns, except the {@link Session} that {@link #open} returns, which its
 * caller closes; the {@link OrtEnvironment} is a process-wide singleton owned by ONNX Runtime and is left open.
 */
public final class OnnxRuntimeRunner {

    private OnnxRuntimeRunner() {}

    /**
     * Runs the model on {@code batch} inputs laid out row-major ({@code batch · inputSize} values) and
     * returns the logits, one row per input. Uses one intra-op thread.
     *
     * @param inputs {@code [batch, ...inputShape]} flattened row-major
     * @return {@code [batch][numClasses]}
     * @throws IllegalArgumentException if {@code inputs} does not hold {@code batch} inputs of the model's shape
     * @throws IllegalStateException if ONNX Runtime rejects the model or fails to run it
     */
    public static float[][] run(byte[] model, float[] inputs, int batch) {
        return run(model, inputs, batch, 1);
    }

    /** {@link #run(byte[], float[], int)} with {@code threads} intra-op threads. */
    public static float[][] run(byte[] model, float[] inputs, int batch, int threads) {
        try (Session session = open(model, threads)) {
            return session.run(inputs, batch);
        }
    }

    /**
     * A session on {@code model} for running it on many batches, as {@link #run(byte[], float[], int, int)} runs
     * it on one; close it.
     *
     * @throws IllegalStateException if ONNX Runtime rejects the model
     */
    public static Session open(byte[] model, int threads) {
        OrtSession.SessionOptions options = null;
        try {
            options = sessionOptions(threads);
            return new Session(options, environment().createSession(model, options));
        } catch (OrtException e) {
            if (options != null) {
                options.close();
            }
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    /** One ONNX Runtime session and its options, run batch by batch. */
    public static final class Session implements AutoCloseable {

        private final OrtSession.SessionOptions options;
        private final OrtSession session;

        private Session(OrtSession.SessionOptions options, OrtSession session) {
            this.options = options;
            this.session = session;
        }

        /**
         * The logits of {@code batch} inputs laid out row-major, one row per input.
         *
         * @throws IllegalArgumentException if {@code inputs} does not hold {@code batch} inputs of the model's shape
         * @throws IllegalStateException if ONNX Runtime fails to run the model
         */
        public float[][] run(float[] inputs, int batch) {
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be positive, found " + batch);
            }
            try {
                long[] shape = batchShape(session, batch);
                long expected = Arrays.stream(shape).reduce(1, Math::multiplyExact);
                if (inputs.length != expected) {
                    throw new IllegalArgumentException("expected " + expected + " input values for shape "
                            + Arrays.toString(shape) + ", found " + inputs.length);
                }
                try (OnnxTensor tensor = OnnxTensor.createTensor(environment(), FloatBuffer.wrap(inputs), shape);
                        OrtSession.Result result = session.run(Map.of(inputName(session), tensor))) {
                    return logits(result, batch);
                }
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime failed to close a session: " + e.getMessage(), e);
            } finally {
                options.close();
            }
        }
    }

    /**
     * Median latency of one {@code run} at the given batch size after warm-up. One session and one input
     * tensor (uniform random values in [0, 1), fixed seed) serve all calls, so only {@code session.run} and
     * the output's allocation are timed.
     *
     * @param threads ONNX Runtime intra-op threads (inter-op: 1, sequential execution)
     */
    public static LatencyMeasurement measureLatency(byte[] model, int batchSize, int threads, int warmupRuns,
            int timedRuns) {
        if (batchSize < 1 || threads < 1 || warmupRuns < 0 || timedRuns < 1) {
            throw new IllegalArgumentException("batchSize, threads and timedRuns must be positive and warmupRuns"
                    + " non-negative, found " + batchSize + ", " + threads + ", " + timedRuns + ", " + warmupRuns);
        }
        OrtEnvironment env = environment();
        try (OrtSession.SessionOptions options = sessionOptions(threads);
                OrtSession session = env.createSession(model, options)) {
            long[] shape = batchShape(session, batchSize);
            float[] values = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact))];
            SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextDouble();
            }
            try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape)) {
                Map<String, OnnxTensor> feed = Map.of(inputName(session), tensor);
                for (int i = 0; i < warmupRuns; i++) {
                    try (OrtSession.Result ignored = session.run(feed)) {
                        // warm-up: caches, allocator arenas, thread pool
                    }
                }
                long[] nanos = new long[timedRuns];
                for (int i = 0; i < timedRuns; i++) {
                    long start = System.nanoTime();
                    try (OrtSession.Result ignored = session.run(feed)) {
                        nanos[i] = System.nanoTime() - start;
                    }
                }
                Arrays.sort(nanos);
                return new LatencyMeasurement(batchSize, threads, timedRuns, median(nanos) / 1000.0,
                        percentile(nanos, 0.9) / 1000.0);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    /** The version of the ONNX Runtime native library in use, e.g. "1.22.0". */
    public static String onnxRuntimeVersion() {
        return environment().getVersion();
    }

    /**
     * ONNX Runtime's process-wide environment. On first use ONNX Runtime extracts its native library into a
     * new folder under {@code java.io.tmpdir} and fails if that directory does not exist, as happens when
     * tmpdir is pointed at a build folder; so the directory is created first.
     */
    static OrtEnvironment environment() {
        try {
            Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create java.io.tmpdir for ONNX Runtime's native library", e);
        }
        return OrtEnvironment.getEnvironment();
    }

    /**
     * The model's one input: {@value OnnxExporter#INPUT_NAME} in the models this service writes from a spec, the
     * upload's own name in a fine-tuned upload and in the upload itself.
     */
    static String inputName(OrtSession session) {
        if (session.getNumInputs() != 1) {
            throw new IllegalArgumentException("the model has " + session.getNumInputs() + " inputs "
                    + session.getInputNames() + "; one is expected");
        }
        return session.getInputNames().iterator().next();
    }

    /** The input's shape as the model declares it, with its dynamic batch dimension set to {@code batch}. */
    static long[] batchShape(OrtSession session, int batch) throws OrtException {
        NodeInfo info = session.getInputInfo().get(inputName(session));
        if (!(info.getInfo() instanceof TensorInfo tensorInfo)) {
            throw new IllegalArgumentException("the model's input '" + info.getName() + "' is not a tensor");
        }
        long[] shape = tensorInfo.getShape().clone();
        shape[0] = batch;
        return shape;
    }

    private static OrtSession.SessionOptions sessionOptions(int threads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

    private static float[][] logits(OrtSession.Result result, int batch) throws OrtException {
        // the first output: the logits (or their softmax) in every model this service writes or fine-tunes
        OnnxValue value = result.get(0);
        if (!(value instanceof OnnxTensor tensor)) {
            throw new IllegalStateException("the model's first output is not a tensor");
        }
        long[] shape = tensor.getInfo().getShape();
        if (shape.length != 2 || shape[0] != batch) {
            throw new IllegalStateException("expected logits [" + batch + ", classes], found "
                    + Arrays.toString(shape));
        }
        FloatBuffer flat = tensor.getFloatBuffer();
        float[][] rows = new float[batch][(int) shape[1]];
        for (float[] row : rows) {
            flat.get(row);
        }
        return rows;
    }

    private static double median(long[] sorted) {
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
    }

    /** Nearest-rank percentile of sorted values. */
    private static double percentile(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
