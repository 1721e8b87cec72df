package io.l0sparsify.model;

/**
 * One reason a model is refused, naming where it is: a node (its name and operator), or a tensor (an
 * initializer, a graph input or output), or neither when it concerns the file as a whole.
 *
 * @param node the node's name (or, for an unnamed node, {@code #index}); null when no node is concerned
 * @param opType the node's operator; null when no node is concerned
 * @param tensor the tensor concerned; null when none
 * @param message what is wrong, in words
 */
public record ModelProblem(String node, String opType, String tensor, String message) {

    static ModelProblem ofFile(String message) {
        return new ModelProblem(null, null, null, message);
    }

    static ModelProblem ofTensor(String tensor, String message) {
        return new ModelProblem(null, null, tensor, message);
    }

    /** One line: {@code node 'n' (Op): message}, {@code tensor 't': message} or the message. */
    public String describe() {
        StringBuilder text = new StringBuilder();
        if (node != null) {
            text.append("node '").append(node).append("' (").append(opType).append(")");
        }
        if (tensor != null) {
            text.append(text.isEmpty() ? "" : ", ").append("tensor '").append(tensor).append("'");
        }
        return text.isEmpty() ? message : text + ": " + message;
    }
}
