package io.l0sparsify.export;

import io.l0sparsify.prune.PrunedNetwork;

/** Writes a {@link PrunedNetwork} as an ONNX model. Skeleton: to be implemented. */
public final class OnnxExporter {

    private OnnxExporter() {}

    /**
     * The ONNX model (opset ≥ 17, standard operators only): input {@code input} float32
     * {@code [N, ...inputShape]} with a dynamic batch dimension N, output {@code logits} float32
     * {@code [N, numClasses]}.
     */
    public static byte[] export(PrunedNetwork network, String modelName) {
        throw new UnsupportedOperationException("not yet");
    }
}
