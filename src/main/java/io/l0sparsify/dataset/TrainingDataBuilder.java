package io.l0sparsify.dataset;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a read dataset into what one run trains and tests on: the format's split, or a stratified held-out one
 * ({@link StratifiedSplit}); then the configured caps (first examples of each part); then the preprocessing, the
 * default scaling of the stored values or, with {@code standardize}, also the per-channel mean and standard
 * deviation of the scaled training part. Test examples never enter the statistics or training.
 */
public final class TrainingDataBuilder {

    private TrainingDataBuilder() {}

    /**
     * @param dataset as read
     * @param ref the job's reference: its test fraction (null: {@code defaultTestFraction}) and standardisation
     * @param defaultTestFraction {@code l0.datasets.default-test-fraction}
     * @param seed the job's training seed, which chooses a held-out split
     * @param maxTrain at most this many training examples (0: all)
     * @param maxTest at most this many test examples (0: all)
     * @throws IllegalArgumentException the dataset cannot be split, or a part is empty after splitting
     */
    public static TrainingData build(LabelledDataset dataset, DatasetRef ref, double defaultTestFraction, long seed,
            int maxTrain, int maxTest) {
        Examples train;
        Examples test;
        TrainingData.SplitOrigin origin;
        switch (dataset.splits()) {
            case LabelledDataset.Splits.Given(Examples givenTrain, Examples givenTest) -> {
                train = givenTrain;
                test = givenTest;
                origin = new TrainingData.SplitOrigin.FromFormat();
            }
            case LabelledDataset.Splits.Unsplit(Examples all) -> {
                double fraction = ref.testFraction() != null ? ref.testFraction() : defaultTestFraction;
                LabelledDataset.Splits.Given held = StratifiedSplit.split(all, dataset.classNames().size(), fraction,
                        seed);
                train = held.train();
                test = held.test();
                origin = new TrainingData.SplitOrigin.HeldOut(fraction, seed);
            }
        }
        train = sample(train, maxTrain, seed);
        test = sample(test, maxTest, seed + 1);
        if (train.size() == 0 || test.size() == 0) {
            throw new IllegalArgumentException("the dataset has " + train.size() + " training and " + test.size()
                    + " test examples; a job needs some of each");
        }
        Preprocessing preprocessing = Preprocessing.defaultFor(train.values(), train.shape());
        if (ref.standardize()) {
            preprocessing = standardised(train, preprocessing.scale());
        }
        return new TrainingData(train, test, preprocessing, dataset.classNames(), origin);
    }

    /**
     * At most {@code max} of {@code part}'s examples (all when max ≤ 0 or it has no more), drawn uniformly with
     * {@code seed} and kept in the dataset's order. Not the first ones: files are often sorted by class (a folder
     * per class, a sorted table), and the first N would then hold only the first classes.
     */
    static Examples sample(Examples part, int max, long seed) {
        if (max <= 0 || part.size() <= max) {
            return part;
        }
        int[] order = new int[part.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (int i = 0; i < max; i++) {
            int j = i + random.nextInt(order.length - i);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        int[] chosen = java.util.Arrays.copyOf(order, max);
        java.util.Arrays.sort(chosen);
        return part.select(part.name() + "[" + max + " of " + part.size() + "]", chosen);
    }

    /**
     * Per-channel mean and (population) standard deviation of the scaled training values, in two passes (the
     * mean, then squared deviations from it), which stay exact where one pass of sums of squares would cancel
     * for features far from zero. A channel that is constant in training keeps a standard deviation of 1:
     * dividing by 0 would make its input infinite, and there is nothing in it to rescale.
     */
    static Preprocessing standardised(Examples train, double scale) {
        InputShape shape = train.shape();
        int channels = shape.channels();
        double[] mean = new double[channels];
        accumulate(train, scale, mean, null);
        double count = (double) train.size() * shape.valuesPerChannel();
        for (int c = 0; c < channels; c++) {
            mean[c] /= count;
        }
        double[] squares = new double[channels];
        accumulate(train, scale, squares, mean);
        List<Double> means = new ArrayList<>();
        List<Double> stds = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            double s = Math.sqrt(squares[c] / count);
            means.add(mean[c]);
            stds.add(s > 1e-12 && Double.isFinite(s) ? s : 1.0);
        }
        return new Preprocessing(scale, means, stds);
    }

    /** Adds each scaled value (or, given {@code centre}, its squared distance from its channel's) to its channel. */
    private static void accumulate(Examples examples, double scale, double[] into, double[] centre) {
        int exampleSize = examples.shape().size();
        int perChannel = examples.shape().valuesPerChannel();
        switch (examples.values()) {
            case ExampleValues.UnsignedBytes(byte[] bytes) -> {
                for (int i = 0; i < bytes.length; i++) {
                    add(into, centre, (i % exampleSize) / perChannel, (bytes[i] & 0xFF) * scale);
                }
            }
            case ExampleValues.Floats(float[] floats) -> {
                for (int i = 0; i < floats.length; i++) {
                    add(into, centre, (i % exampleSize) / perChannel, floats[i] * scale);
                }
            }
        }
    }

    private static void add(double[] into, double[] centre, int channel, double value) {
        if (centre == null) {
            into[channel] += value;
        } else {
            double d = value - centre[channel];
            into[channel] += d * d;
        }
    }
}
