package io.l0sparsify.dataset;

import java.util.List;

/**
 * What one training run reads: its training and test examples (never overlapping), how stored values become
 * network input, the class names, and where the test part came from.
 */
public record TrainingData(Examples train, Examples test, Preprocessing preprocessing, List<String> classNames,
        SplitOrigin split) {

    public TrainingData {
        classNames = List.copyOf(classNames);
        if (!train.shape().equals(test.shape())) {
            throw new IllegalArgumentException("test examples are " + test.shape() + " but training examples are "
                    + train.shape());
        }
        if (!preprocessing.fits(train.shape())) {
            throw new IllegalArgumentException("preprocessing for " + preprocessing.mean().size()
                    + " channels but examples of shape " + train.shape());
        }
    }

    /**
     * A dataset's own train/test split with the default preprocessing of its stored values
     * ({@link Preprocessing#defaultFor}).
     *
     * @throws IllegalArgumentException when the dataset has no split of its own
     */
    public static TrainingData ofGivenSplit(LabelledDataset dataset) {
        return switch (dataset.splits()) {
            case LabelledDataset.Splits.Given(Examples train, Examples test) -> new TrainingData(train, test,
                    Preprocessing.defaultFor(train.values(), dataset.shape()), dataset.classNames(),
                    new SplitOrigin.FromFormat());
            case LabelledDataset.Splits.Unsplit u -> throw new IllegalArgumentException(
                    "the dataset has no test split of its own");
        };
    }

    public InputShape shape() {
        return train.shape();
    }

    /**
     * These data in the shape a model takes: themselves when the shapes agree; an image dataset seen as flat
     * feature vectors for a model whose input is {@code [C·H·W]} (a multilayer perceptron on images).
     *
     * @throws IllegalArgumentException naming both shapes when the model cannot take these examples
     */
    public TrainingData shapedFor(InputShape modelInput) {
        if (modelInput.equals(shape())) {
            return this;
        }
        if (!modelInput.isImage() && shape().isImage() && modelInput.size() == shape().size()) {
            return new TrainingData(train.reshaped(modelInput), test.reshaped(modelInput),
                    preprocessing.flattened(shape()), classNames, split);
        }
        throw new IllegalArgumentException("the dataset's examples have shape " + shape()
                + " but the model's inputShape is " + modelInput);
    }

    /** A smaller copy: the first {@code trainSize} training and {@code testSize} test examples. */
    public TrainingData head(int trainSize, int testSize) {
        return new TrainingData(train.head(trainSize), test.head(testSize), preprocessing, classNames, split);
    }

    /** Where a run's test examples came from. */
    public sealed interface SplitOrigin permits SplitOrigin.FromFormat, SplitOrigin.HeldOut {

        /** The dataset's own test split. */
        record FromFormat() implements SplitOrigin {}

        /** A seeded, stratified held-out fraction of an unsplit dataset. */
        record HeldOut(double testFraction, long seed) implements SplitOrigin {}
    }
}
