package io.l0sparsify.job;

import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** Writes a {@link ModelSpec} in the contract's notation ({@code {"inputShape": [...], "layers": [...]}}). */
public final class ModelSpecJson {

    /** The contract's inline model; layers carry their {@code type} tag (see {@link LayerSpec}). */
    record InlineModel(List<Integer> inputShape, List<LayerSpec> layers) {}

    private ModelSpecJson() {}

    public static ObjectNode write(ModelSpec spec) {
        return JobJson.MAPPER.valueToTree(new InlineModel(spec.inputShape(), spec.layers()));
    }
}
