package io.l0sparsify.export;

import io.l0sparsify.dataset.InputShape;
import io.l0sparsify.dataset.Preprocessing;
import java.util.List;

/**
 * What a user of an exported model needs besides its weights: how raw values (as the dataset held them) become
 * the model's input, and the names of the classes its logits score. Recorded in weights.json, in model.onnx's
 * metadata and in result.json, all from the run's own {@link Preprocessing}.
 *
 * @param preprocessing the formula training applied to every stored value
 * @param classNames the name of logit i at index i; a model may have more logits than the dataset has classes
 */
public record DataConventions(Preprocessing preprocessing, List<String> classNames) {

    /** The only layout the network takes: channel, then row, then column. */
    public static final String LAYOUT = "channel-first";

    public DataConventions {
        classNames = List.copyOf(classNames);
    }

    /**
     * The conventions of a model that takes only the features at {@code keptInputs} of the original input, in
     * that order (the kept-inputs variant of a pruned multilayer perceptron).
     */
    public DataConventions forKeptInputs(int[] keptInputs) {
        return new DataConventions(preprocessing.select(keptInputs), classNames);
    }

    /**
     * @throws IllegalArgumentException when these conventions cannot describe a network of this input shape and
     *     number of logits
     */
    void checkFits(List<Integer> inputShape, int numClasses) {
        if (!preprocessing.fits(new InputShape(inputShape))) {
            throw new IllegalArgumentException("preprocessing: " + preprocessing.mean().size()
                    + " means for a network whose input shape is " + inputShape);
        }
        if (classNames.size() > numClasses) {
            throw new IllegalArgumentException("classNames: " + classNames.size() + " names for a network with "
                    + numClasses + " logits");
        }
    }

    /** The preprocessing as weights.json and result.json write it. */
    public PreprocessingJson preprocessingJson() {
        return new PreprocessingJson(preprocessing.scale(), preprocessing.mean(), preprocessing.std(), LAYOUT,
                preprocessing.describe());
    }

    /**
     * The preprocessing as a JSON object: {@code x' = (x · scale − mean[c]) / std[c]} for a value x of channel c
     * (a single mean and std apply to every channel).
     */
    public record PreprocessingJson(double scale, List<Double> mean, List<Double> std, String layout,
            String description) {

        /** The preprocessing this object records. */
        public Preprocessing toPreprocessing() {
            return new Preprocessing(scale, mean, std);
        }
    }
}
