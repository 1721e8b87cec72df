package io.l0sparsify.dataset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What ingestion found in a dataset, shown with the resource: its splits, the shape and stored type of one
 * example, its classes with their counts per split, and per-channel statistics.
 *
 * @param splits {@code train} and {@code test} when the format shipped a split, else one {@code all}
 * @param inputShape {@code [F]} or {@code [C, H, W]}
 * @param dtype the stored type: {@code uint8} (images, scaled by 1/255 for the statistics) or {@code float32}
 * @param classes one per class index
 * @param statistics per-channel mean and standard deviation of the scaled values
 */
public record DatasetSummary(List<Split> splits, List<Integer> inputShape, String dtype, List<ClassInfo> classes,
        Statistics statistics) {

    public DatasetSummary {
        splits = List.copyOf(splits);
        inputShape = List.copyOf(inputShape);
        classes = List.copyOf(classes);
    }

    /** A part of the dataset and how many examples it holds. */
    public record Split(String name, int examples) {}

    /**
     * One class.
     *
     * @param index the label the network is trained to answer
     * @param name the class's name ({@code "0"}, {@code "1"}, … where the format has none)
     * @param counts examples of the class per split, in the order of {@link #splits()}
     */
    public record ClassInfo(int index, String name, Map<String, Long> counts) {

        public ClassInfo {
            counts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(counts));
        }
    }

    /**
     * Per-channel statistics of the values after scaling (unsigned bytes · 1/255, floats as they are), taken
     * over the training split, or over all examples when the format has no split. A feature vector has one
     * "channel" per feature ({@link InputShape#channels()}). The standard deviation is the population one
     * (numpy's {@code std} with {@code ddof=0}).
     *
     * @param over the split they were taken over: {@code train} or {@code all}
     * @param mean one per channel
     * @param std one per channel
     */
    public record Statistics(String over, List<Double> mean, List<Double> std) {

        public Statistics {
            mean = List.copyOf(mean);
            std = List.copyOf(std);
        }
    }

    /** The summary of a dataset just read. */
    public static DatasetSummary of(LabelledDataset dataset) {
        List<Examples> parts = dataset.splits().parts();
        List<String> names = switch (dataset.splits()) {
            case LabelledDataset.Splits.Given given -> List.of("train", "test");
            case LabelledDataset.Splits.Unsplit unsplit -> List.of("all");
        };
        List<Split> splits = new ArrayList<>();
        List<long[]> countsPerSplit = new ArrayList<>();
        int classCount = dataset.classNames().size();
        for (int i = 0; i < parts.size(); i++) {
            splits.add(new Split(names.get(i), parts.get(i).size()));
            countsPerSplit.add(parts.get(i).classCounts(classCount));
        }
        List<ClassInfo> classes = new ArrayList<>();
        for (int c = 0; c < classCount; c++) {
            Map<String, Long> counts = new LinkedHashMap<>();
            for (int i = 0; i < parts.size(); i++) {
                counts.put(names.get(i), countsPerSplit.get(i)[c]);
            }
            classes.add(new ClassInfo(c, dataset.classNames().get(c), counts));
        }
        Examples statisticsPart = parts.get(0);
        return new DatasetSummary(splits, dataset.shape().dims(), statisticsPart.values().dtype(), classes,
                statistics(names.get(0), statisticsPart));
    }

    /** Two passes (mean, then squared deviations), in double: stable for any scale of float features. */
    static Statistics statistics(String over, Examples examples) {
        InputShape shape = examples.shape();
        int channels = shape.channels();
        int perChannel = shape.valuesPerChannel();
        int exampleSize = shape.size();
        double scale = switch (examples.values()) {
            case ExampleValues.UnsignedBytes b -> 1.0 / 255.0;
            case ExampleValues.Floats f -> 1.0;
        };
        long n = (long) examples.size() * perChannel;
        double[] sum = new double[channels];
        double[] squares = new double[channels];
        for (int pass = 0; pass < 2; pass++) {
            double[] mean = new double[channels];
            for (int c = 0; c < channels; c++) {
                mean[c] = n == 0 ? 0 : sum[c] / n;
            }
            for (int e = 0; e < examples.size(); e++) {
                for (int c = 0; c < channels; c++) {
                    int from = e * exampleSize + c * perChannel;
                    double accumulated = 0;
                    for (int i = from; i < from + perChannel; i++) {
                        double x = value(examples.values(), i) * scale;
                        accumulated += pass == 0 ? x : (x - mean[c]) * (x - mean[c]);
                    }
                    (pass == 0 ? sum : squares)[c] += accumulated;
                }
            }
        }
        List<Double> means = new ArrayList<>();
        List<Double> stds = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
            means.add(n == 0 ? 0.0 : sum[c] / n);
            stds.add(n == 0 ? 0.0 : Math.sqrt(squares[c] / n));
        }
        return new Statistics(over, means, stds);
    }

    private static double value(ExampleValues values, int index) {
        return switch (values) {
            case ExampleValues.UnsignedBytes(byte[] bytes) -> bytes[index] & 0xFF;
            case ExampleValues.Floats(float[] floats) -> floats[index];
        };
    }

    /** The class names in index order. */
    public List<String> classNames() {
        return classes.stream().map(ClassInfo::name).toList();
    }
}
