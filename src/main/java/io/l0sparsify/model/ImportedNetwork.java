package io.l0sparsify.model;

import io.l0sparsify.export.GraphInterface;
import io.l0sparsify.prune.LayerParameters;
import io.l0sparsify.spec.ModelSpec;
import java.util.List;

/**
 * An uploaded model as the trainer takes it: the network as a {@link ModelSpec} (gates where removing a unit is
 * exact), its weights as the starting point, and what the exported model must keep to replace the upload
 * unchanged (its tensor names and the activation at its output).
 *
 * @param spec the network; its last dense layer gives the logits the upload's output activation reads
 * @param parameters every dense, conv and batch normalization layer's values, by flat index of {@code spec}
 *     (gates null: they start open)
 * @param inputName the upload's graph input
 * @param outputName the upload's one graph output
 * @param output what the upload's output holds: the logits, or their softmax or log-softmax
 * @param foldedNormalizations batch normalizations of the upload that became part of a shortcut's projection
 *     (their names), because the spec's projection has none
 * @param originalParameters the upload's parameters as {@link ModelGraph#parameters()} counts them
 * @param originalFlops the upload's FLOPs per example as {@link ModelGraph#flops()} counts them
 */
public record ImportedNetwork(ModelSpec spec, List<LayerParameters> parameters, String inputName,
        String outputName, GraphInterface.Output output, List<String> foldedNormalizations, long originalParameters,
        long originalFlops) {

    public ImportedNetwork {
        parameters = List.copyOf(parameters);
        foldedNormalizations = List.copyOf(foldedNormalizations);
    }

    /** What the exported model must keep to replace the upload: its tensor names and output function. */
    public GraphInterface graphInterface() {
        return new GraphInterface(inputName, outputName, output);
    }
}
