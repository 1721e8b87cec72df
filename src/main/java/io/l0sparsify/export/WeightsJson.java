package io.l0sparsify.export;

import io.l0sparsify.prune.PrunedNetwork;

/** The pruned network as plain JSON data (weights.json). Skeleton: to be implemented. */
public final class WeightsJson {

    private WeightsJson() {}

    public static byte[] write(PrunedNetwork network) {
        throw new UnsupportedOperationException("not yet");
    }

    public static PrunedNetwork read(byte[] json) {
        throw new UnsupportedOperationException("not yet");
    }
}
