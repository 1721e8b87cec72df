package io.l0sparsify.export;

/** Runs and times ONNX models in ONNX Runtime. Skeleton: to be implemented. */
public final class OnnxRuntimeRunner {

    private OnnxRuntimeRunner() {}

    /**
     * Runs the model on {@code batch} inputs laid out row-major ({@code batch · inputSize} values) and
     * returns the logits, one row per input.
     */
    public static float[][] run(byte[] model, float[] inputs, int batch) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Median latency of one {@code run} at the given batch size after warm-up. */
    public static LatencyMeasurement measureLatency(byte[] model, int batchSize, int threads, int warmupRuns,
            int timedRuns) {
        throw new UnsupportedOperationException("not yet");
    }
}
