package io.l0sparsify.export;

/**
 * What a caller of an exported model sees of its graph: the input's name, the output's name, and what the output
 * holds. A model trained from a spec has {@link #LOGITS}; a fine-tuned upload keeps the upload's own names and
 * output function, so that it replaces the upload without changing the code that calls it.
 *
 * @param inputName the graph input, {@code float32 [N, ...inputShape]}
 * @param outputName the graph output, {@code float32 [N, classes]}
 * @param output what the output holds
 */
public record GraphInterface(String inputName, String outputName, Output output) {

    /** Input {@value OnnxExporter#INPUT_NAME}, output {@value OnnxExporter#OUTPUT_NAME}: the logits. */
    public static final GraphInterface LOGITS =
            new GraphInterface(OnnxExporter.INPUT_NAME, OnnxExporter.OUTPUT_NAME, Output.LOGITS);

    public GraphInterface {
        if (inputName == null || inputName.isEmpty() || outputName == null || outputName.isEmpty()) {
            throw new IllegalArgumentException("input and output need names");
        }
        if (inputName.equals(outputName)) {
            throw new IllegalArgumentException("input and output cannot share the name '" + inputName + "'");
        }
    }

    /** The function of the logits the output holds. */
    public enum Output {
        LOGITS("unnormalised class scores (softmax gives probabilities)"),
        SOFTMAX("class probabilities (the softmax of the logits)"),
        LOG_SOFTMAX("log class probabilities (the log-softmax of the logits)");

        private final String description;

        Output(String description) {
            this.description = description;
        }

        String description() {
            return description;
        }
    }
}
