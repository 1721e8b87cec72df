package io.l0sparsify.prune;

/**
 * The trained values of one dense, conv or batch normalization layer, on the heap, in PyTorch layout, with the
 * test-time gates the pruner folds in.
 *
 * @param specIndex the layer's flat index in its {@link io.l0sparsify.spec.ModelSpec} (see
 *     {@link io.l0sparsify.spec.NetworkWalk}; the index in the spec's layers when it has no residual blocks)
 * @param weight dense {@code [units, inputs]}, conv {@code [filters, channels, k, k]}, row-major, or batch
 *     normalization's γ {@code [channels]}
 * @param bias one per unit or filter, or batch normalization's β
 * @param gates the deterministic gate ẑ ∈ [0, 1] per group (dense: per input, conv: per filter); null for
 *     an ungated layer and for batch normalization
 * @param runningMean batch normalization's running mean; null for other layers
 * @param runningVar batch normalization's running variance; null for other layers
 */
public record LayerParameters(int specIndex, float[] weight, float[] bias, float[] gates, float[] runningMean,
        float[] runningVar) {

    /** A dense or conv layer. */
    public LayerParameters(int specIndex, float[] weight, float[] bias, float[] gates) {
        this(specIndex, weight, bias, gates, null, null);
    }
}
