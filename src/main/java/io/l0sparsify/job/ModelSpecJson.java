package io.l0sparsify.job;

import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/** Writes a {@link ModelSpec} in the contract's layer notation (the inverse of the request parser). */
public final class ModelSpecJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ModelSpecJson() {}

    public static ObjectNode write(ModelSpec spec) {
        ObjectNode node = NODES.objectNode();
        ArrayNode shape = node.putArray("inputShape");
        spec.inputShape().forEach(shape::add);
        ArrayNode layers = node.putArray("layers");
        for (LayerSpec layer : spec.layers()) {
            layers.add(write(layer));
        }
        return node;
    }

    public static ObjectNode write(LayerSpec layer) {
        ObjectNode node = NODES.objectNode();
        node.put("type", layer.type());
        if (layer instanceof LayerSpec.Dense d) {
            node.put("units", d.units());
            node.put("gated", d.gated());
        } else if (layer instanceof LayerSpec.Conv2d c) {
            node.put("filters", c.filters());
            node.put("kernel", c.kernel());
            node.put("stride", c.stride());
            node.put("padding", c.padding());
            node.put("gated", c.gated());
        } else if (layer instanceof LayerSpec.MaxPool p) {
            node.put("size", p.size());
            node.put("stride", p.stride());
        } else if (layer instanceof LayerSpec.Dropout d) {
            node.put("rate", d.rate());
        }
        return node;
    }
}
