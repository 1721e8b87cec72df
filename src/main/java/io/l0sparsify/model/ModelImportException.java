package io.l0sparsify.model;

/**
 * An uploaded model that the service read but cannot fine-tune as it is: a node whose settings the trainer
 * cannot take, or a graph whose shape is not a chain of layers and residual blocks.
 */
public final class ModelImportException extends IllegalArgumentException {

    private final String node;

    /** @param node the ONNX node at fault, or null when the model as a whole is */
    public ModelImportException(String node, String reason) {
        super(node == null ? reason : "node '" + node + "': " + reason);
        this.node = node;
    }

    /** The node at fault, or null. */
    public String node() {
        return node;
    }
}
