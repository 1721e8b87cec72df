package io.l0sparsify.export;

/**
 * Inference latency of one model in ONNX Runtime.
 *
 * @param batchSize inputs per call
 * @param threads ONNX Runtime intra-op threads
 * @param runs timed calls (after warm-up)
 * @param medianMicros median wall-clock microseconds per call
 * @param p90Micros 90th percentile
 */
public record LatencyMeasurement(int batchSize, int threads, int runs, double medianMicros, double p90Micros) {}
