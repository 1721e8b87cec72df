package io.l0sparsify.dataset;

/** A dataset's training and test parts, as the IDX layout ships them. */
public record TrainTestSplit(ImageDataset train, ImageDataset test) {

    /** A smaller copy: the first {@code trainSize} training and {@code testSize} test images. */
    public TrainTestSplit head(int trainSize, int testSize) {
        return new TrainTestSplit(train.head(trainSize), test.head(testSize));
    }
}
