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
        if (preprocessing.mean().size() != train.shape().channels()) {
            throw new IllegalArgumentException("preprocessing for " + preprocessing.mean().size()
                    + " channels but examples of shape " + train.shape());
        }
    }

    public InputShape shape() {
        return train.shape();
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
