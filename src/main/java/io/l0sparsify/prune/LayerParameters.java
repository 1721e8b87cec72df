package io.l0sparsify.prune;

/**
 * The trained values of one dense or conv layer, on the heap, in PyTorch layout, with the test-time
 * gates the pruner folds in.
 *
 * @param specIndex index of the layer in its {@link io.l0sparsify.spec.ModelSpec}
 * @param weight dense {@code [units, inputs]} or conv {@code [filters, channels, k, k]}, row-major
 * @param bias one per unit or filter
 * @param gates the deterministic gate ẑ ∈ [0, 1] per group (dense: per input, conv: per filter); null for
 *     an ungated layer
 */
public record LayerParameters(int specIndex, float[] weight, float[] bias, float[] gates) {}
